"""Пропуски и опоздания (R-40..R-42): reasons and their codes, who corrects them and when, counts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from chassis.problems import Forbidden, Invalid
from contracts.attendance import AbsenceReason

#: R-40: the journal's codes Б ill, У excused, Н unexcused, О late (003 §5 class teacher a).
REASON_CODES: dict[AbsenceReason, str] = {"ill": "Б", "excused": "У", "unexcused": "Н", "late": "О"}
_BY_CODE: dict[str, AbsenceReason] = {code: reason for reason, code in REASON_CODES.items()}
#: Reasons of a missed lesson; a late student was at the lesson.
MISSED: frozenset[AbsenceReason] = frozenset({"ill", "excused", "unexcused"})


def absence_reason(raw: str) -> AbsenceReason:
    """A reason given by its name (``ill``) or by its journal code (``Б``)."""
    value = raw.strip()
    reason = next((r for r in REASON_CODES if r == value.lower()), None) or _BY_CODE.get(value.upper())
    if reason is not None:
        return reason
    raise Invalid(f"Неизвестная причина пропуска «{raw}»: допустимы Б, У, Н, О (ill, excused, unexcused, late).")


def reason_code(reason: AbsenceReason) -> str:
    return REASON_CODES[reason]


def check_teacher_window(lesson_date: date, today: date, days: int = 5) -> None:
    """The lesson's teacher marks absence on the lesson day, at most ``days`` after it (R-40, 002 §5.2)."""
    if today < lesson_date:
        raise Invalid("Пропуск отмечается в день урока или после него, но не заранее.")
    if today > lesson_date + timedelta(days=days):
        raise Invalid(
            f"Учитель отмечает пропуски в течение {days} дн. после урока; "
            "теперь причину может исправить классный руководитель."
        )


def leads_class(person_id: UUID, roles: frozenset[str], class_teacher_id: UUID | None) -> bool:
    """R-1: a class teacher acts for the class they lead (004 app.5 §5.2), not for every class of the school."""
    return "class_teacher" in roles and class_teacher_id == person_id


def check_reason_corrector(
    person_id: UUID,
    roles: frozenset[str],
    *,
    lesson_teacher_id: UUID,
    class_teacher_id: UUID | None,
    lesson_date: date,
    today: date,
    window_days: int,
) -> None:
    """R-41: the class teacher of the lesson's class corrects a reason at any time; the lesson's teacher
    within their window (R-40); nobody else."""
    if leads_class(person_id, roles, class_teacher_id):
        return
    if "teacher" not in roles or person_id != lesson_teacher_id:
        raise Forbidden("Причину пропуска исправляет классный руководитель этого класса или учитель, который вёл урок.")
    check_teacher_window(lesson_date, today, window_days)


@dataclass(frozen=True)
class AttendanceSummary:
    """R-42: lessons missed for the period, of them by reason, and lates."""

    lessons_missed: int
    ill: int
    excused: int
    unexcused: int
    lates: int


def summarize(reasons: Iterable[AbsenceReason]) -> AttendanceSummary:
    counts = dict.fromkeys(REASON_CODES, 0)
    for reason in reasons:
        counts[reason] += 1
    return AttendanceSummary(
        lessons_missed=sum(counts[r] for r in MISSED),
        ill=counts["ill"],
        excused=counts["excused"],
        unexcused=counts["unexcused"],
        lates=counts["late"],
    )
