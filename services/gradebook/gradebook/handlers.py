"""Replicas of roster and attendance data the journal needs, fed by their events.

Each handler is an upsert of what its event carries, so a repeated or reordered event
leaves the same rows (the inbox already skips exact redeliveries).
"""

from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import TranscriptCopied, TranscriptMarkLine, TranscriptPeriodMarkLine
from contracts.roster import (
    AcademicYearChanged,
    AssignmentCreated,
    AssignmentEnded,
    ClassCreated,
    ClassTeacherAssigned,
    CurriculumHoursSet,
    ElectiveCreated,
    GroupMembershipChanged,
    GuardianshipEnded,
    GuardianshipLinked,
    PersonChanged,
    PersonRegistered,
    ReportingPeriodsSet,
    StudentEnrolled,
    StudentLeftClass,
    StudentTransferAccepted,
    TimetableLessonCancelled,
    TimetableLessonChanged,
    TimetableLessonScheduled,
    TimetableLessonState,
    TimetableLessonSubstituted,
)
from gradebook.api.access import school_work_types
from gradebook.api.lessons import lesson_recorded
from gradebook.domain.periods import Period, PeriodMarkEntry
from gradebook.models import (
    Absence,
    AcademicYear,
    ClassMember,
    ClassTeacher,
    Course,
    CurriculumLine,
    GroupMember,
    Guardianship,
    Lesson,
    Mark,
    PeriodMark,
    PeriodScheme,
    Person,
    ScheduledLesson,
    SchoolClass,
    TranscriptMark,
    TranscriptPeriodMark,
)
from gradebook.school_year import class_periods

roster = Consumer("gradebook.roster")
attendance = Consumer("gradebook.attendance")
#: Copies of marks sent by the school a transferred student came from (R-16).
transcript_copies = Consumer("gradebook.transcripts")

# Every "today" of a school is its own local date: keep the zones roster announces.
follow_school_zones(roster)


@roster.on(AssignmentCreated)
async def on_assignment(session: AsyncSession, event: AssignmentCreated, envelope: Envelope) -> None:
    values = {
        "school_id": envelope.schoolid,
        "teacher_id": event.teacher_id,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "class_id": event.class_id,
        "class_name": event.class_name,
        # Given back after it ended, the assignment is in force again (roster reuses its id).
        "ended_on": None,
    }
    await upsert(session, Course, {"id": event.assignment_id}, values)


@roster.on(ElectiveCreated)
async def on_elective(session: AsyncSession, event: ElectiveCreated, envelope: Envelope) -> None:
    """R-14: an elective or club is a course of its own; its group stands for its class (``class_lists``)."""
    values = {
        "school_id": envelope.schoolid,
        "teacher_id": event.teacher_id,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "class_id": event.group_id,
        "class_name": event.name,
        "ended_on": None,
    }
    await upsert(session, Course, {"id": event.group_id}, values)


@roster.on(GroupMembershipChanged)
async def on_group_membership(session: AsyncSession, event: GroupMembershipChanged, envelope: Envelope) -> None:
    key = {"group_id": event.group_id, "student_id": event.student_id, "starts": event.starts}
    values = {"school_id": envelope.schoolid, "ends": event.ends, "version": event.version}
    await upsert(session, GroupMember, key, values, only_if=lambda new: newer(GroupMember, new))


@roster.on(AssignmentEnded)
async def on_assignment_ended(session: AsyncSession, event: AssignmentEnded, envelope: Envelope) -> None:
    # the journal closes to the teacher for writing; what they wrote stays.
    await session.execute(update(Course).where(Course.id == event.assignment_id).values(ended_on=event.ended_on))


@roster.on(ClassCreated)
async def on_class(session: AsyncSession, event: ClassCreated, envelope: Envelope) -> None:
    values = {
        "school_id": envelope.schoolid,
        "grade": event.grade,
        "name": event.name,
        "academic_year": event.academic_year,
    }
    await upsert(session, SchoolClass, {"id": event.class_id}, values)


# An import's people, enrolments and guardianships arriving together are one statement for each run.
@roster.on_many(StudentEnrolled)
async def on_enrolments(session: AsyncSession, enrolled: list[tuple[StudentEnrolled, Envelope]]) -> None:
    rows = [
        ({"class_id": event.class_id, "student_id": event.student_id}, {"school_id": envelope.schoolid})
        for event, envelope in enrolled
    ]
    await insert_many_once(session, ClassMember, rows)


@roster.on(StudentLeftClass)
async def on_left_class(session: AsyncSession, event: StudentLeftClass, envelope: Envelope) -> None:
    # a transferred or departed student leaves the class's journal; their marks stay.
    await session.execute(
        delete(ClassMember).where(ClassMember.class_id == event.class_id, ClassMember.student_id == event.student_id)
    )


@roster.on_many(PersonRegistered)
@roster.on_many(PersonChanged)
async def on_people(session: AsyncSession, people: list[tuple[PersonRegistered | PersonChanged, Envelope]]) -> None:
    await keep_people(session, Person, people)


@roster.on(GuardianshipEnded)
async def on_guardianship_ended(session: AsyncSession, event: GuardianshipEnded, envelope: Envelope) -> None:
    # the former guardian disputes no mark and reads no forecast of the child any more.
    await end_guardianship(session, Guardianship, event, envelope)


@roster.on_many(GuardianshipLinked)
async def on_guardianships(session: AsyncSession, linked: list[tuple[GuardianshipLinked, Envelope]]) -> None:
    # 004 app.8: a parent may dispute their child's mark; R-29: and reads the child's forecast.
    await keep_guardianships(session, Guardianship, linked)


async def on_timetable_lesson(session: AsyncSession, event: TimetableLessonState, envelope: Envelope) -> None:
    """Keep the newest state of a timetable lesson; its record follows the timetable's date and substitute."""
    values = {
        "school_id": envelope.schoolid,
        "course_id": event.assignment_id,
        "date": event.date,
        "number": event.number,
        "starts": event.starts,
        "ends": event.ends,
        "status": event.status,
        "room_name": event.room_name,
        "substitute_teacher_id": event.substitute_teacher_id,
        "substitute_name": event.substitute_name,
        "change_note": event.change_note,
        "version": event.version,
    }
    await upsert(
        session,
        ScheduledLesson,
        {"id": event.lesson_id},
        values,
        only_if=lambda new: ScheduledLesson.version < new.version,
    )
    stored = await session.get(ScheduledLesson, event.lesson_id, populate_existing=True)
    if stored is None or stored.version != event.version:
        return
    record = await session.scalar(select(Lesson).filter_by(scheduled_lesson_id=event.lesson_id).with_for_update())
    if record is None or (record.date, record.substitute_teacher_id) == (event.date, event.substitute_teacher_id):
        return
    # Roster owns the date (a moved lesson moves its record) and names the substitute who may write it.
    record.date, record.substitute_teacher_id = event.date, event.substitute_teacher_id
    record.version += 1
    course = await session.get(Course, record.course_id)
    await session.flush()
    await emit_event(session, lesson_recorded(record, course, event.number), school_id=envelope.schoolid)


for kind in (TimetableLessonScheduled, TimetableLessonChanged, TimetableLessonCancelled, TimetableLessonSubstituted):
    roster.on(kind)(on_timetable_lesson)


@roster.on(CurriculumHoursSet)
async def on_curriculum_hours(session: AsyncSession, event: CurriculumHoursSet, envelope: Envelope) -> None:
    key = {
        "school_id": envelope.schoolid,
        "academic_year": event.year_name,
        "grade": event.grade,
        "subject_id": event.subject_id,
    }
    values = {"hours": event.hours, "set_at": envelope.time}
    await upsert(session, CurriculumLine, key, values, only_if=lambda new: CurriculumLine.set_at < new.set_at)


@roster.on(AcademicYearChanged)
async def on_year(session: AsyncSession, event: AcademicYearChanged, envelope: Envelope) -> None:
    values = {
        "school_id": envelope.schoolid,
        "name": event.name,
        "starts": event.starts,
        "ends": event.ends,
        "version": event.version,
    }
    await upsert(session, AcademicYear, {"id": event.year_id}, values, only_if=lambda new: newer(AcademicYear, new))


@roster.on(ReportingPeriodsSet)
async def on_periods(session: AsyncSession, event: ReportingPeriodsSet, envelope: Envelope) -> None:
    """A scheme's periods as a whole: a later version replaces the earlier one (R-11)."""
    values = {
        "school_id": envelope.schoolid,
        "year_id": event.year_id,
        "kind": event.kind,
        "grades": event.grades,
        "periods": [p.model_dump(mode="json") for p in event.periods],
        "version": event.version,
    }
    await upsert(session, PeriodScheme, {"id": event.scheme_id}, values, only_if=lambda new: newer(PeriodScheme, new))


@roster.on(ClassTeacherAssigned)
async def on_class_teacher(session: AsyncSession, event: ClassTeacherAssigned, envelope: Envelope) -> None:
    values = {"school_id": envelope.schoolid, "teacher_id": event.teacher_id, "version": event.version}
    key = {"class_id": event.class_id}
    await upsert(session, ClassTeacher, key, values, only_if=lambda new: ClassTeacher.version <= new.version)


async def on_absence(
    session: AsyncSession, event: AbsenceRecorded | AbsenceCorrected | AbsenceWithdrawn, envelope: Envelope
) -> None:
    """The absence's latest state; a withdrawn one stays as a tombstone, so a late older event cannot revive it."""
    values = {
        "school_id": envelope.schoolid,
        "lesson_id": event.lesson_id,
        "student_id": event.student_id,
        "reason": event.reason,
        "withdrawn": isinstance(event, AbsenceWithdrawn),
        "version": event.version,
    }
    await upsert(session, Absence, {"id": event.absence_id}, values, only_if=lambda new: newer(Absence, new))


for kind in (AbsenceRecorded, AbsenceCorrected, AbsenceWithdrawn):
    attendance.on(kind)(on_absence)


@roster.on(StudentTransferAccepted)
async def on_transfer_accepted(session: AsyncSession, event: StudentTransferAccepted, envelope: Envelope) -> None:
    """R-16: the receiving school enrolled the student; the marks and period marks of the year go to it as a copy,
    addressed to it, so no session here reads its rows nor it ours. The originals stay here as they are."""
    rows = await session.execute(
        select(Mark, Lesson.date, Course.subject_name)
        .join(Lesson, Lesson.id == Mark.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .join(SchoolClass, SchoolClass.id == Course.class_id)
        .where(Mark.student_id == event.source_student_id, SchoolClass.academic_year == event.academic_year)
        .order_by(Lesson.date, Course.subject_name)
    )
    kinds = await school_work_types(session, envelope.schoolid)
    copied = TranscriptCopied(
        student_id=event.student_id,
        source_school_id=envelope.schoolid,
        source_school_name=event.source_school_name,
        academic_year=event.academic_year,
        marks=[
            TranscriptMarkLine(
                mark_id=mark.id,
                date=day,
                subject_name=subject,
                value=mark.value,
                work_type=mark.work_type,
                work_type_title=kinds[mark.work_type].title if mark.work_type in kinds else "",
                weight=mark.weight,
            )
            for mark, day, subject in rows
        ],
        period_marks=await _period_mark_lines(session, event),
    )
    await emit_event(session, copied, school_id=event.receiving_school_id)


async def _period_mark_lines(session: AsyncSession, event: StudentTransferAccepted) -> list[TranscriptPeriodMarkLine]:
    """The student's period marks of the year, each named by its period as the class's scheme calls it."""
    rows = await session.execute(
        select(PeriodMark, Course, SchoolClass)
        .join(Course, Course.id == PeriodMark.course_id)
        .join(SchoolClass, SchoolClass.id == Course.class_id)
        .where(PeriodMark.student_id == event.source_student_id, SchoolClass.academic_year == event.academic_year)
    )
    periods: dict[UUID, dict[tuple[str, UUID], Period]] = {}
    lines = []
    for mark, course, school_class in rows:
        if school_class.id not in periods:
            periods[school_class.id] = {(p.kind, p.id): p for p in await class_periods(session, school_class)}
        period = periods[school_class.id].get((mark.period_kind, mark.period_id))
        if period is None:  # its scheme was replaced since: the mark names a period the class no longer has
            continue
        lines.append(
            TranscriptPeriodMarkLine(
                period_mark_id=mark.id,
                subject_name=course.subject_name,
                period_kind=period.kind,
                period_name=period.name,
                starts=period.starts,
                ends=period.ends,
                value=mark.value,
                text=PeriodMarkEntry(mark.value, mark.not_attested_reason, mark.extended_to).text,
                visible_from=mark.visible_from,
            )
        )
    return sorted(lines, key=lambda line: (line.subject_name, line.starts, line.ends))


@transcript_copies.on(TranscriptCopied)
async def on_transcript(session: AsyncSession, event: TranscriptCopied, envelope: Envelope) -> None:
    marks = (
        (
            line.mark_id,
            {
                "date": line.date,
                "subject_name": line.subject_name,
                "value": line.value,
                "work_type": line.work_type,
                "work_type_title": line.work_type_title,
                "weight": line.weight,
            },
        )
        for line in event.marks
    )
    await file_transcript(session, TranscriptMark, envelope.schoolid, event, "source_mark_id", marks)
    period_marks = ((line.period_mark_id, line.model_dump(exclude={"period_mark_id"})) for line in event.period_marks)
    await file_transcript(
        session, TranscriptPeriodMark, envelope.schoolid, event, "source_period_mark_id", period_marks
    )
