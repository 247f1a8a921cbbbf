"""The relay's pipelined batches: every row once, in the outbox's order, and a refused one left for a later pass."""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import aio_pika
import pytest
from sqlalchemy import select

from chassis.broker import Broker
from chassis.consumers import Consumer
from chassis.events import emit_events
from chassis.relay import BATCH, IN_FLIGHT, OutboxRelay
from chassis.settings import ServiceSettings
from chassis.tables import outbox
from chassis.tenancy import Tenant
from chassis.testing import delete_queues
from contracts import Event
from contracts.roster import ClassCreated, SubjectCreated

from .conftest import Probe


def subject(i: int) -> SubjectCreated:
    return SubjectCreated(subject_id=uuid4(), name=f"конвейер-{i}")


async def emit(probe: Probe, events: list[Event]) -> list[UUID]:
    """The events in one transaction, as an import's chunk writes them; their ids in the outbox's order."""
    school = uuid4()
    async with probe.app.state.db.transaction(Tenant(school_id=school)) as session:
        return [e.id for e in await emit_events(session, events, school_id=school)]


async def drained(probe: Probe) -> None:
    """What other tests left, published through the probe's own exchange."""
    while await probe.relay().publish_pending():
        pass


async def unsent_ids(probe: Probe) -> list[UUID]:
    async with probe.app.state.db.engine.connect() as connection:
        return list((await connection.scalars(select(outbox.c.event_id).where(outbox.c.sent_at.is_(None)))).all())


async def taken_from(settings: ServiceSettings, queue_name: str) -> list[UUID]:
    """The ids of every message in the queue, in the order it holds them."""
    connection = await aio_pika.connect(settings.amqp_url)
    ids: list[UUID] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(settings.queue_prefix + queue_name)
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            ids.append(UUID(message.message_id))
    return ids


@pytest.fixture
async def subjects_queue(probe_app: Probe) -> AsyncIterator[Consumer]:
    """A queue of its own for subjects on the probe's exchange, nobody consuming it: it counts what arrives."""
    consumer = Consumer(f"relay.{uuid4().hex[:8]}")
    consumer.on(SubjectCreated)(lambda *_: None)
    broker = await Broker.connect(probe_app.settings, [consumer])
    await broker.close()
    yield consumer
    await delete_queues(probe_app.settings, [consumer.name])


async def test_pipelined_batches_publish_every_row_once_in_the_outbox_order(probe_app: Probe, subjects_queue: Consumer):
    await drained(probe_app)
    ids = await emit(probe_app, [subject(i) for i in range((IN_FLIGHT + 1) * BATCH + 7)])

    assert await probe_app.relay().publish_pending() == len(ids)

    assert await taken_from(probe_app.settings, subjects_queue.name) == ids
    assert await unsent_ids(probe_app) == []


async def test_a_publish_refused_amid_pipelined_batches_leaves_that_row_unsent_until_a_later_pass(
    probe_app: Probe, bare_exchange_settings: ServiceSettings
):
    """On an exchange with no alternate, only subjects are routed: a class in the second batch (in flight beside
    the first) is returned. That row alone stays unsent; the rest went once; a later pass publishes it."""
    await drained(probe_app)
    consumer = Consumer(f"relay.{uuid4().hex[:8]}")
    consumer.on(SubjectCreated)(lambda *_: None)
    bare = await Broker.connect(bare_exchange_settings, [consumer])
    try:
        events: list[Event] = [subject(i) for i in range(2 * BATCH)]
        events[BATCH + 10] = ClassCreated(class_id=uuid4(), grade=5, letter="А", name="5А", academic_year="2026/2027")
        ids = await emit(probe_app, events)
        refused = ids[BATCH + 10]

        with pytest.raises(RuntimeError, match=f"1 of {BATCH} events not confirmed"):
            await OutboxRelay(probe_app.app.state.db, bare, probe_app.app.state.metrics).publish_pending()

        assert await unsent_ids(probe_app) == [refused]
        assert await taken_from(bare_exchange_settings, consumer.name) == [i for i in ids if i != refused]
    finally:
        await bare.close()
        await delete_queues(bare_exchange_settings, [consumer.name])

    assert await probe_app.relay().publish_pending() == 1  # through the exchange with the alternate
    assert await unsent_ids(probe_app) == []
