"""Local logins (R-2): issued by the school's administrator, checked at login, changed by their holder.

Plain functions taking a session; the rules are in ``gateway.domain.local_logins`` and ``gateway.domain.passwords``.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.problems import Conflict, Forbidden, Invalid, NotFound
from gateway.domain.local_logins import (
    failures_that_matter,
    is_staff,
    issuance_refusal,
    locked_until,
    login_base,
    must_change_password,
    unique_login,
)
from gateway.domain.passwords import (
    hash_password,
    needs_rehash,
    new_password_problem,
    temporary_password,
    verify_password,
)
from gateway.models import (
    LocalLogin,
    LocalLoginAudit,
    LoginFailure,
    Person,
    RegionAccount,
    SchoolRole,
)
from gateway.sessions import end_sessions

#: Verified when the login is unknown, so a wrong login takes as long as a wrong password.
_DUMMY_HASH = hash_password("no such login")


@dataclass(frozen=True)
class Issued:
    person_id: UUID
    login: str
    temporary_password: str
    #: The person had a login already: this is a new temporary password for it.
    reset: bool


@dataclass(frozen=True)
class Refused:
    """The login failed; ``locked_until`` is set when the login is (now) locked."""

    locked_until: datetime | None = None


def _audit(
    session: AsyncSession, action: str, login: LocalLogin, actor_id: UUID | None, school_id: UUID | None
) -> None:
    session.add(
        LocalLoginAudit(
            action=action, person_id=login.person_id, login=login.login, actor_id=actor_id, school_id=school_id
        )
    )


async def administering_school(session: AsyncSession, admin: Caller, person_id: UUID) -> tuple[UUID, Person]:
    """The school whose administrator ``admin`` is and where the person belongs (a role there, or entered there)."""
    admin_schools = {school for school, role in admin.school_roles if role == "school_admin"}
    if not admin_schools:
        raise Forbidden("Выдавать логины может только администратор электронного журнала школы.")
    person = await session.get(Person, person_id)
    if person is None:
        if await session.scalar(select(RegionAccount.role).where(RegionAccount.person_id == person_id).limit(1)):
            raise Conflict("Учётные записи уровня региона входят только через Госуслуги: логин им не выдаётся.")
        raise NotFound("Человек не найден.")
    schools = set(await session.scalars(select(SchoolRole.school_id).where(SchoolRole.person_id == person_id)))
    shared = admin_schools & (schools | {person.school_id})
    if not shared:
        raise Forbidden("Этот человек не относится к вашей школе.")
    return min(shared, key=str), person


async def may_issue(session: AsyncSession, admin: Caller, person_id: UUID) -> tuple[UUID, Person]:
    """The administering school, once the issuance policy (``issuance_refusal``) lets the login be issued."""
    school_id, person = await administering_school(session, admin, person_id)
    admin_schools = {school for school, role in admin.school_roles if role == "school_admin"}
    roles = await session.execute(select(SchoolRole.school_id, SchoolRole.role).filter_by(person_id=person_id))
    refusal = issuance_refusal(admin_schools, [(s, r) for s, r in roles], esia_bound=person.esia_oid is not None)
    if refusal is not None:
        raise Forbidden(refusal)
    return school_id, person


async def issue(session: AsyncSession, admin: Caller, person_id: UUID) -> Issued:
    """A new login with a temporary password; for a person who has one, a new temporary password (a reset).

    Either way the person's sessions end: whoever held the old password is out (R-3).
    """
    school_id, person = await may_issue(session, admin, person_id)
    password = temporary_password()
    password_hash = await asyncio.to_thread(hash_password, password)
    now = datetime.now(UTC)
    existing = await session.get(LocalLogin, person_id, with_for_update=True)
    if existing is None:
        base = login_base(person.last_name, person.first_name, person.middle_name)
        taken = set(await session.scalars(select(LocalLogin.login).where(LocalLogin.login.startswith(base))))
        login = LocalLogin(
            person_id=person_id,
            login=unique_login(base, taken),
            password_hash=password_hash,
            temporary=True,
            password_set_at=now,
            issued_at=now,
        )
        session.add(login)
        _audit(session, "issued", login, admin.person_id, school_id)
    else:
        login = existing
        login.password_hash = password_hash
        login.temporary = True
        login.password_set_at = now
        # The administrator vouches for the person: a lock from earlier guessing ends with the reset.
        await session.execute(delete(LoginFailure).where(LoginFailure.login == login.login))
        _audit(session, "reset", login, admin.person_id, school_id)
    await end_sessions(session, person_id)
    return Issued(person_id=person_id, login=login.login, temporary_password=password, reset=existing is not None)


async def find(session: AsyncSession, admin: Caller, person_id: UUID) -> LocalLogin:
    await administering_school(session, admin, person_id)
    login = await session.get(LocalLogin, person_id)
    if login is None:
        raise NotFound("Логин этому человеку не выдан.")
    return login


async def lock_of(session: AsyncSession, login: str, now: datetime) -> datetime | None:
    failures = await session.scalars(
        select(LoginFailure.at).where(LoginFailure.login == login, LoginFailure.at > failures_that_matter(now))
    )
    return locked_until(list(failures), now)


async def revoke(session: AsyncSession, admin: Caller, person_id: UUID) -> None:
    """R-4: the login is annulled and the person's sessions end at once."""
    school_id, _ = await administering_school(session, admin, person_id)
    login = await session.get(LocalLogin, person_id, with_for_update=True)
    if login is None:
        raise NotFound("Логин этому человеку не выдан.")
    _audit(session, "revoked", login, admin.person_id, school_id)
    await session.delete(login)
    await session.execute(delete(LoginFailure).where(LoginFailure.login == login.login))
    await end_sessions(session, person_id)


async def authenticate(session: AsyncSession, login_text: str, password: str) -> UUID | Refused:
    """The person whose login and password these are; a locked login is refused without checking the password.

    R-2: 5 failures within 15 minutes lock the login for 15 minutes. Failures are counted for
    any login typed, known or not, so neither the answer nor a lock tells whether a login exists.
    Attempts at one login wait for one another (a transaction lock on the typed login), so
    parallel guesses cannot all pass the check before any failure is counted.
    """
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(login_text, 0))))
    now = datetime.now(UTC)
    await session.execute(
        delete(LoginFailure).where(LoginFailure.login == login_text, LoginFailure.at <= failures_that_matter(now))
    )
    locked = await lock_of(session, login_text, now)
    if locked is not None:
        return Refused(locked_until=locked)
    login = await session.scalar(select(LocalLogin).where(LocalLogin.login == login_text).with_for_update())
    stored = login.password_hash if login is not None else _DUMMY_HASH
    if await asyncio.to_thread(verify_password, password, stored) and login is not None:
        await session.execute(delete(LoginFailure).where(LoginFailure.login == login_text))
        if needs_rehash(login.password_hash):
            login.password_hash = await asyncio.to_thread(hash_password, password)
        return login.person_id
    session.add(LoginFailure(login=login_text, at=now))
    await session.flush()
    locked = await lock_of(session, login_text, now)
    if locked is not None and login is not None:
        _audit(session, "locked", login, None, None)
    return Refused(locked_until=locked)


@dataclass(frozen=True)
class PasswordState:
    login: str
    temporary: bool
    change_required: bool


async def password_state(session: AsyncSession, person_id: UUID, roles: set[str]) -> PasswordState | None:
    """Whether a password session may go on: None when the login was revoked."""
    login = await session.get(LocalLogin, person_id)
    if login is None:
        return None
    required = must_change_password(
        temporary=login.temporary,
        password_set_at=login.password_set_at,
        staff=is_staff(roles),
        now=datetime.now(UTC),
    )
    return PasswordState(login=login.login, temporary=login.temporary, change_required=required)


async def change_password(session: AsyncSession, person_id: UUID, new: str, repeated: str, *, keep_token: str) -> None:
    """The holder sets their own password; their other sessions end (whoever knew the old one is out)."""
    login = await session.get(LocalLogin, person_id, with_for_update=True)
    if login is None:
        raise NotFound("Логин отозван. Обратитесь к администратору электронного журнала школы.")
    problem = await asyncio.to_thread(
        new_password_problem, new, repeated, login=login.login, old_hash=login.password_hash
    )
    if problem is not None:
        raise Invalid(problem)
    login.password_hash = await asyncio.to_thread(hash_password, new)
    login.temporary = False
    login.password_set_at = datetime.now(UTC)
    _audit(session, "password_changed", login, person_id, None)
    await end_sessions(session, person_id, keep_token=keep_token)
