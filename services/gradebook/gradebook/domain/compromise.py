"""Отмена действий под скомпрометированной учётной записью (R-3): what undoing a record's compromised writes means.

The marks a person posted or changed and the lessons' topics and homework they edited since the reported moment
are void; the school's administrator undoes them past the edit window (R-24), the undo logged with its reason like
every correction (R-25). A later change by someone else is legitimate and wins: it is never overwritten.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chassis.auth import REVERT_REASON


@dataclass(frozen=True)
class Write:
    """A row of a record's change log (R-25), oldest first: ``action`` as ``MarkChange`` names it, or the lesson's
    field ``LessonChange`` logs («topic», «homework»)."""

    by: UUID
    at: datetime
    action: str
    #: None: the field was empty before (a lesson without homework).
    old_value: str | None
    reason: str | None


@dataclass(frozen=True)
class Delete:
    """The mark was posted under the account and only the account wrote to it since: it goes."""


@dataclass(frozen=True)
class Restore:
    """The value before the account's last changes comes back (None: the field is emptied again)."""

    value: str | None


@dataclass(frozen=True)
class Kept:
    """Nothing is written: ``outcome`` says why («already_reverted», «changed_since», «refused»)."""

    outcome: str


Plan = Delete | Restore | Kept


def revert_plan(
    person_id: UUID,
    since: datetime,
    posted_by: UUID | None,
    posted_at: datetime | None,
    writes: list[Write],
    *,
    action: str = "value",
) -> Plan | None:
    """How to undo ``person_id``'s writes of a record since ``since``; None: they wrote nothing to it since then.

    ``posted_by``/``posted_at`` name who created the record and when: a mark posted under the account and touched
    by it alone goes. None for a lesson's field: the lesson stays, its ``action`` field («topic», «homework») gets
    back the value before the account's edits.
    """

    def compromised(by: UUID | None, at: datetime | None) -> bool:
        return by == person_id and at is not None and at >= since

    posted = compromised(posted_by, posted_at)
    if not posted and not any(compromised(w.by, w.at) for w in writes):
        return None
    # The account's writes after the last legitimate one are undone; a later legitimate one is never overwritten.
    trailing = 0
    while trailing < len(writes) and compromised(writes[-1 - trailing].by, writes[-1 - trailing].at):
        trailing += 1
    if posted and trailing == len(writes):
        return Delete()
    if not trailing:
        return Kept("already_reverted" if writes[-1].reason == REVERT_REASON else "changed_since")
    values = [w for w in writes[-trailing:] if w.action == action]
    # A вид работы or a lesson's date changed under the account is put right by hand (``Kept("refused")``).
    return Restore(values[0].old_value) if values else Kept("refused")
