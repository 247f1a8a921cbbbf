"""The signed-in person behind a request, read from the session cookie (cached briefly, ``gateway.callers``)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from chassis.auth import Caller
from chassis.db import Database
from chassis.problems import DomainError, Forbidden, Unauthorized
from chassis.tenancy import SYSTEM
from gateway.accounts import caller_for, home_zone
from gateway.callers import CallerCache
from gateway.domain.sessions import COOKIE, CSRF_HEADER, csrf_required, csrf_valid, token_hash
from gateway.local_logins import PasswordState, password_state
from gateway.sessions import close_session, find_session


class PasswordChangeRequired(DomainError):
    status = 403
    title = "Смените пароль"
    slug = "password-change-required"


@dataclass(frozen=True)
class SignedIn:
    caller: Caller
    csrf_token: str
    #: The session's token, so a password change can keep this session and end the others.
    token: str
    #: Set for a session opened with a local login and password (R-2); None after ESIA.
    password: PasswordState | None = None


def database(request: Request) -> Database:
    return request.app.state.db


def callers(request: Request) -> CallerCache[SignedIn]:
    return request.app.state.callers


def callers_changed(request: Request, person_id: UUID) -> None:
    """After a change to the person's sessions, roles or login: this instance forgets them at once.

    Every instance (this one too) also hears of it from PostgreSQL; this closes the gap of a few
    milliseconds before the notification arrives, for the person's very next request here.
    """
    callers(request).changed(str(person_id))


async def signed_in_or_none(request: Request) -> SignedIn | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    return await callers(request).get_or_load(token_hash(token), lambda: _read_signed_in(request, token))


async def _read_signed_in(request: Request, token: str) -> tuple[UUID, SignedIn, float] | None:
    """The session's person, the caller, and how long it may be kept: never past its expiry or idle timeout."""
    settings = request.app.state.settings
    async with database(request).transaction(SYSTEM) as session:
        found = await find_session(session, token, settings.session_idle)
        if found is None:
            return None
        caller = await caller_for(session, found.person_id, found.esia_oid)
        password = None
        if found.esia_oid is None:
            password = await password_state(session, found.person_id, {role for _, role in caller.school_roles})
            if password is None:
                # the login was revoked; its sessions are ended with it, this is the belt to those braces.
                await close_session(session, token)
                return None
    current = SignedIn(caller=caller, csrf_token=found.csrf_token, token=token, password=password)
    now = datetime.now(UTC)
    lives = min(found.expires_at - now, found.last_seen_at + settings.session_idle - now).total_seconds()
    return found.person_id, current, lives


async def signed_in(request: Request) -> SignedIn:
    """401 without a live session; a state-changing request also needs the session's CSRF token (403).

    R-2: with a temporary or expired password nothing works but the password change (403).
    """
    current = await signed_in_or_none(request)
    if current is None:
        raise Unauthorized("Войдите в систему: сеанс не найден или истёк.")
    if current.password is not None and current.password.change_required:
        raise PasswordChangeRequired("Смените пароль: откройте страницу /password и задайте новый пароль.")
    if csrf_required(request.method) and not csrf_valid(current.csrf_token, request.headers.get(CSRF_HEADER)):
        raise Forbidden("Запрос отклонён: нет или неверный токен защиты (X-CSRF-Token). Обновите страницу.")
    return current


SignedInDep = Annotated[SignedIn, Depends(signed_in)]


async def school_today(school_id: UUID, request: Request) -> date:
    """The school's today in its own time zone (the gateway's replica of the schools; the region's zone until
    roster has told it). The gateway's counterpart of ``chassis.deps.SchoolToday``, which needs a service's token."""
    async with request.app.state.db.transaction(SYSTEM) as session:
        zone = await home_zone(session, {school_id}, request.app.state.settings.timezone)
    return request.app.state.clock.today(zone)


GatewaySchoolToday = Annotated[date, Depends(school_today)]
