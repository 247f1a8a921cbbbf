"""The diary's read model, fed by events (электронный дневник).

Each handler stores what its event carries as an upsert, so a redelivered or reordered
event leaves the same rows (the inbox already skips exact redeliveries). Versioned
records (lessons, marks, period marks, absences, class teachers) keep their highest version.
"""

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.rebuild import read_model
from chassis.replicas import end_guardianship, insert_once, keep_people, newer, upsert, upsert_many
from chassis.schooltime import follow_school_zones
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import (
    HomeworkAssigned,
    LessonDeleted,
    LessonRecorded,
    MarkChanged,
    MarkDeleted,
    MarkPosted,
    PeriodMarkSet,
)
from contracts.notifications import AnnouncementPublished
from contracts.roster import (
    ClassCreated,
    ClassTeacherAssigned,
    ClassTeacherRemoved,
    GroupMembershipChanged,
    GuardianshipEnded,
    GuardianshipLinked,
    PersonChanged,
    PersonRegistered,
    StudentEnrolled,
    StudentLeftClass,
    StudentLeftSchool,
    TimetableLessonCancelled,
    TimetableLessonChanged,
    TimetableLessonScheduled,
    TimetableLessonState,
    TimetableLessonSubstituted,
)
from reporting.models import (
    DIARY_TABLES,
    Absence,
    Announcement,
    ClassTeacher,
    GroupMember,
    Guardianship,
    Homework,
    Lesson,
    Mark,
    PeriodMark,
    Person,
    SchoolClass,
    Student,
    TimetableLesson,
)
from reporting.region_counts import recounted

diary = Consumer("reporting.diary")
# Every "today" of a school is its own local date: keep the zones roster announces.
follow_school_zones(diary)
read_model(diary, DIARY_TABLES)


# An import's people, enrolments and guardianships arriving together are one statement for each run.
@diary.on_many(PersonRegistered)
@diary.on_many(PersonChanged)
async def on_people(session: AsyncSession, people: list[tuple[PersonRegistered | PersonChanged, Envelope]]) -> None:
    await keep_people(session, Person, people)


@diary.on_many(StudentEnrolled)
async def on_enrolments(session: AsyncSession, enrolled: list[tuple[StudentEnrolled, Envelope]]) -> None:
    # after a transfer the latest enrolment is the student's class, whatever order they come in; an
    # enrolment no later than a leaving already known is an old one.
    rows = [
        (
            {"school_id": envelope.schoolid, "id": event.student_id},
            {
                "class_id": event.class_id,
                "class_name": event.class_name,
                "enrolled_on": event.enrolled_on,
                "left_on": None,
            },
        )
        for event, envelope in enrolled
    ]
    school_id = enrolled[0][1].schoolid
    # R-66: the region counts the students' period marks in their class's parallel; a transfer moves them.
    async with recounted(session, school_id, [event.student_id for event, _ in enrolled]):
        await upsert_many(
            session,
            Student,
            rows,
            only_if=lambda new: and_(
                Student.enrolled_on <= new.enrolled_on,
                or_(Student.left_on.is_(None), Student.left_on <= new.enrolled_on),
            ),
        )


@diary.on(StudentLeftClass)
async def on_left_class(session: AsyncSession, event: StudentLeftClass, envelope: Envelope) -> None:
    # out of the class's lists from ``left_on``; the row stays for the reports of the days before it.
    key = {"school_id": envelope.schoolid, "id": event.student_id}
    # Come before the enrolment it ends: that enrolment is no later than the leaving, so it will not undo it.
    values = {"class_id": event.class_id, "class_name": event.class_name, "enrolled_on": event.left_on}
    async with recounted(session, envelope.schoolid, [event.student_id]):
        await insert_once(session, Student, key, values | {"left_on": event.left_on})
    await session.execute(
        update(Student)
        .where(
            Student.school_id == envelope.schoolid,
            Student.id == event.student_id,
            Student.class_id == event.class_id,
            Student.enrolled_on <= event.left_on,
        )
        .values(left_on=event.left_on)
    )


@diary.on(StudentLeftSchool)
async def on_left_school(session: AsyncSession, event: StudentLeftSchool, envelope: Envelope) -> None:
    # выбытие ends the enrolment current on that day, whichever class it is in.
    await session.execute(
        update(Student)
        .where(
            Student.school_id == envelope.schoolid,
            Student.id == event.student_id,
            Student.enrolled_on <= event.left_on,
            or_(Student.left_on.is_(None), Student.left_on > event.left_on),
        )
        .values(left_on=event.left_on)
    )


@diary.on(ClassCreated)
async def on_class(session: AsyncSession, event: ClassCreated, envelope: Envelope) -> None:
    await upsert(session, SchoolClass, {"school_id": envelope.schoolid, "id": event.class_id}, {"name": event.name})


@diary.on(ClassTeacherAssigned)
async def on_class_teacher(session: AsyncSession, event: ClassTeacherAssigned, envelope: Envelope) -> None:
    # A class has one class teacher: the highest assignment version wins, whichever arrives last.
    key = {"school_id": envelope.schoolid, "class_id": event.class_id}
    values = {"teacher_id": event.teacher_id, "assigned_at": envelope.time, "version": event.version}
    await upsert(
        session, ClassTeacher, key, values, only_if=lambda new: newer(ClassTeacher, new, legacy_clock="assigned_at")
    )


@diary.on(ClassTeacherRemoved)
async def on_class_teacher_removed(session: AsyncSession, event: ClassTeacherRemoved, envelope: Envelope) -> None:
    # the class's diaries close to the former class teacher; a newer assignment is left alone.
    await session.execute(
        delete(ClassTeacher).where(
            ClassTeacher.school_id == envelope.schoolid,
            ClassTeacher.class_id == event.class_id,
            ClassTeacher.version < event.version,
        )
    )


@diary.on(GuardianshipEnded)
async def on_guardianship_ended(session: AsyncSession, event: GuardianshipEnded, envelope: Envelope) -> None:
    # the child's diary closes to the former guardian.
    await end_guardianship(session, Guardianship, event, envelope)


@diary.on_many(GuardianshipLinked)
async def on_guardianships(session: AsyncSession, linked: list[tuple[GuardianshipLinked, Envelope]]) -> None:
    rows = [
        (
            {"school_id": envelope.schoolid, "guardian_id": event.guardian_id, "student_id": event.student_id},
            {"relation": event.relation},
        )
        for event, envelope in linked
    ]
    await upsert_many(session, Guardianship, rows)


@diary.on(LessonRecorded)
async def on_lesson(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    values = {
        "version": event.version,
        "class_id": event.class_id,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "date": event.date,
        "topic": event.topic,
        "homework": event.homework,
        "scheduled_lesson_id": event.scheduled_lesson_id,
    }
    key = {"school_id": envelope.schoolid, "id": event.lesson_id}
    await upsert(session, Lesson, key, values, only_if=lambda new: Lesson.version < new.version)


@diary.on(LessonDeleted)
async def on_lesson_deleted(session: AsyncSession, event: LessonDeleted, envelope: Envelope) -> None:
    # the lesson leaves the diary; its tombstone outranks every record of it that arrives late.
    values = {
        "version": event.version,
        "class_id": event.class_id,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "date": event.date,
        "topic": "",
        "homework": None,
        "deleted": True,
    }
    key = {"school_id": envelope.schoolid, "id": event.lesson_id}
    await upsert(session, Lesson, key, values, only_if=lambda new: Lesson.version < new.version)
    # Homework given at the lesson goes with it.
    await session.execute(delete(Homework).filter_by(school_id=envelope.schoolid, lesson_id=event.lesson_id))


@diary.on(HomeworkAssigned)
async def on_homework(session: AsyncSession, event: HomeworkAssigned, envelope: Envelope) -> None:
    # homework is given once; a redelivery stores the same row. A late one of a deleted lesson is stale.
    lesson_gone = await session.scalar(
        select(Lesson.deleted).filter_by(school_id=envelope.schoolid, id=event.lesson_id)
    )
    if lesson_gone:
        return
    values = {
        "class_id": event.class_id,
        "lesson_id": event.lesson_id,
        "subject_name": event.subject_name,
        "given_on": event.given_on,
        "due_on": event.due_on,
        "text": event.text,
        "pages": event.pages,
        "exercises": event.exercises,
        "links": event.links,
        "student_ids": event.student_ids,
    }
    await insert_once(session, Homework, {"school_id": envelope.schoolid, "id": event.homework_id}, values)


def _mark_row(
    event: MarkPosted | MarkChanged | MarkDeleted, version: int, envelope: Envelope, *, deleted: bool = False
) -> tuple[dict, dict]:
    values = {
        "version": version,
        "student_id": event.student_id,
        "lesson_id": event.lesson_id,
        "subject_name": event.subject_name,
        "date": event.date,
        "value": event.value,
        "work_type": event.work_type,
        "work_type_title": event.work_type_title,
        "weight": event.weight,
        "deleted": deleted,
    }
    return {"school_id": envelope.schoolid, "id": event.mark_id}, values


async def _store_marks(session: AsyncSession, rows: list[tuple[dict, dict]]) -> None:
    # A column of marks is one statement; only a newer version replaces the stored one.
    await upsert_many(session, Mark, rows, only_if=lambda new: Mark.version < new.version)


@diary.on_many(MarkPosted)
async def on_marks_posted(session: AsyncSession, posted: list[tuple[MarkPosted, Envelope]]) -> None:
    # A posted mark is the mark's first state (MarkChanged counts versions from 1).
    await _store_marks(session, [_mark_row(event, 1, envelope) for event, envelope in posted])


@diary.on_many(MarkChanged)
async def on_marks_changed(session: AsyncSession, changed: list[tuple[MarkChanged, Envelope]]) -> None:
    await _store_marks(session, [_mark_row(event, event.version, envelope) for event, envelope in changed])


@diary.on_many(MarkDeleted)
async def on_marks_deleted(session: AsyncSession, deleted: list[tuple[MarkDeleted, Envelope]]) -> None:
    # a deleted mark disappears from the diary; its tombstone outranks a late posting or change.
    rows = [_mark_row(event, event.version, envelope, deleted=True) for event, envelope in deleted]
    await _store_marks(session, rows)


async def _store_absence(
    session: AsyncSession,
    event: AbsenceRecorded | AbsenceCorrected | AbsenceWithdrawn,
    envelope: Envelope,
    *,
    withdrawn: bool,
) -> None:
    values = {
        "student_id": event.student_id,
        "lesson_id": event.lesson_id,
        "subject_name": event.subject_name,
        "date": event.date,
        "reason": event.reason,
        "withdrawn": withdrawn,
        "changed_at": envelope.time,
        "version": event.version,
    }
    key = {"school_id": envelope.schoolid, "id": event.absence_id}
    await upsert(session, Absence, key, values, only_if=lambda new: newer(Absence, new, legacy_clock="changed_at"))


@diary.on(AbsenceRecorded)
async def on_absence(session: AsyncSession, event: AbsenceRecorded, envelope: Envelope) -> None:
    await _store_absence(session, event, envelope, withdrawn=False)


@diary.on(AbsenceCorrected)
async def on_absence_corrected(session: AsyncSession, event: AbsenceCorrected, envelope: Envelope) -> None:
    # the class teacher's corrected reason replaces the one first recorded.
    await _store_absence(session, event, envelope, withdrawn=False)


@diary.on(AbsenceWithdrawn)
async def on_absence_withdrawn(session: AsyncSession, event: AbsenceWithdrawn, envelope: Envelope) -> None:
    await _store_absence(session, event, envelope, withdrawn=True)


async def on_timetable_lesson(session: AsyncSession, event: TimetableLessonState, envelope: Envelope) -> None:
    """The newest state of a timetable lesson: time, room, changes and the substitute the family sees."""
    values = {
        "version": event.version,
        "class_id": event.class_id,
        "group_id": event.group_id,
        "subject_name": event.subject_name,
        "date": event.date,
        "number": event.number,
        "starts": event.starts,
        "ends": event.ends,
        "room_name": event.room_name,
        "status": event.status,
        "substitute_name": event.substitute_name,
        "change_note": event.change_note,
    }
    key = {"school_id": envelope.schoolid, "id": event.lesson_id}
    await upsert(session, TimetableLesson, key, values, only_if=lambda new: TimetableLesson.version < new.version)


for kind in (TimetableLessonScheduled, TimetableLessonChanged, TimetableLessonCancelled, TimetableLessonSubstituted):
    diary.on(kind)(on_timetable_lesson)


@diary.on(GroupMembershipChanged)
async def on_group_membership(session: AsyncSession, event: GroupMembershipChanged, envelope: Envelope) -> None:
    # A membership is closed (``ends`` set) by a later move; closing never reopens it.
    key = {"school_id": envelope.schoolid, "group_id": event.group_id, "student_id": event.student_id}
    await upsert(
        session,
        GroupMember,
        key | {"starts": event.starts},
        {"ends": event.ends},
        only_if=lambda new: GroupMember.ends.is_(None),
    )


@diary.on(AnnouncementPublished)
async def on_announcement(session: AsyncSession, event: AnnouncementPublished, envelope: Envelope) -> None:
    """R-53: the school's and the class's announcements are shown in the diary for their dates."""
    values = {
        "class_id": event.class_id,
        "title": event.title,
        "text": event.text,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
    }
    await upsert(session, Announcement, {"school_id": envelope.schoolid, "id": event.announcement_id}, values)


@diary.on(PeriodMarkSet)
async def on_period_mark(session: AsyncSession, event: PeriodMarkSet, envelope: Envelope) -> None:
    values = {
        "version": event.version,
        "student_id": event.student_id,
        "subject_name": event.subject_name,
        "period_kind": event.period_kind,
        "period_name": event.period_name,
        "starts": event.starts,
        "ends": event.ends,
        "value": event.value,
        "not_attested_reason": event.not_attested_reason,
        "extended_to": event.extended_to,
        "visible_from": event.visible_from,
    }
    key = {"school_id": envelope.schoolid, "id": event.period_mark_id}
    async with recounted(session, envelope.schoolid, [event.student_id], event.period_mark_id):
        await upsert(session, PeriodMark, key, values, only_if=lambda new: newer(PeriodMark, new))
