"""A student's diary (электронный дневник) and their summary for a period (R-63)."""

from collections import defaultdict
from datetime import date, time
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from reporting.api.access import StudentCard, readable_student
from reporting.api.period_marks import PeriodMarkOut, period_mark_out, visible_period_marks
from reporting.domain.diary import AbsenceRecord, LessonRecord, MarkRecord, TimetableRecord, diary_days
from reporting.domain.indicators import ScoredMark, average, weighted_average
from reporting.domain.periods import DateRange, diary_range, summary_range
from reporting.domain.summary import subject_summary
from reporting.models import Absence, Announcement, GroupMember, Homework, Lesson, Mark, TimetableLesson

router = APIRouter(prefix="/schools/{school_id}/students/{student_id}", tags=["diary"])


class StudentOut(BaseModel):
    id: UUID
    name: str | None
    class_name: str | None


class MarkOut(BaseModel):
    value: str
    work_type: str
    #: The вид работы's name from gradebook; empty for a mark whose events came before it was carried.
    work_type_title: str
    weight: float
    #: The teacher corrected it after posting (R-25); the family sees the mark as it now stands.
    corrected: bool = False
    #: The gradebook's id of the mark and its state: the family disputes a mark by it (004 app.8), the state
    #: portal's change feed names it so.
    mark_id: UUID | None = None
    version: int | None = None


class AbsenceOut(BaseModel):
    reason: str
    code: str


class DiaryLessonOut(BaseModel):
    lesson_id: UUID
    subject: str
    topic: str | None
    homework: str | None
    marks: list[MarkOut]
    absence: AbsenceOut | None
    #: From the timetable (R-14); None for a lesson outside it.
    number: int | None = None
    starts: time | None = None
    ends: time | None = None
    room: str | None = None
    #: "scheduled" or "cancelled"; None for a lesson outside the timetable.
    status: str | None = None
    #: Замена: the teacher who gives the lesson instead.
    substitute: str | None = None
    #: The change of the day as the family reads it («Перенесён с …», «Отменён: …», «Кабинет 14»).
    change: str | None = None


class HomeworkOut(BaseModel):
    """Домашнее задание (R-21) due in the diary's dates: for the whole class, or for this student alone."""

    model_config = ConfigDict(from_attributes=True)
    subject_name: str
    given_on: date
    due_on: date
    text: str
    pages: str | None
    exercises: str | None
    links: list[str]
    #: Given to this student alone (or to a few), not to the whole class.
    individual: bool


class DiaryDayOut(BaseModel):
    date: date
    lessons: list[DiaryLessonOut]


class AnnouncementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    #: None: the whole school's.
    class_id: UUID | None
    title: str
    text: str
    starts_on: date
    ends_on: date


class DiaryOut(BaseModel):
    student: StudentOut
    start: date
    end: date
    days: list[DiaryDayOut]
    #: R-53: the school's and the student's class's announcements shown on some day of these dates.
    announcements: list[AnnouncementOut] = []
    #: Homework due in the dates, by due date and subject.
    homework: list[HomeworkOut] = []
    #: R-27: period marks of periods ending in these days, once the family may see them.
    period_marks: list[PeriodMarkOut] = []


class SubjectSummaryOut(BaseModel):
    subject: str
    lessons: int
    marks: list[str]
    average: float | None
    weighted_average: float | None
    absences: int
    lates: int


class TotalsOut(BaseModel):
    marks: int
    average: float | None
    weighted_average: float | None
    absences: int
    lates: int


class SummaryOut(BaseModel):
    student: StudentOut
    start: date
    end: date
    subjects: list[SubjectSummaryOut]
    totals: TotalsOut


def _student_out(card: StudentCard) -> StudentOut:
    return StudentOut(id=card.id, name=card.name, class_name=card.class_name)


async def _class_lessons(session: AsyncSession, school_id: UUID, card: StudentCard, dates: DateRange) -> list[Lesson]:
    if card.class_id is None:
        return []
    rows = await session.scalars(
        select(Lesson).where(
            Lesson.school_id == school_id,
            Lesson.class_id == card.class_id,
            Lesson.date.between(dates.start, dates.end),
            Lesson.deleted.is_(False),
        )
    )
    return list(rows)


async def _timetable(
    session: AsyncSession, school_id: UUID, card: StudentCard, dates: DateRange
) -> list[TimetableLesson]:
    """The class's timetable lessons; a subgroup's only while the student is in that subgroup (R-12)."""
    if card.class_id is None:
        return []
    membership = select(GroupMember.group_id).where(
        GroupMember.school_id == school_id,
        GroupMember.student_id == card.id,
        GroupMember.group_id == TimetableLesson.group_id,
        GroupMember.starts <= TimetableLesson.date,
        or_(GroupMember.ends.is_(None), GroupMember.ends >= TimetableLesson.date),
    )
    rows = await session.scalars(
        select(TimetableLesson).where(
            TimetableLesson.school_id == school_id,
            TimetableLesson.class_id == card.class_id,
            TimetableLesson.date.between(dates.start, dates.end),
            or_(TimetableLesson.group_id.is_(None), exists(membership)),
        )
    )
    return list(rows)


async def _marks(session: AsyncSession, school_id: UUID, student_id: UUID, dates: DateRange) -> list[Mark]:
    rows = await session.scalars(
        select(Mark)
        .where(
            Mark.school_id == school_id,
            Mark.student_id == student_id,
            Mark.date.between(dates.start, dates.end),
            Mark.deleted.is_(False),
        )
        .order_by(Mark.date, Mark.id)
    )
    return list(rows)


async def _absences(session: AsyncSession, school_id: UUID, student_id: UUID, dates: DateRange) -> list[Absence]:
    rows = await session.scalars(
        select(Absence).where(
            Absence.school_id == school_id,
            Absence.student_id == student_id,
            Absence.date.between(dates.start, dates.end),
            Absence.withdrawn.is_(False),
        )
    )
    return list(rows)


async def _announcements(
    session: AsyncSession, school_id: UUID, card: StudentCard, dates: DateRange
) -> list[Announcement]:
    own = Announcement.class_id.is_(None)
    if card.class_id is not None:
        own = or_(own, Announcement.class_id == card.class_id)
    rows = await session.scalars(
        select(Announcement)
        .where(
            Announcement.school_id == school_id,
            Announcement.starts_on <= dates.end,
            Announcement.ends_on >= dates.start,
            own,
        )
        .order_by(Announcement.starts_on, Announcement.title)
    )
    return list(rows)


async def _homework(session: AsyncSession, school_id: UUID, card: StudentCard, dates: DateRange) -> list[HomeworkOut]:
    if card.class_id is None:
        return []
    rows = await session.scalars(
        select(Homework)
        .where(
            Homework.school_id == school_id,
            Homework.class_id == card.class_id,
            Homework.due_on.between(dates.start, dates.end),
            or_(func.cardinality(Homework.student_ids) == 0, Homework.student_ids.contains([card.id])),
        )
        .order_by(Homework.due_on, Homework.subject_name, Homework.given_on)
    )
    return [HomeworkOut.model_validate({**vars(h), "individual": bool(h.student_ids)}) for h in rows]


@router.get("/diary")
async def get_diary(
    school_id: UUID,
    student_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> DiaryOut:
    card = await readable_student(session, caller, school_id, student_id)
    dates = diary_range(start, end, today)
    lessons = await _class_lessons(session, school_id, card, dates)
    marks = await _marks(session, school_id, student_id, dates)
    absences = await _absences(session, school_id, student_id, dates)
    # A lesson of another group or class the student has a mark or an absence on.
    known = {lesson.id for lesson in lessons}
    others = {m.lesson_id for m in marks} | {a.lesson_id for a in absences}
    if others - known:
        lessons += await session.scalars(
            select(Lesson).where(
                Lesson.school_id == school_id, Lesson.id.in_(others - known), Lesson.deleted.is_(False)
            )
        )
    timetable = [
        TimetableRecord(
            t.id,
            t.date,
            t.subject_name,
            t.number,
            t.starts,
            t.ends,
            t.room_name,
            t.status,
            t.substitute_name,
            t.change_note,
        )
        for t in await _timetable(session, school_id, card, dates)
    ]
    days = diary_days(
        dates,
        [
            LessonRecord(le.id, le.date, le.subject_name, le.topic, le.homework, le.scheduled_lesson_id)
            for le in lessons
        ],
        [
            MarkRecord(
                m.lesson_id,
                m.date,
                m.subject_name,
                m.value,
                m.work_type,
                m.work_type_title,
                m.weight,
                m.version > 1,
                m.id,
                m.version,
            )
            for m in marks
        ],
        [AbsenceRecord(a.lesson_id, a.date, a.subject_name, a.reason) for a in absences],
        timetable,
    )
    announcements = await _announcements(session, school_id, card, dates)
    period_marks = await visible_period_marks(session, school_id, student_id, today, dates.start, dates.end)
    return DiaryOut.model_validate(
        {
            "student": _student_out(card),
            "start": dates.start,
            "end": dates.end,
            "days": days,
            "announcements": announcements,
            "homework": await _homework(session, school_id, card, dates),
            "period_marks": [period_mark_out(m) for m in period_marks],
        },
        from_attributes=True,
    )


@router.get("/summary")
async def get_summary(
    school_id: UUID,
    student_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> SummaryOut:
    card = await readable_student(session, caller, school_id, student_id)
    dates = summary_range(start, end, today)
    lessons: dict[str, int] = defaultdict(int)
    for lesson in await _class_lessons(session, school_id, card, dates):
        lessons[lesson.subject_name] += 1
    marks: dict[str, list[ScoredMark]] = defaultdict(list)
    for mark in await _marks(session, school_id, student_id, dates):
        marks[mark.subject_name].append(ScoredMark(mark.value, mark.weight))
    reasons: dict[str, list[str]] = defaultdict(list)
    for absence in await _absences(session, school_id, student_id, dates):
        reasons[absence.subject_name].append(absence.reason)

    subjects = [
        subject_summary(name, lessons[name], marks[name], reasons[name])
        for name in sorted(set(lessons) | set(marks) | set(reasons))
    ]
    every_mark = [m for subject_marks in marks.values() for m in subject_marks]
    totals = TotalsOut(
        marks=len(every_mark),
        average=average(every_mark),
        weighted_average=weighted_average(every_mark),
        absences=sum(s.absences for s in subjects),
        lates=sum(s.lates for s in subjects),
    )
    return SummaryOut.model_validate(
        {"student": _student_out(card), "start": dates.start, "end": dates.end, "subjects": subjects, "totals": totals},
        from_attributes=True,
    )
