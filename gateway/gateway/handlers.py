"""Accounts from roster's events (R-2): people, their roles per school, school names.

Every handler is an upsert, so a replayed or reordered event leaves the same state
(a role may arrive before its person; the role row waits for it). An ended role, guardianship or
a student who left (R-4) removes what it gave: roles are read at every request, so open sessions
lose the access with the next request, not at the next login.
"""

from uuid import UUID

from sqlalchemy import case, delete, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.replicas import insert_once, newer, upsert
from contracts.roster import (
    ElectronicServiceRefusalChanged,
    GuardianshipEnded,
    GuardianshipLinked,
    PersonChanged,
    PersonRegistered,
    SchoolRegistered,
    SchoolSettingsChanged,
    StaffRoleEnded,
    StaffRoleGranted,
    StudentEnrolled,
    StudentLeftSchool,
)
from gateway.domain.accounts import snils_digits
from gateway.models import EServiceRefusal, Guardianship, LeftStudent, Person, School, SchoolRole
from gateway.portal import release_withheld

consumer = Consumer("gateway.accounts")


async def _grant(session: AsyncSession, envelope: Envelope, person_id: UUID, role: str) -> None:
    await insert_once(session, SchoolRole, {"person_id": person_id, "school_id": envelope.schoolid, "role": role})


@consumer.on(SchoolRegistered)
async def school_registered(session: AsyncSession, event: SchoolRegistered, envelope: Envelope) -> None:
    names = {"name": event.name, "short_name": event.short_name}
    statement = insert(School).values(
        school_id=event.school_id,
        timezone=event.timezone,
        settings_version=0,
        municipality_id=event.municipality_id,
        **names,
    )
    # A settings change that came first keeps its zone and municipality (registration is version 0).
    municipality = case(
        (School.settings_version == 0, statement.excluded.municipality_id), else_=School.municipality_id
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[School.school_id], set_=names | {"municipality_id": municipality}
        )
    )


@consumer.on(SchoolSettingsChanged)
async def school_settings_changed(session: AsyncSession, event: SchoolSettingsChanged, envelope: Envelope) -> None:
    settings = {"timezone": event.timezone, "settings_version": event.version}
    if event.municipality_id is not None:
        settings["municipality_id"] = event.municipality_id
    # Before its registration arrives the school has no name yet; registration fills it in.
    statement = insert(School).values(school_id=event.school_id, name="", short_name="", **settings)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[School.school_id],
            set_=settings,
            where=School.settings_version < statement.excluded.settings_version,
        )
    )


@consumer.on(PersonRegistered)
@consumer.on(PersonChanged)
async def person_registered(session: AsyncSession, event: PersonRegistered | PersonChanged, envelope: Envelope) -> None:
    values = {
        "school_id": envelope.schoolid,
        "last_name": event.last_name,
        "first_name": event.first_name,
        "middle_name": event.middle_name,
        "birth_date": event.birth_date,
        "snils_digits": snils_digits(event.snils),
        # A school's oid is a hint: only a login whose ESIA data match binds it (issue 7, R-2).
        "stated_esia_oid": event.esia_oid,
        "version": event.version,
    }
    # A late registration or older change (a redelivery, a replay) never undoes a correction.
    await upsert(session, Person, {"person_id": event.person_id}, values, only_if=lambda new: newer(Person, new))
    if event.esia_oid is not None:
        # what the portal could not be told while the student had no oid goes out now, once.
        await release_withheld(session, [event.person_id])


@consumer.on(StaffRoleGranted)
async def staff_role_granted(session: AsyncSession, event: StaffRoleGranted, envelope: Envelope) -> None:
    await _grant(session, envelope, event.person_id, event.role)


@consumer.on(StudentEnrolled)
async def student_enrolled(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    await _grant(session, envelope, event.student_id, "student")
    await session.execute(delete(LeftStudent).where(LeftStudent.student_id == event.student_id))


@consumer.on(GuardianshipLinked)
async def guardianship_linked(session: AsyncSession, event: GuardianshipLinked, envelope: Envelope) -> None:
    await _grant(session, envelope, event.guardian_id, "guardian")
    key = {"guardian_id": event.guardian_id, "student_id": event.student_id}
    await insert_once(session, Guardianship, key, {"school_id": envelope.schoolid})


async def _revoke(session: AsyncSession, envelope: Envelope, person_id: UUID, role: str) -> None:
    await session.execute(
        delete(SchoolRole).where(
            SchoolRole.person_id == person_id, SchoolRole.school_id == envelope.schoolid, SchoolRole.role == role
        )
    )


@consumer.on(StaffRoleEnded)
async def staff_role_ended(session: AsyncSession, event: StaffRoleEnded, envelope: Envelope) -> None:
    await _revoke(session, envelope, event.person_id, event.role)


@consumer.on(StudentLeftSchool)
async def student_left(session: AsyncSession, event: StudentLeftSchool, envelope: Envelope) -> None:
    await _revoke(session, envelope, event.student_id, "student")
    values = {"school_id": envelope.schoolid, "left_on": event.left_on}
    await upsert(session, LeftStudent, {"student_id": event.student_id}, values)


@consumer.on(GuardianshipEnded)
async def guardianship_ended(session: AsyncSession, event: GuardianshipEnded, envelope: Envelope) -> None:
    await session.execute(
        delete(Guardianship).where(
            Guardianship.guardian_id == event.guardian_id, Guardianship.student_id == event.student_id
        )
    )
    # The parent stays a guardian of the school while another child of theirs is in it.
    others = select(Guardianship.student_id).where(
        Guardianship.guardian_id == event.guardian_id, Guardianship.school_id == envelope.schoolid
    )
    if not await session.scalar(select(exists(others))):
        await _revoke(session, envelope, event.guardian_id, "guardian")


@consumer.on(ElectronicServiceRefusalChanged)
async def refusal_changed(session: AsyncSession, event: ElectronicServiceRefusalChanged, envelope: Envelope) -> None:
    values = {"school_id": envelope.schoolid, "refused_on": event.refused_on, "version": event.version}
    await upsert(
        session,
        EServiceRefusal,
        {"student_id": event.student_id},
        values,
        only_if=lambda new: EServiceRefusal.version < new.version,
    )
