"""Sealing the access log (R-5), off the hot path: a job chains entries old enough to have committed.

Writers only insert; a background task takes the unsealed entries in id order under a
transaction lock (one sealer among all gateway instances) and stores each one's seal, stopping
at the first entry younger than ``SETTLE``: a writer's transaction still open may hold a
smaller id, and the chain must follow the ids.

Retention: the same job removes sealed entries older than the retention period (five years,
``JOURNAL_ACCESS_LOG_RETENTION_DAYS``). A removed entry leaves its id and seal in
``access_log_trimmed``: who did what is gone, the chain through it is not, so ``verify`` still
checks every entry kept. An unsealed entry is never removed.
"""

import asyncio
import contextlib
from datetime import timedelta

import structlog
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from chassis.tenancy import SYSTEM
from gateway.domain.access_log import GENESIS, Entry, first_broken, seal
from gateway.models import AccessLogEntry, AccessLogTrimmed

log = structlog.get_logger()
SETTLE = timedelta(seconds=10)
BATCH = 1000
#: Any number, the same in every gateway instance: one sealer at a time.
SEALER_LOCK = 7_000_001


def _entry(row: AccessLogEntry) -> Entry:
    return Entry(id=row.id, person_id=row.person_id, method=row.method, path=row.path, status=row.status, at=row.at)


async def seal_pending(session: AsyncSession) -> int:
    """Seals the settled unsealed entries in id order; how many."""
    if not await session.scalar(select(func.pg_try_advisory_xact_lock(SEALER_LOCK))):
        return 0
    last = await session.scalar(
        select(AccessLogEntry.seal).where(AccessLogEntry.seal.is_not(None)).order_by(AccessLogEntry.id.desc()).limit(1)
    )
    now = await session.scalar(select(func.now()))
    pending = await session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.seal.is_(None)).order_by(AccessLogEntry.id).limit(BATCH)
    )
    previous, sealed = last or GENESIS, 0
    for row in pending:
        # In id order and no further than the first unsettled entry, so the chain's order is the ids'.
        if row.at >= now - SETTLE:
            break
        row.seal = previous = seal(previous, _entry(row))
        sealed += 1
    return sealed


async def trim_expired(session: AsyncSession, retention: timedelta) -> int:
    """Removes up to a batch of sealed entries older than ``retention``, keeping their ids and seals; how many."""
    if not await session.scalar(select(func.pg_try_advisory_xact_lock(SEALER_LOCK))):
        return 0
    cutoff = await session.scalar(select(func.now() - retention))
    expired = (
        select(AccessLogEntry.id, AccessLogEntry.seal)
        .where(AccessLogEntry.seal.is_not(None), AccessLogEntry.at < cutoff)
        .limit(BATCH)
    )
    kept = await session.execute(
        insert(AccessLogTrimmed).from_select(["id", "seal"], expired).returning(AccessLogTrimmed.id)
    )
    ids = list(kept.scalars())
    if ids:
        await session.execute(delete(AccessLogEntry).where(AccessLogEntry.id.in_(ids)))
    return len(ids)


async def verify(session: AsyncSession) -> int | None:
    """The id of the first sealed entry that was changed, removed or reordered since sealing; None if intact."""
    rows = await session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.seal.is_not(None)).order_by(AccessLogEntry.id)
    )
    links: list[tuple[Entry | int, str]] = [(_entry(row), row.seal or "") for row in rows]
    trimmed = await session.execute(select(AccessLogTrimmed.id, AccessLogTrimmed.seal))
    links += [(id_, seal_) for id_, seal_ in trimmed]
    return first_broken(sorted(links, key=lambda link: link[0] if isinstance(link[0], int) else link[0].id))


async def seal_forever(db: Database, interval: float, retention: timedelta) -> None:
    while True:
        with contextlib.suppress(Exception):
            async with db.transaction(SYSTEM) as session:
                sealed = await seal_pending(session)
            async with db.transaction(SYSTEM) as session:
                trimmed = await trim_expired(session, retention)
            if sealed or trimmed:
                log.debug("access_log_sealed", entries=sealed, trimmed=trimmed)
        await asyncio.sleep(interval)
