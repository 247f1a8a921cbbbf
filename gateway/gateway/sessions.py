"""Login states and sessions in the gateway's database."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from fastapi import Response
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.problems import Forbidden
from gateway.domain.sessions import (
    COOKIE,
    LAST_SEEN_GRAIN,
    LOGIN_STATE_TTL,
    new_token,
    session_alive,
    session_expiry,
    token_hash,
)
from gateway.models import AccessLogEntry, CompromiseReport, LoginState, Session
from gateway.settings import GatewaySettings

BLOCKED = (
    "Учётная запись заблокирована: о её компрометации сообщено. Обратитесь к администратору "
    "электронного журнала школы за новыми данными для входа."
)


class AccountBlocked(Forbidden):
    slug = "account-blocked"


async def save_login_state(session: AsyncSession, state: str, code_verifier: str, browser: str) -> None:
    """``browser`` is the secret of the pre-login cookie set on the browser that starts the login."""
    now = datetime.now(UTC)
    await session.execute(delete(LoginState).where(LoginState.expires_at < now))
    session.add(
        LoginState(
            state=state,
            code_verifier=code_verifier,
            browser_hash=token_hash(browser),
            expires_at=now + LOGIN_STATE_TTL,
        )
    )


async def take_login_state(session: AsyncSession, state: str, browser: str | None) -> str | None:
    """The PKCE verifier of a pending login started by this browser.

    The state is consumed whichever browser brings it, so a callback URL that leaked is
    useless to everyone: in another browser it fails, and after that in the right one too.
    """
    found = await session.execute(
        delete(LoginState)
        .where(LoginState.state == state, LoginState.expires_at > datetime.now(UTC))
        .returning(LoginState.code_verifier, LoginState.browser_hash)
    )
    row = found.first()
    if row is None or not browser or row.browser_hash != token_hash(browser):
        return None
    return row.code_verifier


@dataclass(frozen=True)
class NewSession:
    token: str
    expires_at: datetime


async def blocked(session: AsyncSession, person_id: UUID) -> bool:
    """R-3: whether an uncleared compromise report blocks the account."""
    found = await session.scalar(
        select(func.count()).where(CompromiseReport.person_id == person_id, CompromiseReport.cleared_at.is_(None))
    )
    return bool(found)


async def open_session(session: AsyncSession, person_id: UUID, esia_oid: str | None, ttl_hours: int) -> NewSession:
    """A session for a person who logged in through ESIA (its oid) or with a local login and password (None).

    A blocked account (R-3) gets none; every login is written to the access log (R-5).
    """
    if await blocked(session, person_id):
        raise AccountBlocked(BLOCKED)
    session.add(
        AccessLogEntry(
            person_id=person_id, method="LOGIN", path="/auth/esia" if esia_oid else "/auth/password", status=200
        )
    )
    now = datetime.now(UTC)
    await session.execute(delete(Session).where(Session.expires_at < now))
    token = new_token()
    expires_at = session_expiry(now, ttl_hours)
    session.add(
        Session(
            token_hash=token_hash(token),
            person_id=person_id,
            esia_oid=esia_oid,
            csrf_token=new_token(),
            expires_at=expires_at,
        )
    )
    return NewSession(token, expires_at)


async def find_session(session: AsyncSession, token: str, idle: timedelta) -> Session | None:
    """The live session of this cookie; using it keeps it from going idle."""
    now = datetime.now(UTC)
    found = await session.scalar(select(Session).where(Session.token_hash == token_hash(token)))
    if found is None or not session_alive(
        now=now, expires_at=found.expires_at, last_seen_at=found.last_seen_at, idle=idle
    ):
        return None
    if now - found.last_seen_at >= LAST_SEEN_GRAIN:
        found.last_seen_at = now
    return found


async def close_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(Session).where(Session.token_hash == token_hash(token)))


async def end_sessions(session: AsyncSession, person_id: UUID, *, keep_token: str | None = None) -> None:
    """R-4: every session of the person ends (a reset or revoked login), but for the one that asked, if any."""
    statement = delete(Session).where(Session.person_id == person_id)
    if keep_token is not None:
        statement = statement.where(Session.token_hash != token_hash(keep_token))
    await session.execute(statement)


def set_session_cookie(response: Response, opened: NewSession, settings: GatewaySettings) -> None:
    response.set_cookie(
        COOKIE,
        opened.token,
        max_age=settings.session_ttl_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
