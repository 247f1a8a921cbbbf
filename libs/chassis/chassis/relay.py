"""The outbox relay: publishes committed outbox rows with publisher confirms, then marks them sent.

A row is marked sent only after the broker confirmed it, in the same transaction that
locked it; a crash in between publishes it again on restart, and consumers' inboxes
absorb the duplicate. ``FOR UPDATE SKIP LOCKED`` lets several relays share one outbox.
"""

import asyncio
import contextlib
import json

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

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were published."""
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
            exchange = self.broker.exchange
            await asyncio.gather(*(exchange.publish(message_for(env), routing_key=env["type"]) for _, env in rows))
            await session.execute(
                update(outbox).where(outbox.c.seq.in_([seq for seq, _ in rows])).values(sent_at=func.now())
            )
        for _, env in rows:
            self.metrics.published(env["type"])
        return len(rows)

    async def run(self) -> None:
        listener = await self._listen()
        try:
            while True:
                try:
                    if listener.is_closed():
                        listener = await self._listen()
                    while await self.publish_pending() == BATCH:
                        pass
                except Exception:
                    log.exception("outbox_relay_failed")
                    await asyncio.sleep(1)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_POLL_SECONDS)
                self._wake.clear()
        finally:
            await listener.close()

    async def _listen(self) -> asyncpg.Connection:
        connection = await asyncpg.connect(self.db.asyncpg_dsn)
        await connection.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
        return connection
