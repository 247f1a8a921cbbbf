"""Login states and sessions in the gateway's database."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.sessions import LOGIN_STATE_TTL, new_token, session_expiry, token_hash
from gateway.models import LoginState, Session


async def save_login_state(session: AsyncSession, state: str, code_verifier: str) -> None:
    now = datetime.now(UTC)
    await session.execute(delete(LoginState).where(LoginState.expires_at < now))
    session.add(LoginState(state=state, code_verifier=code_verifier, expires_at=now + LOGIN_STATE_TTL))


async def take_login_state(session: AsyncSession, state: str) -> str | None:
    """The PKCE verifier of a pending login; the state is consumed, so a replayed callback finds nothing."""
    return await session.scalar(
        delete(LoginState)
        .where(LoginState.state == state, LoginState.expires_at > datetime.now(UTC))
        .returning(LoginState.code_verifier)
    )


@dataclass(frozen=True)
class NewSession:
    token: str
    expires_at: datetime


async def open_session(session: AsyncSession, person_id: UUID, esia_oid: str, ttl_hours: int) -> NewSession:
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


async def find_session(session: AsyncSession, token: str) -> Session | None:
    return await session.scalar(
        select(Session).where(Session.token_hash == token_hash(token), Session.expires_at > datetime.now(UTC))
    )


async def close_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(Session).where(Session.token_hash == token_hash(token)))
