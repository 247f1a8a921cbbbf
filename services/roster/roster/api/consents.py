"""Согласия на обработку персональных данных (R-5): a person's consents per purpose, with their history.

The office records a consent or its withdrawal from the paper it rests on, naming who signed; a family
withdraws a purpose itself in the diary. Every record is a new row and a ConsentChanged event, so a
withdrawal stops that processing in every service at once.
"""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import Conflict, Forbidden, Invalid, NotFound
from contracts.roster import CONSENT_PURPOSES as PURPOSES
from contracts.roster import ConsentChanged, ConsentPurpose
from roster.api.access import ties_between
from roster.api.person_data import Now, record_refusal
from roster.consents import next_version
from roster.domain.cards import CardView, Tie, card_view
from roster.domain.consents import Parties, Standing, giving_refusal, standing, withdrawal_refusal
from roster.models import Consent, Enrolment, Guardianship, Person

router = APIRouter(prefix="/schools/{school_id}/people/{person_id}/consents", tags=["consents"])

#: Who records consents from papers.
CONSENT_KEEPERS = ("school_admin", "secretary")

#: What a family's own withdrawal in the diary rests on.
DIARY_APPLICATION = "заявление в электронном дневнике"

STANDING_TEXTS = {
    Standing.REPRESENTATIVE: "младше 14 лет: согласие даёт родитель (законный представитель)",
    Standing.TOGETHER: "с 14 до 18 лет: согласие даёт сам обучающийся вместе с родителем",
    Standing.SELF: "согласие даёт сам человек",
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=100)]


class ConsentIn(BaseModel):
    purpose: ConsentPurpose
    action: Literal["given", "withdrawn"]
    #: Who signed; a family's own withdrawal is signed by the caller and may leave it out.
    signer_id: UUID | None = None
    #: The parent who agrees with a student of 14–17.
    co_signer_id: UUID | None = None
    document_kind: Text | None = None
    document_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] | None = None
    document_date: date | None = None


class PartyOut(BaseModel):
    id: UUID
    name: str


class RecordOut(BaseModel):
    version: int
    purpose: str
    title: str
    action: str
    signer: PartyOut | None
    co_signer: PartyOut | None
    document_kind: str | None
    document_number: str | None
    document_date: date | None
    recorded_at: datetime


class PurposeOut(BaseModel):
    purpose: str
    title: str
    granted: bool
    #: The record the purpose stands on; None: never recorded.
    record: RecordOut | None
    #: Whether the caller may withdraw it themself (the family in the diary).
    may_withdraw: bool


class ConsentsOut(BaseModel):
    person_id: UUID
    name: str
    #: Who signs for the person today, in words; None: a student whose birth date is not known.
    who_signs: str | None
    guardians: list[PartyOut]
    purposes: list[PurposeOut]
    #: Every record, newest first.
    history: list[RecordOut]


class Subject:
    """The person whose consent it is, with what decides who signs for them."""

    def __init__(self, person: Person, is_student: bool, guardians: dict[UUID, str]) -> None:
        self.person = person
        self.is_student = is_student
        self.guardians = guardians

    def standing(self, today: date) -> Standing | None:
        try:
            return standing(self.is_student, self.person.birth_date, today)
        except ValueError:
            return None

    def parties(self, signer: UUID, co_signer: UUID | None) -> Parties:
        return Parties(self.person.id, signer, co_signer, frozenset(self.guardians))


def full_name(person: Person) -> str:
    return " ".join(part for part in (person.last_name, person.first_name, person.middle_name) if part)


async def load_subject(
    session: AsyncSession, school_id: UUID, person_id: UUID, caller: Caller, *, lock: bool = False
) -> tuple[Subject, frozenset[Tie]]:
    """The person, if the caller may read their card in full (R-1: else not there); locked to record."""
    query = select(Person).filter_by(school_id=school_id, id=person_id)
    person = await session.scalar(query.with_for_update() if lock else query)
    ties: frozenset[Tie] = frozenset()
    if person is not None:
        ties = await ties_between(session, school_id, caller.person_id, person_id)
    if person is None or card_view(caller.roles_in(school_id), caller.oversees(school_id), ties) is not CardView.FULL:
        raise NotFound("Человек не найден.")
    is_student = await session.scalar(
        select(exists().where(Enrolment.school_id == school_id, Enrolment.student_id == person_id))
    )
    guardians = await session.execute(
        select(Person.id, Person)
        .join(Guardianship, Guardianship.guardian_id == Person.id)
        .where(Guardianship.school_id == school_id, Guardianship.student_id == person_id)
    )
    return Subject(person, bool(is_student), {g: full_name(p) for g, p in guardians}), ties


async def records_of(session: AsyncSession, school_id: UUID, person_id: UUID) -> list[Consent]:
    """The person's records, oldest first."""
    found = await session.scalars(
        select(Consent).where(Consent.school_id == school_id, Consent.person_id == person_id).order_by(Consent.version)
    )
    return list(found)


def latest_by_purpose(records: list[Consent]) -> dict[str, Consent]:
    return {record.purpose: record for record in records}


async def describe(
    session: AsyncSession, school_id: UUID, subject: Subject, caller: Caller, today: date
) -> ConsentsOut:
    records = await records_of(session, school_id, subject.person.id)
    party_ids = {i for r in records for i in (r.signer_id, r.co_signer_id) if i}
    names = {p.id: full_name(p) for p in await session.scalars(select(Person).where(Person.id.in_(party_ids)))}

    def party(person_id: UUID | None) -> PartyOut | None:
        return PartyOut(id=person_id, name=names.get(person_id, "")) if person_id else None

    def out(record: Consent) -> RecordOut:
        return RecordOut(
            version=record.version,
            purpose=record.purpose,
            title=PURPOSES[record.purpose],
            action=record.action,
            signer=party(record.signer_id),
            co_signer=party(record.co_signer_id),
            document_kind=record.document_kind,
            document_number=record.document_number,
            document_date=record.document_date,
            recorded_at=record.recorded_at,
        )

    who = subject.standing(today)
    latest = latest_by_purpose(records)
    purposes = []
    for purpose, title in PURPOSES.items():
        record = latest.get(purpose)
        granted = record is not None and record.action == "given"
        may = (
            granted
            and who is not None
            and withdrawal_refusal(caller.person_id, subject.parties(caller.person_id, None), who, frozenset()) is None
        )
        purposes.append(
            PurposeOut(
                purpose=purpose, title=title, granted=granted, record=out(record) if record else None, may_withdraw=may
            )
        )
    return ConsentsOut(
        person_id=subject.person.id,
        name=full_name(subject.person),
        who_signs=STANDING_TEXTS[who] if who else None,
        guardians=[PartyOut(id=g, name=n) for g, n in sorted(subject.guardians.items(), key=lambda item: item[1])],
        purposes=purposes,
        history=[out(r) for r in reversed(records)],
    )


@router.get("")
async def person_consents(
    school_id: UUID, person_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> ConsentsOut:
    """The person's consents per purpose and their history: for the office, the person, and a child's parents."""
    subject, _ = await load_subject(session, school_id, person_id, caller)
    return await describe(session, school_id, subject, caller, today)


@router.post("", status_code=201)
async def record_consent(
    school_id: UUID,
    person_id: UUID,
    body: ConsentIn,
    caller: CallerDep,
    session: SchoolSession,
    today: SchoolToday,
    now: Now,
) -> ConsentsOut:
    """Согласие дано или отозвано: the office from a paper; the person or a child's parent may withdraw."""
    subject, ties = await load_subject(session, school_id, person_id, caller, lock=True)
    office = caller.has_role(school_id, *CONSENT_KEEPERS)
    if office:
        if body.signer_id is None:
            raise Invalid("Укажите, кто подписал согласие или отзыв.")
        if body.document_kind is None or body.document_date is None:
            raise Invalid("Укажите документ: его вид и дату.")
        if body.document_date > today:
            raise Invalid("Дата документа не может быть в будущем.")
        signer, co_signer = body.signer_id, body.co_signer_id
        document = (body.document_kind, body.document_number, body.document_date)
    else:
        if not ties & {Tie.SELF, Tie.CHILD}:
            raise Forbidden("Согласия записывает администрация школы.")
        if body.action != "withdrawn":
            raise Forbidden("Согласие даётся в школе по письменному документу; в дневнике его можно только отозвать.")
        if body.signer_id not in (None, caller.person_id) or body.co_signer_id is not None:
            raise Forbidden("В дневнике отзыв подписывает тот, кто его отправляет.")
        signer, co_signer = caller.person_id, None
        document = (DIARY_APPLICATION, None, today)
    who = subject.standing(today)
    if who is None:
        raise Invalid("Укажите дату рождения обучающегося: от неё зависит, кто даёт согласие.")
    title = PURPOSES[body.purpose]
    current = latest_by_purpose(await records_of(session, school_id, person_id)).get(body.purpose)
    parties = subject.parties(signer, co_signer)
    if body.action == "given":
        refusal = giving_refusal(parties, who)
        if refusal:
            raise Invalid(refusal)
    else:
        if current is None or current.action != "given":
            raise Conflict(f"Согласия на «{title}» сейчас нет: отзывать нечего.")
        gave = frozenset(i for i in (current.signer_id, current.co_signer_id) if i)
        refusal = withdrawal_refusal(signer, parties, who, gave)
        if refusal:
            raise Forbidden(refusal) if not office else Invalid(refusal)
    version = await next_version(session, person_id)
    session.add(
        Consent(
            school_id=school_id,
            person_id=person_id,
            version=version,
            purpose=body.purpose,
            action=body.action,
            signer_id=signer,
            co_signer_id=co_signer,
            document_kind=document[0],
            document_number=document[1],
            document_date=document[2],
            recorded_by=caller.person_id,
            recorded_at=now,
        )
    )
    await session.flush()
    event = ConsentChanged(person_id=person_id, purpose=body.purpose, granted=body.action == "given", version=version)
    await emit_event(session, event, school_id=school_id)
    if body.purpose == "diary" and subject.is_student:
        # Without consent to the electronic diary the family is one that refused the electronic service:
        # the diary closes to them, the portal leaves the student out and the school prints the month instead.
        refused_on = None if body.action == "given" else (subject.person.e_service_refused_on or today)
        await record_refusal(session, subject.person, refused_on, caller.person_id, now)
    return await describe(session, school_id, subject, caller, today)
