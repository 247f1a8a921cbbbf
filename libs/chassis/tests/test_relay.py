"""The relay's pipelined batches: every row once, in the outbox's order; a refused row left for a later pass.

The events are classes, which the probe's consumer does not take (its queue stays as other tests expect it), and
the refused one a staff role, which nothing here is bound for.
"""

from collections import namedtuple
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID, uuid4

import aio_pika
import pytest
from sqlalchemy import select

from chassis.broker import Broker
from chassis.consumers import Consumer, deliveries
from chassis.events import BATCH_CONTENT_TYPE, EVENT_CONTENT_TYPE, EVENTS_HEADER, emit_events
from chassis.relay import BATCH, IN_FLIGHT, PACK, OutboxRelay, packs
from chassis.settings import ServiceSettings
from chassis.tables import outbox
from chassis.tenancy import Tenant
from chassis.testing import delete_queues
from contracts import Event
from contracts.roster import ClassCreated, StaffRoleGranted

from .conftest import Probe


def classes(count: int) -> list[Event]:
    return [
        ClassCreated(class_id=uuid4(), grade=5, letter=str(i), name=f"5-{i}", academic_year="2026/2027")
        for i in range(count)
    ]


def refused() -> StaffRoleGranted:
    return StaffRoleGranted(person_id=uuid4(), role="teacher")


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
    """The ids of every event in the queue, in the order it holds them (a batch message's in its order)."""
    connection = await aio_pika.connect(settings.amqp_url)
    ids: list[UUID] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(settings.queue_prefix + queue_name)
        while (message := await queue.get(no_ack=True, fail=False)) is not None:
            ids.extend(UUID(delivery.message_id) for delivery in deliveries(message))
    return ids


@asynccontextmanager
async def classes_queue(settings: ServiceSettings) -> AsyncIterator[tuple[Broker, Consumer]]:
    """A broker on ``settings``' exchange with a queue of its own for classes that nobody consumes: it counts."""
    consumer = Consumer(f"relay.{uuid4().hex[:8]}")
    consumer.on(ClassCreated)(lambda *_: None)
    broker = await Broker.connect(settings, [consumer])
    try:
        yield broker, consumer
    finally:
        await broker.close()
        await delete_queues(settings, [consumer.name])


async def test_pipelined_batches_publish_every_row_once_in_the_outbox_order(probe_app: Probe):
    await drained(probe_app)
    async with classes_queue(probe_app.settings) as (broker, queue):
        ids = await emit(probe_app, classes((IN_FLIGHT + 1) * BATCH + 7))

        relay = OutboxRelay(probe_app.app.state.db, broker, probe_app.app.state.metrics)

        assert await relay.publish_pending() == len(ids)

        assert await taken_from(probe_app.settings, queue.name) == ids
    assert await unsent_ids(probe_app) == []


async def test_a_publish_refused_amid_pipelined_batches_leaves_that_row_unsent_until_a_later_pass(
    probe_app: Probe, bare_exchange_settings: ServiceSettings
):
    """On an exchange with no alternate only classes are routed: a staff role in the second batch (in flight beside
    the first) is returned. That row alone stays unsent; the rest went once; a later pass publishes it."""
    await drained(probe_app)
    async with classes_queue(bare_exchange_settings) as (bare, queue):
        events = classes(2 * BATCH)
        events[BATCH + 10] = refused()
        ids = await emit(probe_app, events)

        with pytest.raises(RuntimeError, match=f"1 of {BATCH} events not confirmed"):
            await OutboxRelay(probe_app.app.state.db, bare, probe_app.app.state.metrics).publish_pending()

        assert await unsent_ids(probe_app) == [ids[BATCH + 10]]
        assert await taken_from(bare_exchange_settings, queue.name) == [i for i in ids if i != ids[BATCH + 10]]

    assert await probe_app.relay().publish_pending() == 1  # through the exchange with the alternate
    assert await unsent_ids(probe_app) == []


async def test_no_batch_is_taken_after_one_that_failed(probe_app: Probe, bare_exchange_settings: ServiceSettings):
    """A staff role in the first batch is returned: the second batch was already in flight and goes out, the third
    is not taken; a later pass publishes what was left."""
    await drained(probe_app)
    async with classes_queue(bare_exchange_settings) as (bare, queue):
        events = classes((IN_FLIGHT + 1) * BATCH)
        events[10] = refused()
        ids = await emit(probe_app, events)

        with pytest.raises(RuntimeError, match=f"1 of {BATCH} events not confirmed"):
            await OutboxRelay(probe_app.app.state.db, bare, probe_app.app.state.metrics).publish_pending()

        left = [ids[10], *ids[IN_FLIGHT * BATCH :]]
        assert sorted(await unsent_ids(probe_app)) == sorted(left)
        assert await taken_from(bare_exchange_settings, queue.name) == [i for i in ids if i not in left]

    assert await probe_app.relay().publish_pending() == len(left)
    assert await unsent_ids(probe_app) == []


def test_rows_of_one_type_and_school_share_a_message_of_at_most_pack_events():
    Row = namedtuple("Row", "seq type school_id")
    a, b = uuid4(), uuid4()
    rows = [Row(1, "mark", a), Row(2, "mark", b), Row(3, "absence", a), Row(4, "mark", a), Row(5, "mark", a)]
    assert [[r.seq for r in pack] for pack in packs(rows, limit=2)] == [[1, 4], [2], [3], [5]]
    assert [[r.seq for r in pack] for pack in packs(rows)] == [[1, 4, 5], [2], [3]]


async def test_a_columns_events_go_as_batch_messages_of_their_events_in_order(probe_app: Probe):
    """A lesson column's events, one type of one school, are a few messages to route and acknowledge, not one
    each; one event alone is still a plain CloudEvent."""
    await drained(probe_app)
    async with classes_queue(probe_app.settings) as (_, consumer):
        ids = await emit(probe_app, classes(PACK + 5))
        assert await probe_app.relay().publish_pending() == PACK + 5
        single = await emit(probe_app, classes(1))
        assert await probe_app.relay().publish_pending() == 1
        connection = await aio_pika.connect(probe_app.settings.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(probe_app.settings.queue_prefix + consumer.name)
            messages = []
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                messages.append(message)
    assert [m.content_type for m in messages] == [BATCH_CONTENT_TYPE, BATCH_CONTENT_TYPE, EVENT_CONTENT_TYPE]
    assert [m.headers.get(EVENTS_HEADER) for m in messages] == [PACK, 5, None]
    assert [UUID(d.message_id) for m in messages for d in deliveries(m)] == ids + single
    assert [m.message_id for m in messages] == [str(ids[0]), str(ids[PACK]), str(single[0])]
