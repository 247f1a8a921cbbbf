"""Consuming events: typed handlers, the inbox, delayed retries and dead-lettering.

A handler runs in one database transaction with the inbox row ``(consumer, event id)``;
a redelivered event finds its row and has no second effect. A handler that raises is
retried after a delay up to ``max_attempts`` times, then its message is dead-lettered;
a message that is not a readable event is dead-lettered at once.
"""

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from opentelemetry import trace
from opentelemetry.propagate import extract
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.broker import Broker, declare_consumer_queue
from chassis.db import Database
from chassis.events import Envelope
from chassis.metrics import DEAD_LETTERED, DUPLICATE, OK, RETRIED, UNREADABLE, Metrics
from chassis.settings import ServiceSettings
from chassis.tables import inbox
from chassis.tenancy import Tenant
from contracts import Event

log = structlog.get_logger()
tracer = trace.get_tracer("chassis.consumers")

ATTEMPT_HEADER = "x-attempt"

Handler = Callable[[AsyncSession, Any, Envelope], Awaitable[None]]


@dataclass
class Consumer:
    """One durable queue of a service and the handler for each event type it takes.

    ``handlers`` maps an event class to ``async def handle(session, event, envelope)``.
    """

    name: str
    handlers: dict[type[Event], Handler] = field(default_factory=dict)

    def on(self, event_class: type[Event]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.handlers[event_class] = handler
            return handler

        return register

    @property
    def event_types(self) -> list[str]:
        return [cls.TYPE for cls in self.handlers]


class UnreadableMessage(Exception):
    """Not a CloudEvent we know: retrying cannot help."""


def read_event(body: bytes, handlers: dict[str, type[Event]]) -> tuple[Envelope, Event]:
    try:
        envelope = Envelope.model_validate_json(body)
        event_class = handlers.get(envelope.type)
        if event_class is None:
            raise UnreadableMessage(f"no handler for event type {envelope.type}")
        return envelope, event_class.model_validate(envelope.data)
    except ValidationError as exc:
        raise UnreadableMessage(str(exc)) from exc


class ConsumerRunner:
    def __init__(
        self, db: Database, broker: Broker, settings: ServiceSettings, consumers: list[Consumer], metrics: Metrics
    ) -> None:
        self.db = db
        self.broker = broker
        self.settings = settings
        self.consumers = consumers
        self.metrics = metrics
        self._channel: aio_pika.abc.AbstractChannel | None = None

    async def start(self) -> None:
        self._channel = await self.broker.connection.channel(publisher_confirms=True)
        await self._channel.set_qos(prefetch_count=self.settings.prefetch)
        exchange = await self._channel.get_exchange(self.settings.exchange)
        for consumer in self.consumers:
            queue_name = self.settings.queue_prefix + consumer.name
            queue = await declare_consumer_queue(
                self._channel, exchange, queue_name, consumer.event_types, self.settings
            )
            await self._consume(queue, consumer)

    async def stop(self) -> None:
        if self._channel and not self._channel.is_closed:
            await self._channel.close()

    async def _consume(self, queue: AbstractQueue, consumer: Consumer) -> None:
        by_type = {cls.TYPE: cls for cls in consumer.handlers}
        handler_for = {cls.TYPE: handler for cls, handler in consumer.handlers.items()}

        async def on_message(message: AbstractIncomingMessage) -> None:
            try:
                envelope, event = read_event(message.body, by_type)
            except UnreadableMessage as exc:
                log.error("event_unreadable", queue=queue.name, message_id=message.message_id, error=str(exc))
                await message.reject(requeue=False)
                self.metrics.handled(consumer.name, message.type or "unknown", UNREADABLE)
                return
            context = extract({"traceparent": envelope.traceparent} if envelope.traceparent else {})
            with tracer.start_as_current_span(
                f"consume {envelope.type}", context=context, kind=trace.SpanKind.CONSUMER
            ):
                started = time.perf_counter()
                try:
                    first_time = await self._handle_once(consumer.name, handler_for[envelope.type], envelope, event)
                except Exception:
                    outcome = await self._retry_or_dead_letter(queue.name, message, envelope)
                    self.metrics.handling_finished(consumer.name, envelope, outcome, started)
                    return
            await message.ack()
            self.metrics.handling_finished(consumer.name, envelope, OK if first_time else DUPLICATE, started)

        await queue.consume(on_message)

    async def _handle_once(self, consumer_name: str, handler: Handler, envelope: Envelope, event: Event) -> bool:
        """Apply the event unless the inbox already holds it; True when it was applied now."""
        async with self.db.transaction(Tenant(school_id=envelope.schoolid)) as session:
            first_time = (
                await session.execute(
                    insert(inbox)
                    .values(consumer=consumer_name, event_id=envelope.id)
                    .on_conflict_do_nothing()
                    .returning(inbox.c.event_id)
                )
            ).first()
            if first_time is None:
                log.info("event_duplicate_skipped", consumer=consumer_name, event_id=str(envelope.id))
                return False
            await handler(session, event, envelope)
        return True

    async def _retry_or_dead_letter(self, queue_name: str, message: AbstractIncomingMessage, envelope: Envelope) -> str:
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 1))
        log.exception(
            "event_handler_failed", queue=queue_name, event_id=str(envelope.id), type=envelope.type, attempt=attempt
        )
        if attempt >= self.settings.max_attempts:
            await message.reject(requeue=False)
            return DEAD_LETTERED
        assert self._channel is not None
        retry = aio_pika.Message(
            body=message.body,
            message_id=message.message_id,
            type=message.type,
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={**(message.headers or {}), ATTEMPT_HEADER: attempt + 1},
        )
        await self._channel.default_exchange.publish(retry, routing_key=f"{queue_name}.retry")
        await message.ack()
        return RETRIED
