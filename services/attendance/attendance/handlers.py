"""Replicas attendance needs: lessons and closed periods from the gradebook; class members, class teachers, names
and guardianships from roster.

Each handler is an upsert of what its event carries, so a repeated or reordered event
leaves the same rows (the inbox already skips exact redeliveries).
"""

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from attendance.api.absences import absence_change, absence_state
from attendance.domain.absences import absence_reason, academic_year_days
from attendance.models import (
    Absence,
    ClassMember,
    ClassTeacher,
    EndedCourse,
    GroupMember,
    Guardianship,
    Lesson,
    PeriodLock,
    Person,
    TranscriptAbsence,
)
from chassis.consumers import Consumer
from chassis.events import Envelope, emit_event
from chassis.replicas import (
    end_guardianship,
    file_transcript,
    insert_many_once,
    keep_guardianships,
    keep_people,
    newer,
    upsert,
)
from chassis.schooltime import follow_school_zones
from contracts.attendance import (
    AbsenceCorrected,
    AbsenceWithdrawn,
    AttendanceTranscriptCopied,
    TranscriptAbsenceLine,
)
from contracts.gradebook import LessonDeleted, LessonRecorded, PeriodClosed, PeriodReopened
from contracts.roster import (
    AssignmentCreated,
    AssignmentEnded,
    ClassTeacherAssigned,
    ClassTeacherRemoved,
    GroupMembershipChanged,
    GuardianshipEnded,
    GuardianshipLinked,
    PersonChanged,
    PersonRegistered,
    StudentEnrolled,
    StudentLeftClass,
    StudentTransferAccepted,
)

events = Consumer("attendance.events")
#: Copies of absences sent by the school a transferred student came from (R-16).
transcript_copies = Consumer("attendance.transcripts")

# Every "today" of a school is its own local date: keep the zones roster announces.
follow_school_zones(events)


@events.on(LessonRecorded)
async def on_lesson(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    values = {
        "school_id": envelope.schoolid,
        "class_id": event.class_id,
        "teacher_id": event.teacher_id,
        "substitute_teacher_id": event.substitute_teacher_id,
        "date": event.date,
        "subject_name": event.subject_name,
        "version": event.version,
        "course_id": event.assignment_id,
    }
    before = await session.scalar(select(Lesson.date).where(Lesson.id == event.lesson_id).with_for_update())
    # An older version arriving late must not overwrite a newer one.
    await upsert(session, Lesson, {"id": event.lesson_id}, values, only_if=lambda new: Lesson.version < new.version)
    lesson = await session.get(Lesson, event.lesson_id, populate_existing=True)
    if before is None or lesson is None or lesson.version != event.version or lesson.date == before:
        return
    # The lesson moved to another date: its absences move with it, and the diary and portal hear of it.
    absences = await session.scalars(select(Absence).filter_by(lesson_id=lesson.id).with_for_update())
    for absence in absences:
        absence.version += 1
        session.add(absence_change(absence, "moved", event.teacher_id, f"{before:%d.%m.%Y}", f"{lesson.date:%d.%m.%Y}"))
        moved = AbsenceCorrected(
            **absence_state(absence, lesson),
            previous_reason=absence_reason(absence.reason),
            corrected_by=event.teacher_id,
            previous_date=before,
        )
        await emit_event(session, moved, school_id=envelope.schoolid)


@events.on(AssignmentEnded)
async def on_assignment_ended(session: AsyncSession, event: AssignmentEnded, envelope: Envelope) -> None:
    # the teacher marks no more absences at the course's lessons; what they marked stays.
    values = {"school_id": envelope.schoolid, "ended_on": event.ended_on}
    await upsert(session, EndedCourse, {"course_id": event.assignment_id}, values)


@events.on(AssignmentCreated)
async def on_assignment(session: AsyncSession, event: AssignmentCreated, envelope: Envelope) -> None:
    # An assignment given back after it ended is in force again (roster reuses its id).
    await session.execute(delete(EndedCourse).where(EndedCourse.course_id == event.assignment_id))


@events.on(LessonDeleted)
async def on_lesson_deleted(session: AsyncSession, event: LessonDeleted, envelope: Envelope) -> None:
    """A lesson deleted in the gradebook (R-25): its absences are withdrawn, the lesson kept as a tombstone."""
    values = {
        "school_id": envelope.schoolid,
        "class_id": event.class_id,
        "teacher_id": event.teacher_id,
        "date": event.date,
        "subject_name": event.subject_name,
        "version": event.version,
        "course_id": event.assignment_id,
        "deleted": True,
    }
    await upsert(session, Lesson, {"id": event.lesson_id}, values, only_if=lambda new: Lesson.version < new.version)
    lesson = await session.get(Lesson, event.lesson_id, populate_existing=True)
    assert lesson is not None  # just written
    absences = list(await session.scalars(select(Absence).filter_by(lesson_id=lesson.id).with_for_update()))
    for absence in absences:
        session.add(absence_change(absence, "lesson_deleted", event.deleted_by, absence.reason, "", event.reason))
        withdrawn = AbsenceWithdrawn(
            **{**absence_state(absence, lesson), "version": absence.version + 1}, withdrawn_by=event.deleted_by
        )
        await emit_event(session, withdrawn, school_id=envelope.schoolid)
    await session.execute(delete(Absence).where(Absence.lesson_id == lesson.id))


# An import's enrolments and people arriving together are one statement for each run.
@events.on_many(StudentEnrolled)
async def on_enrolments(session: AsyncSession, enrolled: list[tuple[StudentEnrolled, Envelope]]) -> None:
    rows = [
        ({"class_id": event.class_id, "student_id": event.student_id}, {"school_id": envelope.schoolid})
        for event, envelope in enrolled
    ]
    await insert_many_once(session, ClassMember, rows)


@events.on(StudentLeftClass)
async def on_left_class(session: AsyncSession, event: StudentLeftClass, envelope: Envelope) -> None:
    # a transferred or departed student is no longer on the class's register.
    await session.execute(
        delete(ClassMember).where(ClassMember.class_id == event.class_id, ClassMember.student_id == event.student_id)
    )


@events.on(GroupMembershipChanged)
async def on_group_membership(session: AsyncSession, event: GroupMembershipChanged, envelope: Envelope) -> None:
    # who is on an elective's register on a lesson's day.
    key = {"group_id": event.group_id, "student_id": event.student_id, "starts": event.starts}
    values = {"school_id": envelope.schoolid, "ends": event.ends, "version": event.version}
    await upsert(session, GroupMember, key, values, only_if=lambda new: newer(GroupMember, new))


@events.on_many(GuardianshipLinked)
async def on_guardianships(session: AsyncSession, linked: list[tuple[GuardianshipLinked, Envelope]]) -> None:
    # a parent reads their child's attendance summary.
    await keep_guardianships(session, Guardianship, linked)


@events.on(GuardianshipEnded)
async def on_guardianship_ended(session: AsyncSession, event: GuardianshipEnded, envelope: Envelope) -> None:
    # the former guardian reads the child's summary no more.
    await end_guardianship(session, Guardianship, event, envelope)


@events.on(ClassTeacherRemoved)
async def on_class_teacher_removed(session: AsyncSession, event: ClassTeacherRemoved, envelope: Envelope) -> None:
    # the former class teacher loses the class; a newer assignment is left alone.
    await session.execute(
        delete(ClassTeacher).where(ClassTeacher.class_id == event.class_id, ClassTeacher.version < event.version)
    )


@events.on_many(PersonRegistered)
@events.on_many(PersonChanged)
async def on_people(session: AsyncSession, people: list[tuple[PersonRegistered | PersonChanged, Envelope]]) -> None:
    await keep_people(session, Person, people)


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


@events.on(StudentTransferAccepted)
async def on_transfer_accepted(session: AsyncSession, event: StudentTransferAccepted, envelope: Envelope) -> None:
    """R-16: the receiving school enrolled the student; the absences of the year go to it as a copy, addressed to
    it, so no session here reads its rows nor it ours. The originals stay here as they are."""
    first, last = academic_year_days(event.academic_year)
    rows = await session.execute(
        select(Absence, Lesson.date, Lesson.subject_name)
        .join(Lesson, Lesson.id == Absence.lesson_id)
        .where(
            Absence.student_id == event.source_student_id,
            Lesson.deleted.is_(False),
            Lesson.date.between(first, last),
        )
        .order_by(Lesson.date, Lesson.subject_name)
    )
    copied = AttendanceTranscriptCopied(
        student_id=event.student_id,
        source_school_id=envelope.schoolid,
        source_school_name=event.source_school_name,
        academic_year=event.academic_year,
        absences=[
            TranscriptAbsenceLine(
                absence_id=absence.id, date=day, subject_name=subject, reason=absence_reason(absence.reason)
            )
            for absence, day, subject in rows
        ],
    )
    await emit_event(session, copied, school_id=event.receiving_school_id)


@transcript_copies.on(AttendanceTranscriptCopied)
async def on_transcript(session: AsyncSession, event: AttendanceTranscriptCopied, envelope: Envelope) -> None:
    absences = (
        (line.absence_id, {"date": line.date, "subject_name": line.subject_name, "reason": line.reason})
        for line in event.absences
    )
    await file_transcript(session, TranscriptAbsence, envelope.schoolid, event, "source_absence_id", absences)
