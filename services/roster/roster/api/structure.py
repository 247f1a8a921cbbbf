"""Rooms, bell schedules, subgroups (R-12) and the curriculum with its load report (R-13)."""

from datetime import date, time
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import any_, select

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Forbidden, Invalid, NotFound
from contracts.roster import CurriculumHoursSet
from roster.api.directory import require_class_reader
from roster.calendars import PLANNERS, calendar_of, year_of, year_on
from roster.domain.calendar import Span, is_period_boundary
from roster.domain.curriculum import CourseLoad, load_report
from roster.domain.timetable import Bell, TemplatePeriod, check_bells, generate
from roster.events import group_created, membership_changed
from roster.models import (
    Assignment,
    BellDay,
    BellSchedule,
    Building,
    CurriculumHours,
    Enrolment,
    Group,
    GroupMember,
    PeriodScheme,
    ReportingPeriod,
    Room,
    SchoolClass,
    Subject,
)
from roster.timetabling import default_bells, slots_by_period, sync_timetable

router = APIRouter(prefix="/schools/{school_id}", tags=["structure"])


class BuildingIn(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class BuildingOut(BuildingIn):
    model_config = ConfigDict(from_attributes=True)
    id: UUID


@router.post("/buildings", status_code=201)
async def create_building(school_id: UUID, body: BuildingIn, caller: CallerDep, session: SchoolSession) -> BuildingOut:
    """Здание школы (R-10): its rooms are named in it."""
    caller.require(school_id, *PLANNERS)
    if await session.scalar(select(Building.id).filter_by(school_id=school_id, name=body.name)):
        raise Conflict(f"Здание «{body.name}» уже есть.")
    building = Building(school_id=school_id, name=body.name)
    session.add(building)
    await session.flush()
    return BuildingOut.model_validate(building)


@router.get("/buildings")
async def list_buildings(school_id: UUID, session: SchoolSession) -> list[BuildingOut]:
    query = select(Building).where(Building.school_id == school_id).order_by(Building.name)
    return [BuildingOut.model_validate(b) for b in await session.scalars(query)]


class RoomIn(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    #: One of the school's buildings; left out where the school has one building.
    building_id: UUID | None = None


class RoomOut(RoomIn):
    id: UUID
    #: The building's name; empty when the room's building is not named.
    building: str


@router.post("/rooms", status_code=201)
async def create_room(school_id: UUID, body: RoomIn, caller: CallerDep, session: SchoolSession) -> RoomOut:
    caller.require(school_id, *PLANNERS)
    building = await session.get(Building, body.building_id) if body.building_id else None
    if body.building_id and (building is None or building.school_id != school_id):
        raise Invalid("Здание не найдено: сначала добавьте его.")
    taken = select(Room.id).filter_by(school_id=school_id, building_id=body.building_id, name=body.name)
    if await session.scalar(taken):
        raise Conflict(f"Кабинет «{body.name}» уже есть" + (f" в здании «{building.name}»." if building else "."))
    room = Room(school_id=school_id, name=body.name, building_id=body.building_id)
    session.add(room)
    await session.flush()
    return RoomOut(id=room.id, name=room.name, building_id=room.building_id, building=building.name if building else "")


@router.get("/rooms")
async def list_rooms(school_id: UUID, session: SchoolSession) -> list[RoomOut]:
    # Region-wide readers see every school's rows: the school asked for is named, not left to RLS.
    query = (
        select(Room, Building.name)
        .outerjoin(Building, Building.id == Room.building_id)
        .where(Room.school_id == school_id)
        .order_by(Building.name.nulls_first(), Room.name)
    )
    return [
        RoomOut(id=room.id, name=room.name, building_id=room.building_id, building=building or "")
        for room, building in await session.execute(query)
    ]


class BellIn(BaseModel):
    number: int = Field(ge=0, le=12)
    starts: time
    ends: time


class BellScheduleIn(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
    #: The schedule rung on every day that has no other (one per school).
    is_default: bool = False
    bells: list[BellIn] = Field(min_length=1, max_length=13)


class BellScheduleOut(BellScheduleIn):
    model_config = ConfigDict(from_attributes=True)
    id: UUID


class BellDayIn(BaseModel):
    day: date
    schedule_id: UUID


@router.post("/bell-schedules", status_code=201)
async def create_bell_schedule(
    school_id: UUID, body: BellScheduleIn, caller: CallerDep, session: SchoolSession
) -> BellScheduleOut:
    """Расписание звонков: normal, shortened (a pre-holiday day), … ; one is the default."""
    caller.require(school_id, *PLANNERS)
    check_bells([Bell(b.number, b.starts, b.ends) for b in body.bells])
    name = body.name.strip()
    if await session.scalar(select(BellSchedule.id).filter_by(school_id=school_id, name=name)):
        raise Conflict(f"Расписание звонков «{name}» уже есть.")
    if body.is_default and await default_bells(session, school_id, required=False):
        raise Conflict("Основное расписание звонков у школы уже есть.")
    schedule = BellSchedule(
        school_id=school_id,
        name=name,
        is_default=body.is_default,
        bells=[b.model_dump(mode="json") for b in sorted(body.bells, key=lambda b: b.number)],
    )
    session.add(schedule)
    await session.flush()
    return BellScheduleOut.model_validate(schedule)


@router.get("/bell-schedules")
async def list_bell_schedules(school_id: UUID, session: SchoolSession) -> list[BellScheduleOut]:
    rows = await session.scalars(
        select(BellSchedule)
        .where(BellSchedule.school_id == school_id)
        .order_by(BellSchedule.is_default.desc(), BellSchedule.name)
    )
    return [BellScheduleOut.model_validate(s) for s in rows]


@router.put("/bell-days")
async def set_bell_day(
    school_id: UUID, body: BellDayIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> BellDayIn:
    """A day that rings another schedule (a shortened day); lessons generated later take its times."""
    caller.require(school_id, *PLANNERS)
    schedule = await session.get(BellSchedule, body.schedule_id)
    if schedule is None or schedule.school_id != school_id:
        raise NotFound("Расписание звонков не найдено.")
    day = await session.get(BellDay, (school_id, body.day))
    if day is None:
        session.add(BellDay(school_id=school_id, day=body.day, schedule_id=schedule.id))
    else:
        day.schedule_id = schedule.id
    await session.flush()
    year = await year_on(session, school_id, body.day)
    if year is not None:
        await sync_timetable(session, year, today, apply=True)
    return body


class GroupIn(BaseModel):
    class_id: UUID
    subject_id: UUID
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class GroupOut(GroupIn):
    model_config = ConfigDict(from_attributes=True)
    id: UUID


class MemberIn(BaseModel):
    student_id: UUID
    #: The day the student joins: the first day of a reporting period (R-12), or any day for a first placement.
    starts: date


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    student_id: UUID
    starts: date
    ends: date | None


@router.post("/groups", status_code=201)
async def create_group(school_id: UUID, body: GroupIn, caller: CallerDep, session: SchoolSession) -> GroupOut:
    caller.require(school_id, *PLANNERS)
    school_class = await session.get(SchoolClass, body.class_id)
    if school_class is None or school_class.school_id != school_id:
        raise NotFound("Класс не найден.")
    subject = await session.get(Subject, body.subject_id)
    if subject is None or subject.school_id != school_id:
        raise NotFound("Предмет не найден.")
    name = body.name.strip()
    if await session.scalar(select(Group.id).filter_by(class_id=school_class.id, subject_id=subject.id, name=name)):
        raise Conflict(f"Группа «{name}» по этому предмету в классе уже есть.")
    group = Group(school_id=school_id, class_id=school_class.id, subject_id=subject.id, name=name)
    session.add(group)
    await session.flush()
    await emit_event(session, group_created(group), school_id=school_id)
    return GroupOut.model_validate(group)


@router.get("/groups")
async def list_groups(school_id: UUID, session: SchoolSession, class_id: UUID | None = None) -> list[GroupOut]:
    # Electives and clubs have no class: their own list is ``/electives``.
    query = select(Group).where(Group.school_id == school_id, Group.kind == "subgroup").order_by(Group.name)
    if class_id:
        query = query.where(Group.class_id == class_id)
    return [GroupOut.model_validate(g) for g in await session.scalars(query)]


@router.get("/groups/{group_id}/members")
async def list_members(school_id: UUID, group_id: UUID, caller: CallerDep, session: SchoolSession) -> list[MemberOut]:
    group = await session.get(Group, group_id)
    if group is None or group.school_id != school_id or group.class_id is None:
        raise NotFound("Группа не найдена.")
    # a subgroup's pupils are read as its class's are.
    await require_class_reader(session, caller, school_id, group.class_id)
    rows = await session.scalars(
        select(GroupMember).where(GroupMember.group_id == group.id).order_by(GroupMember.starts)
    )
    return [MemberOut.model_validate(m) for m in rows]


@router.post("/groups/{group_id}/members", status_code=201)
async def place_in_group(
    school_id: UUID, group_id: UUID, body: MemberIn, caller: CallerDep, session: SchoolSession
) -> MemberOut:
    """Place a student in a subgroup; a move from another subgroup of the subject only at a period start (R-12)."""
    caller.require(school_id, "school_admin", "class_teacher")
    group = await session.get(Group, group_id, with_for_update=True)
    if group is None or group.school_id != school_id or group.class_id is None:
        raise NotFound("Группа не найдена.")
    school_class = await session.get(SchoolClass, group.class_id)
    if not caller.has_role(school_id, "school_admin") and school_class.class_teacher_id != caller.person_id:
        raise Forbidden("Распределять по группам может администратор или классный руководитель этого класса.")
    if not await session.scalar(select(Enrolment.id).filter_by(student_id=body.student_id, class_id=group.class_id)):
        raise Invalid("Ученик не зачислен в класс этой группы.")
    sibling_groups = select(Group.id).where(Group.class_id == group.class_id, Group.subject_id == group.subject_id)
    current = await session.scalar(
        select(GroupMember)
        .where(
            GroupMember.student_id == body.student_id,
            GroupMember.group_id.in_(sibling_groups),
            GroupMember.ends.is_(None),
        )
        .with_for_update()
    )
    if current is not None:
        if current.group_id == group.id:
            raise Conflict("Ученик уже в этой группе.")
        periods = await periods_for_grade(session, school_id, school_class.grade, body.starts)
        if not is_period_boundary(body.starts, periods):
            raise Invalid(
                "Перевести ученика в другую подгруппу можно только с начала отчётного периода "
                f"(ближайшие: {', '.join(f'{p.start:%d.%m.%Y}' for p in periods if p.start > body.starts) or 'нет'})."
            )
        if body.starts <= current.starts:
            raise Invalid("Перевод не может начинаться раньше, чем ученик пришёл в прежнюю группу.")
        current.ends = date.fromordinal(body.starts.toordinal() - 1)
        current.version += 1
        await emit_event(session, membership_changed(current), school_id=school_id)
    member = GroupMember(school_id=school_id, group_id=group.id, student_id=body.student_id, starts=body.starts)
    session.add(member)
    await session.flush()
    await emit_event(session, membership_changed(member), school_id=school_id)
    return MemberOut.model_validate(member)


async def periods_for_grade(session: SchoolSession, school_id: UUID, grade: int, day: date) -> list[Span]:
    """The reporting periods a grade follows in the year holding ``day``."""
    year = await year_on(session, school_id, day)
    if year is None:
        return []
    rows = await session.scalars(
        select(ReportingPeriod)
        .join(PeriodScheme, PeriodScheme.id == ReportingPeriod.scheme_id)
        .where(PeriodScheme.year_id == year.id, any_(PeriodScheme.grades) == grade)
        .order_by(ReportingPeriod.number)
    )
    return [Span(p.starts, p.ends) for p in rows]


class CurriculumIn(BaseModel):
    grade: int = Field(ge=1, le=11)
    subject_id: UUID
    #: Hours a year (учебный план), e.g. 170 for five lessons a week over 34 weeks.
    hours: int = Field(ge=1, le=400)


class LoadOut(BaseModel):
    assignment_id: UUID
    class_name: str
    subject_name: str
    teacher_id: UUID
    curriculum_hours: int | None
    timetable_hours: int
    #: timetable − curriculum: positive over-loaded, negative under-loaded, None without a curriculum line.
    difference: int | None
    verdict: str


@router.put("/years/{year_id}/curriculum")
async def set_curriculum_hours(
    school_id: UUID, year_id: UUID, body: CurriculumIn, caller: CallerDep, session: SchoolSession
) -> CurriculumIn:
    """Учебный план (R-13): the hours a year of a subject in a grade."""
    caller.require(school_id, "school_admin")
    year = await year_of(session, school_id, year_id)
    subject = await session.get(Subject, body.subject_id)
    if subject is None or subject.school_id != school_id:
        raise NotFound("Предмет не найден.")
    line = await session.get(CurriculumHours, (school_id, year.id, body.grade, subject.id))
    if line is None:
        line = CurriculumHours(school_id=school_id, year_id=year.id, grade=body.grade, subject_id=subject.id)
        session.add(line)
    line.hours = body.hours
    await session.flush()
    await emit_event(
        session,
        CurriculumHoursSet(
            year_id=year.id, year_name=year.name, grade=body.grade, subject_id=subject.id, hours=body.hours
        ),
        school_id=school_id,
    )
    return body


@router.get("/years/{year_id}/curriculum")
async def get_curriculum(school_id: UUID, year_id: UUID, session: SchoolSession) -> list[CurriculumIn]:
    year = await year_of(session, school_id, year_id)
    rows = await session.scalars(
        select(CurriculumHours).where(CurriculumHours.year_id == year.id).order_by(CurriculumHours.grade)
    )
    return [CurriculumIn(grade=r.grade, subject_id=r.subject_id, hours=r.hours) for r in rows]


@router.get("/years/{year_id}/load")
async def load(school_id: UUID, year_id: UUID, session: SchoolSession) -> list[LoadOut]:
    """Нагрузка (R-13): each course's hours by the timetable over the whole year against the curriculum."""
    year = await year_of(session, school_id, year_id)
    calendar = await calendar_of(session, year)
    bells = await default_bells(session, school_id, required=False)
    templates = [TemplatePeriod(span, slots) for span, slots in (await slots_by_period(session, year.id)).values()]
    given: dict[UUID, int] = {}
    for lesson in generate(calendar, templates, calendar.year, None, bells or []):
        given[lesson.assignment_id] = given.get(lesson.assignment_id, 0) + 1
    curriculum = {
        (r.grade, r.subject_id): r.hours
        for r in await session.scalars(select(CurriculumHours).where(CurriculumHours.year_id == year.id))
    }
    rows = await session.execute(
        select(Assignment, SchoolClass, Subject)
        .join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .join(Subject, Subject.id == Assignment.subject_id)
        .where(SchoolClass.academic_year == year.name, Assignment.ended_on.is_(None))
        .order_by(SchoolClass.grade, SchoolClass.letter, Subject.name)
    )
    courses = [
        CourseLoad(
            assignment_id=a.id,
            class_name=c.name,
            subject_name=s.name,
            teacher_id=a.teacher_id,
            curriculum_hours=curriculum.get((c.grade, s.id)),
            timetable_hours=given.get(a.id, 0),
        )
        for a, c, s in rows
    ]
    return [LoadOut(**line.__dict__, difference=line.difference, verdict=line.verdict) for line in load_report(courses)]
