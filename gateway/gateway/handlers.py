"""Accounts from roster's events (R-2): people, their roles per school, school names.

Every handler is an upsert, so a replayed or reordered event leaves the same state
(a role may arrive before its person; the role row waits for it).
"""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.replicas import insert_once, upsert
from contracts.roster import (
    GuardianshipLinked,
    PersonRegistered,
    SchoolRegistered,
    StaffRoleGranted,
    StudentEnrolled,
)
from gateway.domain.accounts import snils_digits
from gateway.models import Guardianship, Person, School, SchoolRole

consumer = Consumer("gateway.accounts")


async def _grant(session: AsyncSession, envelope: Envelope, person_id: UUID, role: str) -> None:
    await insert_once(session, SchoolRole, {"person_id": person_id, "school_id": envelope.schoolid, "role": role})


@consumer.on(SchoolRegistered)
async def school_registered(session: AsyncSession, event: SchoolRegistered, envelope: Envelope) -> None:
    values = {"name": event.name, "short_name": event.short_name}
    await upsert(session, School, {"school_id": event.school_id}, values)


@consumer.on(PersonRegistered)
async def person_registered(session: AsyncSession, event: PersonRegistered, envelope: Envelope) -> None:
    values = {
        "school_id": envelope.schoolid,
        "last_name": event.last_name,
        "first_name": event.first_name,
        "middle_name": event.middle_name,
        "birth_date": event.birth_date,
        "snils_digits": snils_digits(event.snils),
        # A school's oid is a hint: only a login whose ESIA data match binds it (issue 7, R-2).
        "stated_esia_oid": event.esia_oid,
    }
    await upsert(session, Person, {"person_id": event.person_id}, values)


@consumer.on(StaffRoleGranted)
async def staff_role_granted(session: AsyncSession, event: StaffRoleGranted, envelope: Envelope) -> None:
    await _grant(session, envelope, event.person_id, event.role)


@consumer.on(StudentEnrolled)
async def student_enrolled(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    await _grant(session, envelope, event.student_id, "student")


@consumer.on(GuardianshipLinked)
async def guardianship_linked(session: AsyncSession, event: GuardianshipLinked, envelope: Envelope) -> None:
    await _grant(session, envelope, event.guardian_id, "guardian")
    key = {"guardian_id": event.guardian_id, "student_id": event.student_id}
    await insert_once(session, Guardianship, key, {"school_id": envelope.schoolid})
