"""Roster's aggregates as snapshot events (``chassis.snapshots``): what the diary and notifications keep.

People, classes, each student's current enrolment, guardianships, class teachers (at the class's
assignment version), subgroup memberships and the timetable's lessons (at their versions).
"""

from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.snapshots import Snapshot, Snapshots
from contracts.roster import (
    ClassCreated,
    ClassTeacherAssigned,
    GroupMembershipChanged,
    GuardianshipLinked,
    PersonRegistered,
    StudentEnrolled,
    TimetableLessonCancelled,
    TimetableLessonChanged,
    TimetableLessonScheduled,
    TimetableLessonState,
    TimetableLessonSubstituted,
)
from roster.events import class_created, membership_changed, person_registered
from roster.models import Enrolment, GroupMember, Guardianship, Person, SchoolClass, TimetableLesson
from roster.timetabling import lesson_event, names_of

snapshots = Snapshots("roster")
BATCH = 500


@snapshots.aggregate("person", PersonRegistered)
async def people(session: AsyncSession) -> AsyncIterator[Snapshot]:
    async for person in await session.stream_scalars(select(Person).execution_options(yield_per=BATCH)):
        yield Snapshot(person.school_id, person_registered(person))


@snapshots.aggregate("class", ClassCreated)
async def classes(session: AsyncSession) -> AsyncIterator[Snapshot]:
    async for school_class in await session.stream_scalars(select(SchoolClass).execution_options(yield_per=BATCH)):
        yield Snapshot(school_class.school_id, class_created(school_class))


@snapshots.aggregate("class_teacher", ClassTeacherAssigned)
async def class_teachers(session: AsyncSession) -> AsyncIterator[Snapshot]:
    led = select(SchoolClass).where(SchoolClass.class_teacher_id.is_not(None)).execution_options(yield_per=BATCH)
    async for school_class in await session.stream_scalars(led):
        assert school_class.class_teacher_id is not None
        event = ClassTeacherAssigned(
            class_id=school_class.id,
            class_name=school_class.name,
            teacher_id=school_class.class_teacher_id,
            version=school_class.class_teacher_version,
        )
        yield Snapshot(school_class.school_id, event)


@snapshots.aggregate("enrolment", StudentEnrolled)
async def enrolments(session: AsyncSession) -> AsyncIterator[Snapshot]:
    """A student's current enrolment: the latest (R-16)."""
    latest = (
        select(Enrolment, SchoolClass)
        .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
        .ext(distinct_on(Enrolment.student_id))
        .order_by(Enrolment.student_id, Enrolment.enrolled_on.desc())
        .execution_options(yield_per=BATCH)
    )
    async for enrolment, school_class in await session.stream(latest):
        event = StudentEnrolled(
            student_id=enrolment.student_id,
            class_id=enrolment.class_id,
            class_name=school_class.name,
            enrolled_on=enrolment.enrolled_on,
        )
        yield Snapshot(enrolment.school_id, event)


@snapshots.aggregate("guardianship", GuardianshipLinked)
async def guardianships(session: AsyncSession) -> AsyncIterator[Snapshot]:
    async for link in await session.stream_scalars(select(Guardianship).execution_options(yield_per=BATCH)):
        event = GuardianshipLinked(guardian_id=link.guardian_id, student_id=link.student_id, relation=link.relation)
        yield Snapshot(link.school_id, event)


@snapshots.aggregate("group_membership", GroupMembershipChanged)
async def group_memberships(session: AsyncSession) -> AsyncIterator[Snapshot]:
    async for member in await session.stream_scalars(select(GroupMember).execution_options(yield_per=BATCH)):
        yield Snapshot(member.school_id, membership_changed(member))


def _timetable_kind(lesson: TimetableLesson) -> type[TimetableLessonState]:
    if lesson.status == "cancelled":
        return TimetableLessonCancelled
    if lesson.substitute_teacher_id is not None:
        return TimetableLessonSubstituted
    return TimetableLessonScheduled


@snapshots.aggregate(
    "timetable_lesson",
    TimetableLessonScheduled,
    TimetableLessonChanged,
    TimetableLessonCancelled,
    TimetableLessonSubstituted,
)
async def timetable_lessons(session: AsyncSession) -> AsyncIterator[Snapshot]:
    """Each dated lesson at its version, named as the school names its classes, subjects, rooms and people."""
    schools = await session.scalars(select(TimetableLesson.school_id).distinct())
    for school_id in list(schools):
        substitutes = await session.scalars(
            select(TimetableLesson.substitute_teacher_id)
            .where(TimetableLesson.school_id == school_id, TimetableLesson.substitute_teacher_id.is_not(None))
            .distinct()
        )
        names = await names_of(session, school_id, [s for s in substitutes if s is not None])
        rows = select(TimetableLesson).filter_by(school_id=school_id).execution_options(yield_per=BATCH)
        async for lesson in await session.stream_scalars(rows):
            yield Snapshot(school_id, lesson_event(_timetable_kind(lesson), lesson, names))
