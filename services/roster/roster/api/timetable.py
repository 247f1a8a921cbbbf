"""The timetable (R-14): a period's weekly template, its dated lessons, and the changes of the day.

Roster owns scheduled lessons and their dates; the journal and the diary follow its events.
"""

from datetime import date, time, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Invalid, NotFound
from contracts.roster import (
    TimetableLessonCancelled,
    TimetableLessonChanged,
    TimetableLessonState,
    TimetableLessonSubstituted,
)
from roster.calendars import PLANNERS, calendar_of, school_of, status_of, year_of
from roster.domain.calendar import Span, check_calendar_editable
from roster.domain.timetable import (
    WEEKDAY_NAMES,
    BuildingMove,
    PlannedLesson,
    Regeneration,
    Slot,
    Week,
    building_moves,
    check_lesson_day,
    check_template,
)
from roster.models import (
    Assignment,
    Building,
    Group,
    PeriodScheme,
    ReportingPeriod,
    Room,
    SchoolClass,
    StaffRole,
    TimetableLesson,
    TimetableSlot,
)
from roster.timetabling import (
    Names,
    bells_by_day,
    booking_of,
    default_bells,
    lesson_event,
    names_of,
    sync_timetable,
    timetable_of,
)

router = APIRouter(prefix="/schools/{school_id}", tags=["timetable"])

#: The longest stretch one timetable read returns (a school's whole term is read week by week).
MAX_READ_DAYS = 62


class SlotIn(BaseModel):
    #: 0 = понедельник … 5 = суббота.
    weekday: int = Field(ge=0, le=5)
    number: int = Field(ge=0, le=12)
    #: "A" or "B" where the school alternates weeks; left out: every week.
    week: Week | None = None
    assignment_id: UUID
    group_id: UUID | None = None
    room_id: UUID | None = None


class TemplateIn(BaseModel):
    slots: list[SlotIn] = Field(max_length=3000)


class SlotOut(SlotIn):
    course: str
    teacher_name: str
    room_name: str | None


class LessonChangeOut(BaseModel):
    date: date
    number: int
    course: str
    what: str


class TemplateChangeOut(BaseModel):
    #: True: nothing was saved, this is what saving would do to the lessons from tomorrow on.
    preview: bool
    added: list[LessonChangeOut]
    removed: list[LessonChangeOut]
    changed: list[LessonChangeOut]
    #: What the template asks of people that may not work (R-10): a move to another building between
    #: consecutive lessons. Saved all the same.
    warnings: list[str] = []


async def period_of(session: SchoolSession, school_id: UUID, period_id: UUID) -> tuple[ReportingPeriod, PeriodScheme]:
    period = await session.get(ReportingPeriod, period_id)
    if period is None or period.school_id != school_id:
        raise NotFound("Отчётный период не найден.")
    return period, await session.get(PeriodScheme, period.scheme_id)


def describe(change: Regeneration, names: Names) -> dict[str, list[LessonChangeOut]]:
    def line(planned: PlannedLesson, what: str) -> LessonChangeOut:
        return LessonChangeOut(
            date=planned.day, number=planned.number, course=names.course(planned.assignment_id), what=what
        )

    def difference(old: PlannedLesson, new: PlannedLesson) -> str:
        parts = []
        if old.teacher_id != new.teacher_id:
            parts.append(f"учитель: {names.people.get(new.teacher_id, '')}")
        if old.room_id != new.room_id:
            parts.append(f"кабинет: {names.rooms.get(new.room_id, 'не указан') if new.room_id else 'не указан'}")
        if (old.starts, old.ends) != (new.starts, new.ends):
            parts.append(f"время: {new.starts:%H:%M}–{new.ends:%H:%M}")
        return "изменится " + ", ".join(parts)

    return {
        "added": [line(p, "добавится") for p in change.added],
        "removed": [line(e.planned, "отменится") for e in change.removed],
        "changed": [line(new, difference(old.planned, new)) for old, new in change.changed],
    }


@router.put("/periods/{period_id}/template")
async def set_template(
    school_id: UUID,
    period_id: UUID,
    body: TemplateIn,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    preview: bool = False,
) -> TemplateChangeOut:
    """The period's weekly template. ``preview=true`` answers what would change and saves nothing.

    Saving regenerates only lessons from tomorrow to the horizon that nobody changed by hand.
    """
    caller.require(school_id, *PLANNERS)
    period, scheme = await period_of(session, school_id, period_id)
    year = await year_of(session, school_id, scheme.year_id, for_update=True)
    check_calendar_editable(status_of(year))
    courses = {
        a.id: (a, c)
        for a, c in await session.execute(
            select(Assignment, SchoolClass)
            .join(SchoolClass, SchoolClass.id == Assignment.class_id)
            .where(Assignment.id.in_({s.assignment_id for s in body.slots}), Assignment.ended_on.is_(None))
        )
    }
    groups = {
        g.id: g for g in await session.scalars(select(Group).where(Group.id.in_({s.group_id for s in body.slots})))
    }
    rooms = {
        r.id: r.building_id
        for r in await session.scalars(select(Room).where(Room.id.in_({s.room_id for s in body.slots})))
    }
    slots = []
    for line, given in enumerate(body.slots, start=1):
        if given.assignment_id not in courses:
            raise Invalid(f"Строка {line}: нагрузка (учитель, предмет, класс) не найдена.")
        assignment, school_class = courses[given.assignment_id]
        if school_class.grade not in scheme.grades or school_class.academic_year != year.name:
            raise Invalid(f"Строка {line}: класс {school_class.name} не учится по периодам «{period.name}» этого года.")
        group = groups.get(given.group_id) if given.group_id else None
        if given.group_id and (
            group is None or (group.class_id, group.subject_id) != (assignment.class_id, assignment.subject_id)
        ):
            raise Invalid(f"Строка {line}: группа не из этого класса или не по этому предмету.")
        if given.room_id and given.room_id not in rooms:
            raise Invalid(f"Строка {line}: кабинет не найден.")
        slots.append(
            Slot(
                weekday=given.weekday,
                number=given.number,
                assignment_id=assignment.id,
                teacher_id=assignment.teacher_id,
                room_id=given.room_id,
                group_id=given.group_id,
                week=given.week,
            )
        )
    school = await school_of(session, school_id)
    check_template(slots, await default_bells(session, school_id), school.days_per_week)
    proposed = {period.id: (Span(period.starts, period.ends), tuple(slots))}
    change = await sync_timetable(session, year, today, apply=not preview, proposed=proposed)
    if not preview:
        await session.execute(delete(TimetableSlot).where(TimetableSlot.period_id == period.id))
        session.add_all(
            TimetableSlot(
                school_id=school_id,
                period_id=period.id,
                weekday=s.weekday,
                number=s.number,
                week=s.week,
                assignment_id=s.assignment_id,
                group_id=s.group_id,
                room_id=s.room_id,
            )
            for s in slots
        )
    names = await names_of(session, school_id)
    building_of = {room: building for room, building in rooms.items() if building}
    moves = building_moves(slots, building_of, {a: c.id for a, (_, c) in courses.items()})
    buildings = await building_names(session, school_id) if moves else {}
    warnings = [move_warning(move, names, buildings) for move in moves]
    return TemplateChangeOut(preview=preview, warnings=warnings, **describe(change, names))


async def building_names(session: AsyncSession, school_id: UUID) -> dict[UUID, str]:
    return {b.id: b.name for b in await session.scalars(select(Building).filter_by(school_id=school_id))}


def move_warning(move: BuildingMove, names: Names, buildings: dict[UUID, str]) -> str:
    who = names.people.get(move.who, "") if move.kind == "teacher" else f"класс {names.classes.get(move.who, '')}"
    week = f" (неделя {move.week})" if move.week else ""
    return (
        f"{WEEKDAY_NAMES[move.weekday].capitalize()}{week}, после урока № {move.after}: {who} переходит "
        f"из здания «{buildings[move.from_building]}» в здание «{buildings[move.to_building]}»."
    )


@router.get("/periods/{period_id}/template")
async def get_template(school_id: UUID, period_id: UUID, session: SchoolSession) -> list[SlotOut]:
    period, _ = await period_of(session, school_id, period_id)
    names = await names_of(session, school_id)
    rows = await session.scalars(
        select(TimetableSlot)
        .where(TimetableSlot.period_id == period.id)
        .order_by(TimetableSlot.weekday, TimetableSlot.number, TimetableSlot.week)
    )
    return [
        SlotOut(
            weekday=s.weekday,
            number=s.number,
            week=s.week,
            assignment_id=s.assignment_id,
            group_id=s.group_id,
            room_id=s.room_id,
            course=names.course(s.assignment_id),
            teacher_name=names.people.get(names.courses[s.assignment_id].teacher_id, ""),
            room_name=names.rooms.get(s.room_id) if s.room_id else None,
        )
        for s in rows
    ]


class RollOut(BaseModel):
    added: int
    removed: int
    changed: int


@router.post("/years/{year_id}/timetable/roll")
async def roll_timetable(
    school_id: UUID, year_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> RollOut:
    """Generate the dated lessons up to two weeks ahead (R-14); run daily, and safe to run again."""
    caller.require(school_id, *PLANNERS)
    year = await year_of(session, school_id, year_id, for_update=True)
    check_calendar_editable(status_of(year))
    change = await sync_timetable(session, year, today, apply=True)
    return RollOut(added=len(change.added), removed=len(change.removed), changed=len(change.changed))


class TimetableLessonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    version: int
    date: date
    number: int
    starts: time
    ends: time
    assignment_id: UUID
    class_id: UUID
    class_name: str
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    teacher_name: str
    group_id: UUID | None
    room_id: UUID | None
    room_name: str | None
    status: str
    substitute_teacher_id: UUID | None
    substitute_name: str | None
    change_note: str | None


def lesson_out(lesson: TimetableLesson, names: Names) -> TimetableLessonOut:
    state = lesson_event(TimetableLessonState, lesson, names)
    return TimetableLessonOut(
        id=lesson.id,
        teacher_name=names.people.get(lesson.teacher_id, ""),
        **state.model_dump(exclude={"lesson_id"}),
    )


@router.get("/timetable")
async def read_week(
    school_id: UUID,
    session: SchoolSession,
    today: SchoolToday,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
    class_id: UUID | None = None,
    teacher_id: Annotated[UUID | None, Query(description="Lessons the teacher gives, substitutions included")] = None,
    room_id: UUID | None = None,
) -> list[TimetableLessonOut]:
    """Dated lessons of ``start``–``end`` (the school's current week when left out), cancelled ones marked."""
    monday = today - timedelta(days=today.weekday())
    return await read_timetable(
        school_id,
        session,
        start or monday,
        end or (start or monday) + timedelta(days=6),
        class_id=class_id,
        teacher_id=teacher_id,
        room_id=room_id,
    )


async def read_timetable(
    school_id: UUID,
    session: AsyncSession,
    start: date,
    end: date,
    *,
    class_id: UUID | None = None,
    teacher_id: UUID | None = None,
    room_id: UUID | None = None,
) -> list[TimetableLessonOut]:
    """Dated lessons of ``start``–``end`` (cancelled ones too, marked), in order of day and number."""
    if end < start:
        raise Invalid("Начало периода позже его конца.")
    if (end - start).days >= MAX_READ_DAYS:
        raise Invalid(f"За один раз расписание читается не больше чем за {MAX_READ_DAYS} дня.")
    query = (
        select(TimetableLesson)
        .where(TimetableLesson.school_id == school_id, TimetableLesson.day >= start, TimetableLesson.day <= end)
        .order_by(TimetableLesson.day, TimetableLesson.number, TimetableLesson.class_id)
    )
    if class_id:
        query = query.where(TimetableLesson.class_id == class_id)
    if teacher_id:
        query = query.where(
            or_(TimetableLesson.teacher_id == teacher_id, TimetableLesson.substitute_teacher_id == teacher_id)
        )
    if room_id:
        query = query.where(TimetableLesson.room_id == room_id)
    lessons = list(await session.scalars(query))
    names = await names_of(session, school_id, {lesson.substitute_teacher_id for lesson in lessons} - {None})
    return [lesson_out(lesson, names) for lesson in lessons]


@router.get("/timetable/today")
async def teachers_today(
    school_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> list[TimetableLessonOut]:
    """The caller's lessons today in order, substitutions included (the teacher's "today")."""
    return await read_timetable(school_id, session, today, today, teacher_id=caller.person_id)


class CancelIn(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=300)]


class MoveIn(BaseModel):
    date: date
    number: int = Field(ge=0, le=12)
    room_id: UUID | None = None


class RoomIn(BaseModel):
    room_id: UUID


class SubstituteIn(BaseModel):
    teacher_id: UUID


async def changeable_lesson(session: SchoolSession, school_id: UUID, lesson_id: UUID) -> TimetableLesson:
    lesson = await session.get(TimetableLesson, lesson_id, with_for_update=True)
    if lesson is None or lesson.school_id != school_id:
        raise NotFound("Урок расписания не найден.")
    year = await year_of(session, school_id, lesson.year_id)
    check_calendar_editable(status_of(year))
    if lesson.status == "cancelled":
        raise Conflict("Урок отменён: изменить его нельзя.")
    return lesson


async def record_change(
    session: SchoolSession,
    request: Request,
    caller: CallerDep,
    lesson: TimetableLesson,
    kind: type[TimetableLessonState],
    note: str,
    moved_from: tuple[date, int] | None = None,
) -> TimetableLessonOut:
    """Keep who changed the lesson and when (R-14), check it clashes with nothing, and tell the others."""
    lesson.changed_by, lesson.changed_at = caller.person_id, request.app.state.clock.now()
    lesson.change_note = note
    lesson.version += 1
    names = await names_of(session, lesson.school_id, {lesson.substitute_teacher_id} - {None})
    if lesson.status == "scheduled":
        day = Span(lesson.day, lesson.day)
        timetable = await timetable_of(session, lesson.school_id, day, names)
        timetable.remove(lesson.id)
        timetable.check(booking_of(lesson))
    await session.flush()
    event = lesson_event(kind, lesson, names)
    if moved_from is not None:
        # The portal keys lessons by date and number too: it must learn which place the lesson left.
        event = event.model_copy(update={"moved_from_date": moved_from[0], "moved_from_number": moved_from[1]})
    await emit_event(session, event, school_id=lesson.school_id)
    return lesson_out(lesson, names)


async def room_of(session: SchoolSession, school_id: UUID, room_id: UUID) -> Room:
    room = await session.get(Room, room_id)
    if room is None or room.school_id != school_id:
        raise NotFound("Кабинет не найден.")
    return room


@router.post("/timetable/lessons/{lesson_id}/cancel")
async def cancel_lesson(
    school_id: UUID, lesson_id: UUID, body: CancelIn, caller: CallerDep, session: SchoolSession, request: Request
) -> TimetableLessonOut:
    caller.require(school_id, *PLANNERS)
    lesson = await changeable_lesson(session, school_id, lesson_id)
    lesson.status = "cancelled"
    return await record_change(session, request, caller, lesson, TimetableLessonCancelled, f"Отменён: {body.reason}")


@router.post("/timetable/lessons/{lesson_id}/move")
async def move_lesson(
    school_id: UUID, lesson_id: UUID, body: MoveIn, caller: CallerDep, session: SchoolSession, request: Request
) -> TimetableLessonOut:
    """Перенос урока: to another day or lesson number (and room); not onto a day off."""
    caller.require(school_id, *PLANNERS)
    lesson = await changeable_lesson(session, school_id, lesson_id)
    year = await year_of(session, school_id, lesson.year_id)
    check_lesson_day(await calendar_of(session, year), body.date)
    day_bells = (await bells_by_day(session, school_id, Span(body.date, body.date))).get(body.date)
    bell = next((b for b in day_bells or await default_bells(session, school_id) if b.number == body.number), None)
    if bell is None:
        raise Invalid(f"Урока № {body.number} в расписании звонков на {body.date:%d.%m.%Y} нет.")
    if body.room_id:
        lesson.room_id = (await room_of(session, school_id, body.room_id)).id
    note = f"Перенесён с {lesson.day:%d.%m} ({WEEKDAY_NAMES[lesson.day.weekday()]}), урок № {lesson.number}"
    moved_from = (lesson.day, lesson.number)
    lesson.day, lesson.number, lesson.starts, lesson.ends = body.date, body.number, bell.starts, bell.ends
    return await record_change(session, request, caller, lesson, TimetableLessonChanged, note, moved_from)


@router.post("/timetable/lessons/{lesson_id}/room")
async def change_room(
    school_id: UUID, lesson_id: UUID, body: RoomIn, caller: CallerDep, session: SchoolSession, request: Request
) -> TimetableLessonOut:
    caller.require(school_id, *PLANNERS)
    lesson = await changeable_lesson(session, school_id, lesson_id)
    room = await room_of(session, school_id, body.room_id)
    if lesson.room_id == room.id:
        raise Invalid(f"Урок и так в кабинете {room.name}.")
    lesson.room_id = room.id
    return await record_change(session, request, caller, lesson, TimetableLessonChanged, f"Кабинет {room.name}")


@router.post("/timetable/lessons/{lesson_id}/substitute")
async def substitute(
    school_id: UUID, lesson_id: UUID, body: SubstituteIn, caller: CallerDep, session: SchoolSession, request: Request
) -> TimetableLessonOut:
    """Замена: another teacher gives the lesson and may write its record in the journal (R-14, R-20)."""
    caller.require(school_id, *PLANNERS)
    lesson = await changeable_lesson(session, school_id, lesson_id)
    if body.teacher_id == lesson.teacher_id:
        raise Invalid("Заменять учителя самим собой нельзя.")
    if not await session.get(StaffRole, (school_id, body.teacher_id, "teacher")):
        raise Invalid("Заменять может только сотрудник с ролью «учитель».")
    lesson.substitute_teacher_id = body.teacher_id
    names = await names_of(session, school_id, {body.teacher_id})
    note = f"Замена: {names.people[body.teacher_id]}"
    return await record_change(session, request, caller, lesson, TimetableLessonSubstituted, note)
