"""Current marks (R-22) and their change log (R-25): posted and changed by the lesson's teacher.

A mark is posted one at a time, or a whole lesson column of one work type at once (column mode:
one request, one transaction, saved whole or refused with every row's error, an event per mark).
"""

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    ARRAY,
    JSON,
    Integer,
    Row,
    Select,
    String,
    Uuid,
    bindparam,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Bundle

from chassis.auth import Caller
from chassis.bulk import insert_rows
from chassis.deps import CallerDep, SchoolSession, today_in
from chassis.events import emit_event, emit_events
from chassis.problems import Conflict, Invalid, NotFound
from chassis.schooltime import school_zone
from contracts.gradebook import MarkChanged, MarkPosted
from gradebook.api.access import (
    ClockDep,
    CourseFacts,
    JournalClock,
    get_in_school,
    is_pass_fail_subject,
    require_lesson_writer,
    require_reader,
    school_work_types,
)
from gradebook.class_lists import course_students, is_course_student
from gradebook.domain.deadlines import deadline_days, mark_days_late
from gradebook.domain.edit_window import check_mark_date, default_choice, edit_window_choice
from gradebook.domain.marks import ColumnRow, check_column, check_marks_allowed, mark_value
from gradebook.domain.period_policy import PeriodPolicy, period_policy
from gradebook.domain.periods import Lock, check_unlocked
from gradebook.domain.work_types import WORK_TYPES, WorkType, work_type
from gradebook.models import (
    Course,
    Lesson,
    Mark,
    MarkChange,
    PassFailSubject,
    PeriodClosure,
    PeriodPolicyRow,
    SchoolClass,
    SchoolPolicy,
    SchoolWorkType,
)
from gradebook.school_year import check_journal_writable, first_half_end

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


class LessonFacts(Protocol):
    """A lesson as a mark's checks and events read it: a ``Lesson``, or its columns in a Core row."""

    @property
    def id(self) -> UUID: ...
    @property
    def school_id(self) -> UUID: ...
    @property
    def date(self) -> date: ...
    @property
    def substitute_teacher_id(self) -> UUID | None: ...


@dataclass(frozen=True)
class MarkRow:
    """A mark's row as a single mark and a column write and read it: its columns, without an ORM instance (whose
    instrumentation cost more than the rest of a column's marks)."""

    id: UUID
    school_id: UUID
    lesson_id: UUID
    student_id: UUID
    value: str
    work_type: str
    weight: float
    version: int
    posted_by: UUID
    posted_on: date | None
    late_days: int | None


def mark_state(mark: Mark | MarkRow, lesson: LessonFacts, course: CourseFacts, kind: WorkType) -> dict:
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


def _new_mark(
    lesson: LessonFacts,
    caller: Caller,
    clock: JournalClock,
    student_id: UUID,
    kind: WorkType,
    value: str,
    late_days: int | None,
) -> MarkRow:
    return MarkRow(
        id=uuid4(),
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


_marks = Mark.__table__
#: A mark's row, built once with a parameter per column (``mark_<column>``); the database fills ``created_at``.
_MARK_COLUMNS = [c.key for c in _marks.columns if c.server_default is None]
_MARK_ROW = insert(_marks).values({key: bindparam(f"mark_{key}") for key in _MARK_COLUMNS})
#: A column's new marks: an array per column that differs from mark to mark (``marks_<column>``), one value for
#: the rest, which a column shares (``mark_<column>``). Built once: one statement's text for any column.
_ROWWISE = ("id", "student_id", "value")
_COLUMN_ROWS = insert(_marks).from_select(
    _MARK_COLUMNS,
    select(
        *(
            func.unnest(bindparam(f"marks_{key}", type_=ARRAY(_marks.c[key].type)), type_=_marks.c[key].type)
            if key in _ROWWISE
            else bindparam(f"mark_{key}", type_=_marks.c[key].type)
            for key in _MARK_COLUMNS
        )
    ),
)
#: A column's changed values and their versions, built once.
_changed = select(
    func.unnest(bindparam("changed_ids", type_=ARRAY(Uuid)), type_=Uuid).label("id"),
    func.unnest(bindparam("changed_values", type_=ARRAY(String)), type_=String).label("value"),
    func.unnest(bindparam("changed_versions", type_=ARRAY(Integer)), type_=Integer).label("version"),
).subquery("changed")
_CHANGED_VALUES = (
    update(_marks).where(_marks.c.id == _changed.c.id).values(value=_changed.c.value, version=_changed.c.version)
)
#: A lesson's marks of one вид работы, read after its row is locked (a statement of its own: a fresh snapshot).
_COLUMN_MARKS = select(*(_marks.c[key] for key in _MARK_COLUMNS)).where(
    _marks.c.lesson_id == bindparam("lesson_id", type_=Uuid), _marks.c.work_type == bindparam("work_type")
)


async def _post(session: AsyncSession, mark: MarkRow, lesson: LessonFacts, course: CourseFacts, kind: WorkType) -> None:
    """The mark row and its event in one statement (one round trip); a second mark of its key breaks the unique key."""
    row = {f"mark_{key}": getattr(mark, key) for key in _MARK_COLUMNS}
    posted = MarkPosted(**mark_state(mark, lesson, course, kind))
    await emit_event(session, posted, school_id=lesson.school_id, along=_MARK_ROW, along_values=row)


def _value_changed(
    mark: Mark | MarkRow,
    lesson: LessonFacts,
    course: CourseFacts,
    caller: Caller,
    kind: WorkType,
    old_value: str,
    reason: str | None,
) -> tuple[dict, MarkChanged]:
    """A mark's value changed (``mark`` with its new value and version): its log row and its event.

    R-25: who, when, the old and the new value (004 §3.8); the database stamps the time.
    """
    log = {
        "school_id": mark.school_id,
        "mark_id": mark.id,
        "lesson_id": mark.lesson_id,
        "action": "value",
        "changed_by": caller.person_id,
        "changed_by_name": caller.name,
        "old_value": old_value,
        "new_value": mark.value,
        "reason": reason,
    }
    event = MarkChanged(
        **mark_state(mark, lesson, course, kind), version=mark.version, old_value=old_value, changed_by=caller.person_id
    )
    return log, event


def change_value(
    session: AsyncSession,
    mark: Mark,
    lesson: Lesson,
    course: Course,
    caller: Caller,
    kind: WorkType,
    value: str,
    reason: str | None = None,
) -> MarkChanged:
    """Changes the mark and logs it (flushed with the session); returns the event to emit."""
    old_value = mark.value
    mark.value, mark.version = value, mark.version + 1
    log, event = _value_changed(mark, lesson, course, caller, kind, old_value, reason)
    session.add(MarkChange(**log))
    return event


def _mark_facts(*, column: bool) -> Select:
    """Everything a mark's checks read, in one statement (no cache, so a closed period or a changed rule is seen by
    the very next mark): the lesson and its course as Core rows (loading ORM entities cost more CPU than the rest of
    the statement), the class's grade, the course's closed periods (R-27), the school's rules (R-23, R-26), edit
    window (R-24) and виды работ (R-22), whether the subject is assessed зачёт/незачёт, and the school's time zone
    (its today). Then for a single mark whether its pupil is in the class (``member``), always in one row (the
    lesson's and course's ids None when not found); for a column, the class list on the lesson's day (``members``),
    in the lesson's row locked (two saves of one column take their turns), no row when there is no such lesson.

    Built once with bound parameters (``school_id``, ``lesson_id``, and ``student_id`` for a single mark): its cache
    key and SQL are computed once per process, not for every mark."""
    school_id, lesson_id = bindparam("school_id", type_=Uuid), bindparam("lesson_id", type_=Uuid)
    if column:
        class_list = course_students(Course.class_id, Lesson.date).scalar_subquery()
        pupils = func.array(class_list, type_=ARRAY(Uuid)).label("members")
    else:
        pupils = is_course_student(Course.class_id, bindparam("student_id", type_=Uuid), Lesson.date).label("member")
    facts = select(
        Bundle("lesson", Lesson.id, Lesson.school_id, Lesson.date, Lesson.substitute_teacher_id),
        Bundle("course", *(getattr(Course, c.key) for c in Course.__table__.columns)),
        select(SchoolClass.grade).where(SchoolClass.id == Course.class_id).scalar_subquery().label("grade"),
        select(
            func.json_agg(
                func.json_build_array(PeriodClosure.period_name, PeriodClosure.starts, PeriodClosure.ends),
                type_=JSON,
            )
        )
        .where(PeriodClosure.course_id == Course.id, PeriodClosure.closed)
        .scalar_subquery()
        .label("locks"),
        select(PeriodPolicyRow.rules).where(PeriodPolicyRow.school_id == school_id).scalar_subquery().label("rules"),
        select(SchoolPolicy.edit_window)
        .where(SchoolPolicy.school_id == school_id)
        .scalar_subquery()
        .label("edit_window"),
        select(
            func.json_agg(
                aggregate_order_by(
                    func.json_build_array(
                        SchoolWorkType.code, SchoolWorkType.title, SchoolWorkType.weight, SchoolWorkType.pass_fail
                    ),
                    SchoolWorkType.position,
                ),
                type_=JSON,
            )
        )
        .where(SchoolWorkType.school_id == school_id)
        .scalar_subquery()
        .label("work_types"),
        exists()
        .where(PassFailSubject.school_id == school_id, PassFailSubject.subject_id == Course.subject_id)
        .label("pass_fail"),
        pupils,
        school_zone(school_id).label("zone"),
    )
    if column:
        return (
            facts.select_from(Lesson)
            .outerjoin(Course, Course.id == Lesson.course_id)
            .where(Lesson.id == lesson_id)
            .with_for_update(of=Lesson)
        )
    one = select(literal(1).label("one")).subquery()
    return (
        facts.select_from(one)
        .outerjoin(Lesson, Lesson.id == lesson_id)
        .outerjoin(Course, Course.id == Lesson.course_id)
    )


SINGLE_MARK_FACTS = _mark_facts(column=False)
COLUMN_FACTS = _mark_facts(column=True)


@dataclass(frozen=True)
class Writable:
    """A lesson's column a teacher may write today, as the checks left it: the вид работы, how many days late a
    mark of it is (R-23) and the journal's clock."""

    lesson: LessonFacts
    course: CourseFacts
    kind: WorkType
    late_days: int | None
    clock: JournalClock


async def _checked_facts(
    session: AsyncSession, request: Request, school_id: UUID, facts: Row, code: str, caller: Caller
) -> Writable:
    """A mark's checks on ``_mark_facts``, in the order of the other writes: вид работы ``code`` (R-22), lesson,
    writer, closed periods (R-27), grade rules (R-26), edit window (R-24); and the lateness (R-23)."""
    today = today_in(request, facts.zone)
    kinds = {
        code: WorkType(code, title, weight, pass_fail) for code, title, weight, pass_fail in facts.work_types or []
    }
    kind = work_type(code, kinds or dict(WORK_TYPES))
    lesson, course = facts.lesson, facts.course
    if lesson.id is None or lesson.school_id != school_id:
        raise NotFound("Урок не найден.")
    if course.id is None or course.school_id != school_id:
        raise NotFound("Курс не найден.")
    require_lesson_writer(caller, school_id, course, lesson.substitute_teacher_id)
    check_unlocked(
        lesson.date, [Lock(name, date.fromisoformat(s), date.fromisoformat(e)) for name, s, e in facts.locks or []]
    )
    policy = period_policy(facts.rules) if facts.rules is not None else PeriodPolicy()
    # Grade 2's first half-year is read from the year's periods (R-26): rare, so not in the one statement.
    half = await first_half_end(session, await session.get(SchoolClass, course.class_id)) if facts.grade == 2 else None
    check_marks_allowed(facts.grade, lesson.date, half, policy.grade_rules)
    days = request.app.state.settings.edit_window_days
    choice = edit_window_choice(facts.edit_window) if facts.edit_window is not None else default_choice(days)
    check_mark_date(lesson.date, today, choice.window)
    late = mark_days_late(lesson.date, today, deadline_days(kind.code, facts.grade, policy.deadlines))
    return Writable(lesson, course, kind, late, JournalClock(today=today, window=choice.window))


@router.post("/lessons/{lesson_id}/marks", status_code=201)
async def post_mark(
    request: Request,
    school_id: UUID,
    lesson_id: UUID,
    body: MarkIn,
    caller: CallerDep,
    session: SchoolSession,
) -> MarkOut:
    bound = {"school_id": school_id, "lesson_id": lesson_id, "student_id": body.student_id}
    facts = (await session.execute(SINGLE_MARK_FACTS, bound)).one()
    writable = await _checked_facts(session, request, school_id, facts, body.work_type, caller)
    lesson, course, kind = writable.lesson, writable.course, writable.kind
    value = mark_value(body.value, kind, pass_fail_subject=facts.pass_fail)
    if not facts.member:
        raise Invalid(f"Обучающийся не числится в классе {course.class_name}.")
    mark = _new_mark(lesson, caller, writable.clock, body.student_id, kind, value, writable.late_days)
    try:
        await _post(session, mark, lesson, course, kind)
    except IntegrityError as exc:
        # The unique key (lesson, pupil, work type) finds a second mark: no SELECT before every insert.
        if getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        raise Conflict(f"За «{kind.title}» на этом уроке у обучающегося уже есть отметка; её можно исправить.") from exc
    return MarkOut.model_validate(mark)


@router.put("/lessons/{lesson_id}/marks")
async def save_column(
    request: Request, school_id: UUID, lesson_id: UUID, body: ColumnIn, caller: CallerDep, session: SchoolSession
) -> list[MarkOut]:
    """Column mode: the lesson's marks of one work type for many pupils at once, all or nothing.

    A pupil without a mark of that type gets one, a different value is a change (logged, R-25), the
    same value changes nothing. The answer is the whole column as it now stands.
    """
    facts = (await session.execute(COLUMN_FACTS, {"school_id": school_id, "lesson_id": lesson_id})).one_or_none()
    if facts is None:
        # No such lesson, so no row to lock: its вид работы is still checked first, as on every other path.
        work_type(body.work_type, await school_work_types(session, school_id))
        raise NotFound("Урок не найден.")
    writable = await _checked_facts(session, request, school_id, facts, body.work_type, caller)
    lesson, course, kind, clock = writable.lesson, writable.course, writable.kind, writable.clock
    rows = [ColumnRow(cell.student_id, cell.value) for cell in body.marks]
    members = set(facts.members or ())
    values, errors = check_column(rows, kind, members, course.class_name, pass_fail_subject=facts.pass_fail)
    if errors:
        raise Invalid(
            "Столбец не сохранён: исправьте отмеченные строки.",
            errors=[{"row": e.row, "student_id": str(e.student_id), "detail": e.detail} for e in errors],
        )
    stored = await session.execute(_COLUMN_MARKS, {"lesson_id": lesson.id, "work_type": kind.code})
    column = {row.student_id: MarkRow(**row._mapping) for row in stored}
    events: list[MarkPosted | MarkChanged] = []
    new: list[MarkRow] = []
    changed: list[MarkRow] = []
    logs: list[dict] = []
    for student_id, value in values.items():
        mark = column.get(student_id)
        if mark is None:
            column[student_id] = mark = _new_mark(lesson, caller, clock, student_id, kind, value, writable.late_days)
            new.append(mark)
            events.append(MarkPosted(**mark_state(mark, lesson, course, kind)))
        elif mark.value != value:
            column[student_id] = now = replace(mark, value=value, version=mark.version + 1)
            changed.append(now)
            log, event = _value_changed(now, lesson, course, caller, kind, mark.value, None)
            logs.append({"id": uuid4(), **log})
            events.append(event)
    if changed:
        await session.execute(
            _CHANGED_VALUES,
            {
                "changed_ids": [m.id for m in changed],
                "changed_values": [m.value for m in changed],
                "changed_versions": [m.version for m in changed],
            },
        )
        await insert_rows(session, MarkChange.__table__, logs)
    # The new marks and every event in one statement: the values the column shares once, an array for the others.
    new_rows = None
    if new:
        new_rows = {f"mark_{key}": getattr(new[0], key) for key in _MARK_COLUMNS if key not in _ROWWISE}
        new_rows |= {f"marks_{key}": [getattr(m, key) for m in new] for key in _ROWWISE}
    along = _COLUMN_ROWS if new else None
    await emit_events(session, events, school_id=lesson.school_id, along=along, along_values=new_rows)
    return [MarkOut.model_validate(m) for m in column.values()]


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
        changed = change_value(session, mark, lesson, course, caller, kind, value)
        await session.flush()
        await emit_event(session, changed, school_id=mark.school_id)
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
        await require_reader(session, caller, school_id, course)
    rows = await session.scalars(
        select(MarkChange).where(MarkChange.mark_id == mark.id).order_by(MarkChange.changed_at, MarkChange.id)
    )
    return [MarkChangeOut.model_validate(change) for change in rows]
