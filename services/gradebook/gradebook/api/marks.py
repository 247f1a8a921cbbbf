"""Current marks (R-22) and their change log (R-25): posted and changed by the lesson's teacher.

A mark is posted one at a time, or a whole lesson column of one work type at once (column mode:
one request, one transaction, saved whole or refused with every row's error, an event per mark).
"""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import Conflict, Invalid
from contracts.gradebook import MarkChanged, MarkPosted
from gradebook.api.access import (
    ClockDep,
    JournalClock,
    get_in_school,
    is_pass_fail_subject,
    require_lesson_writer,
    require_reader,
    school_work_types,
)
from gradebook.domain.edit_window import check_mark_date
from gradebook.domain.marks import ColumnRow, check_column, mark_value
from gradebook.domain.work_types import WorkType, work_type
from gradebook.models import ClassMember, Course, Lesson, Mark, MarkChange
from gradebook.school_year import check_journal_writable, mark_lateness

router = APIRouter(prefix="/schools/{school_id}", tags=["marks"])
#: PostgreSQL's unique_violation.
UNIQUE_VIOLATION = "23505"


class MarkIn(BaseModel):
    student_id: UUID
    value: str = Field(min_length=1, max_length=8)
    work_type: str = Field(min_length=1, max_length=32)


class MarkPatch(BaseModel):
    value: str = Field(min_length=1, max_length=8)


class ColumnCell(BaseModel):
    student_id: UUID
    value: str = Field(min_length=1, max_length=8)


class ColumnIn(BaseModel):
    """A lesson's column of one work type; pupils left out keep what they have."""

    work_type: str = Field(min_length=1, max_length=32)
    marks: list[ColumnCell] = Field(min_length=1, max_length=100)


class MarkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    lesson_id: UUID
    student_id: UUID
    value: str
    work_type: str
    weight: float


class MarkChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    changed_at: datetime
    changed_by: UUID
    changed_by_name: str
    old_value: str
    new_value: str
    #: What changed (R-25): "value", "work_type", "lesson_moved"; and why, for a move.
    action: str
    reason: str | None


def mark_state(mark: Mark, lesson: Lesson, course: Course, kind: WorkType) -> dict:
    """What every mark event carries: the mark (``kind`` its вид работы) and where it stands in the journal."""
    return {
        "mark_id": mark.id,
        "lesson_id": lesson.id,
        "student_id": mark.student_id,
        "class_id": course.class_id,
        "subject_id": course.subject_id,
        "subject_name": course.subject_name,
        "teacher_id": course.teacher_id,
        "date": lesson.date,
        "value": mark.value,
        "work_type": mark.work_type,
        "work_type_title": kind.title,
        "weight": mark.weight,
    }


async def _writable_lesson(
    session: AsyncSession,
    school_id: UUID,
    lesson_id: UUID,
    caller: Caller,
    clock: JournalClock,
    kind: WorkType,
    *,
    lock: bool = False,
) -> tuple[Lesson, Course, int | None]:
    """The lesson and its course, if this teacher may put marks in its column today (R-22, R-24, R-26, R-27).

    With them, how many days late a mark of ``kind`` entered today is (R-23: allowed, flagged to the deputy).
    """
    lesson = await get_in_school(session, Lesson, lesson_id, school_id, "Урок не найден.", for_update=lock)
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    require_lesson_writer(caller, school_id, course, lesson.substitute_teacher_id)
    policy = await check_journal_writable(session, course, lesson.date, marks=True)
    check_mark_date(lesson.date, clock.today, clock.window)
    late = await mark_lateness(session, course, policy, kind.code, lesson.date, clock.today)
    return lesson, course, late


async def _post(
    session: AsyncSession,
    lesson: Lesson,
    course: Course,
    caller: Caller,
    clock: JournalClock,
    student_id: UUID,
    kind: WorkType,
    value: str,
    late_days: int | None,
) -> Mark:
    mark = Mark(
        school_id=lesson.school_id,
        lesson_id=lesson.id,
        student_id=student_id,
        value=value,
        work_type=kind.code,
        weight=kind.weight,
        version=1,
        posted_by=caller.person_id,
        posted_on=clock.today,
        late_days=late_days,
    )
    session.add(mark)
    await session.flush()
    await emit_event(session, MarkPosted(**mark_state(mark, lesson, course, kind)), school_id=lesson.school_id)
    return mark


async def _change(
    session: AsyncSession, mark: Mark, lesson: Lesson, course: Course, caller: Caller, kind: WorkType, value: str
) -> None:
    old_value = mark.value
    mark.value, mark.version = value, mark.version + 1
    # who, when, the old and the new value (004 §3.8).
    session.add(
        MarkChange(
            school_id=mark.school_id,
            mark_id=mark.id,
            lesson_id=mark.lesson_id,
            action="value",
            changed_by=caller.person_id,
            changed_by_name=caller.name,
            old_value=old_value,
            new_value=value,
        )
    )
    await session.flush()
    await emit_event(
        session,
        MarkChanged(
            **mark_state(mark, lesson, course, kind),
            version=mark.version,
            old_value=old_value,
            changed_by=caller.person_id,
        ),
        school_id=mark.school_id,
    )


@router.post("/lessons/{lesson_id}/marks", status_code=201)
async def post_mark(
    school_id: UUID, lesson_id: UUID, body: MarkIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> MarkOut:
    kind = work_type(body.work_type, await school_work_types(session, school_id))
    lesson, course, late = await _writable_lesson(session, school_id, lesson_id, caller, clock, kind)
    value = mark_value(
        body.value, kind, pass_fail_subject=await is_pass_fail_subject(session, school_id, course.subject_id)
    )
    if await session.get(ClassMember, (course.class_id, body.student_id)) is None:
        raise Invalid(f"Обучающийся не числится в классе {course.class_name}.")
    try:
        mark = await _post(session, lesson, course, caller, clock, body.student_id, kind, value, late)
    except IntegrityError as exc:
        # The unique key (lesson, pupil, work type) finds a second mark: no SELECT before every insert.
        if getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        raise Conflict(f"За «{kind.title}» на этом уроке у обучающегося уже есть отметка; её можно исправить.") from exc
    return MarkOut.model_validate(mark)


@router.put("/lessons/{lesson_id}/marks")
async def save_column(
    school_id: UUID, lesson_id: UUID, body: ColumnIn, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> list[MarkOut]:
    """Column mode: the lesson's marks of one work type for many pupils at once, all or nothing.

    A pupil without a mark of that type gets one, a different value is a change (logged, R-25), the
    same value changes nothing. The answer is the whole column as it now stands.
    """
    # The lesson row is locked, so two saves of one column take their turns.
    kind = work_type(body.work_type, await school_work_types(session, school_id))
    lesson, course, late = await _writable_lesson(session, school_id, lesson_id, caller, clock, kind, lock=True)
    members = set(await session.scalars(select(ClassMember.student_id).filter_by(class_id=course.class_id)))
    rows = [ColumnRow(cell.student_id, cell.value) for cell in body.marks]
    pass_fail = await is_pass_fail_subject(session, school_id, course.subject_id)
    values, errors = check_column(rows, kind, members, course.class_name, pass_fail_subject=pass_fail)
    if errors:
        raise Invalid(
            "Столбец не сохранён: исправьте отмеченные строки.",
            errors=[{"row": e.row, "student_id": str(e.student_id), "detail": e.detail} for e in errors],
        )
    existing = {
        m.student_id: m for m in await session.scalars(select(Mark).filter_by(lesson_id=lesson.id, work_type=kind.code))
    }
    for student_id, value in values.items():
        mark = existing.get(student_id)
        if mark is None:
            existing[student_id] = await _post(session, lesson, course, caller, clock, student_id, kind, value, late)
        elif mark.value != value:
            await _change(session, mark, lesson, course, caller, kind, value)
    return [MarkOut.model_validate(m) for m in existing.values()]


@router.patch("/marks/{mark_id}")
async def change_mark(
    school_id: UUID, mark_id: UUID, body: MarkPatch, caller: CallerDep, session: SchoolSession, clock: ClockDep
) -> MarkOut:
    mark = await get_in_school(session, Mark, mark_id, school_id, "Отметка не найдена.", for_update=True)
    lesson = await get_in_school(session, Lesson, mark.lesson_id, school_id, "Урок не найден.")
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    require_lesson_writer(caller, school_id, course, lesson.substitute_teacher_id)
    kind = work_type(mark.work_type, await school_work_types(session, school_id))
    pass_fail = await is_pass_fail_subject(session, school_id, course.subject_id)
    value = mark_value(body.value, kind, pass_fail_subject=pass_fail)
    await check_journal_writable(session, course, lesson.date)
    check_mark_date(lesson.date, clock.today, clock.window)
    if value != mark.value:
        await _change(session, mark, lesson, course, caller, kind, value)
    return MarkOut.model_validate(mark)


@router.get("/marks/{mark_id}/history")
async def mark_history(
    school_id: UUID, mark_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[MarkChangeOut]:
    mark = await get_in_school(session, Mark, mark_id, school_id, "Отметка не найдена.")
    lesson = await get_in_school(session, Lesson, mark.lesson_id, school_id, "Урок не найден.")
    course = await get_in_school(session, Course, lesson.course_id, school_id, "Курс не найден.")
    # The substitute who gave the lesson wrote its marks and reads their history too.
    if caller.person_id != lesson.substitute_teacher_id:
        require_reader(caller, school_id, course)
    rows = await session.scalars(
        select(MarkChange).where(MarkChange.mark_id == mark.id).order_by(MarkChange.changed_at, MarkChange.id)
    )
    return [MarkChangeOut.model_validate(change) for change in rows]
