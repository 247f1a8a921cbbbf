"""The one place a service reads the time: every "today", deadline and edit window follows it.

Production reads the system clock. A service started with the ``test`` profile may be given a
start instant (``JOURNAL_TEST_CLOCK``); its clock then runs on from there in real time, so a
test's "today" is chosen by the test and never flips at midnight halfway through a run. Any
other profile refuses a test clock: it would be a way around the edit window (R-24).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass
class Clock:
    """Real time, shifted by ``offset`` (zero outside tests)."""

    offset: timedelta = field(default=timedelta(0))

    @classmethod
    def starting_at(cls, instant: datetime) -> "Clock":
        """A clock that reads ``instant`` now and runs on from it."""
        return cls(instant - datetime.now(UTC))

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self, timezone: str) -> date:
        """The calendar date in ``timezone`` (a school's today)."""
        return self.now().astimezone(ZoneInfo(timezone)).date()
