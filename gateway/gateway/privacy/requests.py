"""Subjects' requests (152-ФЗ arts. 14, 20, 21): who may ask about whom, their deadline, and their answer.

A parent asks for their own data and their children's, an adult student for their own (a minor's rights are
exercised by their legal representative). A request for anyone else is 404 with nothing hinted (R-1).
Access requests are answered at once with the assembled export; a correction goes to its owner: the school's
office corrects a card field through roster's audited PATCH, a mark goes to its teacher as a gradebook dispute.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.problems import Conflict, Forbidden, Invalid, NotFound
from chassis.subject_data import EXPORTER_ID
from gateway.api.diary import FAMILY_ROLES
from gateway.models import Guardianship, Person
from gateway.privacy.deadlines import answer_deadline, days_in
from gateway.privacy.export import full_name
from gateway.privacy.models import SubjectRequest
from gateway.upstream import Upstreams

ADULT_AGE = 18
#: The card's fields a family may ask to correct (roster's ``PATCH /people/{id}`` checks the new value).
CARD_FIELDS = {
    "last_name": "фамилия",
    "first_name": "имя",
    "middle_name": "отчество",
    "birth_date": "дата рождения",
    "snils": "СНИЛС",
    "phone": "телефон",
    "email": "электронная почта",
    "document_kind": "вид документа",
    "document_number": "серия и номер документа",
}
MARK_FIELD = "mark"
REQUEST_NOT_FOUND = "Запрос не найден."


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def family_schools(caller: Caller) -> set[UUID]:
    return {school for school, role in caller.school_roles if role in FAMILY_ROLES}


async def may_ask(session: AsyncSession, caller: Caller, today: date) -> Person:
    """The requester's account: a parent, or a student of full age; anyone else is told who may ask."""
    roles = {role for _, role in caller.school_roles}
    me = await session.get(Person, caller.person_id)
    if me is None or not roles & FAMILY_ROLES:
        raise Forbidden("Запрос о персональных данных подают родители (законные представители) и обучающиеся.")
    if "guardian" not in roles and (me.birth_date is None or age_on(me.birth_date, today) < ADULT_AGE):
        raise Forbidden("До 18 лет запрос о персональных данных обучающегося подаёт родитель (законный представитель).")
    return me


async def subject_of(session: AsyncSession, caller: Caller, subject_id: UUID) -> tuple[Person, UUID]:
    """The requester or one of their children, with the school of that tie; anyone else is 404 (R-1)."""
    if subject_id == caller.person_id:
        person = await session.get(Person, subject_id)
        schools = sorted(family_schools(caller), key=str)
        if person is not None and schools:
            return person, (person.school_id if person.school_id in schools else schools[0])
    else:
        tie = await session.get(Guardianship, (caller.person_id, subject_id))
        person = await session.get(Person, subject_id) if tie is not None else None
        if tie is not None and person is not None:
            return person, tie.school_id
    raise NotFound("Человек не найден.")


#: The school's holidays and its working weekends.
Calendar = tuple[frozenset[date], frozenset[date]]


async def school_calendar(upstreams: Upstreams, caller: Caller, school_id: UUID, today: date) -> Calendar:
    """The school's holidays and working weekends of the year around ``today``, from roster; none if it has none.

    Without a calendar only weekends are skipped: the deadline then comes earlier, never later.
    """
    years = await upstreams.send("roster", "GET", f"/schools/{school_id}/years", caller)
    if years.status_code != 200:
        return frozenset(), frozenset()
    holidays: set[date] = set()
    working: set[date] = set()
    for year in years.json():
        if date.fromisoformat(year["ends"]) < today:
            continue
        calendar = await upstreams.send("roster", "GET", f"/schools/{school_id}/years/{year['id']}/calendar", caller)
        if calendar.status_code != 200:
            continue
        found = calendar.json()
        holidays |= days_in((date.fromisoformat(h["starts"]), date.fromisoformat(h["ends"])) for h in found["holidays"])
        working |= {date.fromisoformat(t["day"]) for t in found["transfers"]}
    return frozenset(holidays), frozenset(working)


def new_request(
    caller: Caller,
    me: Person,
    subject: Person,
    school_id: UUID,
    kind: str,
    received_on: date,
    calendar: Calendar,
    **fields: Any,
) -> SubjectRequest:
    return SubjectRequest(
        # Its own id at once: the export's files are stored under it before the row is written.
        id=uuid4(),
        school_id=school_id,
        requester_id=caller.person_id,
        requester_name=full_name(me),
        kind=kind,
        subject_id=subject.person_id,
        subject_name=full_name(subject),
        received_on=received_on,
        deadline=answer_deadline(received_on, *calendar),
        **fields,
    )


def answered_by_export(request: SubjectRequest, now: datetime, sent: dict[str, Any]) -> None:
    """The access request's answer: the export itself, logged with what it held."""
    request.status = "answered"
    request.answered_at = now
    request.answered_by = EXPORTER_ID
    request.answered_by_name = "Электронный журнал (выгрузка по запросу)"
    request.answer = "Сведения выданы: выписка в форматах JSON и PDF доступна заявителю в личном кабинете."
    request.sent = sent


def check_correction(field: str | None, mark_id: UUID | None, wanted: str | None) -> str:
    """The field to correct and what is asked: a card field, or a mark with the family's words."""
    if field == MARK_FIELD:
        if mark_id is None:
            raise Invalid("Укажите отметку, которую нужно исправить.")
        return "gradebook"
    if field not in CARD_FIELDS:
        raise Invalid("Такого поля нет. Исправить можно: " + ", ".join(CARD_FIELDS.values()) + " или отметку.")
    if not wanted:
        raise Invalid(f"Напишите верное значение поля «{CARD_FIELDS[field]}».")
    return "roster"


async def own_request(session: AsyncSession, caller: Caller, request_id: UUID) -> SubjectRequest:
    """The requester's own request; another's is 404 (R-1)."""
    found = await session.get(SubjectRequest, request_id)
    if found is None or found.requester_id != caller.person_id:
        raise NotFound(REQUEST_NOT_FOUND)
    return found


def school_admin(caller: Caller, school_id: UUID) -> None:
    caller.tenant_for(school_id)
    caller.require(school_id, "school_admin")


async def school_request(session: AsyncSession, caller: Caller, school_id: UUID, request_id: UUID) -> SubjectRequest:
    school_admin(caller, school_id)
    found = await session.get(SubjectRequest, request_id, with_for_update=True)
    if found is None or found.school_id != school_id:
        raise NotFound(REQUEST_NOT_FOUND)
    return found


def answered(request: SubjectRequest, caller: Caller, outcome: str, text: str, now: datetime) -> None:
    """The owner's answer, logged: who, when, what they said (``done``: corrected; ``refused``: why not)."""
    if request.status != "open":
        raise Conflict("На этот запрос уже дан ответ.")
    request.status = "answered" if outcome == "done" else "refused"
    request.answered_at = now
    request.answered_by = caller.person_id
    request.answered_by_name = caller.name
    request.answer = text


async def school_requests(session: AsyncSession, school_id: UUID, only_open: bool) -> list[SubjectRequest]:
    query = select(SubjectRequest).where(SubjectRequest.school_id == school_id)
    if only_open:
        query = query.where(SubjectRequest.status == "open")
    return list(await session.scalars(query.order_by(SubjectRequest.deadline, SubjectRequest.received_at)))


async def requests_of(session: AsyncSession, requester_id: UUID) -> list[SubjectRequest]:
    query = select(SubjectRequest).where(SubjectRequest.requester_id == requester_id)
    return list(await session.scalars(query.order_by(SubjectRequest.received_at.desc())))
