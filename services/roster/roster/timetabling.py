"""The timetable's dated lessons kept in step with the template and the calendar (functions taking a session).

``sync_timetable`` is the one way lessons are generated: on a template change (after a preview),
when the calendar changes, and when the horizon is rolled on. It writes the lessons and their
events in the caller's transaction, or, for a preview, only answers what would change.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from uuid import UUID, uuid4

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import emit_events
from chassis.problems import Conflict, Invalid
from contracts.roster import TimetableLessonCancelled, TimetableLessonScheduled, TimetableLessonState
from roster.calendars import calendar_of
from roster.domain.calendar import Span
from roster.domain.timetable import (
    Bell,
    Booking,
    ExistingLesson,
    PlannedLesson,
    Regeneration,
    Slot,
    TemplatePeriod,
    Week,
    find_clash,
    generate,
    horizon,
    regenerate,
)
from roster.models import (
    AcademicYear,
    Assignment,
    BellDay,
    BellSchedule,
    PeriodScheme,
    Person,
    ReportingPeriod,
    Room,
    SchoolClass,
    Subject,
    TimetableLesson,
    TimetableSlot,
)

Templates = dict[UUID, tuple[Span, tuple[Slot, ...]]]


def bells_of(schedule: BellSchedule) -> list[Bell]:
    return [Bell(b["number"], time.fromisoformat(b["starts"]), time.fromisoformat(b["ends"])) for b in schedule.bells]


async def default_bells(session: AsyncSession, school_id: UUID, *, required: bool = True) -> list[Bell]:
    """The schedule rung on ordinary days."""
    schedule = await session.scalar(select(BellSchedule).filter_by(school_id=school_id, is_default=True))
    if schedule is None:
        if required:
            raise Invalid("Сначала задайте основное расписание звонков.")
        return []
    return bells_of(schedule)


async def bells_by_day(session: AsyncSession, school_id: UUID, days: Span) -> dict[date, list[Bell]]:
    """Days within ``days`` that ring another schedule than the default (shortened days)."""
    rows = await session.execute(
        select(BellDay.day, BellSchedule)
        .join(BellSchedule, BellSchedule.id == BellDay.schedule_id)
        .where(BellDay.school_id == school_id, BellDay.day >= days.start, BellDay.day <= days.end)
    )
    return {day: bells_of(schedule) for day, schedule in rows}


async def slots_by_period(session: AsyncSession, year_id: UUID) -> Templates:
    """Each reporting period's weekly template in a year, with the teacher of each course."""
    rows = await session.execute(
        select(TimetableSlot, ReportingPeriod, Assignment.teacher_id)
        .join(ReportingPeriod, ReportingPeriod.id == TimetableSlot.period_id)
        .join(PeriodScheme, PeriodScheme.id == ReportingPeriod.scheme_id)
        .join(Assignment, Assignment.id == TimetableSlot.assignment_id)
        .where(PeriodScheme.year_id == year_id)
    )
    templates: dict[UUID, tuple[Span, list[Slot]]] = {}
    for slot, period, teacher_id in rows:
        templates.setdefault(period.id, (Span(period.starts, period.ends), []))[1].append(
            Slot(
                weekday=slot.weekday,
                number=slot.number,
                assignment_id=slot.assignment_id,
                teacher_id=teacher_id,
                room_id=slot.room_id,
                group_id=slot.group_id,
                week=Week(slot.week) if slot.week else None,
            )
        )
    return {period_id: (span, tuple(slots)) for period_id, (span, slots) in templates.items()}


@dataclass(frozen=True)
class Names:
    """What the school calls its classes, subjects, rooms and teachers, for events and answers."""

    courses: dict[UUID, Assignment]
    classes: dict[UUID, str]
    subjects: dict[UUID, str]
    rooms: dict[UUID, str]
    people: dict[UUID, str]

    def course(self, assignment_id: UUID) -> str:
        course = self.courses[assignment_id]
        return f"{self.classes[course.class_id]} · {self.subjects[course.subject_id]}"


async def names_of(session: AsyncSession, school_id: UUID, people: Iterable[UUID] = ()) -> Names:
    courses = {a.id: a for a in await session.scalars(select(Assignment).filter_by(school_id=school_id))}
    wanted = {c.teacher_id for c in courses.values()} | set(people)
    return Names(
        courses=courses,
        classes={c.id: c.name for c in await session.scalars(select(SchoolClass).filter_by(school_id=school_id))},
        subjects={s.id: s.name for s in await session.scalars(select(Subject).filter_by(school_id=school_id))},
        rooms={r.id: r.name for r in await session.scalars(select(Room).filter_by(school_id=school_id))},
        people={p.id: short_name(p) for p in await session.scalars(select(Person).where(Person.id.in_(wanted)))},
    )


def short_name(person: Person) -> str:
    """«Иванова М. П.», as a timetable names a teacher."""
    initials = "".join(f" {part[0]}." for part in (person.first_name, person.middle_name) if part)
    return f"{person.last_name}{initials}"


def lesson_event(kind: type[TimetableLessonState], lesson: TimetableLesson, names: Names) -> TimetableLessonState:
    course = names.courses[lesson.assignment_id]
    return kind(
        lesson_id=lesson.id,
        version=lesson.version,
        date=lesson.day,
        number=lesson.number,
        starts=lesson.starts,
        ends=lesson.ends,
        assignment_id=lesson.assignment_id,
        class_id=lesson.class_id,
        class_name=names.classes[lesson.class_id],
        subject_id=course.subject_id,
        subject_name=names.subjects[course.subject_id],
        teacher_id=lesson.teacher_id,
        group_id=lesson.group_id,
        room_id=lesson.room_id,
        room_name=names.rooms.get(lesson.room_id) if lesson.room_id else None,
        status=lesson.status,
        substitute_teacher_id=lesson.substitute_teacher_id,
        substitute_name=names.people.get(lesson.substitute_teacher_id) if lesson.substitute_teacher_id else None,
        change_note=lesson.change_note,
    )


def booking_of(lesson: TimetableLesson) -> Booking:
    """Whom and where the lesson holds: the substitute, if there is one, holds the teacher's place."""
    return Booking(
        lesson.id,
        lesson.day,
        lesson.starts,
        lesson.ends,
        lesson.substitute_teacher_id or lesson.teacher_id,
        lesson.room_id,
    )


def planned_of(lesson: TimetableLesson) -> PlannedLesson:
    return PlannedLesson(
        day=lesson.planned_day,
        number=lesson.planned_number,
        starts=lesson.starts,
        ends=lesson.ends,
        assignment_id=lesson.assignment_id,
        teacher_id=lesson.teacher_id,
        room_id=lesson.room_id,
        group_id=lesson.group_id,
    )


def clash_detail(kind: str, other: Booking, names: Names, titles: dict[UUID, str]) -> str:
    """R-14: the refusal names the lesson already holding the teacher or the room."""
    if kind == "teacher":
        who = f"Учитель {names.people.get(other.teacher_id, '')}"
    else:
        who = f"Кабинет {names.rooms.get(other.room_id, '') if other.room_id else ''}"
    return (
        f"{who.rstrip()} уже занят в это время: {titles[other.lesson_id]}, {other.day:%d.%m.%Y} "
        f"{other.starts:%H:%M}–{other.ends:%H:%M}."
    )


class Timetable:
    """Lessons of some days indexed by teacher and by room, for clash checks (R-14)."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.by_teacher: dict[tuple[date, UUID], list[Booking]] = defaultdict(list)
        self.by_room: dict[tuple[date, UUID], list[Booking]] = defaultdict(list)
        self.titles: dict[UUID, str] = {}

    def add(self, booking: Booking, title: str) -> None:
        self.titles[booking.lesson_id] = title
        self.by_teacher[(booking.day, booking.teacher_id)].append(booking)
        if booking.room_id:
            self.by_room[(booking.day, booking.room_id)].append(booking)

    def remove(self, lesson_id: UUID) -> None:
        for index in (self.by_teacher, self.by_room):
            for bookings in index.values():
                bookings[:] = [b for b in bookings if b.lesson_id != lesson_id]

    def check(self, booking: Booking) -> None:
        """Refuse a booking that double-books a teacher or a room, naming the lesson it clashes with."""
        others = self.by_teacher[(booking.day, booking.teacher_id)]
        if booking.room_id:
            others = others + self.by_room[(booking.day, booking.room_id)]
        clash = find_clash(booking, others)
        if clash:
            raise Conflict(clash_detail(*clash, self.names, self.titles), conflicting_lesson_id=str(clash[1].lesson_id))


async def timetable_of(session: AsyncSession, school_id: UUID, days: Span, names: Names) -> Timetable:
    """The school's scheduled lessons of ``days``, as bookings."""
    timetable = Timetable(names)
    rows = await session.scalars(
        select(TimetableLesson).where(
            TimetableLesson.school_id == school_id,
            TimetableLesson.day >= days.start,
            TimetableLesson.day <= days.end,
            TimetableLesson.status == "scheduled",
        )
    )
    for lesson in rows:
        timetable.add(booking_of(lesson), names.course(lesson.assignment_id))
    return timetable


async def sync_timetable(
    session: AsyncSession,
    year: AcademicYear,
    today: date,
    *,
    apply: bool,
    proposed: Templates | None = None,
    until: date | None = None,
) -> Regeneration:
    """Bring the dated lessons from tomorrow to the horizon (or ``until``) in line with the template.

    Today's and past lessons, and those changed by hand, stay as they are. ``proposed``
    replaces some periods' templates (a preview, or the template being saved). Added and
    moved lessons that would double-book a teacher or a room are refused, naming the clash.
    """
    calendar = await calendar_of(session, year)
    days = horizon(today, calendar.year)
    if until is not None:
        days = Span(days.start, min(until, calendar.year.end))
    templates = {**await slots_by_period(session, year.id), **(proposed or {})}
    if days.end < days.start:
        return Regeneration(added=[], removed=[], changed=[])
    bells = await default_bells(session, year.school_id, required=any(slots for _, slots in templates.values()))
    wanted = generate(
        calendar,
        [TemplatePeriod(span, slots) for span, slots in templates.values()],
        days,
        await bells_by_day(session, year.school_id, days),
        bells,
    )
    lessons = {
        lesson.id: lesson
        for lesson in await session.scalars(
            select(TimetableLesson)
            .where(
                TimetableLesson.year_id == year.id,
                TimetableLesson.planned_day >= days.start,
                TimetableLesson.planned_day <= days.end,
                or_(TimetableLesson.status == "scheduled", TimetableLesson.changed_by.is_not(None)),
            )
            .with_for_update()
        )
    }
    change = regenerate(
        (
            ExistingLesson(
                lesson.id,
                planned_of(lesson),
                frozen=lesson.day <= today or lesson.recorded or lesson.changed_by is not None,
            )
            for lesson in lessons.values()
        ),
        wanted,
    )
    names = await names_of(session, year.school_id)
    timetable = await timetable_of(session, year.school_id, days, names)
    for gone in change.removed:
        timetable.remove(gone.lesson_id)
    for old, _ in change.changed:
        timetable.remove(old.lesson_id)
    added = [(uuid4(), planned) for planned in change.added]
    checks = [
        (Booking(lesson_id, p.day, p.starts, p.ends, p.teacher_id, p.room_id), p.assignment_id)
        for lesson_id, p in added
    ] + [
        (
            Booking(
                old.lesson_id,
                p.day,
                p.starts,
                p.ends,
                lessons[old.lesson_id].substitute_teacher_id or p.teacher_id,
                p.room_id,
            ),
            p.assignment_id,
        )
        for old, p in change.changed
    ]
    for booking, assignment_id in checks:
        timetable.check(booking)
        timetable.add(booking, names.course(assignment_id))
    if not apply:
        return change
    written = []
    for lesson_id, planned in added:
        lesson = TimetableLesson(
            id=lesson_id,
            school_id=year.school_id,
            year_id=year.id,
            day=planned.day,
            number=planned.number,
            planned_day=planned.day,
            planned_number=planned.number,
            starts=planned.starts,
            ends=planned.ends,
            assignment_id=planned.assignment_id,
            class_id=names.courses[planned.assignment_id].class_id,
            teacher_id=planned.teacher_id,
            group_id=planned.group_id,
            room_id=planned.room_id,
            status="scheduled",
            version=1,
        )
        session.add(lesson)
        written.append(lesson)
    for old, planned in change.changed:
        lesson = lessons[old.lesson_id]
        lesson.starts, lesson.ends = planned.starts, planned.ends
        lesson.teacher_id, lesson.room_id = planned.teacher_id, planned.room_id
        lesson.version += 1
        written.append(lesson)
    for gone in change.removed:
        lesson = lessons[gone.lesson_id]
        lesson.status, lesson.change_note = "cancelled", "Урок снят из расписания"
        lesson.version += 1
    await session.flush()
    events = [lesson_event(TimetableLessonScheduled, lesson, names) for lesson in written] + [
        lesson_event(TimetableLessonCancelled, lessons[gone.lesson_id], names) for gone in change.removed
    ]
    await emit_events(session, events, school_id=year.school_id)
    return change
