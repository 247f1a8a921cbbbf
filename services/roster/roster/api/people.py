"""People of a school: students, parents and staff, entered after consent (R-5)."""

from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import select

from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import Conflict, NotFound
from roster.api.access import ties_between
from roster.consents import record_entry_consents
from roster.domain.cards import CardView, card_view
from roster.domain.people import normalize_snils
from roster.events import person_registered
from roster.models import Person

router = APIRouter(prefix="/schools/{school_id}/people", tags=["people"])

#: Who may enter people's personal data.
PEOPLE_EDITORS = ("school_admin", "secretary", "class_teacher")


class PersonIn(BaseModel):
    last_name: str = Field(min_length=1, max_length=100)
    first_name: str = Field(min_length=1, max_length=100)
    middle_name: str | None = Field(default=None, max_length=100)
    birth_date: date | None = None
    snils: Annotated[str, AfterValidator(normalize_snils)] | None = None
    esia_oid: str | None = Field(default=None, max_length=64, pattern=r"^\d+$")
    consent: Literal[True] = Field(description="Согласие на обработку персональных данных получено (152-ФЗ)")


class PersonName(BaseModel):
    """The card as a student's family or a subject teacher sees it: names only (R-5)."""

    model_config = ConfigDict(from_attributes=True)
    id: UUID
    last_name: str
    first_name: str
    middle_name: str | None


class PersonOut(PersonName):
    birth_date: date | None
    snils: str | None = None
    phone: str | None = None
    email: str | None = None
    document_kind: str | None = None
    document_number: str | None = None
    #: R-54: the day the family refused the electronic service; None: they use it.
    e_service_refused_on: date | None = None
    #: The school a transferred student came from (R-16).
    source_school_id: UUID | None = None
    version: int = 1


@router.post("", status_code=201)
async def register_person(school_id: UUID, body: PersonIn, caller: CallerDep, session: SchoolSession) -> PersonOut:
    caller.require(school_id, *PEOPLE_EDITORS)
    if body.snils and await session.scalar(select(Person.id).filter_by(school_id=school_id, snils=body.snils)):
        raise Conflict("Человек с таким СНИЛС уже есть в школе.")
    if body.esia_oid and await session.scalar(select(Person.id).filter_by(school_id=school_id, esia_oid=body.esia_oid)):
        raise Conflict("Человек с такой учётной записью ЕСИА уже есть в школе.")
    data = body.model_dump(exclude={"consent"})
    person = Person(school_id=school_id, **data)
    session.add(person)
    await session.flush()
    await record_entry_consents(session, school_id, [person.id], datetime.now(UTC))
    await emit_event(session, person_registered(person), school_id=school_id)
    return PersonOut.model_validate(person)


@router.get("/{person_id}")
async def get_person(
    school_id: UUID, person_id: UUID, caller: CallerDep, session: SchoolSession
) -> PersonOut | PersonName:
    """A person's card, as much of it as the reader's role and ties allow (``domain.cards``)."""
    person = await session.scalar(select(Person).filter_by(school_id=school_id, id=person_id))
    view = None
    if person is not None:
        ties = await ties_between(session, school_id, caller.person_id, person_id)
        view = card_view(caller.roles_in(school_id), caller.oversees(school_id), ties)
    if view is None:
        # a card one may not read is not there, as for a stranger to the school.
        raise NotFound("Человек не найден.")
    return PersonOut.model_validate(person) if view is CardView.FULL else PersonName.model_validate(person)
