"""The dates the journal accepts at its edges: anything outside is a 422 problem, never arithmetic that overflows.

A school's records start with the regional system (no journal before 2000) and a period is
reasoned about a year or so ahead; birth dates reach further back. ``JournalDate`` fits
every date a request carries, so ``end=0001-01-01`` or ``9999-12-31`` is refused where it enters.
"""

from datetime import date
from typing import Annotated

from pydantic import Field

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)

JournalDate = Annotated[date, Field(ge=EARLIEST, le=LATEST)]
