"""Replay: a producer's retained outbox, oldest first, straight into one consumer's queue.

    python -m chassis.replay --database-url postgresql+asyncpg://journal_gradebook@127.0.0.1/journal_gradebook \
        --queue reporting.diary [--since 2026-09-01]

For a consumer started after events were published, or one whose read model was lost: every
retained event of the types it handles (the outbox keeps ``outbox_retention_days``) goes to that
queue only, under its original id — so the consumer's inbox skips what it already applied, and
no other consumer sees the replay. Run it once per producer the consumer reads from.

History older than the window: ``--snapshots SERVICE`` sends, after the tail, the current state of
each of that producer's aggregates the consumer keeps (``chassis.snapshots``). A new consumer starts
"from the beginning" with both: ``--database-url <producer's> --queue <consumer> --snapshots <producer>``.
"""

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime

import aio_pika
from aio_pika.abc import AbstractConnection
from sqlalchemy import select

from chassis.db import Database
from chassis.relay import message_for
from chassis.settings import ServiceSettings
from chassis.snapshots import producer_snapshots, publish_snapshots
from chassis.tables import outbox
from chassis.tenancy import SYSTEM
from chassis.topology import service_consumers

BATCH = 500


async def replay(
    db: Database,
    connection: AbstractConnection,
    queue_name: str,
    event_types: Sequence[str],
    since: datetime | None = None,
) -> int:
    """Publish the sent outbox rows of ``event_types`` (from ``since``) to ``queue_name``; returns how many."""
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    published, after = 0, 0
    try:
        while True:
            query = (
                select(outbox.c.seq, outbox.c.envelope)
                .where(outbox.c.type.in_(list(event_types)), outbox.c.seq > after, outbox.c.sent_at.is_not(None))
                .order_by(outbox.c.seq)
                .limit(BATCH)
            )
            if since is not None:
                query = query.where(outbox.c.created_at >= since)
            async with db.transaction(SYSTEM) as session:
                rows = (await session.execute(query)).all()
            for _, envelope in rows:
                # In order, each confirmed before the next: the consumer sees history as it happened.
                await channel.default_exchange.publish(message_for(envelope), routing_key=queue_name, mandatory=True)
            published += len(rows)
            if len(rows) < BATCH:
                return published
            after = rows[-1][0]
    finally:
        await channel.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.replay", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="the producer's database")
    parser.add_argument("--queue", required=True, help="the consumer, e.g. reporting.diary")
    parser.add_argument("--since", type=datetime.fromisoformat, help="only events created from then on")
    parser.add_argument(
        "--snapshots", metavar="SERVICE", help="after the tail, the current state of this producer's aggregates"
    )
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    consumer = next((c for c in service_consumers() if c.name == args.queue), None)
    if consumer is None:
        print(f"no consumer {args.queue}", file=sys.stderr)
        return 1

    async def run() -> tuple[int, int]:
        db = Database(args.database_url, source="/replay", pool_size=1, max_overflow=0)
        connection = await aio_pika.connect(settings.amqp_url)
        queue_name = settings.queue_prefix + consumer.name
        try:
            async with connection:
                replayed = await replay(db, connection, queue_name, consumer.event_types, args.since)
                if args.snapshots is None:
                    return replayed, 0
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                registry = producer_snapshots(args.snapshots)
                return replayed, await publish_snapshots(db, registry, channel, queue_name, consumer.event_types)
        finally:
            await db.dispose()

    replayed, snapshots = asyncio.run(run())
    print(f"{replayed} events replayed and {snapshots} snapshots sent to {args.queue}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
