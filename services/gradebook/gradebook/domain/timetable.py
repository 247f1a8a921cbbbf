"""The journal follows the timetable: which lesson a record belongs to, and who may write it.

Roster owns scheduled lessons and their dates (R-14); the journal records them (R-20). A lesson
outside the timetable may still be recorded, with a reason, where the course has a timetable.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from chassis.problems import Conflict, Forbidden, Invalid


@dataclass(frozen=True)
class TimetableLesson:
    """What the journal knows of a scheduled lesson."""

    course_id: UUID
    day: date
    status: str
    substitute_teacher_id: UUID | None


def scheduled_record_date(lesson: TimetableLesson, course_id: UUID, requested: date | None) -> date:
    """The date of a record of a scheduled lesson: the timetable's, never another one (roster owns it)."""
    if lesson.course_id != course_id:
        raise Invalid("Этот урок расписания — другого курса.")
    if lesson.status == "cancelled":
        raise Conflict("Урок отменён в расписании: записать его нельзя.")
    if requested is not None and requested != lesson.day:
        raise Invalid(
            f"Урок по расписанию — {lesson.day:%d.%m.%Y}; перенести его на другой день может только расписание."
        )
    return lesson.day


def check_unscheduled(requested: date | None, reason: str | None, course_has_timetable: bool) -> date:
    """A lesson outside the timetable has a date, and, where the course has a timetable, a reason."""
    if requested is None:
        raise Invalid("Укажите дату урока или урок из расписания.")
    if course_has_timetable and not reason:
        raise Invalid("Этого урока нет в расписании: укажите причину (например, «дополнительное занятие»).")
    return requested


def check_assignment_in_force(ended_on: date | None) -> None:
    """R-4: once the teaching assignment has ended, its teacher writes nothing more in that course's journal."""
    if ended_on is not None:
        raise Forbidden(
            f"Нагрузка по этому предмету в этом классе снята с {ended_on:%d.%m.%Y}: "
            "записи в этот журнал вы больше не вносите."
        )


def check_record_writer(
    person_id: UUID, course_teacher_id: UUID, substitute_teacher_id: UUID | None, course_ended_on: date | None = None
) -> None:
    """R-20: the course's teacher writes its records while the assignment is in force (R-4); a substitute, the
    record of the lesson they gave."""
    if person_id == course_teacher_id:
        check_assignment_in_force(course_ended_on)
        return
    if substitute_teacher_id and person_id == substitute_teacher_id:
        return
    raise Forbidden("Записи в журнал этого класса по этому предмету делает только его учитель или учитель на замене.")
