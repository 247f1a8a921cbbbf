"""Who may read and write which journal, and the journal's clock and edit window."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Protocol, TypeVar
from uuid import UUID

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import SCHOOL_READ_ROLES, Caller
from chassis.deps import SchoolSession, SchoolToday
from chassis.problems import Forbidden, NotFound
from gradebook.domain.edit_window import EditWindow, EditWindowChoice, default_choice, edit_window_choice
from gradebook.domain.timetable import check_assignment_in_force, check_record_writer
from gradebook.domain.work_types import WORK_TYPES, WorkType
from gradebook.models import Base, ClassTeacher, Course, PassFailSubject, SchoolPolicy, SchoolWorkType
from gradebook.settings import GradebookSettings

M = TypeVar("M", bound=Base)


class CourseFacts(Protocol):
    """A course as its checks read it: a ``Course``, or its columns in a Core row (a single mark's hot path)."""

    @property
    def school_id(self) -> UUID: ...
    @property
    def teacher_id(self) -> UUID: ...
    @property
    def subject_id(self) -> UUID: ...
    @property
    def subject_name(self) -> str: ...
    @property
    def class_id(self) -> UUID: ...
    @property
    def class_name(self) -> str: ...
    @property
    def ended_on(self) -> date | None: ...


def reads_whole_school(caller: Caller, school_id: UUID) -> bool:
    """Director, deputy and the school administrator read every journal; inspectors every school's."""
    return caller.oversees(school_id) or caller.has_role(school_id, *SCHOOL_READ_ROLES)


NOT_YOUR_JOURNAL = "Журнал этого класса по этому предмету вам недоступен."


def reads_course(caller: Caller, school_id: UUID, course: Course) -> bool:
    """004 app.6 §6.2: a teacher sees only the classes they teach (the class teacher: ``require_reader``)."""
    return reads_whole_school(caller, school_id) or caller.person_id == course.teacher_id


async def require_reader(session: AsyncSession, caller: Caller, school_id: UUID, course: Course) -> None:
    """Who reads a course's journal: ``reads_course``, and the class teacher their class's every subject (DOMAIN §1)."""
    if reads_course(caller, school_id, course):
        return
    if caller.has_role(school_id, "class_teacher") and await session.scalar(
        select(ClassTeacher.class_id).filter_by(class_id=course.class_id, teacher_id=caller.person_id)
    ):
        return
    raise Forbidden(NOT_YOUR_JOURNAL)


def require_course_teacher(caller: Caller, school_id: UUID, course: Course) -> None:
    """Lessons and marks are written by the teacher of the course only (004 app.6 §6.2)."""
    caller.require(school_id, "teacher")
    if caller.person_id != course.teacher_id:
        raise Forbidden("Записи в журнал этого класса по этому предмету делает только его учитель.")
    check_assignment_in_force(course.ended_on)


def require_lesson_writer(caller: Caller, school_id: UUID, course: CourseFacts, substitute_id: UUID | None) -> None:
    """A lesson's record and marks: the course's teacher, or the substitute who gave that lesson (R-20)."""
    caller.require(school_id, "teacher")
    check_record_writer(caller.person_id, course.teacher_id, substitute_id, course.ended_on)


async def get_in_school(
    session: AsyncSession, model: type[M], id_: UUID, school_id: UUID, missing: str, *, for_update: bool = False
) -> M:
    """A row of this school by id, or 404; region-wide readers see every school, so the check is explicit.

    ``for_update`` locks the row: concurrent edits of one record take their turns (versions stay linear).
    """
    found = await session.get(model, id_, with_for_update=for_update)
    if found is None or found.school_id != school_id:
        raise NotFound(missing)
    return found


@dataclass(frozen=True)
class JournalClock:
    """The school's today and the edit window in force (R-24)."""

    today: date
    window: EditWindow


async def school_edit_window(
    session: AsyncSession, school_id: UUID, settings: GradebookSettings
) -> tuple[EditWindowChoice, SchoolPolicy | None]:
    """R-24: the window the school's administrator chose, or the region's default if none yet."""
    policy = await session.get(SchoolPolicy, school_id)
    if policy is None:
        return default_choice(settings.edit_window_days), None
    return edit_window_choice(policy.edit_window), policy


async def journal_clock(request: Request, school_id: UUID, session: SchoolSession, today: SchoolToday) -> JournalClock:
    choice, _ = await school_edit_window(session, school_id, request.app.state.settings)
    return JournalClock(today=today, window=choice.window)


ClockDep = Annotated[JournalClock, Depends(journal_clock)]


async def school_work_types(session: AsyncSession, school_id: UUID) -> dict[str, WorkType]:
    """R-22: the school's list of виды работ in its order, or the region's default until the administrator sets one."""
    rows = await session.scalars(
        select(SchoolWorkType).where(SchoolWorkType.school_id == school_id).order_by(SchoolWorkType.position)
    )
    table = {row.code: WorkType(row.code, row.title, row.weight, row.pass_fail) for row in rows}
    return table or dict(WORK_TYPES)


async def is_pass_fail_subject(session: AsyncSession, school_id: UUID, subject_id: UUID) -> bool:
    return await session.get(PassFailSubject, (school_id, subject_id)) is not None
