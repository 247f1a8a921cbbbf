"""The school's mark-change log for a span of dates (R-25, 004 §3.8), with the state of its chain.

Reporting's year report of marks changed after the fact calls this with the reader's own token
(it never reads gradebook's database); the administration and the region's inspectors read it.
"""

from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import and_, select

from chassis.dates import JournalDate
from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Invalid, NotFound
from chassis.schooltime import zone_of
from gradebook import audit
from gradebook.api.access import reads_whole_school
from gradebook.models import Course, Lesson, Mark, MarkChange, Person

router = APIRouter(prefix="/schools/{school_id}", tags=["mark audit"])

#: A school year at most: the administrator reads the whole year's log (R-25).
MAX_DAYS = 366


class LoggedChange(BaseModel):
    changed_at: datetime
    changed_by: UUID
    changed_by_name: str
    #: One of ``CHANGE_ACTIONS``: "value", "work_type", "mark_deleted", "lesson_moved", "lesson_deleted".
    action: str
    old_value: str
    new_value: str
    reason: str | None
    lesson_id: UUID
    #: What the lesson and the mark are now; None once deleted (the log outlives them).
    lesson_date: date | None
    class_name: str | None
    subject_name: str | None
    student_name: str | None
    #: The entry's place in the school's chain; None until the sealing job reaches it.
    seal_no: int | None


class ChainState(BaseModel):
    sealed: int
    intact: bool
    #: The first entry changed, removed or moved since sealing: its place and when it says it was written.
    first_broken_no: int | None
    first_broken_at: datetime | None


class MarkChangeLog(BaseModel):
    chain: ChainState
    changes: list[LoggedChange]


@router.get("/mark-changes")
async def mark_change_log(
    school_id: UUID, start: JournalDate, end: JournalDate, caller: CallerDep, session: SchoolSession, request: Request
) -> MarkChangeLog:
    """Every change of a mark written from ``start`` to ``end`` (the school's days), oldest first."""
    if not reads_whole_school(caller, school_id):
        raise NotFound("Журнал изменений отметок не найден.")
    if end < start:
        raise Invalid(f"Конец периода ({end:%d.%m.%Y}) раньше его начала ({start:%d.%m.%Y}).")
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(f"Период не может быть длиннее {MAX_DAYS} дней.")
    # The school's days, in the school's own zone (not the region's).
    zone = ZoneInfo(await zone_of(session, school_id, request.app.state.settings.timezone))
    since = datetime.combine(start, time(), zone)
    until = datetime.combine(end + timedelta(days=1), time(), zone)
    rows = await session.execute(
        select(MarkChange, Lesson.date, Course.class_name, Course.subject_name, Person.last_name, Person.first_name)
        .outerjoin(Lesson, Lesson.id == MarkChange.lesson_id)
        .outerjoin(Course, Course.id == Lesson.course_id)
        .outerjoin(Mark, Mark.id == MarkChange.mark_id)
        .outerjoin(Person, and_(Person.id == Mark.student_id, Person.school_id == MarkChange.school_id))
        .where(MarkChange.school_id == school_id, MarkChange.changed_at >= since, MarkChange.changed_at < until)
        .order_by(MarkChange.changed_at, MarkChange.id)
    )
    changes = [
        LoggedChange(
            changed_at=change.changed_at,
            changed_by=change.changed_by,
            changed_by_name=change.changed_by_name,
            action=change.action,
            old_value=change.old_value,
            new_value=change.new_value,
            reason=change.reason,
            lesson_id=change.lesson_id,
            lesson_date=lesson_date,
            class_name=class_name,
            subject_name=subject_name,
            student_name=f"{last} {first}" if last else None,
            seal_no=change.seal_no,
        )
        for change, lesson_date, class_name, subject_name, last, first in rows
    ]
    sealed, broken = await audit.verify(session, school_id)
    chain = ChainState(
        sealed=sealed,
        intact=broken is None,
        first_broken_no=broken.seal_no if broken else None,
        first_broken_at=broken.changed_at if broken else None,
    )
    return MarkChangeLog(chain=chain, changes=changes)
