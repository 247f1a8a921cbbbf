"""A student's diary (электронный дневник) and their summary for a period (R-63)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, TypeAdapter
from sqlalchemy import Date, bindparam, event, exists, or_, select, text
from sqlalchemy.dialects.postgresql import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession, SchoolToday, database, school_today, today_in
from reporting.api.access import CARD, CARD_PARAMS, StudentCard, readable, readable_student
from reporting.api.period_marks import PeriodMarkOut, period_mark_out
from reporting.domain.diary import AbsenceRecord, DiaryDay, LessonRecord, MarkRecord, TimetableRecord, diary_days
from reporting.domain.indicators import ScoredMark, average, weighted_average
from reporting.domain.period_marks import KIND_ORDER
from reporting.domain.periods import DateRange, diary_range, summary_range
from reporting.domain.summary import subject_summary
from reporting.models import Absence, GroupMember, Lesson, Mark, PeriodMark
from reporting.reports.school_queries import record_visit

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
    #: The timetable's lesson (roster's id, as the portal's timetable changes name it) and its version, so the
    #: state portal keeps the newest state (R-70); None for a lesson outside the timetable.
    timetable_lesson_id: UUID | None = None
    timetable_version: int | None = None


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


@dataclass(frozen=True)
class _DiaryWeek:
    """``DiaryOut``'s fields as the read composes them, the domain's days among them: encoded as they are, without
    validating them into ``DiaryOut`` first (test_diary_week_read checks the answer is ``DiaryOut``'s own JSON)."""

    student: StudentOut
    start: date
    end: date
    days: list[DiaryDay]
    announcements: list[dict[str, Any]]
    homework: list[dict[str, Any]]
    period_marks: list[PeriodMarkOut]


#: Knows the types it encodes: three times quicker than pydantic_core's ``to_json`` guessing them value by value.
DIARY_WEEK_JSON = TypeAdapter(_DiaryWeek)


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
    in_elective = exists().where(
        GroupMember.school_id == school_id,
        GroupMember.student_id == card.id,
        GroupMember.group_id == Lesson.class_id,
        GroupMember.starts <= Lesson.date,
        or_(GroupMember.ends.is_(None), GroupMember.ends >= Lesson.date),
    )
    rows = await session.scalars(
        select(Lesson).where(
            Lesson.school_id == school_id,
            or_(Lesson.class_id == card.class_id, in_elective),
            Lesson.date.between(dates.start, dates.end),
            Lesson.deleted.is_(False),
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


def in_place(group_id: str, day: str) -> str:
    """SQL: the student (``places``) is in the elective or club ``group_id`` on ``day`` (R-14: by dates)."""
    return (
        f"EXISTS (SELECT 1 FROM places p WHERE p.group_id = {group_id} AND p.starts <= {day} "
        f"AND (p.ends IS NULL OR p.ends >= {day}))"
    )


#: A student's diary for some dates in one statement: the card and R-1's facts (``CARD``), the school's zone, as
#: arrays of rows in the domain records' field order the class's lessons, those of the electives and clubs while the
#: student is in them (R-14; their courses' class is the group) and those of other groups the student has a mark or
#: absence on, the marks, the absences, the timetable (a subgroup's lessons while the student is in it, R-12); as
#: JSON the school's and the class's announcements, the homework due (the class's and the student's electives', or
#: given to this student), and the period marks with the day the family sees them from (R-27). Compiled for asyncpg
#: itself (``$1``…, its parameters' names in ``positiontup``).
DIARY_WEEK = (
    text(
        f"""
WITH card AS ({CARD}),
marks_in AS (
    SELECT m.* FROM marks m
    WHERE m.school_id = :school AND m.student_id = :student AND m.date BETWEEN :start AND :end AND NOT m.deleted
),
absences_in AS (
    SELECT a.* FROM absences a
    WHERE a.school_id = :school AND a.student_id = :student AND a.date BETWEEN :start AND :end AND NOT a.withdrawn
),
places AS (
    SELECT gm.group_id, gm.starts, gm.ends FROM group_members gm
    WHERE gm.school_id = :school AND gm.student_id = :student
)
SELECT card.*, (SELECT z.timezone FROM school_zones z WHERE z.school_id = :school) AS zone,
    (SELECT array_agg(ROW(l.id, l.date, l.subject_name, l.topic, l.homework, l.scheduled_lesson_id))
     FROM lessons l
     WHERE l.school_id = :school AND NOT l.deleted AND (
        (l.class_id = card.class_id AND l.date BETWEEN :start AND :end)
        OR (l.class_id = ANY(ARRAY(SELECT group_id FROM places)) AND l.date BETWEEN :start AND :end
            AND {in_place("l.class_id", "l.date")})
        OR l.id IN (SELECT lesson_id FROM marks_in UNION SELECT lesson_id FROM absences_in)
     )) AS lessons,
    (SELECT array_agg(ROW(
        m.lesson_id, m.date, m.subject_name, m.value, m.work_type, m.work_type_title, m.weight, m.version > 1, m.id,
        m.version
     ) ORDER BY m.date, m.id) FROM marks_in m) AS marks,
    (SELECT array_agg(ROW(a.lesson_id, a.date, a.subject_name, a.reason) ORDER BY a.date, a.id)
     FROM absences_in a) AS absences,
    (SELECT array_agg(ROW(
        t.id, t.date, t.subject_name, t.number, t.starts, t.ends, t.room_name, t.status, t.substitute_name,
        t.change_note, t.version
     ))
     FROM timetable_lessons t
     WHERE t.school_id = :school AND t.class_id = card.class_id AND t.date BETWEEN :start AND :end
        AND (t.group_id IS NULL OR EXISTS (
            SELECT 1 FROM group_members gm
            WHERE gm.school_id = :school AND gm.student_id = :student AND gm.group_id = t.group_id
                AND gm.starts <= t.date AND (gm.ends IS NULL OR gm.ends >= t.date)
        ))) AS timetable,
    (SELECT json_agg(json_build_object(
        'id', an.id, 'class_id', an.class_id, 'title', an.title, 'text', an.text,
        'starts_on', an.starts_on, 'ends_on', an.ends_on
     ) ORDER BY an.starts_on, an.title)
     FROM announcements an
     WHERE an.school_id = :school AND an.starts_on <= :end AND an.ends_on >= :start
        AND (an.class_id IS NULL OR an.class_id = card.class_id)) AS announcements,
    (SELECT json_agg(json_build_object(
        'subject_name', h.subject_name, 'given_on', h.given_on, 'due_on', h.due_on, 'text', h.text,
        'pages', h.pages, 'exercises', h.exercises, 'links', h.links, 'individual', cardinality(h.student_ids) > 0
     ) ORDER BY h.due_on, h.subject_name, h.given_on)
     FROM homework h
     WHERE h.school_id = :school AND h.due_on BETWEEN :start AND :end
        AND (h.class_id = card.class_id
            OR (h.class_id = ANY(ARRAY(SELECT group_id FROM places)) AND {in_place("h.class_id", "h.due_on")}))
        AND (cardinality(h.student_ids) = 0 OR h.student_ids @> ARRAY[CAST(:student AS uuid)])) AS homework,
    (SELECT json_agg(json_build_object(
        'subject_name', pm.subject_name, 'period_kind', pm.period_kind, 'period_name', pm.period_name,
        'starts', pm.starts, 'ends', pm.ends, 'value', pm.value, 'not_attested_reason', pm.not_attested_reason,
        'extended_to', pm.extended_to, 'visible_from', pm.visible_from
     ))
     FROM period_marks pm
     WHERE pm.school_id = :school AND pm.student_id = :student AND pm.ends BETWEEN :start AND :end) AS period_marks
FROM card
"""
    )
    .bindparams(*CARD_PARAMS, bindparam("start", type_=Date), bindparam("end", type_=Date))
    .compile(dialect=asyncpg.dialect())
)


@router.get("/diary", response_model=DiaryOut)
async def get_diary(
    school_id: UUID,
    student_id: UUID,
    caller: CallerDep,
    request: Request,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> Response:
    # The hottest read: one statement straight to the driver, the answer encoded once as DiaryOut's JSON. The
    # transaction is the one SchoolSession opens, begun here: FastAPI's dependency solving, SQLAlchemy's result layer
    # and a validation of the composed answer before its serialization cost more than the rest of the read.
    async with database(request).transaction(caller.tenant_for(school_id)) as session:
        # Given dates need no today before the week is read (the week's statement reads the school's zone too).
        dates = diary_range(start, end, None if start or end else await school_today(school_id, session, request))
        values = {
            "school": school_id,
            "student": student_id,
            "caller": caller.person_id,
            "start": dates.start,
            "end": dates.end,
        }
        driver = (await (await session.connection()).get_raw_connection()).driver_connection
        week = await driver.fetchrow(DIARY_WEEK.string, *(values[name] for name in DIARY_WEEK.positiontup))
        today = today_in(request, week["zone"])
        card = readable(caller, school_id, student_id, week)
        if caller.person_id == student_id or week["guardian"]:
            # the family's and the student's visits, for the class teacher's activity report.
            now, visits = request.app.state.clock.now(), request.app.state.recent_visits
            visit = (school_id, student_id, caller.person_id, today)
            if visits.due(visit, now):
                await record_visit(session, school_id, student_id, caller.person_id, week["guardian"], today, now)
                # Remembered once committed: a read that failed after the write leaves the next one due.
                event.listen(session.sync_session, "after_commit", lambda _: visits.written(visit, now), once=True)
    days = diary_days(
        dates,
        [LessonRecord(*lesson) for lesson in week["lessons"] or ()],
        [MarkRecord(*mark) for mark in week["marks"] or ()],
        [AbsenceRecord(*absence) for absence in week["absences"] or ()],
        [TimetableRecord(*scheduled) for scheduled in week["timetable"] or ()],
    )
    # the family sees a period mark from its day on.
    visible = [fields for fields in week["period_marks"] or () if _day(fields["visible_from"]) <= today]
    period_marks = sorted(
        (
            PeriodMark(
                **{
                    **fields,
                    "starts": _day(fields["starts"]),
                    "ends": _day(fields["ends"]),
                    "extended_to": _day(fields["extended_to"]) if fields["extended_to"] else None,
                    "visible_from": _day(fields["visible_from"]),
                }
            )
            for fields in visible
        ),
        key=lambda m: (m.subject_name, m.starts, KIND_ORDER.get(m.period_kind, 0)),
    )
    week_out = _DiaryWeek(
        _student_out(card),
        dates.start,
        dates.end,
        days,
        week["announcements"] or [],
        week["homework"] or [],
        [period_mark_out(m) for m in period_marks],
    )
    return Response(DIARY_WEEK_JSON.dump_json(week_out), media_type="application/json")


def _day(value: str) -> date:
    return date.fromisoformat(value)


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
