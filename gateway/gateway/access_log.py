"""Writing the access log (R-5) with group commit, and sealing it off the hot path.

Every request's entry is durable before its answer is sent: the request awaits the commit of
the insert that holds its entry. Entries that arrive while one insert commits go together in
the next, so under load one transaction carries many requests' entries. The insert is one
statement in its own transaction (no ``BEGIN``, tenant or ``COMMIT`` of its own: the table has no
row-level security), one round trip a batch where a session's transaction took three.

A job chains entries old enough to have committed.

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
import contextvars
from datetime import timedelta
from uuid import UUID

import structlog
from sqlalchemy import delete, func, insert, select, union_all
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
#: A batch's entries as one array per column, prepared once per connection.
INSERT_ENTRIES = (
    "INSERT INTO access_log (person_id, method, path, status) "
    "SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::smallint[])"
)


class AccessLog:
    """The writer of one gateway instance; ``close`` at shutdown."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[tuple[tuple[UUID, str, str, int], asyncio.Future[None]]] = []
        self._wake = asyncio.Event()
        self._writer: asyncio.Task | None = None

    async def record(self, person_id: UUID, method: str, path: str, status: int) -> None:
        """Returns once the entry is committed; raises if it could not be."""
        # PostgreSQL text cannot hold a NUL byte; the path is written as the client encoded it.
        row = (person_id, method, path.replace("\x00", "%00")[:2000], status)
        committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((row, committed))
        if self._writer is None:
            # A context of its own: not the first request's (its request id would mark every batch).
            self._writer = asyncio.create_task(
                self._write_forever(), name="access-log-writer", context=contextvars.Context()
            )
        self._wake.set()
        await asyncio.shield(committed)

    async def _write_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    columns = [list(column) for column in zip(*(row for row, _ in batch), strict=True)]
                    await self.db.execute_alone(INSERT_ENTRIES, *columns)
                except Exception as exc:
                    for _, committed in batch:
                        if not committed.done():
                            committed.set_exception(exc)
                    continue
                for _, committed in batch:
                    if not committed.done():
                        committed.set_result(None)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        for _, committed in self._pending:
            if not committed.done():
                committed.set_exception(RuntimeError("the gateway is stopping; the access log entry was not written"))


def _entry(row: AccessLogEntry) -> Entry:
    return Entry(id=row.id, person_id=row.person_id, method=row.method, path=row.path, status=row.status, at=row.at)


async def seal_pending(session: AsyncSession) -> int:
    """Seals the settled unsealed entries in id order; how many."""
    if not await session.scalar(select(func.pg_try_advisory_xact_lock(SEALER_LOCK))):
        return 0
    # The newest seal, of an entry still here or of one removed since (trimmed, or destroyed with its person):
    # a removed newest entry still links the next one.
    sealed_ids = union_all(
        select(AccessLogEntry.id, AccessLogEntry.seal).where(AccessLogEntry.seal.is_not(None)),
        select(AccessLogTrimmed.id, AccessLogTrimmed.seal),
    ).subquery()
    last = await session.scalar(select(sealed_ids.c.seal).order_by(sealed_ids.c.id.desc()).limit(1))
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
