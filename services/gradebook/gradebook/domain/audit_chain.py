"""The mark-change log as a chain (R-25, 004 §3.8): each entry sealed over the previous entry's seal.

A school's entries are chained in the order they were sealed (``seal_no`` 1, 2, …). Editing an entry's who,
when, old or new value or reason, deleting one from the middle or swapping two breaks the seal of that entry
or of the next, so ``first_broken`` names where the log was tampered with.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chassis import chain


@dataclass(frozen=True)
class ChangeEntry:
    """What the seal covers: the whole row as written, and its place in the chain."""

    id: UUID
    school_id: UUID
    seal_no: int
    mark_id: UUID | None
    lesson_id: UUID
    action: str
    changed_by: UUID
    changed_by_name: str
    changed_at: datetime
    old_value: str
    new_value: str
    reason: str | None


def fields(entry: ChangeEntry) -> tuple[str, ...]:
    # A missing mark or reason is "-", never "": an empty reason and none must not seal alike with the next field.
    return (
        str(entry.id),
        str(entry.school_id),
        str(entry.seal_no),
        str(entry.mark_id) if entry.mark_id else "-",
        str(entry.lesson_id),
        entry.action,
        str(entry.changed_by),
        entry.changed_by_name,
        entry.changed_at.isoformat(timespec="microseconds"),
        entry.old_value,
        entry.new_value,
        "-" if entry.reason is None else "+" + entry.reason,
    )


def seal(previous: str, entry: ChangeEntry) -> str:
    return chain.link(previous, fields(entry))


def first_broken(entries: Iterable[tuple[ChangeEntry, str]]) -> ChangeEntry | None:
    """The first sealed entry, in ``seal_no`` order, that was changed, or follows a removed or moved one."""
    previous, expected_no = chain.GENESIS, 1
    for entry, stored in entries:
        # A gap in the numbers is an entry removed; the seal catches it too, the number names the place plainly.
        if entry.seal_no != expected_no or stored != seal(previous, entry):
            return entry
        previous, expected_no = stored, expected_no + 1
    return None
