"""Перевод всей школы в следующий учебный год (R-16), shown as a preview before it runs.

It belongs to the year rollover (R-11): the old year is closing (its period marks are set) and the
new one is in the calendar; the students start in their new classes on its first day.
"""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Conflict, Invalid
from contracts.roster import ClassTeacherAssigned
from roster.domain.calendar import STATUS_TITLES, YearStatus
from roster.domain.movement import (
    OUTCOME_TITLES,
    ClassInfo,
    Decision,
    Outcome,
    PromotionPlan,
    next_year_name,
    plan_promotion,
)
from roster.events import class_created
from roster.models import AcademicYear, Enrolment, Promotion, SchoolClass
from roster.movements import MovementWriter

router = APIRouter(prefix="/schools/{school_id}/promotion", tags=["movement"])

YearName = Annotated[str, StringConstraints(pattern=r"^\d{4}/\d{4}$")]


class DecisionIn(BaseModel):
    student_id: UUID
    outcome: Outcome
    debt_subjects: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]] = []
    debt_deadline: date | None = None


class PromotionIn(BaseModel):
    from_year: YearName
    #: The council's decisions that differ from plain promotion: repeating, conditional, leaving after grade 9.
    decisions: list[DecisionIn] = Field(default=[], max_length=5000)


class ClassLine(BaseModel):
    name: str
    from_class: str | None
    #: Already made for the new year by hand: filled, not created again.
    exists: bool
    students: int


class StudentLine(BaseModel):
    student_id: UUID
    from_class: str
    to_class: str | None
    outcome: Outcome
    outcome_title: str
    debt_subjects: list[str]
    debt_deadline: date | None


class PreviewOut(BaseModel):
    from_year: str
    to_year: str
    #: The first day of the new year: the day of the new classes.
    starts_on: date
    classes: list[ClassLine]
    students: list[StudentLine]
    totals: dict[str, int]
    warnings: list[str]


async def build_plan(
    session: AsyncSession, school_id: UUID, body: PromotionIn
) -> tuple[PromotionPlan, list[str], str | None]:
    """The plan, its warnings, and why it may not run yet (None: it may)."""
    to_year = next_year_name(body.from_year)
    years = {
        y.name: y
        for y in await session.scalars(
            select(AcademicYear).where(
                AcademicYear.school_id == school_id, AcademicYear.name.in_([body.from_year, to_year])
            )
        )
    }
    old, new = years.get(body.from_year), years.get(to_year)
    if old is None:
        raise Invalid(f"Учебного года {body.from_year} нет в календаре школы.")
    if new is None:
        raise Invalid(f"Сначала создайте в календаре учебный год {to_year}: классы переводятся на его первый день.")
    if await session.scalar(select(Promotion.id).filter_by(school_id=school_id, from_year=body.from_year)):
        raise Conflict(f"Перевод из {body.from_year} учебного года уже выполнен.")
    warnings = []
    blocker = None
    if old.status != YearStatus.CLOSING:
        blocker = (
            f"Учебный год {body.from_year} {STATUS_TITLES[YearStatus(old.status)]}: перевод выполняется, "
            "когда год завершается (итоговые отметки выставлены)."
        )
        warnings.append(blocker)
    classes = list(await session.scalars(select(SchoolClass).where(SchoolClass.school_id == school_id)))
    infos = [ClassInfo(c.id, c.grade, c.letter, c.academic_year) for c in classes]
    of_year = {c.id for c in classes if c.academic_year == body.from_year}
    students = (
        await session.execute(
            select(Enrolment.student_id, Enrolment.class_id).where(
                Enrolment.school_id == school_id, Enrolment.class_id.in_(of_year)
            )
        )
    ).all()
    existing = [(c.grade, c.letter) for c in classes if c.academic_year == to_year]
    decisions = {d.student_id: Decision(d.outcome, tuple(d.debt_subjects), d.debt_deadline) for d in body.decisions}
    plan = plan_promotion(body.from_year, new.starts, infos, [tuple(s) for s in students], decisions, existing)
    if not plan.moves:
        warnings.append(f"В классах {body.from_year} учебного года нет обучающихся.")
    return plan, warnings, blocker


def preview_of(plan: PromotionPlan, warnings: list[str]) -> PreviewOut:
    filled: dict[tuple[int, str], int] = {}
    for move in plan.moves:
        if move.to:
            filled[move.to] = filled.get(move.to, 0) + 1
    return PreviewOut(
        from_year=plan.from_year,
        to_year=plan.to_year,
        starts_on=plan.on,
        classes=[
            ClassLine(
                name=c.name,
                from_class=c.from_class.name if c.from_class else None,
                exists=c.exists,
                students=filled.get((c.grade, c.letter), 0),
            )
            for c in plan.new_classes
        ],
        students=[
            StudentLine(
                student_id=m.student_id,
                from_class=m.from_class.name,
                to_class=f"{m.to[0]}{m.to[1]}" if m.to else None,
                outcome=m.outcome,
                outcome_title=OUTCOME_TITLES[m.outcome],
                debt_subjects=list(m.debt_subjects),
                debt_deadline=m.debt_deadline,
            )
            for m in plan.moves
        ],
        totals={outcome.value: plan.count(outcome) for outcome in Outcome},
        warnings=warnings,
    )


@router.post("/preview")
async def preview_promotion(
    school_id: UUID, body: PromotionIn, caller: CallerDep, session: SchoolSession
) -> PreviewOut:
    """What the promotion would do, changing nothing."""
    caller.require(school_id, "school_admin", "secretary", "deputy")
    plan, warnings, _ = await build_plan(session, school_id, body)
    return preview_of(plan, warnings)


@router.post("", status_code=201)
async def run_promotion(school_id: UUID, body: PromotionIn, caller: CallerDep, session: SchoolSession) -> PreviewOut:
    """Carries out the plan the preview showed, in one transaction: all of it or nothing."""
    caller.require(school_id, "school_admin")
    plan, warnings, blocker = await build_plan(session, school_id, body)
    if blocker:
        raise Conflict(blocker)
    writer = MovementWriter(session, school_id, caller.person_id)
    old_classes = {
        c.id: c
        for c in await session.scalars(select(SchoolClass).filter_by(school_id=school_id, academic_year=plan.from_year))
    }
    new_by_key = {
        (c.grade, c.letter): c
        for c in await session.scalars(select(SchoolClass).filter_by(school_id=school_id, academic_year=plan.to_year))
    }
    for line in plan.new_classes:
        if line.exists:
            continue
        source = old_classes.get(line.from_class.id) if line.from_class else None
        created = SchoolClass(
            id=uuid4(), school_id=school_id, grade=line.grade, letter=line.letter, academic_year=plan.to_year
        )
        session.add(created)
        new_by_key[(line.grade, line.letter)] = created
        writer.events.append(class_created(created))
        if source is not None and source.class_teacher_id is not None:
            # The class teacher goes on with the class (004 app.5 §5.2) until the administration decides otherwise.
            created.class_teacher_id = source.class_teacher_id
            created.class_teacher_version = 1
            writer.events.append(
                ClassTeacherAssigned(
                    class_id=created.id, class_name=created.name, teacher_id=source.class_teacher_id, version=1
                )
            )
    # The new classes go in before the enrolments that name them (the unit of work does not order by keys).
    await session.flush()
    enrolments = {
        e.student_id: e
        for e in await session.scalars(
            select(Enrolment)
            .where(Enrolment.school_id == school_id, Enrolment.class_id.in_(old_classes))
            .with_for_update()
        )
    }
    await writer.preload_places(list(old_classes))
    order = f"перевод {plan.from_year} → {plan.to_year}"
    for move in plan.moves:
        old = old_classes[move.from_class.id]
        await writer.leave_class(enrolments[move.student_id], old, plan.on)
        if move.to is None:
            await writer.leave_school(move.student_id, plan.on, order, OUTCOME_TITLES[move.outcome])
            writer.record(
                move.student_id,
                move.outcome.value,
                plan.on,
                from_class=old,
                order_number=order,
                reason=OUTCOME_TITLES[move.outcome],
            )
            continue
        new = new_by_key[move.to]
        writer.enrol(move.student_id, new, plan.on)
        writer.record(
            move.student_id,
            move.outcome.value,
            plan.on,
            from_class=old,
            to_class=new,
            order_number=order,
            debt_subjects=list(move.debt_subjects),
            debt_deadline=move.debt_deadline,
        )
    preview = preview_of(plan, warnings)
    session.add(
        Promotion(
            school_id=school_id,
            from_year=plan.from_year,
            to_year=plan.to_year,
            starts_on=plan.on,
            summary=preview.totals,
            run_by=caller.person_id,
            run_at=datetime.now(UTC),
        )
    )
    await writer.flush()
    return preview
