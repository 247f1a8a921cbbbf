"""The year's report of marks changed after the fact (R-25, 004 §3.8): gradebook's log as the administrator reads it."""

from dataclasses import dataclass
from datetime import date, datetime

#: What each kind of entry of gradebook's log means, as the report names it.
ACTIONS = {
    "value": "отметка изменена",
    "work_type": "изменён вид работы",
    "mark_deleted": "отметка удалена",
    "lesson_moved": "урок перенесён",
    "lesson_deleted": "урок удалён",
}


@dataclass(frozen=True)
class LoggedChange:
    changed_at: datetime
    changed_by_name: str
    action: str
    old_value: str
    new_value: str
    reason: str | None
    lesson_date: date | None
    class_name: str | None
    subject_name: str | None
    student_name: str | None
    seal_no: int | None


@dataclass(frozen=True)
class ChainState:
    sealed: int
    intact: bool
    first_broken_no: int | None
    first_broken_at: datetime | None


def action_title(action: str) -> str:
    return ACTIONS.get(action, "изменение")


def chain_note(chain: ChainState, changes: list[LoggedChange], zone) -> str:
    """One line on whether the log can be trusted: the chain intact, or where it was broken (R-25, R-5)."""
    if not chain.intact:
        when = f" от {chain.first_broken_at.astimezone(zone):%d.%m.%Y %H:%M}" if chain.first_broken_at else ""
        return (
            f"Внимание: запись журнала изменений № {chain.first_broken_no}{when} изменена или удалена после записи — "
            "цепочка нарушена, обратитесь к администратору безопасности."
        )
    waiting = sum(1 for change in changes if change.seal_no is None)
    note = f"Журнал изменений не нарушен: проверено записей — {chain.sealed}."
    return note + (f" Ещё не опечатано — {waiting} (последние минуты)." if waiting else "")
