"""Replicas of roster data the journal needs, fed by roster's events.

Each handler is an upsert of what its event carries, so a repeated or reordered event
leaves the same rows (the inbox already skips exact redeliveries).
"""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from contracts.roster import AssignmentCreated, ClassCreated, PersonRegistered, StudentEnrolled
from gradebook.models import ClassMember, Course, Person, SchoolClass

roster = Consumer("gradebook.roster")


@roster.on(AssignmentCreated)
async def on_assignment(session: AsyncSession, event: AssignmentCreated, envelope: Envelope) -> None:
    values = {
        "teacher_id": event.teacher_id,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "class_id": event.class_id,
        "class_name": event.class_name,
    }
    await session.execute(
        insert(Course)
        .values(id=event.assignment_id, school_id=envelope.schoolid, **values)
        .on_conflict_do_update(index_elements=[Course.id], set_=values)
    )


@roster.on(ClassCreated)
async def on_class(session: AsyncSession, event: ClassCreated, envelope: Envelope) -> None:
    values = {"grade": event.grade, "name": event.name}
    await session.execute(
        insert(SchoolClass)
        .values(id=event.class_id, school_id=envelope.schoolid, **values)
        .on_conflict_do_update(index_elements=[SchoolClass.id], set_=values)
    )


@roster.on(StudentEnrolled)
async def on_enrolment(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    await session.execute(
        insert(ClassMember)
        .values(class_id=event.class_id, student_id=event.student_id, school_id=envelope.schoolid)
        .on_conflict_do_nothing()
    )


@roster.on(PersonRegistered)
async def on_person(session: AsyncSession, event: PersonRegistered, envelope: Envelope) -> None:
    values = {"last_name": event.last_name, "first_name": event.first_name}
    await session.execute(
        insert(Person)
        .values(id=event.person_id, school_id=envelope.schoolid, **values)
        .on_conflict_do_update(index_elements=[Person.id], set_=values)
    )
