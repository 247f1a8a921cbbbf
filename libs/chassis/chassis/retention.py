"""Retention: the outbox, the inbox and stored idempotent answers are trimmed by age, in small batches.

- Outbox rows are kept ``outbox_retention_days`` after they were sent: the window in which the
  outbox can be replayed to a consumer; older history is re-emitted as snapshots instead.
- Inbox rows are kept ``inbox_retention_days``: a redelivery comes within minutes (a requeued
  dead letter within days), and every replica write is an upsert, so one older than that is harmless.
- Idempotency keys are kept ``idempotency_retention_hours``: clients retry within minutes.

Each batch is its own short transaction, so trimming never holds long locks beside the traffic.
"""

import asyncio
import random

import structlog
from sqlalchemy import Table, delete, func, select, text

from chassis.db import Database
from chassis.settings import ServiceSettings
from chassis.tables import idempotency_keys, inbox, outbox
from chassis.tenancy import SYSTEM

log = structlog.get_logger()

BATCH = 5000


async def _trim(db: Database, table: Table, key, age_column, older_than: str) -> int:
    """Delete the rows whose ``age_column`` is older than ``older_than`` (an SQL interval), batch by batch."""
    deleted = 0
    cutoff = func.now() - text(f"interval '{older_than}'")
    while True:
        async with db.transaction(SYSTEM) as session:
            batch = select(*key).where(age_column < cutoff).limit(BATCH)
            if len(key) == 1:
                statement = delete(table).where(key[0].in_(batch))
            else:
                statement = delete(table).where(func.row(*key).in_(batch))
            count = (await session.execute(statement)).rowcount
        deleted += count
        if count < BATCH:
            return deleted


async def trim(db: Database, settings: ServiceSettings) -> dict[str, int]:
    """One pass over the three tables; returns how many rows each lost."""
    trimmed = {
        "outbox": await _trim(db, outbox, [outbox.c.seq], outbox.c.sent_at, f"{settings.outbox_retention_days} days"),
        "inbox": await _trim(
            db,
            inbox,
            [inbox.c.consumer, inbox.c.event_id],
            inbox.c.processed_at,
            f"{settings.inbox_retention_days} days",
        ),
        "idempotency_keys": await _trim(
            db,
            idempotency_keys,
            [idempotency_keys.c.owner, idempotency_keys.c.key],
            idempotency_keys.c.created_at,
            f"{settings.idempotency_retention_hours} hours",
        ),
    }
    log.info("retention_trimmed", **trimmed)
    return trimmed


async def run(db: Database, settings: ServiceSettings) -> None:
    """Trim now and then every ``retention_interval_seconds`` (jittered, so replicas do not all trim at once)."""
    while True:
        try:
            await trim(db, settings)
        except Exception:
            log.exception("retention_failed")
        await asyncio.sleep(settings.retention_interval_seconds * random.uniform(0.9, 1.1))
