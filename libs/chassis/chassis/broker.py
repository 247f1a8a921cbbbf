"""RabbitMQ connection and topology: the events exchange, consumer queues, retry and dead letters.

Per consumer queue ``Q`` (durable, quorum):
- ``Q`` bound to ``school.events`` by each event type it handles, with a delivery limit
  (a message that keeps killing consumers is dead-lettered);
- ``Q.retry``: a failed message waits here ``retry_delay_ms``, then returns to ``Q``;
- ``Q.dlq``: messages that failed ``max_attempts`` times or cannot be read, kept for a person.

R-70: ``public.events`` (a topic exchange) is bound to ``school.events`` by ``public.#``, so the
state-services portal reads the public stream with credentials that reach nothing else.
"""

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue, AbstractRobustConnection

from chassis.settings import ServiceSettings

DEAD_LETTER_EXCHANGE = "school.dead-letters"


class Broker:
    def __init__(
        self, connection: AbstractRobustConnection, channel: AbstractChannel, exchange: AbstractExchange
    ) -> None:
        self.connection = connection
        self.channel = channel
        self.exchange = exchange

    @classmethod
    async def connect(cls, settings: ServiceSettings) -> "Broker":
        connection = await aio_pika.connect_robust(
            settings.amqp_url, client_properties={"connection_name": settings.service_name}
        )
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(settings.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        public = await channel.declare_exchange(settings.public_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        await public.bind(exchange, routing_key="public.#")
        return cls(connection, channel, exchange)

    @property
    def is_open(self) -> bool:
        return not self.connection.is_closed

    async def close(self) -> None:
        await self.connection.close()


async def declare_consumer_queue(
    channel: AbstractChannel, exchange: AbstractExchange, name: str, event_types: list[str], settings: ServiceSettings
) -> AbstractQueue:
    dlx = await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    dead = await channel.declare_queue(f"{name}.dlq", durable=True, arguments={"x-queue-type": "quorum"})
    await dead.bind(dlx, routing_key=name)
    await channel.declare_queue(
        f"{name}.retry",
        durable=True,
        arguments={
            "x-message-ttl": settings.retry_delay_ms,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": name,
        },
    )
    queue = await channel.declare_queue(
        name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": settings.delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": name,
        },
    )
    for event_type in event_types:
        await queue.bind(exchange, routing_key=event_type)
    return queue
