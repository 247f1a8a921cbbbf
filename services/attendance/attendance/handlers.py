"""Replicas attendance needs: lessons and closed periods from the gradebook; class members, class teachers and
names from roster.

Each handler is an upsert of what its event carries, so a repeated or reordered event
leaves the same rows (the inbox already skips exact redeliveries).
"""

from sqlalchemy.ext.asyncio import AsyncSession

from attendance.models import ClassMember, ClassTeacher, Lesson, PeriodLock, Person
from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.replicas import insert_once, newer, upsert
from contracts.gradebook import LessonRecorded, PeriodClosed, PeriodReopened
from contracts.roster import ClassTeacherAssigned, PersonRegistered, StudentEnrolled

events = Consumer("attendance.events")


@events.on(LessonRecorded)
async def on_lesson(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    values = {
        "school_id": envelope.schoolid,
        "class_id": event.class_id,
        "teacher_id": event.teacher_id,
        "date": event.date,
        "subject_name": event.subject_name,
        "version": event.version,
        "course_id": event.assignment_id,
    }
    # An older version arriving late must not overwrite a newer one.
    await upsert(session, Lesson, {"id": event.lesson_id}, values, only_if=lambda new: Lesson.version < new.version)


@events.on(StudentEnrolled)
async def on_enrolment(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    key = {"class_id": event.class_id, "student_id": event.student_id}
    await insert_once(session, ClassMember, key, {"school_id": envelope.schoolid})


@events.on(PersonRegistered)
async def on_person(session: AsyncSession, event: PersonRegistered, envelope: Envelope) -> None:
    values = {"school_id": envelope.schoolid, "last_name": event.last_name, "first_name": event.first_name}
    await upsert(session, Person, {"id": event.person_id}, values)


@events.on(ClassTeacherAssigned)
async def on_class_teacher(session: AsyncSession, event: ClassTeacherAssigned, envelope: Envelope) -> None:
    # A class has one class teacher: the highest assignment version wins, whichever arrives last.
    values = {
        "school_id": envelope.schoolid,
        "teacher_id": event.teacher_id,
        "assigned_at": envelope.time,
        "version": event.version,
    }
    key = {"class_id": event.class_id}
    await upsert(
        session, ClassTeacher, key, values, only_if=lambda new: newer(ClassTeacher, new, legacy_clock="assigned_at")
    )


async def on_period(session: AsyncSession, event: PeriodClosed | PeriodReopened, envelope: Envelope) -> None:
    """R-27: the latest close or reopen of a course's period, whichever arrives last."""
    values = {
        "school_id": envelope.schoolid,
        "period_name": event.period_name,
        "starts": event.starts,
        "ends": event.ends,
        "closed": isinstance(event, PeriodClosed),
        "version": event.version,
    }
    key = {"course_id": event.assignment_id, "period_kind": event.period_kind, "period_id": event.period_id}
    await upsert(session, PeriodLock, key, values, only_if=lambda new: newer(PeriodLock, new))


for kind in (PeriodClosed, PeriodReopened):
    events.on(kind)(on_period)
