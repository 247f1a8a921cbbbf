"""Least privilege in RabbitMQ (issue 7, item 10): every service starts, declares its queues and bindings and
runs its consumers and relay as its own user with only the permissions ``chassis.publishers`` gives it, checking
the publishers — as `make run`, compose and Kubernetes now run them; the state portal's user reads the public
stream and nothing else (issue 14). Real broker; the run's users are removed.
"""

import asyncio
import importlib
import secrets
from urllib.parse import quote

import aio_pika
import aiormq
import pytest

from chassis import testing
from chassis.publishers import PORTAL, broker_admin, provision
from chassis.settings import ServiceSettings
from chassis.testing import RUN_BROKER_PREFIX, delete_broker_users, running_app, verifier_for
from chassis.topology import declare, topology_for

TEMPLATE = RUN_BROKER_PREFIX + "{service}"
SERVICES = {
    "roster": "RosterSettings",
    "gradebook": "GradebookSettings",
    "attendance": "AttendanceSettings",
    "notifications": "NotificationsSettings",
    "reporting": "ReportingSettings",
}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_runs_as_its_own_broker_user(service, token_signer, tmp_path):
    settings_class = getattr(importlib.import_module(f"{service}.settings"), SERVICES[service])
    prefix = testing.test_queue_prefix(f"users_{service}")
    password = secrets.token_hex(16)
    base = testing.test_settings(settings_class, queue_prefix=prefix, broker_user_template=TEMPLATE)
    await asyncio.to_thread(
        provision, base.broker_management_url, broker_admin(base), {service: password}, base, prefix
    )
    user = TEMPLATE.format(service=service)
    try:
        settings = testing.test_settings(
            settings_class,
            database_url=testing.test_database_url(f"users_{service}"),
            queue_prefix=prefix,
            broker_user_template=TEMPLATE,
            verify_publishers=True,
            amqp_url=f"amqp://{quote(user, safe='')}:{password}@127.0.0.1:5672/",
            **({"keys_dir": tmp_path} if service == "notifications" else {}),
        )
        app = importlib.import_module(f"{service}.main").build_app(settings, verifier_for(token_signer))
        async with running_app(app, settings):
            assert app.state.consumers, f"{service} consumes nothing"
    finally:
        await asyncio.to_thread(delete_broker_users, base, [user])


async def _refused(connection: aio_pika.abc.AbstractConnection, action) -> None:
    channel = await connection.channel()
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
        await action(channel)


async def test_the_portal_user_reads_the_public_stream_and_nothing_else():
    prefix = testing.test_queue_prefix("users_portal")
    settings = testing.test_settings(ServiceSettings, queue_prefix=prefix, broker_user_template=TEMPLATE)
    service_queue, own_queue = f"{prefix}gradebook.probe", f"{prefix}portal.journal"
    password = secrets.token_hex(16)
    user = TEMPLATE.format(service=PORTAL)
    admin = await aio_pika.connect(settings.amqp_url)
    try:
        channel = await admin.channel()
        await declare(admin, topology_for(settings, []))
        internal = await channel.declare_queue(service_queue, durable=True)
        await internal.bind(settings.exchange, routing_key="gradebook.#")
        admin_user = broker_admin(settings)
        await asyncio.to_thread(
            provision, settings.broker_management_url, admin_user, {PORTAL: password}, settings, prefix
        )
        portal = await aio_pika.connect(f"amqp://{quote(user, safe='')}:{password}@127.0.0.1:5672/")
        async with portal:
            # What docs/portal.md tells the portal to do: its own durable queue, bound to the public exchange.
            reading = await portal.channel()
            queue = await reading.declare_queue(own_queue, durable=True, arguments={"x-queue-type": "quorum"})
            await queue.bind(settings.public_exchange, routing_key="public.#")
            events = await channel.get_exchange(settings.exchange)
            await events.publish(aio_pika.Message(b'{"public": 1}'), routing_key="public.mark.posted.v1")
            await events.publish(aio_pika.Message(b'{"internal": 1}'), routing_key="gradebook.mark.posted.v1")
            message = await queue.get(timeout=5, fail=True)
            assert message.body == b'{"public": 1}'
            await message.ack()
            assert await queue.get(fail=False) is None, "only public.* events reach the portal"

            # It publishes nowhere: not on the public stream, not on the events, not into a queue by name.
            await _refused(portal, lambda ch: _publish(ch, settings.public_exchange, "public.mark.posted.v1"))
            await _refused(portal, lambda ch: _publish(ch, settings.exchange, "gradebook.mark.posted.v1"))
            await _refused(portal, lambda ch: _publish(ch, "", service_queue))
            await _refused(portal, lambda ch: _publish(ch, "", own_queue))
            # It reads no internal queue and binds nothing from the events exchange.
            await _refused(portal, lambda ch: _get(ch, service_queue))
            await _refused(portal, lambda ch: _bind(ch, own_queue, settings.exchange, "#"))
            # It declares and deletes nothing but its own.
            await _refused(portal, lambda ch: ch.declare_queue(f"{prefix}gradebook.other", durable=True))
            await _refused(portal, lambda ch: ch.queue_delete(service_queue))
        # The internal event is still there, untouched.
        assert (await channel.declare_queue(service_queue, passive=True)).declaration_result.message_count == 1
    finally:
        # The portal's queue is bound to the run's public exchange: left there, it would take every public
        # event that later tests of this run expect to go unrouted.
        cleanup = await admin.channel()
        for name in (own_queue, service_queue):
            await cleanup.queue_delete(name)
        await admin.close()
        await asyncio.to_thread(delete_broker_users, settings, [user])


async def _publish(channel, exchange: str, routing_key: str):
    target = channel.default_exchange if exchange == "" else await channel.get_exchange(exchange, ensure=False)
    await target.publish(aio_pika.Message(b"{}"), routing_key=routing_key)


async def _get(channel, name: str):
    return await (await channel.get_queue(name, ensure=False)).get(fail=False)


async def _bind(channel, queue: str, exchange: str, routing_key: str):
    await (await channel.get_queue(queue, ensure=False)).bind(exchange, routing_key=routing_key)
