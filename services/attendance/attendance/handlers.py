"""Replicas attendance needs: lessons from the gradebook; class members, class teachers and names from roster.

Each handler is an upsert of what its event carries, so a repeated or reordered event
leaves the same rows (the inbox already skips exact redeliveries).
"""

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from attendance.models import ClassMember, ClassTeacher, Lesson, Person
from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.replicas import insert_once, newer, upsert
from contracts.gradebook import LessonRecorded
from contracts.roster import (
    ClassTeacherAssigned,
    ClassTeacherRemoved,
    PersonChanged,
    PersonRegistered,
    StudentEnrolled,
    StudentLeftClass,
)

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
    }
    # An older version arriving late must not overwrite a newer one.
    await upsert(session, Lesson, {"id": event.lesson_id}, values, only_if=lambda new: Lesson.version < new.version)


@events.on(StudentEnrolled)
async def on_enrolment(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    key = {"class_id": event.class_id, "student_id": event.student_id}
    await insert_once(session, ClassMember, key, {"school_id": envelope.schoolid})


@events.on(StudentLeftClass)
async def on_left_class(session: AsyncSession, event: StudentLeftClass, envelope: Envelope) -> None:
    # a transferred or departed student is no longer on the class's register.
    await session.execute(
        delete(ClassMember).where(ClassMember.class_id == event.class_id, ClassMember.student_id == event.student_id)
    )


@events.on(ClassTeacherRemoved)
async def on_class_teacher_removed(session: AsyncSession, event: ClassTeacherRemoved, envelope: Envelope) -> None:
    # the former class teacher loses the class; a newer assignment is left alone.
    await session.execute(
        delete(ClassTeacher).where(ClassTeacher.class_id == event.class_id, ClassTeacher.version < event.version)
    )


@events.on(PersonRegistered)
@events.on(PersonChanged)
async def on_person(session: AsyncSession, event: PersonRegistered | PersonChanged, envelope: Envelope) -> None:
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
