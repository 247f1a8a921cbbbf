"""The topology is declared before anything publishes, keeps what nobody listens to, and tolerates change."""

from uuid import uuid4

import aio_pika
import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from chassis.broker import Broker
from chassis.consumers import Consumer
from chassis.events import emit_event
from chassis.relay import OutboxRelay
from chassis.settings import ServiceSettings
from chassis.tables import outbox
from chassis.tenancy import Tenant
from chassis.testing import RUN_BROKER_PREFIX, publish_event
from chassis.topology import declare, topology_for, unrouted_name
from contracts.roster import ClassCreated, SubjectCreated

from .conftest import Probe
from .test_metrics import scrape, value


def consumer_of(*event_classes) -> Consumer:
    consumer = Consumer(f"topology.{uuid4().hex[:8]}")
    for event_class in event_classes:
        consumer.on(event_class)(lambda *_: None)
    return consumer


async def depth(settings: ServiceSettings, queue_name: str) -> int:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, passive=True)
        return queue.declaration_result.message_count


async def declared(settings: ServiceSettings, consumers: list[Consumer]):
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        return await declare(connection, topology_for(settings, consumers))


def subject() -> SubjectCreated:
    return SubjectCreated(subject_id=uuid4(), name="топология")


async def test_an_event_published_before_its_consumer_ever_ran_waits_in_its_queue(probe_settings: ServiceSettings):
    newcomer = consumer_of(SubjectCreated)
    await declared(probe_settings, [newcomer])  # as make run and deploy do before any service starts

    await publish_event(probe_settings, subject(), school_id=uuid4())

    assert await depth(probe_settings, probe_settings.queue_prefix + newcomer.name) == 1


async def test_an_event_no_queue_is_bound_for_is_kept_in_the_unrouted_queue(probe_settings: ServiceSettings):
    await declared(probe_settings, [])
    before = await depth(probe_settings, unrouted_name(probe_settings))

    connection = await aio_pika.connect(probe_settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(probe_settings.exchange)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key="nobody.listens.v1")

    assert await depth(probe_settings, unrouted_name(probe_settings)) == before + 1


async def test_a_removed_handler_leaves_no_binding_behind(probe_settings: ServiceSettings):
    consumer = consumer_of(SubjectCreated, ClassCreated)
    await declared(probe_settings, [consumer])
    del consumer.handlers[SubjectCreated]
    await declared(probe_settings, [consumer])

    await publish_event(probe_settings, subject(), school_id=uuid4())

    assert await depth(probe_settings, probe_settings.queue_prefix + consumer.name) == 0


async def test_changed_tunables_redeclare_without_failing(probe_settings: ServiceSettings):
    consumer = consumer_of(SubjectCreated)
    await declared(probe_settings, [consumer])
    changed = probe_settings.model_copy(update={"delivery_limit": 3, "retry_delays_ms": [150, 300, 600]})

    topology = await declared(changed, [consumer])

    assert topology.drift == []
    assert await depth(changed, f"{changed.queue_prefix}school.delay.600ms") == 0


async def test_a_queue_declared_earlier_with_other_arguments_is_used_and_reported(probe_settings: ServiceSettings):
    consumer = consumer_of(SubjectCreated)
    name = probe_settings.queue_prefix + consumer.name
    connection = await aio_pika.connect(probe_settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        # How the chassis declared consumer queues before: the limit as an argument, no at-least-once.
        await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum", "x-delivery-limit": 10})

    topology = await declared(probe_settings, [consumer])

    assert topology.drift == [name]
    await publish_event(probe_settings, subject(), school_id=uuid4())
    assert await depth(probe_settings, name) == 1  # still bound and used


async def test_a_returned_event_stays_unsent_in_the_outbox_counted_and_logged_and_the_rest_of_its_batch_is_sent(
    probe_app: Probe, bare_exchange_settings: ServiceSettings
):
    broker = await Broker.connect(bare_exchange_settings)
    assert bare_exchange_settings.exchange in broker.topology.drift
    relay = OutboxRelay(probe_app.app.state.db, broker, probe_app.app.state.metrics)
    # On the bare exchange a queue takes subjects only: a class has nowhere to go and is returned.
    listener = await aio_pika.connect(bare_exchange_settings.amqp_url)
    try:
        channel = await listener.channel()
        queue = await channel.declare_queue(f"{RUN_BROKER_PREFIX}subjects.{uuid4().hex[:8]}", exclusive=True)
        await queue.bind(bare_exchange_settings.exchange, routing_key=SubjectCreated.TYPE)
        while await probe_app.relay().publish_pending():  # what other tests left, through the real exchange
            pass
        before = await scrape(probe_app)
        school = uuid4()
        async with probe_app.app.state.db.transaction(Tenant(school_id=school)) as session:
            routed = await emit_event(session, subject(), school_id=school)
            returned = await emit_event(session, a_class(), school_id=school)

        with capture_logs() as logs, pytest.raises(RuntimeError, match="1 of 2 events not confirmed"):
            await relay.publish_pending()

        async with probe_app.app.state.db.engine.connect() as connection:
            sent = dict(
                (
                    await connection.execute(
                        select(outbox.c.event_id, outbox.c.sent_at.is_not(None)).where(
                            outbox.c.event_id.in_([routed.id, returned.id])
                        )
                    )
                ).all()
            )
        assert sent == {routed.id: True, returned.id: False}
        failures = [entry for entry in logs if entry["event"] == "outbox_publish_failed"]
        assert [(f["event_id"], f["type"], f["log_level"]) for f in failures] == [
            (str(returned.id), ClassCreated.TYPE, "warning")
        ]
        assert "PublishError" in failures[0]["error"]
        labels = {"type": ClassCreated.TYPE, "error": "PublishError"}
        failed = value(await scrape(probe_app), "journal_events_publish_failed_total", **labels)
        assert failed == value(before, "journal_events_publish_failed_total", **labels) + 1
    finally:
        await listener.close()
        await broker.close()
        while await probe_app.relay().publish_pending():
            pass


def a_class() -> ClassCreated:
    return ClassCreated(class_id=uuid4(), grade=5, letter="В", name="5В", academic_year="2026/2027")


async def test_a_public_event_no_portal_reads_yet_is_kept_and_counts_as_sent(probe_app: Probe):
    settings = probe_app.settings
    before = await depth(settings, unrouted_name(settings))
    message = aio_pika.Message(b"{}", message_id=str(uuid4()))

    await probe_app.app.state.broker.publish(message.body, message.properties, "public.nobody.reads.v1")  # mandatory

    assert await depth(settings, unrouted_name(settings)) == before + 1
