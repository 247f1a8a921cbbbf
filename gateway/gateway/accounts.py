"""Accounts: who an ESIA identity is here, and what they may do (plain functions taking a session)."""

from uuid import NAMESPACE_URL, UUID, uuid5

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import MUNICIPAL_ROLE, Caller
from gateway.domain.accounts import (
    Account,
    EsiaIdentity,
    NoMatch,
    confirmed_children,
    match_account,
    snils_digits,
)
from gateway.models import Guardianship, Person, RegionAccount, School, SchoolRole
from gateway.portal import release_withheld

REGION_ROLES = ("region_admin", "inspector", "municipal_admin")


def _account(person: Person) -> Account:
    return Account(
        person_id=person.person_id,
        last_name=person.last_name,
        first_name=person.first_name,
        birth_date=person.birth_date,
        snils_digits=person.snils_digits,
        esia_oid=person.esia_oid,
        school_id=person.school_id,
        stated_oid=person.stated_esia_oid,
    )


async def find_person(session: AsyncSession, identity: EsiaIdentity) -> frozenset[UUID] | NoMatch:
    """The accounts (one per school) this ESIA identity logs in as (R-2); new matches are bound to the oid."""
    bound = [_account(p) for p in await session.scalars(select(Person).where(Person.esia_oid == identity.oid))]
    esia_snils = snils_digits(identity.snils)
    hints = [Person.stated_esia_oid == identity.oid] + ([Person.snils_digits == esia_snils] if esia_snils else [])
    candidates = [_account(p) for p in await session.scalars(select(Person).where(or_(*hints)))]
    matched = match_account(identity, bound, candidates)
    if isinstance(matched, frozenset):
        bound_now = await session.scalars(
            update(Person)
            .where(Person.person_id.in_(matched), Person.esia_oid.is_(None))
            .values(esia_oid=identity.oid)
            .returning(Person.person_id)
        )
        # a student the portal could not be told about until this login.
        await release_withheld(session, list(bound_now))
    if matched is NoMatch.UNKNOWN:
        region_person = await session.scalar(
            select(RegionAccount.person_id).where(RegionAccount.esia_oid == identity.oid).limit(1)
        )
        if region_person is not None:
            return frozenset({region_person})
    return matched


async def caller_for(session: AsyncSession, person_id: UUID, esia_oid: str | None) -> Caller:
    """The caller as of now: roles are read at every request, so a granted or lost role applies at once.

    Region roles belong to ESIA accounts only; a local login (no oid) never carries them.
    """
    person = await session.get(Person, person_id)
    region = (
        list(
            await session.execute(
                select(RegionAccount.role, RegionAccount.name, RegionAccount.municipality_id).filter_by(
                    esia_oid=esia_oid
                )
            )
        )
        if esia_oid is not None
        else []
    )
    # a municipal administrator reads the schools of their municipality (those the gateway has heard of).
    municipality = next((row.municipality_id for row in region if row.role == MUNICIPAL_ROLE), None)
    municipal = (
        frozenset(await session.scalars(select(School.school_id).where(School.municipality_id == municipality)))
        if municipality
        else frozenset()
    )
    if person is not None:
        name = " ".join(p for p in (person.last_name, person.first_name, person.middle_name) if p)
    else:
        name = region[0].name if region else ""
    roles = await session.execute(select(SchoolRole.school_id, SchoolRole.role).filter_by(person_id=person_id))
    return Caller(
        person_id=person_id,
        name=name,
        school_roles=frozenset((school_id, role) for school_id, role in roles),
        region_roles=frozenset(row.role for row in region),
        municipality_id=municipality,
        municipal_schools=municipal,
    )


def region_person_id(esia_oid: str) -> UUID:
    """The same oid always gets the same person id, so granting twice changes nothing."""
    return uuid5(NAMESPACE_URL, f"esia:{esia_oid}")


async def grant_region_role(
    session: AsyncSession, *, esia_oid: str, role: str, name: str, municipality_id: UUID | None = None
) -> UUID:
    """A region-wide role for an ESIA account; the municipal administrator's names their municipality."""
    if (role == MUNICIPAL_ROLE) != (municipality_id is not None):
        raise ValueError("a municipality goes with the municipal administrator's role, and only with it")
    person_id = region_person_id(esia_oid)
    values = {"name": name, "municipality_id": municipality_id}
    await session.execute(
        insert(RegionAccount)
        .values(esia_oid=esia_oid, role=role, person_id=person_id, **values)
        .on_conflict_do_update(index_elements=[RegionAccount.esia_oid, RegionAccount.role], set_=values)
    )
    return person_id


async def all_school_names(session: AsyncSession) -> dict[UUID, str]:
    """Every school the gateway has heard of: the region's list for its administrator and inspectors."""
    rows = await session.execute(select(School.school_id, School.short_name).order_by(School.short_name))
    return {school_id: name for school_id, name in rows}


async def school_names(session: AsyncSession, school_ids: set[UUID]) -> dict[UUID, str]:
    """Short names of schools, as the header and role lists show them."""
    rows = await session.execute(select(School.school_id, School.short_name).where(School.school_id.in_(school_ids)))
    return {school_id: name for school_id, name in rows}


async def home_zone(session: AsyncSession, school_ids: set[UUID], default: str) -> str:
    """The time zone of a person's pages: their schools' (the first by name if zones differ), else the region's."""
    zone = await session.scalar(
        select(School.timezone).where(School.school_id.in_(school_ids)).order_by(School.short_name).limit(1)
    )
    return zone or default


async def unverified_children(session: AsyncSession, guardian_ids: frozenset[UUID]) -> list[Person]:
    """The children linked to these accounts whose link ESIA has not confirmed yet."""
    return list(
        await session.scalars(
            select(Person)
            .join(Guardianship, Guardianship.student_id == Person.person_id)
            .where(Guardianship.guardian_id.in_(guardian_ids), Guardianship.verified_at.is_(None))
        )
    )


async def verify_guardianships(
    session: AsyncSession, guardian_ids: frozenset[UUID], children: list[Person], kids: list[EsiaIdentity]
) -> set[UUID]:
    """Marks verified the links of these accounts to the children ESIA's ``/kids`` lists; those children."""
    confirmed = confirmed_children(kids, [_account(child) for child in children])
    if confirmed:
        await session.execute(
            update(Guardianship)
            .where(Guardianship.guardian_id.in_(guardian_ids), Guardianship.student_id.in_(confirmed))
            .values(verified_at=func.now())
        )
    return confirmed
