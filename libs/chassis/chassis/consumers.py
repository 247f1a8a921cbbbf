"""Consuming events: typed handlers, the inbox, retries with backoff, pauses in outages, dead letters.

A handler runs in one database transaction with the inbox row ``(consumer, event id)``;
a redelivered event finds its row and has no second effect.

Deliveries are applied in batches: up to ``consumer_batch`` of them, or what arrived within
``consumer_batch_window_ms`` of the first, run their handlers in one transaction (each event under
its own school's tenant) after one multi-row inbox insert, and are acknowledged together. When a
handler fails, the batch is rolled back and its events are applied one by one, each in its own
transaction: the failing one is retried or dead-lettered as below, the rest still apply. A message
may carry several events of one type (the relay's batch format, ``chassis.relay``): each of them is
applied, retried or dead-lettered on its own, and the message is acknowledged once all of them are.

- A handler's own error costs an attempt (our header ``x-attempt``, not the quorum queue's
  delivery count, which also rises when a channel closes in an outage): the message waits in a
  delay queue (exponential, with jitter) and returns; after ``max_attempts`` it is dead-lettered.
- An outage (PostgreSQL or the broker unreachable) costs nothing: the consumer holds its messages
  unacknowledged and pauses, with backoff, until the database answers again.
- A message that is not a readable event is dead-lettered at once; an event type with no handler
  here (an older instance during a rolling deploy) is retried like a handler error, so a newer
  instance takes it. Every dead letter carries its reason (``x-death-reason``), see ``chassis.dlq``.
"""

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
import aiormq
import asyncpg
import sqlalchemy.exc
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from opentelemetry import trace
from opentelemetry.propagate import extract
from pydantic import ValidationError
from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.broker import Broker
from chassis.bulk import insert_rows
from chassis.db import Database, set_tenant
from chassis.events import BATCH_CONTENT_TYPE, EVENT_CONTENT_TYPE, EVENTS_HEADER, Envelope
from chassis.metrics import DEAD_LETTERED, DUPLICATE, OK, RETRIED, UNREADABLE, Metrics
from chassis.publishers import broker_user, publisher_refusal
from chassis.settings import ServiceSettings
from chassis.tables import inbox
from chassis.tenancy import Tenant
from chassis.topology import DEAD_LETTER_EXCHANGE, delay_name
from contracts import Event

log = structlog.get_logger()
tracer = trace.get_tracer("chassis.consumers")

ATTEMPT_HEADER = "x-attempt"
#: Why a message was dead-lettered, and when, for a person reading the DLQ.
REASON_HEADER = "x-death-reason"
DIED_AT_HEADER = "x-died-at"

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]
#: Takes a run of consecutive events of one type and one school: ``async def handle(session, [(event, envelope)])``.
ManyHandler = Callable[[AsyncSession, list[tuple[Any, Envelope]]], Awaitable[None]]


@dataclass
class Consumer:
    """One durable queue of a service and the handler for each event type it takes.

    ``handlers`` maps an event class to ``async def handle(session, event, envelope)``; ``many`` those
    registered with ``on_many``, which take a batch's consecutive events of their type in one call
    (one multi-row statement instead of one per event; alone, an event is a run of one).
    """

    name: str
    handlers: dict[type[Event], Handler] = field(default_factory=dict)
    many: dict[type[Event], ManyHandler] = field(default_factory=dict)

    def on(self, event_class: type[Event]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.handlers[event_class] = handler
            return handler

        return register

    def on_many(self, event_class: type[Event]) -> Callable[[ManyHandler], ManyHandler]:
        def register(handler: ManyHandler) -> ManyHandler:
            async def alone(session: AsyncSession, event: Any, envelope: Envelope) -> None:
                await handler(session, [(event, envelope)])

            self.many[event_class] = handler
            self.handlers[event_class] = alone
            return handler

        return register

    @property
    def event_types(self) -> list[str]:
        return [cls.TYPE for cls in self.handlers]


class UnreadableMessage(Exception):
    """Not a CloudEvent, or data its type's contract rejects: retrying cannot help."""


class UnknownEventType(Exception):
    """An event type this consumer has no handler for: another instance of it may have one."""


@dataclass(frozen=True)
class Delivery:
    """One event of a message: its envelope as the message's body, or as an item of a batch message."""

    message: AbstractIncomingMessage
    source: bytes | dict[str, Any]

    @property
    def body(self) -> bytes:
        """The event alone, as a message of its own carries it (a retry, a dead letter)."""
        if isinstance(self.source, bytes):
            return self.source
        return json.dumps(self.source, ensure_ascii=False).encode()

    @property
    def message_id(self) -> str | None:
        return self.message.message_id if isinstance(self.source, bytes) else str(self.source.get("id"))

    @property
    def type(self) -> str | None:
        return self.message.type if isinstance(self.source, bytes) else str(self.source.get("type"))


def deliveries(message: AbstractIncomingMessage) -> list[Delivery]:
    """The events a message carries. A batch whose body is not an array of objects is one unreadable event."""
    if message.content_type == BATCH_CONTENT_TYPE:
        try:
            items = json.loads(message.body)
        except ValueError:
            items = None
        if isinstance(items, list) and items and all(isinstance(item, dict) for item in items):
            return [Delivery(message, item) for item in items]
    return [Delivery(message, message.body)]


def events_in(message: AbstractIncomingMessage) -> int:
    """How many events a message carries, from its header (the body is read later)."""
    try:
        return max(1, int((message.headers or {}).get(EVENTS_HEADER, 1)))
    except (TypeError, ValueError):
        return 1


def read_event(source: bytes | dict[str, Any], handlers: dict[str, type[Event]]) -> tuple[Envelope, Event]:
    try:
        if isinstance(source, bytes):
            envelope = Envelope.model_validate_json(source)
        else:
            envelope = Envelope.model_validate(source)
    except ValidationError as exc:
        raise UnreadableMessage(str(exc)) from exc
    event_class = handlers.get(envelope.type)
    if event_class is None:
        raise UnknownEventType(f"no handler for event type {envelope.type}")
    try:
        return envelope, event_class.model_validate(envelope.data)
    except ValidationError as exc:
        raise UnreadableMessage(str(exc)) from exc


#: An event's inbox row unless it is there: its id back when it was written now. Built once, not per event.
INBOX_ROW = (
    insert(inbox)
    .values(consumer=bindparam("consumer"), event_id=bindparam("event_id"))
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)


#: Errors that mean "the database or the broker is unreachable now", not "this event is bad".
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # connection refused / reset, and TimeoutError
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    aiormq.exceptions.AMQPConnectionError,
    aiormq.exceptions.ChannelInvalidStateError,
)


def is_outage(exc: BaseException) -> bool:
    """True when ``exc`` or anything it was raised from is an outage (SQLAlchemy wraps asyncpg's errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OUTAGE_ERRORS):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


def retry_delay_ms(settings: ServiceSettings, failed_attempt: int) -> tuple[int, int]:
    """The delay queue for a message whose ``failed_attempt``-th try failed, and its jittered expiry.

    Exponential steps come from the queues' schedule; the jitter (half to all of the step) spreads
    a burst of failures so they do not all return at the same instant.
    """
    delays = sorted(settings.retry_delays_ms)
    queue_delay = delays[min(failed_attempt, len(delays)) - 1]
    return queue_delay, random.randint(queue_delay // 2, queue_delay)


class Outage:
    """Shared by a runner's handlers: once one meets an outage, all wait, backing off, until it ends."""

    def __init__(self, first_pause: float = 0.5, longest_pause: float = 15.0) -> None:
        self.first_pause, self.longest_pause = first_pause, longest_pause
        self._until = 0.0
        self._pause = first_pause

    def began(self) -> None:
        now = time.monotonic()
        if now >= self._until:
            self._until = now + self._pause * random.uniform(0.8, 1.2)
            self._pause = min(self._pause * 2, self.longest_pause)

    def ended(self) -> None:
        self._pause = self.first_pause

    @property
    def active(self) -> bool:
        return time.monotonic() < self._until

    async def wait(self) -> None:
        left = self._until - time.monotonic()
        if left > 0:
            await asyncio.sleep(left)


async def _ack_together(messages: list[AbstractIncomingMessage]) -> None:
    """The highest delivery tag of each channel acknowledges that channel's part of the batch.

    Every earlier delivery of the channel is in this batch or was settled before it (one batch at a
    time per queue); a batch spans two channels only when the connection was restored meanwhile.
    """
    last: dict[int, AbstractIncomingMessage] = {}
    for message in messages:
        key = id(message.channel)
        if key not in last or (message.delivery_tag or 0) > (last[key].delivery_tag or 0):
            last[key] = message
    for message in last.values():
        await message.ack(multiple=True)


async def _fresh(session: AsyncSession) -> None:
    """Each handler starts with an empty identity map, as in a transaction of its own: no object another
    handler loaded (maybe since changed by a Core statement, maybe another school's) is taken for the row."""
    await session.flush()
    session.expunge_all()


@contextlib.contextmanager
def _consuming(envelope: Envelope) -> Iterator[None]:
    """The handler's span, a child of the producer's trace (the first event's, for a run)."""
    context = extract({"traceparent": envelope.traceparent} if envelope.traceparent else {})
    with tracer.start_as_current_span(f"consume {envelope.type}", context=context, kind=trace.SpanKind.CONSUMER):
        yield


class ConsumerRunner:
    def __init__(
        self, db: Database, broker: Broker, settings: ServiceSettings, consumers: list[Consumer], metrics: Metrics
    ) -> None:
        self.db = db
        self.broker = broker
        self.settings = settings
        self.consumers = consumers
        self.metrics = metrics
        self.outage = Outage()
        #: Publishes retries and dead letters, with confirms.
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._consuming: list[aio_pika.abc.AbstractChannel] = []
        self._batchers: list[asyncio.Task] = []

    async def start(self) -> None:
        """Consume every consumer's queue (the topology was declared when the broker connected).

        Each queue has its own channel, so acknowledging a batch together (``multiple``) covers
        that queue's deliveries only; retries and dead letters are published on a shared channel.
        """
        self._channel = await self.broker.connection.channel(publisher_confirms=True)
        for consumer in self.consumers:
            channel = await self.broker.connection.channel(publisher_confirms=False)
            await channel.set_qos(prefetch_count=self.settings.prefetch)
            self._consuming.append(channel)
            queue = await channel.get_queue(self.settings.queue_prefix + consumer.name)
            await self._consume(queue, consumer)

    async def stop(self) -> None:
        for task in self._batchers:
            task.cancel()
        for task in self._batchers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for channel in [*self._consuming, self._channel]:
            if channel and not channel.is_closed:
                await channel.close()

    async def _consume(self, queue: AbstractQueue, consumer: Consumer) -> None:
        arrived: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()

        async def on_message(message: AbstractIncomingMessage) -> None:
            arrived.put_nowait(message)

        self._batchers.append(asyncio.create_task(self._batches(queue.name, consumer, arrived)))
        await queue.consume(on_message)

    async def _batches(self, queue_name: str, consumer: Consumer, arrived: asyncio.Queue) -> None:
        """One batch at a time per queue: every earlier delivery is settled when a batch is acknowledged."""
        window = self.settings.consumer_batch_window_ms / 1000
        limit = max(1, self.settings.consumer_batch)
        while True:
            batch = [await arrived.get()]
            events = events_in(batch[0])
            deadline = time.monotonic() + window
            while events < limit:
                if not arrived.empty():
                    batch.append(arrived.get_nowait())
                    events += events_in(batch[-1])
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(arrived.get(), left))
                except TimeoutError:
                    break
                events += events_in(batch[-1])
            try:
                await self._handle_batch(queue_name, consumer, batch)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Publishing a retry failed (the broker went away): the deliveries stay unacknowledged
                # and return to the queue when the channel closes.
                log.exception("consumer_batch_failed", queue=queue_name, size=len(batch))

    async def _handle_batch(self, queue_name: str, consumer: Consumer, batch: list[AbstractIncomingMessage]) -> None:
        """Apply, retry or dead-letter every event of the batch's messages, then acknowledge the messages."""
        await self._settle(queue_name, consumer, [delivery for message in batch for delivery in deliveries(message)])
        await _ack_together(batch)

    async def _settle(self, queue_name: str, consumer: Consumer, batch: list[Delivery]) -> None:
        by_type = {cls.TYPE: cls for cls in consumer.handlers}
        readable: list[tuple[Delivery, Envelope, Event]] = []
        for delivery in batch:
            try:
                envelope, event = read_event(delivery.source, by_type)
            except UnreadableMessage as exc:
                log.error("event_unreadable", queue=queue_name, message_id=delivery.message_id, error=str(exc))
                await self._dead_letter(queue_name, delivery, f"unreadable: {exc}")
                self.metrics.handled(consumer.name, delivery.type or "unknown", UNREADABLE)
                continue
            except UnknownEventType as exc:
                outcome = await self._retry_or_dead_letter(queue_name, delivery, str(exc))
                self.metrics.handled(consumer.name, delivery.type or "unknown", outcome)
                continue
            if refusal := self.publisher_refusal(delivery.message, envelope.type):
                log.error("event_from_wrong_publisher", queue=queue_name, message_id=delivery.message_id, why=refusal)
                await self._dead_letter(queue_name, delivery, refusal)
                self.metrics.handled(consumer.name, envelope.type, UNREADABLE)
                continue
            readable.append((delivery, envelope, event))
        if not readable:
            return
        started = time.perf_counter()
        if len(readable) > 1:
            applied = await self._apply_together(queue_name, consumer, readable)
            if applied is not None:
                for (_, envelope, _), first_time in zip(readable, applied, strict=True):
                    self.metrics.handling_finished(consumer.name, envelope, OK if first_time else DUPLICATE, started)
                return
        for delivery, envelope, event in readable:
            await self._handle_alone(queue_name, consumer, delivery, envelope, event)

    async def _apply_together(
        self, queue_name: str, consumer: Consumer, readable: list[tuple[Delivery, Envelope, Event]]
    ) -> list[bool] | None:
        """The batch in one transaction; for each event whether it was applied now (else a duplicate).

        None when a handler failed: nothing of the batch was applied, each event goes alone.
        """
        while True:
            await self.outage.wait()
            try:
                applied = await self._apply_in_one_transaction(consumer, [(e, ev) for _, e, ev in readable])
                self.outage.ended()
                return applied
            except Exception as exc:
                if is_outage(exc):
                    log.warning("consumer_paused_by_outage", queue=queue_name, error=repr(exc))
                    self.outage.began()
                    continue
                log.info("consumer_batch_split", queue=queue_name, size=len(readable), error=repr(exc))
                return None

    async def _apply_in_one_transaction(self, consumer: Consumer, events: list[tuple[Envelope, Event]]) -> list[bool]:
        handler_for = {cls.TYPE: handler for cls, handler in consumer.handlers.items()}
        tenant = Tenant(school_id=events[0][0].schoolid)
        async with self.db.transaction(tenant) as session:
            # One statement of arrays (``chassis.bulk``): a multi-row VALUES would be compiled for every batch.
            rows = [{"consumer": consumer.name, "event_id": envelope.id} for envelope, _ in events]
            written = await insert_rows(
                session, inbox, rows, skip_conflicts_on=("consumer", "event_id"), returning=("event_id",)
            )
            new = {row.event_id for row in written}
            applied: list[bool] = []
            #: Consecutive new events of one type and school whose handler takes them together.
            run: list[tuple[Event, Envelope]] = []
            for envelope, event in events:
                if envelope.id not in new:
                    applied.append(False)
                    log.info("event_duplicate_skipped", consumer=consumer.name, event_id=str(envelope.id))
                    continue
                new.discard(envelope.id)  # the same event twice in one batch is applied once
                applied.append(True)
                if run and (run[0][1].type, run[0][1].schoolid) != (envelope.type, envelope.schoolid):
                    await self._apply_run(session, consumer, run)
                    run = []
                if envelope.schoolid != tenant.school_id:
                    tenant = Tenant(school_id=envelope.schoolid)
                    await set_tenant(session, tenant)
                if type(event) in consumer.many:
                    run.append((event, envelope))
                    continue
                await _fresh(session)
                with _consuming(envelope):
                    await handler_for[envelope.type](session, event, envelope)
            if run:
                await self._apply_run(session, consumer, run)
        return applied

    async def _apply_run(self, session: AsyncSession, consumer: Consumer, run: list[tuple[Event, Envelope]]) -> None:
        await _fresh(session)
        with _consuming(run[0][1]):
            await consumer.many[type(run[0][0])](session, run)

    async def _handle_alone(
        self, queue_name: str, consumer: Consumer, delivery: Delivery, envelope: Envelope, event: Event
    ) -> None:
        """One event in its own transaction: a handler error costs an attempt, an outage pauses."""
        handler = {cls.TYPE: handler for cls, handler in consumer.handlers.items()}[envelope.type]
        context = extract({"traceparent": envelope.traceparent} if envelope.traceparent else {})
        with tracer.start_as_current_span(f"consume {envelope.type}", context=context, kind=trace.SpanKind.CONSUMER):
            started = time.perf_counter()
            while True:
                await self.outage.wait()
                try:
                    first_time = await self._handle_once(consumer.name, handler, envelope, event)
                    self.outage.ended()
                    break
                except Exception as exc:
                    if is_outage(exc):
                        # Not the event's fault: hold the message and try again when the outage ends.
                        log.warning("consumer_paused_by_outage", queue=queue_name, error=repr(exc))
                        self.outage.began()
                        continue
                    log.exception(
                        "event_handler_failed", queue=queue_name, event_id=str(envelope.id), type=envelope.type
                    )
                    outcome = await self._retry_or_dead_letter(queue_name, delivery, f"handler: {exc!r}")
                    self.metrics.handling_finished(consumer.name, envelope, outcome, started)
                    return
        self.metrics.handling_finished(consumer.name, envelope, OK if first_time else DUPLICATE, started)

    def publisher_refusal(self, message: AbstractIncomingMessage, event_type: str) -> str | None:
        """Issue 7: an event only from the owning service's RabbitMQ user (the broker validated ``user_id``)."""
        if not self.settings.verify_publishers:
            return None
        own = broker_user(self.settings.amqp_url)
        return publisher_refusal(event_type, message.user_id, own_user=own, template=self.settings.broker_user_template)

    async def _handle_once(self, consumer_name: str, handler: Handler, envelope: Envelope, event: Event) -> bool:
        """Apply the event unless the inbox already holds it; True when it was applied now."""
        async with self.db.transaction(Tenant(school_id=envelope.schoolid)) as session:
            first_time = (
                await session.execute(INBOX_ROW, {"consumer": consumer_name, "event_id": envelope.id})
            ).first()
            if first_time is None:
                log.info("event_duplicate_skipped", consumer=consumer_name, event_id=str(envelope.id))
                return False
            await handler(session, event, envelope)
        return True

    def _copy(self, delivery: Delivery, headers: dict, expiration: float | None = None) -> aio_pika.Message:
        """The event alone as a message of its own, whether it came alone or in a batch."""
        message = delivery.message
        alone = isinstance(delivery.source, bytes)
        return aio_pika.Message(
            # Republished by this service, so under its own (validated) user: see publisher_refusal.
            user_id=broker_user(self.settings.amqp_url),
            body=delivery.body,
            message_id=delivery.message_id,
            type=delivery.type,
            content_type=message.content_type if alone else EVENT_CONTENT_TYPE,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={**{k: v for k, v in (message.headers or {}).items() if k != EVENTS_HEADER}, **headers},
            expiration=expiration,
        )

    async def _retry_or_dead_letter(self, queue_name: str, delivery: Delivery, reason: str) -> str:
        """Publish the event to its delay queue, or to the dead letters after its last attempt; confirmed before
        its message is acknowledged, so the event is in the delay queue or still here, never neither."""
        attempt = int((delivery.message.headers or {}).get(ATTEMPT_HEADER, 1))
        if attempt >= self.settings.max_attempts:
            await self._dead_letter(queue_name, delivery, f"{reason} (after {attempt} attempts)")
            return DEAD_LETTERED
        assert self._channel is not None
        queue_delay, expiry_ms = retry_delay_ms(self.settings, attempt)
        delay_exchange = await self._channel.get_exchange(delay_name(self.settings, queue_delay), ensure=False)
        retry = self._copy(delivery, {ATTEMPT_HEADER: attempt + 1}, expiration=expiry_ms / 1000)
        await delay_exchange.publish(retry, routing_key=queue_name)
        return RETRIED

    async def _dead_letter(self, queue_name: str, delivery: Delivery, reason: str) -> None:
        assert self._channel is not None
        dead_letters = await self._channel.get_exchange(DEAD_LETTER_EXCHANGE, ensure=False)
        headers = {REASON_HEADER: reason[:1000], DIED_AT_HEADER: datetime.now(UTC).isoformat()}
        await dead_letters.publish(self._copy(delivery, headers), routing_key=queue_name)
