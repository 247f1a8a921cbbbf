"""Исправления в журнале: deleting a mark, changing its вид работы, deleting or moving a lesson, disputes.

Every correction happens inside the edit window (R-24, ``EditWindow.check``, the one comparison) and
outside a closed period (R-27), with a reason a person can read later in the log (R-25).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from chassis.problems import Conflict, Invalid
from gradebook.domain.edit_window import EditWindow
from gradebook.domain.periods import Lock, check_unlocked
from gradebook.domain.work_types import WorkType

#: 004 app.8: a student or parent flags a mark as wrong within 3 days of its posting.
DISPUTE_DAYS = 3
#: The shortest reason that still says something («ошибка», «не тот ученик»).
REASON_MIN = 3


@dataclass(frozen=True)
class MarkState:
    """A mark as the correction rules see it."""

    value: str
    work_type: WorkType


def correction_reason(raw: str | None, what: str) -> str:
    """R-25: why a record was corrected, required; ``what`` names the correction («удаления отметки»)."""
    reason = (raw or "").strip()
    if len(reason) < REASON_MIN:
        raise Invalid(f"Укажите причину {what}: она сохраняется в журнале изменений.")
    return reason


def check_correctable(lesson_date: date, today: date, window: EditWindow, locks: Iterable[Lock] = ()) -> None:
    """The one gate of every correction: the edit window (R-24), then the course's closed periods (R-27)."""
    window.check(lesson_date, today)
    check_unlocked(lesson_date, locks)


def check_work_type_change(mark: MarkState, new: WorkType) -> None:
    """A mark may move to another вид работы of the same scale; a 5-point mark never becomes «зач»."""
    if new.code == mark.work_type.code:
        raise Invalid(f"У отметки уже вид работы «{new.title}».")
    if new.pass_fail != mark.work_type.pass_fail:
        scale = "зачёт/незачёт" if new.pass_fail else "пятибалльной шкале"
        raise Invalid(
            f"Отметку «{mark.value}» нельзя перевести в вид работы «{new.title}»: он оценивается по {scale}. "
            "Удалите отметку и поставьте новую."
        )


def check_lesson_move(*, scheduled: bool, old_date: date, new_date: date, today: date) -> None:
    """Only a lesson outside the timetable moves (roster owns the timetable's dates, R-14), to another day
    that has come; the caller checks both dates with ``check_correctable`` (R-24, R-27)."""
    if scheduled:
        raise Conflict("Урок по расписанию переносит только расписание (замены и переносы — у администрации).")
    if new_date == old_date:
        raise Invalid(f"Урок уже стоит на {old_date:%d.%m.%Y}.")
    if new_date > today:
        raise Invalid("Урок нельзя перенести на день, который ещё не наступил.")


def check_lesson_delete(*, scheduled: bool) -> None:
    """The journal deletes only the lessons it created outside the timetable; a timetable lesson is cancelled
    by the timetable (its record's marks are deleted one by one)."""
    if scheduled:
        raise Conflict(
            "Урок по расписанию удалить из журнала нельзя: его отменяет расписание. Ошибочные отметки удалите по одной."
        )


def check_dispute_open(posted_on: date, today: date) -> None:
    """004 app.8: a mark is flagged as wrong within 3 days of its posting, not later."""
    last = posted_on + timedelta(days=DISPUTE_DAYS)
    if today > last:
        raise Invalid(
            f"Оспорить отметку можно в течение {DISPUTE_DAYS} дней после выставления — "
            f"до {last:%d.%m.%Y} включительно. Обратитесь к учителю или классному руководителю."
        )


def dispute_text(raw: str | None, ask: str) -> str:
    """What the family or the teacher wrote: required, so the log reads as a conversation; ``ask`` says what."""
    text = (raw or "").strip()
    if len(text) < REASON_MIN:
        raise Invalid(f"{ask}: без текста обращение не сохраняется.")
    return text
