"""Replicas attendance needs: lessons from the gradebook, class members and names from roster.

Each handler is an upsert of what its event carries, so a repeated or reordered event
leaves the same rows (the inbox already skips exact redeliveries).
"""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from attendance.models import ClassMember, Lesson, Person
from chassis.consumers import Consumer
from chassis.events import Envelope
from contracts.gradebook import LessonRecorded
from contracts.roster import PersonRegistered, StudentEnrolled

events = Consumer("attendance.events")


@events.on(LessonRecorded)
async def on_lesson(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    values = {
        "class_id": event.class_id,
        "teacher_id": event.teacher_id,
        "date": event.date,
        "subject_name": event.subject_name,
        "version": event.version,
    }
    statement = insert(Lesson).values(id=event.lesson_id, school_id=envelope.schoolid, **values)
    # An older version arriving late must not overwrite a newer one.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Lesson.id], set_=values, where=Lesson.version < statement.excluded.version
        )
    )


@events.on(StudentEnrolled)
async def on_enrolment(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    await session.execute(
        insert(ClassMember)
        .values(class_id=event.class_id, student_id=event.student_id, school_id=envelope.schoolid)
        .on_conflict_do_nothing()
    )


@events.on(PersonRegistered)
async def on_person(session: AsyncSession, event: PersonRegistered, envelope: Envelope) -> None:
    values = {"last_name": event.last_name, "first_name": event.first_name}
    await session.execute(
        insert(Person)
        .values(id=event.person_id, school_id=envelope.schoolid, **values)
        .on_conflict_do_update(index_elements=[Person.id], set_=values)
    )
