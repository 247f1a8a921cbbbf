"""Отмена действий под скомпрометированной учётной записью (R-3): what undoing a mark's compromised writes means.

The marks a person posted or changed since the reported moment are void; the school's administrator undoes them
past the edit window (R-24), the undo logged with its reason like every correction (R-25). A later change by
someone else is legitimate and wins: it is never overwritten.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chassis.auth import REVERT_REASON


@dataclass(frozen=True)
class ValueWrite:
    """A change of the mark's value in the change log (R-25), oldest first."""

    by: UUID
    at: datetime
    old_value: str
    reason: str | None


@dataclass(frozen=True)
class Delete:
    """The mark was posted under the account and nobody changed it since: it goes."""


@dataclass(frozen=True)
class Restore:
    """The value before the account's last writes comes back."""

    value: str


@dataclass(frozen=True)
class Kept:
    """Nothing is written: ``outcome`` says why («already_reverted», «changed_since»)."""

    outcome: str


Plan = Delete | Restore | Kept


def revert_plan(
    person_id: UUID, since: datetime, posted_by: UUID, posted_at: datetime, writes: list[ValueWrite]
) -> Plan | None:
    """How to undo ``person_id``'s writes of a mark since ``since``; None: they wrote nothing to it since then."""

    def compromised(by: UUID, at: datetime) -> bool:
        return by == person_id and at >= since

    posted = compromised(posted_by, posted_at)
    if not posted and not any(compromised(w.by, w.at) for w in writes):
        return None
    # The account's writes after the last legitimate one are undone back to that one's value.
    trailing = 0
    while trailing < len(writes) and compromised(writes[-1 - trailing].by, writes[-1 - trailing].at):
        trailing += 1
    if trailing:
        return Restore(writes[-trailing].old_value)
    if writes:
        return Kept("already_reverted" if writes[-1].reason == REVERT_REASON else "changed_since")
    return Delete()
