"""RabbitMQ connection: the topology declared at start, and mandatory, confirmed, time-limited publishing.

The topology itself (exchanges, consumer, delay and dead-letter queues) is in ``chassis.topology``.
"""

from collections.abc import Iterable
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from chassis.publishers import broker_user
from chassis.settings import ServiceSettings
from chassis.topology import Topology, declare, topology_for


class Broker:
    def __init__(
        self,
        connection: AbstractRobustConnection,
        channel: AbstractChannel,
        exchange: AbstractExchange,
        settings: ServiceSettings,
        topology: Topology,
    ) -> None:
        self.connection = connection
        self.channel = channel
        self.exchange = exchange
        self.settings = settings
        self.topology = topology
        self._user = broker_user(settings.amqp_url)

    @classmethod
    async def connect(cls, settings: ServiceSettings, consumers: Iterable[Any] = ()) -> "Broker":
        """Connect and declare the topology (idempotent) before anything is published or consumed."""
        # Reconnect every second: the broker is near, and every second away is a second of lag.
        connection = await aio_pika.connect_robust(
            settings.amqp_url, client_properties={"connection_name": settings.service_name}, reconnect_interval=1
        )
        topology = await declare(connection, topology_for(settings, consumers))
        # A returned (unroutable) message raises instead of counting as published.
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(settings.exchange)
        return cls(connection, channel, exchange, settings, topology)

    async def publish(self, body: bytes, properties: aiormq.spec.Basic.Properties, routing_key: str) -> None:
        """Publish to the events exchange; returns once the broker confirmed, raises if it could not route it.

        The message names this service's RabbitMQ user, which the broker checks: consumers trust it. It goes
        straight to the channel under aio-pika (no ``Message`` object per event) and is queued for the socket
        without waiting until it was written (``wait=False``), so a batch's publishes are not handed the channel
        one write at a time: what is awaited is the broker's confirm, or its return or refusal.
        """
        properties.user_id = self._user
        if self.channel.is_closed:  # in an outage: fail now, the rows stay unsent (a robust channel would wait)
            raise aiormq.exceptions.ChannelInvalidStateError(f"{self.channel!r} closed")
        channel = await self.channel.get_underlay_channel()
        await channel.basic_publish(
            body,
            exchange=self.exchange.name,
            routing_key=routing_key,
            properties=properties,
            mandatory=True,
            timeout=self.settings.publish_timeout_seconds,
            wait=False,
        )

    @property
    def is_open(self) -> bool:
        return not self.connection.is_closed

    async def close(self) -> None:
        await self.connection.close()
