"""Student movement (R-16): transfers between classes, leaving, transfers between schools, promotion.

A transfer between schools never reads the other school's rows: the sending school sends the
receiving one a StudentTransferOffered event (addressed to it), roster's consumer files it there as an
incoming transfer, and the receiving school's secretary accepts it into a class, which makes the
student the receiving school's own person with the sending school's movement history copied.
"""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession, SchoolToday, database
from chassis.events import emit_event
from chassis.problems import Conflict, Invalid, NotFound
from chassis.tenancy import Tenant
from contracts.roster import MovementLine, StudentTransferAccepted, StudentTransferOffered
from roster.consents import record_entry_consents
from roster.domain.movement import ClassInfo, check_leaving, check_transfer
from roster.events import person_registered
from roster.models import Enrolment, IncomingTransfer, Movement, Person, School, SchoolClass
from roster.movements import MovementWriter

router = APIRouter(prefix="/schools/{school_id}", tags=["movement"])

#: Who records movement: the administration and the secretary (приказы о движении).
MOVERS = ("school_admin", "secretary")

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
OrderNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    student_id: UUID
    kind: str
    moved_on: date
    from_class_id: UUID | None
    to_class_id: UUID | None
    order_number: str | None
    reason: str | None
    other_school_id: UUID | None
    other_school_name: str | None
    debt_subjects: list[str]
    debt_deadline: date | None


async def current_enrolment(session: AsyncSession, school_id: UUID, student_id: UUID) -> tuple[Enrolment, SchoolClass]:
    """The student's class now; locked, so two movements of one student at once do not both pass."""
    found = (
        await session.execute(
            select(Enrolment, SchoolClass)
            .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
            .where(Enrolment.school_id == school_id, Enrolment.student_id == student_id)
            .order_by(Enrolment.enrolled_on.desc())
            .limit(1)
            .with_for_update(of=Enrolment)
        )
    ).first()
    if found is None:
        raise Conflict("Обучающийся не зачислен ни в один класс этой школы.")
    return found[0], found[1]


def info(school_class: SchoolClass) -> ClassInfo:
    return ClassInfo(school_class.id, school_class.grade, school_class.letter, school_class.academic_year)


class TransferIn(BaseModel):
    student_id: UUID
    to_class_id: UUID
    #: The first day in the new class; today when left out.
    on: date | None = None
    order_number: OrderNumber | None = None
    reason: Text | None = None


@router.post("/movements/transfer", status_code=201)
async def transfer_between_classes(
    school_id: UUID, body: TransferIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> MovementOut:
    """Перевод в другой класс той же школы и того же учебного года, с даты."""
    caller.require(school_id, *MOVERS)
    on = body.on or today
    enrolment, current = await current_enrolment(session, school_id, body.student_id)
    target = await session.scalar(select(SchoolClass).filter_by(school_id=school_id, id=body.to_class_id))
    if target is None:
        raise Invalid("Класс, в который переводят, не найден в этой школе.")
    check_transfer(info(current), info(target), on, enrolment.enrolled_on)
    writer = MovementWriter(session, school_id, caller.person_id)
    await writer.leave_class(enrolment, current, on)
    writer.enrol(body.student_id, target, on)
    movement = writer.record(
        body.student_id,
        "transferred",
        on,
        from_class=current,
        to_class=target,
        order_number=body.order_number,
        reason=body.reason,
    )
    await writer.flush()
    return MovementOut.model_validate(movement)


class LeaveIn(BaseModel):
    student_id: UUID
    #: The first day the student is no longer in the school; today when left out.
    on: date | None = None
    order_number: OrderNumber
    reason: Text
    #: A transfer to another school of the region: it receives the student and their movement history.
    destination_school_id: UUID | None = None


@router.post("/movements/leave", status_code=201)
async def leave_school(
    school_id: UUID, body: LeaveIn, caller: CallerDep, session: SchoolSession, today: SchoolToday, request: Request
) -> MovementOut:
    """Выбытие по приказу; with a receiving school of the region it is a transfer between schools."""
    caller.require(school_id, *MOVERS)
    on = body.on or today
    enrolment, current = await current_enrolment(session, school_id, body.student_id)
    check_leaving(enrolment.enrolled_on, on, body.order_number)
    school = await session.get(School, school_id)
    assert school is not None  # SchoolSession let the caller in, so the school is there.
    if body.destination_school_id == school_id:
        raise Invalid("Перевод в другую школу: укажите школу, отличную от своей.")
    if body.destination_school_id and not await school_exists(request, body.destination_school_id):
        raise Invalid("Школа, в которую переводят обучающегося, не найдена в регионе.")
    writer = MovementWriter(session, school_id, caller.person_id)
    history = await history_lines(session, school_id, body.student_id)
    await writer.leave_class(enrolment, current, on)
    await writer.leave_school(body.student_id, on, body.order_number, body.reason, body.destination_school_id)
    movement = writer.record(
        body.student_id,
        "transferred_out" if body.destination_school_id else "left",
        on,
        from_class=current,
        order_number=body.order_number,
        reason=body.reason,
        other_school_id=body.destination_school_id,
    )
    await writer.flush()
    if body.destination_school_id:
        student = await session.get(Person, body.student_id)
        assert student is not None
        history.append(
            MovementLine(
                kind="transferred_out",
                on=on,
                class_name=current.name,
                order_number=body.order_number,
                reason=body.reason,
            )
        )
        offer = StudentTransferOffered(
            source_school_id=school_id,
            source_school_name=school.name,
            source_student_id=student.id,
            last_name=student.last_name,
            first_name=student.first_name,
            middle_name=student.middle_name,
            birth_date=student.birth_date,
            snils=student.snils,
            esia_oid=student.esia_oid,
            grade=current.grade,
            left_on=on,
            order_number=body.order_number,
            history=history,
        )
        # Addressed to the receiving school: its roster files it there (``handlers``); no row of ours is shared.
        await emit_event(session, offer, school_id=body.destination_school_id)
    return MovementOut.model_validate(movement)


async def school_exists(request: Request, school_id: UUID) -> bool:
    """Whether a school of the region is registered: read in that school's own tenancy, its row and nothing else."""
    async with database(request).transaction(Tenant(school_id=school_id)) as other:
        return await other.get(School, school_id) is not None


async def history_lines(session: AsyncSession, school_id: UUID, student_id: UUID) -> list[MovementLine]:
    rows = await session.execute(
        select(Movement, SchoolClass.grade, SchoolClass.letter)
        .outerjoin(SchoolClass, SchoolClass.id == Movement.to_class_id)
        .where(Movement.school_id == school_id, Movement.student_id == student_id)
        .order_by(Movement.moved_on, Movement.recorded_at)
    )
    return [
        MovementLine(
            kind=m.kind,
            on=m.moved_on,
            class_name=f"{grade}{letter}" if grade else None,
            order_number=m.order_number,
            reason=m.reason,
        )
        for m, grade, letter in rows
    ]


@router.get("/students/{student_id}/movements")
async def student_movements(
    school_id: UUID, student_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[MovementOut]:
    caller.require(school_id, *MOVERS, "director", "deputy")
    rows = await session.scalars(
        select(Movement)
        .where(Movement.school_id == school_id, Movement.student_id == student_id)
        .order_by(Movement.moved_on, Movement.recorded_at)
    )
    return [MovementOut.model_validate(m) for m in rows]


@router.get("/movements")
async def list_movements(
    school_id: UUID, caller: CallerDep, session: SchoolSession, start: date | None = None, end: date | None = None
) -> list[MovementOut]:
    """The school's movement records of a span (the movement summary sheet reads them)."""
    caller.require(school_id, *MOVERS, "director", "deputy")
    query = select(Movement).where(Movement.school_id == school_id)
    if start:
        query = query.where(Movement.moved_on >= start)
    if end:
        query = query.where(Movement.moved_on <= end)
    return [MovementOut.model_validate(m) for m in await session.scalars(query.order_by(Movement.moved_on))]


class IncomingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    source_school_id: UUID
    source_school_name: str
    person: dict
    history: list[dict]
    grade: int | None
    left_on: date
    order_number: str
    person_id: UUID | None


@router.get("/incoming-transfers")
async def list_incoming(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[IncomingOut]:
    """Students other schools of the region transferred to this one; accepted ones name their new card."""
    caller.require(school_id, *MOVERS)
    rows = await session.scalars(
        select(IncomingTransfer).where(IncomingTransfer.school_id == school_id).order_by(IncomingTransfer.offered_at)
    )
    return [IncomingOut.model_validate(t) for t in rows]


class AcceptIn(BaseModel):
    class_id: UUID
    #: The first day in the class; the day after leaving the other school when left out.
    on: date | None = None
    order_number: OrderNumber


@router.post("/incoming-transfers/{transfer_id}/accept", status_code=201)
async def accept_transfer(
    school_id: UUID, transfer_id: UUID, body: AcceptIn, caller: CallerDep, session: SchoolSession
) -> MovementOut:
    """Зачисление в порядке перевода: the student becomes this school's own person, with the history copied."""
    caller.require(school_id, *MOVERS)
    offer = await session.get(IncomingTransfer, transfer_id, with_for_update=True)
    if offer is None or offer.school_id != school_id:
        raise NotFound("Перевод не найден.")
    if offer.person_id is not None:
        raise Conflict("Этот обучающийся уже зачислен по переводу.")
    target = await session.scalar(select(SchoolClass).filter_by(school_id=school_id, id=body.class_id))
    if target is None:
        raise Invalid("Класс не найден в этой школе.")
    on = body.on or offer.left_on
    if on < offer.left_on:
        raise Invalid(f"Зачислить можно не раньше дня выбытия из прежней школы ({offer.left_on:%d.%m.%Y}).")
    data = offer.person
    snils = data.get("snils")
    if snils and await session.scalar(select(Person.id).filter_by(school_id=school_id, snils=snils)):
        raise Conflict(f"Человек со СНИЛС {snils} уже есть в школе: проверьте, не зачислен ли он раньше.")
    person = Person(
        school_id=school_id,
        last_name=data["last_name"],
        first_name=data["first_name"],
        middle_name=data.get("middle_name"),
        birth_date=date.fromisoformat(data["birth_date"]) if data.get("birth_date") else None,
        snils=snils,
        esia_oid=data.get("esia_oid"),
        source_school_id=offer.source_school_id,
        source_person_id=offer.source_student_id,
    )
    session.add(person)
    await session.flush()
    # Consent travels with the person: the sending school recorded it before entering them.
    await record_entry_consents(session, school_id, [person.id], datetime.now(UTC))
    offer.person_id = person.id
    offer.accepted_at = datetime.now(UTC)
    writer = MovementWriter(session, school_id, caller.person_id)
    # The sending school's record, copied as this school's own rows naming the source school.
    for line in offer.history:
        writer.record(
            person.id,
            line["kind"],
            date.fromisoformat(line["on"]),
            order_number=line.get("order_number"),
            reason=line.get("reason") or (f"Класс {line['class_name']}" if line.get("class_name") else None),
            other_school_id=offer.source_school_id,
            other_school_name=offer.source_school_name,
            tell=False,
        )
    writer.events.append(person_registered(person))
    writer.enrol(person.id, target, on)
    movement = writer.record(
        person.id,
        "transferred_in",
        on,
        to_class=target,
        order_number=body.order_number,
        reason=f"Переведён из {offer.source_school_name}",
        other_school_id=offer.source_school_id,
        other_school_name=offer.source_school_name,
    )
    await writer.flush()
    accepted = StudentTransferAccepted(
        source_student_id=offer.source_student_id,
        source_school_name=offer.source_school_name,
        receiving_school_id=school_id,
        student_id=person.id,
        academic_year=target.academic_year,
    )
    # Addressed to the sending school: its services send the student's record of the year, filed here as a copy.
    await emit_event(session, accepted, school_id=offer.source_school_id)
    return MovementOut.model_validate(movement)
