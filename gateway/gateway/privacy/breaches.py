"""The breach register (152-ФЗ art. 21 part 3.1): incidents, their deadlines, and whose data a compromised account
reached in its window, from the access log (R-5) as the compromise flow reads it (``gateway.compromise``)."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.problems import Invalid, NotFound
from gateway.compromise import operations_between
from gateway.models import Person
from gateway.privacy.export import full_name
from gateway.privacy.exposure import exposure
from gateway.privacy.models import BreachIncident
from gateway.upstream import Upstreams

#: Where a class's or a course's pupils are listed, for the school's administrator.
GROUP_MEMBERS = {
    "class": ("roster", "/schools/{school}/classes/{id}/students"),
    "course": ("gradebook", "/schools/{school}/courses/{id}/students"),
}


@dataclass(frozen=True)
class AffectedPerson:
    person_id: UUID
    name: str
    #: ``named``: a request named them (a card, a diary); ``class``/``course``: their class's journal was read.
    how: str
    first_at: datetime
    last_at: datetime
    requests: int


def check_window(detected_at: datetime, start: datetime | None, end: datetime | None, now: datetime) -> None:
    if detected_at > now:
        raise Invalid("Момент обнаружения инцидента не может быть в будущем.")
    if start is not None and end is not None and end < start:
        raise Invalid("Конец периода раньше его начала.")
    if start is not None and start > detected_at:
        raise Invalid("Период доступа не может начинаться после обнаружения инцидента.")


async def incident_of(session: AsyncSession, school_id: UUID, incident_id: UUID) -> BreachIncident:
    found = await session.get(BreachIncident, incident_id)
    if found is None or found.school_id != school_id:
        raise NotFound("Инцидент не найден.")
    return found


async def account_in_school(session: AsyncSession, school_id: UUID, person_id: UUID) -> Person:
    """The compromised account must be a person the school knows; another school's is 404."""
    person = await session.get(Person, person_id)
    if person is None or person.school_id != school_id:
        raise NotFound("Учётная запись не найдена в этой школе.")
    return person


async def affected(
    session: AsyncSession, upstreams: Upstreams, admin: Caller, incident: BreachIncident
) -> list[AffectedPerson]:
    """Whose data the incident's account reached from ``window_start`` to ``window_end``, by name; a window without
    an end is still open (the account may not be its owner's yet), so it runs to now."""
    if incident.account_id is None or incident.window_start is None:
        return []
    done = await operations_between(session, incident.account_id, incident.window_start, incident.window_end)
    found = exposure((o.at, o.path, o.status) for o in done)
    people: dict[UUID, AffectedPerson] = {}
    names = {
        p.person_id: full_name(p)
        for p in await session.scalars(select(Person).where(Person.person_id.in_(list(found.people))))
    }
    for person_id, (first, last, count) in found.people.items():
        people[person_id] = AffectedPerson(person_id, names.get(person_id, "—"), "named", first, last, count)
    for (kind, group_id), (first, last, count) in found.groups.items():
        service, path = GROUP_MEMBERS[kind]
        answer = await upstreams.send(service, "GET", path.format(school=incident.school_id, id=group_id), admin)
        if answer.status_code != 200:
            continue
        for pupil in answer.json():
            if pupil["student_id"] not in {str(p) for p in people}:
                pupil_id = UUID(pupil["student_id"])
                people[pupil_id] = AffectedPerson(pupil_id, pupil.get("name") or "—", kind, first, last, count)
    return sorted(people.values(), key=lambda p: p.name)


async def school_incidents(session: AsyncSession, school_id: UUID) -> list[BreachIncident]:
    query = select(BreachIncident).where(BreachIncident.school_id == school_id)
    return list(await session.scalars(query.order_by(BreachIncident.detected_at.desc())))
