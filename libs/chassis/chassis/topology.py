"""The broker's topology, generated from the code's ``Consumer`` objects: one source of truth.

``topology_for(settings, consumers)`` lists every exchange, queue, binding and policy; the
same list is declared by each service at start, by ``make run`` and the test fixtures before
anything publishes (``declare``), and written as a RabbitMQ definitions file for deploy
(``python -m chassis.topology export deploy/rabbitmq/definitions.json``).

- ``school.events`` and ``public.events`` (topic) have the alternate exchange ``school.events.unrouted``:
  an event no queue is bound for is kept in the queue of that name, never dropped.
- Per consumer queue ``Q`` (quorum): bound by each event type it handles; its dead letters go to
  ``Q.dlq`` through ``school.dead-letters``, at least once (``reject-publish`` overflow).
- Retries wait in a few shared delay queues ``school.delay.<ms>ms`` (quorum, a TTL each) that
  dead-letter back to the default exchange under the message's own routing key, the queue name.
- What is safety (queue type, dead-lettering, alternate exchange) is a declaration argument, so a
  broker without our policies still loses nothing; the delivery limit, a tunable, is a policy.
  A queue declared earlier with other arguments is used as it is and reported (``drift``).
"""

import argparse
import asyncio
import importlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aio_pika
import aiormq
import httpx
import structlog
from aio_pika.abc import AbstractChannel, AbstractConnection

from chassis.publishers import broker_admin
from chassis.settings import ServiceSettings
from contracts import registry

log = structlog.get_logger()

DEAD_LETTER_EXCHANGE = "school.dead-letters"
#: Every part's app that consumes (its ``app.state.consumers`` are the consumer queues), the gateway too.
SERVICE_APPS = (
    "roster.main:app",
    "gradebook.main:app",
    "attendance.main:app",
    "notifications.main:app",
    "reporting.main:app",
    "gateway.main:app",
)
#: The policy that carries the tunables of consumer queues (not the dead-letter or delay queues).
CONSUMER_POLICY = "journal-consumer-queues"
CONSUMER_POLICY_PATTERN = r"^(?!.*\.(dlq|unrouted)$)(?!(.*\.)?school\.delay\.)"

QUORUM_DEAD_LETTERING = {
    "x-queue-type": "quorum",
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}


@dataclass(frozen=True)
class Exchange:
    name: str
    type: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Queue:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Binding:
    source: str
    destination: str
    routing_key: str
    destination_type: str = "queue"


@dataclass
class Topology:
    exchanges: list[Exchange] = field(default_factory=list)
    queues: list[Queue] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    #: Queue name -> the event types it must not be bound by (handlers removed since).
    stale: dict[str, list[str]] = field(default_factory=dict)
    #: Names declared earlier with other arguments, used as they are (a redeploy must recreate them).
    drift: list[str] = field(default_factory=list)
    policies: list[dict[str, Any]] = field(default_factory=list)

    def definitions(self, vhost: str = "/") -> dict[str, Any]:
        """The RabbitMQ definitions-file form (``rabbitmqctl import_definitions``, ``load_definitions``)."""
        return {
            "vhosts": [{"name": vhost}],
            "policies": [{"vhost": vhost, **policy} for policy in self.policies],
            "exchanges": [
                {
                    "name": e.name,
                    "vhost": vhost,
                    "type": e.type,
                    "durable": True,
                    "auto_delete": False,
                    "internal": False,
                    "arguments": e.arguments,
                }
                for e in self.exchanges
            ],
            "queues": [
                {"name": q.name, "vhost": vhost, "durable": True, "auto_delete": False, "arguments": q.arguments}
                for q in self.queues
            ],
            "bindings": [
                {
                    "source": b.source,
                    "vhost": vhost,
                    "destination": b.destination,
                    "destination_type": b.destination_type,
                    "routing_key": b.routing_key,
                    "arguments": {},
                }
                for b in self.bindings
            ],
        }


def unrouted_name(settings: ServiceSettings) -> str:
    return f"{settings.exchange}.unrouted"


def delay_name(settings: ServiceSettings, delay_ms: int) -> str:
    return f"{settings.queue_prefix}school.delay.{delay_ms}ms"


def dead_letter_name(queue_name: str) -> str:
    return f"{queue_name}.dlq"


def consumer_queue_names(settings: ServiceSettings, consumers: Iterable[Any]) -> list[str]:
    return [settings.queue_prefix + consumer.name for consumer in consumers]


def topology_for(settings: ServiceSettings, consumers: Iterable[Any]) -> Topology:
    """Everything the consumers need, plus what every publisher needs (exchanges, delay queues)."""
    consumers = list(consumers)
    unrouted = unrouted_name(settings)
    topology = Topology(
        exchanges=[
            Exchange(settings.exchange, "topic", {"alternate-exchange": unrouted}),
            Exchange(unrouted, "fanout"),
            # A public event no portal reads yet is kept too (a binding to an exchange with no queue
            # behind it routes nowhere, and a mandatory publish would come back forever).
            Exchange(settings.public_exchange, "topic", {"alternate-exchange": unrouted}),
            Exchange(DEAD_LETTER_EXCHANGE, "direct"),
        ],
        queues=[Queue(unrouted, dict(QUORUM_DEAD_LETTERING))],
        bindings=[
            Binding(unrouted, unrouted, ""),
            # the state-services portal reads public.events only.
            Binding(settings.exchange, settings.public_exchange, "public.#", "exchange"),
        ],
        policies=[
            {
                "name": CONSUMER_POLICY,
                "pattern": CONSUMER_POLICY_PATTERN,
                "apply-to": "queues",
                "priority": 0,
                "definition": {"delivery-limit": settings.delivery_limit},
            }
        ],
    )
    for delay in sorted(set(settings.retry_delays_ms)):
        name = delay_name(settings, delay)
        topology.exchanges.append(Exchange(name, "fanout"))
        # No dead-letter routing key: an expired message returns under its own, the consumer queue's name.
        arguments = {**QUORUM_DEAD_LETTERING, "x-message-ttl": delay, "x-dead-letter-exchange": ""}
        topology.queues.append(Queue(name, arguments))
        topology.bindings.append(Binding(name, name, ""))
    known_types = sorted(registry())
    for consumer in consumers:
        name = settings.queue_prefix + consumer.name
        dead = dead_letter_name(name)
        topology.queues.append(Queue(dead, {"x-queue-type": "quorum"}))
        topology.bindings.append(Binding(DEAD_LETTER_EXCHANGE, dead, name))
        arguments = {
            **QUORUM_DEAD_LETTERING,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": name,
        }
        topology.queues.append(Queue(name, arguments))
        handled = sorted(consumer.event_types)
        topology.bindings.extend(Binding(settings.exchange, name, event_type) for event_type in handled)
        topology.stale[name] = [t for t in known_types if t not in handled]
    return topology


def service_consumers(apps: Sequence[str] = SERVICE_APPS) -> list[Any]:
    """The consumers of every service, read from ``<module>:app`` (importing builds the app, connects nothing)."""
    consumers = []
    for target in apps:
        module, attribute = target.split(":")
        consumers.extend(getattr(importlib.import_module(module), attribute).state.consumers)
    return consumers


async def declare(connection: AbstractConnection, topology: Topology) -> Topology:
    """Declare ``topology`` idempotently; unbind stale event types. Returns it with ``drift`` filled in.

    A queue or exchange that exists with other arguments closes the channel (406); it is then
    used as it is, reported, and counted, so a changed tunable never stops a service from starting.
    """
    channel = await connection.channel()
    try:
        for exchange in topology.exchanges:
            channel = await _tolerant(
                connection,
                channel,
                exchange.name,
                topology,
                lambda ch, e=exchange: ch.declare_exchange(
                    e.name, aio_pika.ExchangeType(e.type), durable=True, arguments=e.arguments or None
                ),
                lambda ch, e=exchange: ch.declare_exchange(e.name, passive=True),
            )
        for queue in topology.queues:
            channel = await _tolerant(
                connection,
                channel,
                queue.name,
                topology,
                lambda ch, q=queue: ch.declare_queue(q.name, durable=True, arguments=q.arguments),
                lambda ch, q=queue: ch.declare_queue(q.name, passive=True),
            )
        for binding in topology.bindings:
            if binding.destination_type == "exchange":
                destination = await channel.get_exchange(binding.destination, ensure=False)
                await destination.bind(binding.source, routing_key=binding.routing_key)
            else:
                queue = await channel.get_queue(binding.destination, ensure=False)
                await queue.bind(binding.source, routing_key=binding.routing_key)
        for queue_name, event_types in topology.stale.items():
            exchange = next(b.source for b in topology.bindings if b.destination == queue_name)
            queue = await channel.get_queue(queue_name, ensure=False)
            for event_type in event_types:
                # Unbinding what is not bound is a no-op in RabbitMQ.
                await queue.unbind(exchange, routing_key=event_type)
    finally:
        if not channel.is_closed:
            await channel.close()
    for name in topology.drift:
        log.warning("topology_drift", name=name, hint="declared earlier with other arguments; recreate it to apply")
    return topology


async def _tolerant(connection, channel: AbstractChannel, name: str, topology: Topology, declare_, passive):
    try:
        await declare_(channel)
        return channel
    except aiormq.exceptions.ChannelPreconditionFailed:
        topology.drift.append(name)
        channel = await connection.channel()
        await passive(channel)
        return channel


def apply_policies(topology: Topology, settings: ServiceSettings, vhost: str = "/") -> bool:
    """Set the policies through the local broker's management API (``make run``, the test stacks); False where
    it does not answer. A deploy loads them with the definitions file instead."""
    with httpx.Client(base_url=settings.broker_management_url, auth=broker_admin(settings), timeout=30) as client:
        for policy in topology.policies:
            body = {k: policy[k] for k in ("pattern", "definition", "priority", "apply-to")}
            try:
                path = f"/api/policies/{quote(vhost, safe='')}/{quote(policy['name'], safe='')}"
                client.put(path, json=body).raise_for_status()
            except httpx.HTTPError as error:
                log.warning("policy_not_applied", policy=policy["name"], error=str(error))
                return False
    return True


def definitions_text(settings: ServiceSettings | None = None) -> str:
    """The checked-in definitions file: production names and defaults, every service's consumers."""
    topology = topology_for(settings or ServiceSettings(), service_consumers())
    return json.dumps(topology.definitions(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


async def apply_all(settings: ServiceSettings) -> Topology:
    """Declare every service's topology: ``make run`` and the test stacks, before any service starts.

    The policies (tunables only) are set apart, ``apply_policies``.
    """
    topology = topology_for(settings, service_consumers())
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        await declare(connection, topology)
    return topology


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.topology", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("apply", help="declare every service's exchanges, queues, bindings and policies now")
    export = commands.add_parser("export", help="write the RabbitMQ definitions file")
    export.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    if args.command == "export":
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(definitions_text())
        return 0
    settings = ServiceSettings()
    topology = asyncio.run(apply_all(settings))
    apply_policies(topology, settings)
    print(
        f"topology: {len(topology.exchanges)} exchanges, {len(topology.queues)} queues, "
        f"{len(topology.bindings)} bindings; drift: {', '.join(topology.drift) or 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
