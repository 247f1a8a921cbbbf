"""Replicas of roster data the journal needs, fed by roster's events.

Each handler is an upsert of what its event carries, so a repeated or reordered event
leaves the same rows (the inbox already skips exact redeliveries).
"""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.replicas import insert_once, upsert
from contracts.roster import AssignmentCreated, ClassCreated, PersonRegistered, StudentEnrolled
from gradebook.models import ClassMember, Course, Person, SchoolClass

roster = Consumer("gradebook.roster")


@roster.on(AssignmentCreated)
async def on_assignment(session: AsyncSession, event: AssignmentCreated, envelope: Envelope) -> None:
    values = {
        "school_id": envelope.schoolid,
        "teacher_id": event.teacher_id,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "class_id": event.class_id,
        "class_name": event.class_name,
    }
    await upsert(session, Course, {"id": event.assignment_id}, values)


@roster.on(ClassCreated)
async def on_class(session: AsyncSession, event: ClassCreated, envelope: Envelope) -> None:
    values = {"school_id": envelope.schoolid, "grade": event.grade, "name": event.name}
    await upsert(session, SchoolClass, {"id": event.class_id}, values)


@roster.on(StudentEnrolled)
async def on_enrolment(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    key = {"class_id": event.class_id, "student_id": event.student_id}
    await insert_once(session, ClassMember, key, {"school_id": envelope.schoolid})


@roster.on(PersonRegistered)
async def on_person(session: AsyncSession, event: PersonRegistered, envelope: Envelope) -> None:
    values = {"school_id": envelope.schoolid, "last_name": event.last_name, "first_name": event.first_name}
    await upsert(session, Person, {"id": event.person_id}, values)
