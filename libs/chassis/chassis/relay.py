"""The outbox relay: publishes committed outbox rows, mandatory and confirmed, then marks them sent.

A row is marked sent only after the broker confirmed it, in the same transaction that
locked it; a crash in between publishes it again on restart, and consumers' inboxes
absorb the duplicate. A message the broker returned (no queue and no alternate exchange),
refused or did not confirm in time stays unsent and is tried again. ``FOR UPDATE SKIP LOCKED``
lets several relays share one outbox. ``run`` is supervised: any failure, including the
LISTEN connection at start, is logged and retried with backoff, never the end of the task.
"""

import asyncio
import contextlib
import json
import random
import time

import aio_pika
import asyncpg
import structlog
from sqlalchemy import func, select, update

from chassis.broker import Broker
from chassis.db import Database
from chassis.events import OUTBOX_CHANNEL
from chassis.metrics import Metrics
from chassis.tables import outbox
from chassis.tenancy import SYSTEM

log = structlog.get_logger()

BATCH = 200
#: Polling is only a safety net for a lost NOTIFY (e.g. while the listener reconnected).
IDLE_POLL_SECONDS = 5.0
#: After a NOTIFY the relay waits this long, so a burst of commits goes out as one batch, not one pass each.
GATHER_SECONDS = 0.005
#: A failed pass costs one query: retry often enough that an outage ends within seconds of its cause.
FIRST_BACKOFF, LONGEST_BACKOFF = 0.5, 5.0


def message_for(envelope: dict) -> aio_pika.Message:
    headers = {"schoolid": envelope["schoolid"]}
    if envelope.get("traceparent"):
        headers["traceparent"] = envelope["traceparent"]
    return aio_pika.Message(
        body=json.dumps(envelope, ensure_ascii=False).encode(),
        message_id=envelope["id"],
        type=envelope["type"],
        content_type="application/cloudevents+json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=headers,
    )


class OutboxRelay:
    def __init__(self, db: Database, broker: Broker, metrics: Metrics) -> None:
        self.db = db
        self.broker = broker
        self.metrics = metrics
        self._wake = asyncio.Event()
        #: When a pass over the outbox last finished without an error (monotonic seconds).
        self.last_progress = time.monotonic()

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many the broker confirmed (and are now sent)."""
        async with self.db.transaction(SYSTEM) as session:
            rows = (
                await session.execute(
                    select(outbox.c.seq, outbox.c.envelope)
                    .where(outbox.c.sent_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            outcomes = await asyncio.gather(
                *(self.broker.publish(message_for(env), routing_key=env["type"]) for _, env in rows),
                return_exceptions=True,
            )
            confirmed = [(seq, env) for (seq, env), outcome in zip(rows, outcomes, strict=True) if outcome is None]
            for (_, env), outcome in zip(rows, outcomes, strict=True):
                if outcome is not None:
                    log.warning("outbox_publish_failed", event_id=env["id"], type=env["type"], error=repr(outcome))
                    self.metrics.publish_failed(env["type"], type(outcome).__name__)
            if confirmed:
                await session.execute(
                    update(outbox).where(outbox.c.seq.in_([seq for seq, _ in confirmed])).values(sent_at=func.now())
                )
        for _, env in confirmed:
            self.metrics.published(env["type"])
        if len(confirmed) < len(rows):
            raise RuntimeError(f"{len(rows) - len(confirmed)} of {len(rows)} events not confirmed; they stay unsent")
        return len(confirmed)

    def stalled(self, limit_seconds: float) -> bool:
        return time.monotonic() - self.last_progress > limit_seconds

    async def run(self) -> None:
        backoff = FIRST_BACKOFF
        listener: asyncpg.Connection | None = None
        try:
            while True:
                try:
                    if listener is None or listener.is_closed():
                        listener = await self._listen()
                    while await self.publish_pending() == BATCH:
                        pass
                    self.last_progress = time.monotonic()
                    backoff = FIRST_BACKOFF
                except Exception:
                    log.exception("outbox_relay_failed", retry_in=backoff)
                    await asyncio.sleep(backoff * random.uniform(0.8, 1.2))
                    backoff = min(backoff * 2, LONGEST_BACKOFF)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)
                    await asyncio.sleep(GATHER_SECONDS)
                self._wake.clear()
        finally:
            if listener is not None and not listener.is_closed():
                with contextlib.suppress(Exception):
                    await listener.close()

    async def _listen(self) -> asyncpg.Connection:
        connection = await asyncpg.connect(self.db.asyncpg_dsn, timeout=10)
        await connection.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
        return connection
