"""A consumer that starts late catches up from the outbox; one that has everything applies nothing twice."""

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import aio_pika

from chassis.replay import replay
from chassis.testing import eventually
from contracts.roster import SubjectCreated

from .conftest import Probe, probe
from .test_messaging import emit_subject, names_seen
from .test_topology import consumer_of, declared, depth


async def publish_all(probe_app: Probe) -> None:
    while await probe_app.relay().publish_pending():
        pass


async def test_a_consumer_started_after_the_events_gets_their_history_in_order(probe_app: Probe):
    name = f"история-{uuid4().hex[:6]}"
    for n in range(3):
        await emit_subject(probe_app, f"{name}-{n}")
    await publish_all(probe_app)
    latecomer = consumer_of(SubjectCreated)
    await declared(probe_app.settings, [latecomer])
    queue_name = probe_app.settings.queue_prefix + latecomer.name

    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        count = await replay(probe_app.app.state.db, connection, queue_name, latecomer.event_types)
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name)
        bodies = []
        while message := await queue.get(no_ack=True, fail=False):
            bodies.append(message.body.decode())
    assert count == len(bodies) >= 3
    mine = [b for b in bodies if name in b]
    assert [f"{name}-{n}" in b for n, b in enumerate(mine)] == [True, True, True]


async def test_replaying_to_a_consumer_that_has_everything_applies_nothing_twice(probe_app: Probe):
    name = f"повтор-{uuid4().hex[:6]}"
    since = datetime.now(UTC)  # only this test's event: others may still be on their way
    await emit_subject(probe_app, name)
    await publish_all(probe_app)
    await eventually(lambda: names_seen(probe_app, name))
    before = await probe_app.count()

    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        queue_name = probe_app.settings.queue_prefix + probe.name
        assert await replay(probe_app.app.state.db, connection, queue_name, probe.event_types, since) == 1

    await eventually(lambda: _drained(probe_app, queue_name))
    await asyncio.sleep(0.3)
    assert await probe_app.count() == before
    assert await names_seen(probe_app, name) == 1


async def _drained(probe_app: Probe, queue_name: str) -> bool:
    return await depth(probe_app.settings, queue_name) == 0
