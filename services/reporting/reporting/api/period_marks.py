"""Итоговые отметки (R-27): a student's period marks by subject, as the family sees them (within 3 days or at once)."""

from datetime import date
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from reporting.api.access import readable_student
from reporting.domain.period_marks import KIND_ORDER, period_mark_text
from reporting.models import PeriodMark

router = APIRouter(prefix="/schools/{school_id}/students/{student_id}", tags=["period marks"])


class PeriodMarkOut(BaseModel):
    subject: str
    period_kind: str
    period_name: str
    starts: date
    ends: date
    text: str
    value: str | None
    not_attested_reason: str | None
    extended_to: date | None


class SubjectPeriodMarks(BaseModel):
    subject: str
    marks: list[PeriodMarkOut]


class PeriodMarksOut(BaseModel):
    student_id: UUID
    name: str | None
    class_name: str | None
    subjects: list[SubjectPeriodMarks]


def period_mark_out(mark: PeriodMark) -> PeriodMarkOut:
    return PeriodMarkOut(
        subject=mark.subject_name,
        period_kind=mark.period_kind,
        period_name=mark.period_name,
        starts=mark.starts,
        ends=mark.ends,
        text=period_mark_text(mark.value, mark.not_attested_reason, mark.extended_to),
        value=mark.value,
        not_attested_reason=mark.not_attested_reason,
        extended_to=mark.extended_to,
    )


async def visible_period_marks(
    session: AsyncSession,
    school_id: UUID,
    student_id: UUID,
    today: date,
    start: date | None = None,
    end: date | None = None,
) -> list[PeriodMark]:
    """The student's period marks the family sees today (R-27), of periods ending in ``start`` … ``end`` if given."""
    query = select(PeriodMark).where(
        PeriodMark.school_id == school_id, PeriodMark.student_id == student_id, PeriodMark.visible_from <= today
    )
    if start:
        query = query.where(PeriodMark.ends >= start)
    if end:
        query = query.where(PeriodMark.ends <= end)
    marks = list(await session.scalars(query))
    return sorted(marks, key=lambda m: (m.subject_name, m.starts, KIND_ORDER.get(m.period_kind, 0)))


@router.get("/period-marks")
async def period_marks(
    school_id: UUID, student_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> PeriodMarksOut:
    card = await readable_student(session, caller, school_id, student_id)
    subjects: dict[str, list[PeriodMarkOut]] = {}
    for mark in await visible_period_marks(session, school_id, student_id, today):
        subjects.setdefault(mark.subject_name, []).append(period_mark_out(mark))
    return PeriodMarksOut(
        student_id=card.id,
        name=card.name,
        class_name=card.class_name,
        subjects=[SubjectPeriodMarks(subject=name, marks=marks) for name, marks in subjects.items()],
    )
