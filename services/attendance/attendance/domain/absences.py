"""Пропуски и опоздания (R-40..R-42): reasons and their codes, who corrects them and when, counts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from chassis.problems import Conflict, Forbidden, Invalid
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


def check_lesson_marker(
    person_id: UUID, teacher_id: UUID, substitute_teacher_id: UUID | None, course_ended_on: date | None
) -> None:
    """R-40: absences at a lesson are marked by its teacher while their assignment is in force (R-4), or by the
    substitute who gave it (R-20)."""
    if person_id == teacher_id:
        if course_ended_on is not None:
            raise Forbidden(
                f"Нагрузка по этому предмету в этом классе снята с {course_ended_on:%d.%m.%Y}: "
                "пропуски на её уроках вы больше не отмечаете."
            )
        return
    if substitute_teacher_id is None or person_id != substitute_teacher_id:
        raise Forbidden("Пропуски на этом уроке отмечает только учитель, который его ведёт.")


def academic_year_days(academic_year: str) -> tuple[date, date]:
    """The days a school year such as «2026/2027» may hold lessons: 1 September to 31 August."""
    first = int(academic_year[:4])
    return date(first, 9, 1), date(first + 1, 8, 31)


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


#: R-41: the longest range the class teacher sets a reason for at once (a certificate for a month at most).
RANGE_MAX_DAYS = 31


def range_reason(raw: str, start: date, end: date) -> AbsenceReason:
    """R-41: a reason for every missed lesson of a date range (a medical certificate for a week): Б, У or Н.

    A late (О) is about one lesson, so it is never set for a range.
    """
    reason = absence_reason(raw)
    if reason not in MISSED:
        raise Invalid("Опоздание отмечается по одному уроку; для периода укажите Б, У или Н.")
    if start > end:
        raise Invalid("Начало периода позже его конца.")
    if (end - start).days >= RANGE_MAX_DAYS:
        raise Invalid(f"Причину можно указать сразу не более чем за {RANGE_MAX_DAYS} дн.; разбейте период на части.")
    return reason


def check_lesson_change(*, same_class: bool, same_lesson: bool, target_deleted: bool, taken: bool) -> None:
    """An absence put on the wrong lesson goes to another lesson of the same class, where the student has none."""
    if same_lesson:
        raise Invalid("Пропуск уже стоит на этом уроке.")
    if target_deleted:
        raise Invalid("Этот урок удалён из журнала.")
    if not same_class:
        raise Invalid("Пропуск можно перенести только на урок того же класса.")
    if taken:
        raise Conflict("У обучающегося уже есть отметка о пропуске на этом уроке.")


@dataclass(frozen=True)
class CourseAttendance:
    """A student's attendance in one course for a period: lessons given, missed (Б, У, Н) and their share.

    ``share_missed`` (0…1, to two decimals) feeds the «пропущено более 50 %» flag of attestation (R-28).
    """

    course_id: UUID | None
    subject_name: str
    lessons: int
    missed: int
    share_missed: float


def course_attendance(
    lessons: Iterable[tuple[UUID, UUID | None, str]], absences: Iterable[tuple[UUID, AbsenceReason]]
) -> list[CourseAttendance]:
    """Per course: the lessons given (``(lesson_id, course_id, subject_name)``) and how many of them the student
    missed (``(lesson_id, reason)``; lates are attended). Courses in order of subject name."""
    missed_lessons = {lesson_id for lesson_id, reason in absences if reason in MISSED}
    given: dict[tuple[UUID | None, str], list[UUID]] = {}
    for lesson_id, course_id, subject in lessons:
        given.setdefault((course_id, subject), []).append(lesson_id)
    result = []
    for (course_id, subject), ids in sorted(given.items(), key=lambda item: (item[0][1], str(item[0][0]))):
        missed = sum(1 for lesson_id in ids if lesson_id in missed_lessons)
        result.append(CourseAttendance(course_id, subject, len(ids), missed, round(missed / len(ids), 2)))
    return result
