"""The state portal's clients (R-70): registered and revoked by the operator (``gateway.admin``)."""

import secrets

from sqlalchemy import delete, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.portal_pull import SCOPES, secret_digest
from gateway.models import PortalClient, PortalToken


async def register_client(
    session: AsyncSession, *, name: str, scopes: frozenset[str], calls_per_minute: int
) -> tuple[str, str]:
    """A new client and its secret; the secret is not stored and cannot be shown again."""
    if not scopes or not scopes <= SCOPES:
        raise ValueError(f"scopes must be among {sorted(SCOPES)}")
    client_id = f"portal-{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    session.add(
        PortalClient(
            client_id=client_id,
            name=name,
            secret_digest=secret_digest(secret),
            scopes=sorted(scopes),
            calls_per_minute=calls_per_minute,
        )
    )
    return client_id, secret


async def revoke_client(session: AsyncSession, client_id: str) -> bool:
    """The client can take no token and its tokens stop working at once."""
    revoked = await session.execute(
        update(PortalClient)
        .where(PortalClient.client_id == client_id, PortalClient.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    await session.execute(delete(PortalToken).where(PortalToken.client_id == client_id))
    return revoked.rowcount == 1
