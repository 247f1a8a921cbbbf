"""Correcting a person's card with its history, the R-54 refusal flag, and the class teacher's monthly check."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Forbidden, Invalid, NotFound
from contracts.roster import ElectronicServiceRefusalChanged, PersonChanged
from roster.api.access import ties_between
from roster.api.people import PEOPLE_EDITORS, PersonOut
from roster.domain.cards import Tie
from roster.domain.people import normalize_snils
from roster.domain.personal_data import FIELD_TITLES, changes, check_line
from roster.models import Enrolment, Guardianship, Person, PersonChange, SchoolClass

router = APIRouter(prefix="/schools/{school_id}", tags=["people"])


def service_now(request: Request) -> datetime:
    """Now by the service's clock (``chassis.clock``): the history's months follow the school's calendar."""
    return request.app.state.clock.now()


Now = Annotated[datetime, Depends(service_now)]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class PersonPatch(BaseModel):
    """Only the fields given change; ``null`` clears an optional one."""

    last_name: Name | None = None
    first_name: Name | None = None
    middle_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    birth_date: date | None = None
    #: Re-checked like a new one: the control number must hold.
    snils: Annotated[str, AfterValidator(normalize_snils)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[\d\s()-]{5,32}$")] | None = None
    email: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
        | None
    ) = None
    document_kind: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    document_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    #: Why: «смена фамилии (свидетельство о браке)», «исправление ошибки».
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500)]


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    field: str
    title: str = ""
    old: str | None
    new: str | None
    reason: str | None
    changed_by: UUID
    changed_at: datetime


async def editable_person(session: AsyncSession, school_id: UUID, caller: Caller, person_id: UUID) -> Person:
    """The card, locked, if the caller keeps it: the office, or the class teacher of the student or their parent."""
    caller.require(school_id, *PEOPLE_EDITORS)
    person = await session.scalar(select(Person).filter_by(school_id=school_id, id=person_id).with_for_update())
    if person is None:
        raise NotFound("Человек не найден.")
    if not caller.has_role(school_id, "school_admin", "secretary") and Tie.IN_READERS_CLASS not in await ties_between(
        session, school_id, caller.person_id, person_id
    ):
        raise Forbidden("Классный руководитель исправляет данные только обучающихся своего класса и их родителей.")
    return person


def person_changed(person: Person) -> PersonChanged:
    return PersonChanged(
        person_id=person.id,
        version=person.version,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        snils=person.snils,
        esia_oid=person.esia_oid,
    )


@router.patch("/people/{person_id}")
async def correct_person(
    school_id: UUID, person_id: UUID, body: PersonPatch, caller: CallerDep, session: SchoolSession, now: Now
) -> PersonOut:
    """Смена фамилии, исправление СНИЛС, новые контакты: each changed field goes into the card's history."""
    person = await editable_person(session, school_id, caller, person_id)
    wanted = body.model_dump(exclude={"reason"}, exclude_unset=True)
    for required in ("last_name", "first_name"):
        if required in wanted and wanted[required] is None:
            raise Invalid(f"Поле «{FIELD_TITLES[required]}» не может быть пустым.")
    found = changes({name: getattr(person, name) for name in wanted}, wanted)
    if not found:
        return PersonOut.model_validate(person)
    if "snils" in found and body.snils:
        taken = await session.scalar(
            select(Person.id).where(Person.school_id == school_id, Person.snils == body.snils, Person.id != person_id)
        )
        if taken:
            raise Conflict(f"СНИЛС {body.snils} уже записан у другого человека этой школы.")
    for name, (old, new) in found.items():
        setattr(person, name, wanted[name] or None)
        session.add(
            PersonChange(
                school_id=school_id,
                person_id=person_id,
                field=name,
                old=old,
                new=new,
                reason=body.reason,
                changed_by=caller.person_id,
                changed_at=now,
            )
        )
    person.version += 1
    await session.flush()
    await emit_event(session, person_changed(person), school_id=school_id)
    return PersonOut.model_validate(person)


@router.get("/people/{person_id}/history")
async def person_history(
    school_id: UUID, person_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[ChangeOut]:
    """The card's corrections, oldest first."""
    await editable_person(session, school_id, caller, person_id)
    rows = await session.scalars(
        select(PersonChange)
        .where(PersonChange.school_id == school_id, PersonChange.person_id == person_id)
        .order_by(PersonChange.changed_at, PersonChange.field)
    )
    return [ChangeOut.model_validate(r).model_copy(update={"title": FIELD_TITLES.get(r.field, r.field)}) for r in rows]


class RefusalIn(BaseModel):
    #: The day the family refused the electronic service (R-54); null: the refusal is taken back.
    refused_on: date | None


@router.put("/people/{student_id}/e-service-refusal")
async def set_refusal(
    school_id: UUID,
    student_id: UUID,
    body: RefusalIn,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    now: Now,
) -> PersonOut:
    """Отказ от электронной услуги: printed monthly summaries instead, nothing about the student on the portal."""
    person = await editable_person(session, school_id, caller, student_id)
    if not await session.scalar(select(Enrolment.id).filter_by(school_id=school_id, student_id=student_id).limit(1)):
        raise Invalid("Отказ от электронной услуги оформляется на обучающегося, зачисленного в класс.")
    if body.refused_on and body.refused_on > today:
        raise Invalid("Дата отказа не может быть в будущем.")
    await record_refusal(session, person, body.refused_on, caller.person_id, now)
    return PersonOut.model_validate(person)


async def record_refusal(
    session: AsyncSession, student: Person, refused_on: date | None, changed_by: UUID | None, now: datetime
) -> None:
    """The R-54 refusal (or its end) on the card, logged and told; nothing when it already stands so."""
    if student.e_service_refused_on == refused_on:
        return
    session.add(
        PersonChange(
            school_id=student.school_id,
            person_id=student.id,
            field="e_service_refused_on",
            old=student.e_service_refused_on.isoformat() if student.e_service_refused_on else None,
            new=refused_on.isoformat() if refused_on else None,
            reason="отказ от электронной услуги" if refused_on else "отказ отозван",
            changed_by=changed_by,
            changed_at=now,
        )
    )
    student.e_service_refused_on = refused_on
    student.version += 1
    await session.flush()
    event = ElectronicServiceRefusalChanged(student_id=student.id, version=student.version, refused_on=refused_on)
    await emit_event(session, event, school_id=student.school_id)


class CheckLineOut(BaseModel):
    person_id: UUID
    name: str
    role: str
    changed: list[str]
    missing: list[str]


class CheckOut(BaseModel):
    class_name: str
    month: str
    people: list[CheckLineOut]


@router.get("/classes/{class_id}/personal-data-check")
async def personal_data_check(
    school_id: UUID,
    class_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
) -> CheckOut:
    """Ежемесячная проверка персональных данных классным руководителем (000 §4.3.5): what changed, what is missing."""
    caller.require(school_id, "school_admin", "secretary", "class_teacher")
    school_class = await session.scalar(select(SchoolClass).filter_by(school_id=school_id, id=class_id))
    if school_class is None:
        raise NotFound("Класс не найден.")
    if (
        not caller.has_role(school_id, "school_admin", "secretary")
        and school_class.class_teacher_id != caller.person_id
    ):
        raise Forbidden("Проверку персональных данных ведёт классный руководитель своего класса.")
    month = month or f"{today:%Y-%m}"
    try:
        first = date.fromisoformat(f"{month}-01")
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    except ValueError as exc:
        raise Invalid(f"Месяц «{month}» не подходит: укажите его как 2026-10.") from exc
    students = select(Enrolment.student_id).filter_by(school_id=school_id, class_id=class_id)
    guardians = select(Guardianship.guardian_id).where(
        Guardianship.school_id == school_id, Guardianship.student_id.in_(students)
    )
    people = list(
        await session.scalars(
            select(Person)
            .where(Person.school_id == school_id, or_(Person.id.in_(students), Person.id.in_(guardians)))
            .order_by(Person.last_name, Person.first_name)
        )
    )
    student_ids = set(await session.scalars(students))
    month_changes: dict[UUID, list[tuple[str, str | None, str | None]]] = {}
    for change in await session.scalars(
        select(PersonChange)
        .where(
            PersonChange.school_id == school_id,
            PersonChange.person_id.in_([p.id for p in people]),
            PersonChange.changed_at >= datetime.combine(first, datetime.min.time(), UTC),
            PersonChange.changed_at < datetime.combine(after, datetime.min.time(), UTC),
        )
        .order_by(PersonChange.changed_at)
    ):
        month_changes.setdefault(change.person_id, []).append((change.field, change.old, change.new))
    lines = []
    for p in people:
        role = "student" if p.id in student_ids else "guardian"
        card = {name: getattr(p, name) for name in FIELD_TITLES}
        line = check_line(p.id, f"{p.last_name} {p.first_name}", role, card, month_changes.get(p.id, []))
        lines.append(CheckLineOut(**line.__dict__))
    return CheckOut(class_name=school_class.name, month=month, people=lines)
