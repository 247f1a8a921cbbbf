"""The outbox relay: publishes committed outbox rows, mandatory and confirmed, then marks them sent.

A row is marked sent only after the broker confirmed it, in the same transaction that
locked it; a crash in between publishes it again on restart, and consumers' inboxes
absorb the duplicate. A message the broker returned (no queue and no alternate exchange),
refused or did not confirm in time stays unsent and is tried again. ``FOR UPDATE SKIP LOCKED``
lets several relays share one outbox. ``run`` is supervised: any failure, including the
LISTEN connection at start, is logged and retried with backoff, never the end of the task.

Batches are pipelined (issues 6 and 10): while one batch's confirms arrive, the next is locked and
published. Each batch is a transaction of its own that holds its rows' locks until it has marked them
sent, so no pass (this relay's next one or another relay's) takes a row that is in flight, and no row is
published twice at once. Batches are taken one after the other and published on one channel in the order
they were taken. A row whose publish failed stays unsent and locked until its batch commits, and goes out in
a later pass, after rows taken meanwhile: consumers rely on no order (the inbox; versions, see ``replicas``).

A batch's rows of one type and one school go out together as one message in CloudEvents' JSON batch format (issue
6): a lesson column's 30 marks are one message to route, deliver and acknowledge for each consumer, not 30. The
consumer applies and, if need be, retries or dead-letters each event of it on its own (``chassis.consumers``).
"""

import asyncio
import contextlib
import json
import random
import time
from typing import Any

import aio_pika
import asyncpg
import structlog
from aiormq import spec
from sqlalchemy import Row, Text, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.broker import Broker
from chassis.db import Database
from chassis.events import BATCH_CONTENT_TYPE, EVENT_CONTENT_TYPE, EVENTS_HEADER, OUTBOX_CHANNEL
from chassis.metrics import Metrics
from chassis.tables import outbox
from chassis.tenancy import SYSTEM

log = structlog.get_logger()

BATCH = 200
#: The most events one message carries: a class's column in one, and a consumer's batch split on a poison event
#: stays small.
PACK = 50
#: Batches published and awaiting their confirms at once: the next one goes out while the last one's confirms come.
IN_FLIGHT = 2
#: Polling is only a safety net for a lost NOTIFY (e.g. while the listener reconnected).
IDLE_POLL_SECONDS = 5.0
#: After a NOTIFY the relay waits this long, so a burst of commits goes out as one batch, not one pass each.
GATHER_SECONDS = 0.005
#: A failed pass costs one query: retry often enough that an outage ends within seconds of its cause.
FIRST_BACKOFF, LONGEST_BACKOFF = 0.5, 5.0

#: The next unsent rows, locked, with what their messages need: the envelope as the text PostgreSQL keeps
#: (published as it is, not decoded and encoded again) and the properties from their own columns.
_UNSENT = (
    select(
        outbox.c.seq,
        outbox.c.event_id,
        outbox.c.type,
        outbox.c.school_id,
        outbox.c.envelope["traceparent"].astext.label("traceparent"),
        cast(outbox.c.envelope, Text).label("body"),
    )
    .where(outbox.c.sent_at.is_(None))
    .order_by(outbox.c.seq)
    .limit(BATCH)
    .with_for_update(skip_locked=True)
)


def properties(*, event_id: str, type: str, school_id: str, traceparent: str | None) -> spec.Basic.Properties:
    """The AMQP properties of an event: ``id`` as ``message_id``, its type, and its school and trace as headers."""
    headers: dict[str, Any] = {"schoolid": school_id}
    if traceparent:
        headers["traceparent"] = traceparent
    return spec.Basic.Properties(
        content_type=EVENT_CONTENT_TYPE,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT.value,
        headers=headers,
        message_id=event_id,
        message_type=type,
    )


def message_for(envelope: dict) -> aio_pika.Message:
    """The aio-pika message of an envelope given as a dict (a model's JSON dump), for a channel of one's own."""
    own = properties(
        event_id=envelope["id"],
        type=envelope["type"],
        school_id=envelope["schoolid"],
        traceparent=envelope.get("traceparent"),
    )
    return aio_pika.Message(
        body=json.dumps(envelope, ensure_ascii=False).encode(),
        message_id=own.message_id,
        type=own.message_type,
        content_type=own.content_type,
        delivery_mode=own.delivery_mode,
        headers=own.headers,
    )


def packs(rows: list[Row], limit: int = PACK) -> list[list[Row]]:
    """Rows of ``_UNSENT`` as messages: those of one type and school together, at most ``limit`` to a message, in
    the order of each one's first row."""
    together: dict[tuple[str, Any], list[list[Row]]] = {}
    out: list[list[Row]] = []
    for row in rows:
        runs = together.setdefault((row.type, row.school_id), [])
        if not runs or len(runs[-1]) >= limit:
            runs.append([])
            out.append(runs[-1])
        runs[-1].append(row)
    return out


def message_of(pack: list[Row]) -> tuple[bytes, spec.Basic.Properties]:
    """The body and properties of a pack of rows: one envelope as it is, several as a JSON array of them (the
    first one's id and trace name the message)."""
    first = pack[0]
    own = properties(
        event_id=str(first.event_id), type=first.type, school_id=str(first.school_id), traceparent=first.traceparent
    )
    if len(pack) == 1:
        return first.body.encode(), own
    own.content_type = BATCH_CONTENT_TYPE
    own.headers[EVENTS_HEADER] = len(pack)
    return ("[" + ",".join(row.body for row in pack) + "]").encode(), own


class OutboxRelay:
    def __init__(self, db: Database, broker: Broker, metrics: Metrics) -> None:
        self.db = db
        self.broker = broker
        self.metrics = metrics
        self._wake = asyncio.Event()
        #: When a pass over the outbox last finished without an error (monotonic seconds).
        self.last_progress = time.monotonic()

    async def publish_pending(self) -> int:
        """Publish every unsent row, ``IN_FLIGHT`` batches at a time; returns how many the broker confirmed.

        Raises when a batch failed (a publish, the database), once the batches in flight are done: no batch is
        taken after one that failed, the rows that failed stay unsent, and every confirmed row is marked sent.
        """
        passes: list[asyncio.Task[int]] = []
        try:
            while True:
                taken: asyncio.Future[int] = asyncio.get_running_loop().create_future()
                passes.append(asyncio.create_task(self._publish_batch(taken)))
                if await taken < BATCH:
                    break
                if len(passes) >= IN_FLIGHT:
                    # The next batch only once the oldest in flight is done, and only if it went well.
                    oldest = passes[-IN_FLIGHT]
                    await asyncio.wait([oldest])
                    if oldest.exception() is not None:
                        break
        finally:
            outcomes = await asyncio.gather(*passes, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return sum(outcomes)

    async def _publish_batch(self, taken: asyncio.Future[int]) -> int:
        """Lock a batch and publish it; ``taken`` gets its size as soon as its messages are on their way, so the
        next batch may be taken. Returns how many were confirmed, once they are marked sent."""
        try:
            async with self.db.transaction(SYSTEM) as session:
                rows = await self.locked_batch(session)
                messages = packs(rows)
                publishing = [
                    asyncio.ensure_future(self.broker.publish(*message_of(pack), pack[0].type)) for pack in messages
                ]
                taken.set_result(len(rows))
                outcomes = await asyncio.gather(*publishing, return_exceptions=True)
                confirmed = [
                    row for pack, outcome in zip(messages, outcomes, strict=True) if outcome is None for row in pack
                ]
                for pack, outcome in zip(messages, outcomes, strict=True):
                    if outcome is not None:
                        for row in pack:
                            log.warning(
                                "outbox_publish_failed", event_id=str(row.event_id), type=row.type, error=repr(outcome)
                            )
                            self.metrics.publish_failed(row.type, type(outcome).__name__)
                if confirmed:
                    await self.mark_sent(session, [row.seq for row in confirmed])
        except BaseException as exc:
            if not taken.done():
                taken.set_exception(exc)
            raise
        for row in confirmed:
            self.metrics.published(row.type)
        if len(confirmed) < len(rows):
            raise RuntimeError(f"{len(rows) - len(confirmed)} of {len(rows)} events not confirmed; they stay unsent")
        return len(confirmed)

    @staticmethod
    async def locked_batch(session: AsyncSession) -> list[Row]:
        """The next ``BATCH`` unsent rows no other transaction holds, locked until this one ends."""
        return list((await session.execute(_UNSENT)).all())

    @staticmethod
    async def mark_sent(session: AsyncSession, seqs: list[int]) -> None:
        await session.execute(update(outbox).where(outbox.c.seq.in_(seqs)).values(sent_at=func.now()))

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
                    await self.publish_pending()
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
