"""The access log's tamper evidence (R-5): each entry sealed with a hash over the previous seal and itself.

Changing, removing or reordering a sealed entry breaks every later seal, so an audit that
recomputes the chain finds the first entry that no longer fits.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chassis.chain import GENESIS, link


@dataclass(frozen=True)
class Entry:
    id: int
    person_id: UUID
    method: str
    path: str
    status: int
    at: datetime


def seal(previous: str, entry: Entry) -> str:
    """SHA-256 over the previous seal and the entry's fields (``chassis.chain``)."""
    fields = (str(entry.id), str(entry.person_id), entry.method, entry.path, str(entry.status))
    return link(previous, (*fields, entry.at.isoformat(timespec="microseconds")))


def first_broken(entries: list[tuple[Entry | int, str]], previous: str = GENESIS) -> int | None:
    """The id of the first sealed entry (in id order) whose seal does not follow from the one before.

    An entry removed at the end of its retention is only its id with its seal (``int``): nothing is
    left to recompute, but its seal still starts the next link, so the entries kept stay verifiable.
    """
    for entry, stored in entries:
        if isinstance(entry, int):
            previous = stored
            continue
        expected = seal(previous, entry)
        if stored != expected:
            return entry.id
        previous = stored
    return None
