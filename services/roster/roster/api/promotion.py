"""Перевод всей школы в следующий учебный год (R-16), shown as a preview before it runs.

It belongs to the year rollover (R-11): the old year is closing (its period marks are set) and the
new one is in the calendar; the students start in their new classes on its first day.
"""

from dataclasses import asdict
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
from roster.domain.rollover import Carry, ClassCarry, ClassKey, Load, OldGroup, plan_carry
from roster.events import assignment_created, class_created, group_created, membership_changed
from roster.models import AcademicYear, Assignment, Enrolment, Group, GroupMember, Promotion, SchoolClass, Subject
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
    #: Carried from the old class (R-11): subgroups made, pupils placed in subgroups, teaching loads made.
    subgroups: int
    members: int
    loads: int


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
) -> tuple[PromotionPlan, Carry, list[str], str | None]:
    """The plan, what the promoted classes carry, the warnings, and why it may not run yet (None: it may)."""
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
    new_keys = {c.id: (c.grade, c.letter) for c in classes if c.academic_year == to_year}
    carry = await read_carry(session, school_id, plan, of_year, new_keys)
    return plan, carry, warnings, blocker


async def read_carry(
    session: AsyncSession, school_id: UUID, plan: PromotionPlan, old_ids: set[UUID], new_keys: dict[UUID, ClassKey]
) -> Carry:
    """The old classes' subgroups, places and loads, and what the new year's classes already have."""
    classes = old_ids | set(new_keys)
    subgroups = list(
        await session.scalars(
            select(Group).where(Group.school_id == school_id, Group.kind == "subgroup", Group.class_id.in_(classes))
        )
    )
    places = (
        await session.execute(
            select(GroupMember.group_id, GroupMember.student_id).where(
                GroupMember.group_id.in_([g.id for g in subgroups]), GroupMember.ends.is_(None)
            )
        )
    ).all()
    loads = list(
        await session.scalars(
            select(Assignment).where(Assignment.school_id == school_id, Assignment.class_id.in_(classes))
        )
    )
    new_groups = {g.id: (new_keys[g.class_id], g.subject_id, g.name) for g in subgroups if g.class_id in new_keys}
    return plan_carry(
        plan,
        [OldGroup(g.id, g.class_id, g.subject_id, g.name) for g in subgroups if g.class_id in old_ids],
        [(group_id, student_id) for group_id, student_id in places if group_id not in new_groups],
        [Load(a.teacher_id, a.subject_id, a.class_id) for a in loads if a.class_id in old_ids and a.ended_on is None],
        new_groups.values(),
        [(*new_groups[group_id], student_id) for group_id, student_id in places if group_id in new_groups],
        [(new_keys[a.class_id], a.teacher_id, a.subject_id) for a in loads if a.class_id in new_keys],
    )


def preview_of(plan: PromotionPlan, carry: Carry, warnings: list[str]) -> PreviewOut:
    carried = carry.per_class()
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
                **asdict(carried.get((c.grade, c.letter), ClassCarry())),
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
    plan, carry, warnings, _ = await build_plan(session, school_id, body)
    return preview_of(plan, carry, warnings)


@router.post("", status_code=201)
async def run_promotion(school_id: UUID, body: PromotionIn, caller: CallerDep, session: SchoolSession) -> PreviewOut:
    """Carries out the plan the preview showed, in one transaction: all of it or nothing."""
    caller.require(school_id, "school_admin")
    plan, carry, warnings, blocker = await build_plan(session, school_id, body)
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
    await carry_into(session, school_id, writer, carry, new_by_key, plan.on)
    preview = preview_of(plan, carry, warnings)
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


async def carry_into(
    session: AsyncSession,
    school_id: UUID,
    writer: MovementWriter,
    carry: Carry,
    new_by_key: dict[ClassKey, SchoolClass],
    on: date,
) -> None:
    """Makes the carried loads and subgroups in the new classes, with the events their own routes tell."""
    subjects = {
        s.id: s.name
        for s in await session.scalars(
            select(Subject).where(Subject.id.in_([x.subject_id for x in [*carry.loads, *carry.groups]]))
        )
    }
    for load in carry.loads:
        school_class = new_by_key[load.to]
        assignment = Assignment(
            id=uuid4(),
            school_id=school_id,
            teacher_id=load.teacher_id,
            subject_id=load.subject_id,
            class_id=school_class.id,
            ended_on=None,
        )
        session.add(assignment)
        writer.events.append(assignment_created(assignment, subjects[load.subject_id], school_class.name))
    made = {
        (g.class_id, g.subject_id, g.name): g
        for g in await session.scalars(
            select(Group).where(Group.kind == "subgroup", Group.class_id.in_([c.id for c in new_by_key.values()]))
        )
    }
    for carried in carry.groups:
        key = (new_by_key[carried.to].id, carried.subject_id, carried.name)
        if key not in made:
            made[key] = Group(
                id=uuid4(), school_id=school_id, kind="subgroup", class_id=key[0], subject_id=key[1], name=key[2]
            )
            session.add(made[key])
            writer.events.append(group_created(made[key]))
    # The groups go in before the places that name them (the unit of work does not order by keys).
    await session.flush()
    for carried in carry.groups:
        group = made[(new_by_key[carried.to].id, carried.subject_id, carried.name)]
        for student_id in carried.members:
            place = GroupMember(
                id=uuid4(),
                school_id=school_id,
                group_id=group.id,
                student_id=student_id,
                starts=on,
                ends=None,
                version=1,
            )
            session.add(place)
            writer.events.append(membership_changed(place))
