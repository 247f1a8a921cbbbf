"""Snapshot events: a producer re-emits the current state of each aggregate, on request, to one queue.

The outbox keeps only the replay window (``outbox_retention_days``), so history older than that
cannot be replayed. Instead, a producer registers each aggregate it owns with its ``Snapshots``
(``<service>/snapshots.py``): a function that yields every aggregate's current state as the
state-carrying event consumers already handle (a lesson as ``LessonRecorded`` at its version, a
mark as ``MarkPosted``/``MarkChanged``, a person as ``PersonRegistered`` …). Consumers store it like
any other versioned event: the version guards of ``chassis.replicas`` keep whichever is newest.

A snapshot's envelope carries the CloudEvents extension ``snapshot: true`` — state to store, not
news: a consumer that announces events (notifications) asks ``is_news`` first. Its ``time`` is the
time of the aggregate's latest retained event, so a replica that keeps the producer's time stores
the same row as the live event gave; its ``id`` is derived from its content, so the same state sent
twice to a consumer is skipped by the inbox.
"""

import asyncio
import importlib
import json
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid5

from aio_pika.abc import AbstractChannel
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from chassis.events import Envelope
from chassis.relay import message_for
from chassis.tables import outbox
from chassis.tenancy import Tenant
from contracts import Event

#: Snapshot ids: uuid5 of the event's type and data in this namespace.
SNAPSHOT_NAMESPACE = UUID("6f1d8a52-3c1e-4b7e-9a0d-5b1f2e8c7d40")
#: Published in parallel, each batch confirmed before the next (order between snapshots is irrelevant).
PUBLISH_BATCH = 200
#: Set in ``session.info`` while a consumer's read model is rebuilt (``chassis.rebuild``).
REBUILDING = "rebuilding"
#: Every school's rows, read-only: the region read policy of every tenant-owned table.
ALL_SCHOOLS = Tenant(region_read=True)


@dataclass(frozen=True)
class Snapshot:
    """One aggregate's current state, as the event that carries it."""

    school_id: UUID
    event: Event


States = Callable[[AsyncSession], AsyncIterator[Snapshot]]


@dataclass(frozen=True)
class Aggregate:
    """An aggregate a producer owns: the event types that carry its state and how to read them all."""

    name: str
    event_types: frozenset[str]
    states: States


@dataclass
class Snapshots:
    """A producer's registry of aggregates (one per service, ``<service>.snapshots:snapshots``)."""

    service: str
    aggregates: list[Aggregate] = field(default_factory=list)

    def aggregate(self, name: str, *events: type[Event]) -> Callable[[States], States]:
        """Register ``states`` (an async generator over a session reading every school) for ``events``."""

        def register(states: States) -> States:
            self.aggregates.append(Aggregate(name, frozenset(cls.TYPE for cls in events), states))
            return states

        return register

    def for_consumer(self, event_types: Collection[str]) -> list[Aggregate]:
        """The aggregates whose state the consumer of ``event_types`` keeps."""
        return [a for a in self.aggregates if a.event_types & set(event_types)]


def is_news(session: AsyncSession, envelope: Envelope) -> bool:
    """Whether an event tells of something that just happened: not a snapshot, not a rebuild's replay.

    A consumer that notifies people asks this before it does; state it keeps is stored either way.
    """
    return not envelope.snapshot and not session.info.get(REBUILDING)


def snapshot_envelope(snapshot: Snapshot, *, source: str, time: datetime) -> Envelope:
    data = snapshot.event.model_dump(mode="json")
    content = json.dumps([snapshot.event.TYPE, str(snapshot.school_id), data], sort_keys=True)
    return Envelope(
        id=uuid5(SNAPSHOT_NAMESPACE, content),
        source=source,
        type=snapshot.event.TYPE,
        time=time,
        subject=snapshot.event.subject(),
        schoolid=snapshot.school_id,
        snapshot=True,
        data=data,
    )


async def latest_times(session: AsyncSession, event_types: Collection[str]) -> dict[str, datetime]:
    """Subject → time of its latest retained event of ``event_types`` (the outbox keeps the window)."""
    subject = outbox.c.envelope["subject"].astext
    rows = await session.execute(
        select(subject, outbox.c.envelope["time"].astext)
        .where(outbox.c.type.in_(list(event_types)))
        .ext(distinct_on(subject))
        .order_by(subject, outbox.c.seq.desc())
    )
    return {s: datetime.fromisoformat(t) for s, t in rows if s is not None}


async def publish_snapshots(
    db: Database, registry: Snapshots, channel: AbstractChannel, queue_name: str, event_types: Sequence[str]
) -> int:
    """Publish the current state of every aggregate the consumer of ``event_types`` keeps to ``queue_name``.

    ``channel`` must confirm publishes (``publisher_confirms=True``); every snapshot is confirmed
    before this returns. Returns how many were published.
    """
    wanted = set(event_types)
    published = 0
    for aggregate in registry.for_consumer(wanted):
        async with db.transaction(ALL_SCHOOLS) as session:
            times = await latest_times(session, aggregate.event_types)
            now = datetime.now(UTC)
            batch: list[Envelope] = []
            async for snapshot in aggregate.states(session):
                if snapshot.event.TYPE not in wanted:
                    continue
                batch.append(
                    snapshot_envelope(snapshot, source=db.source, time=times.get(snapshot.event.subject() or "", now))
                )
                if len(batch) == PUBLISH_BATCH:
                    published += await _publish(channel, queue_name, batch)
                    batch = []
            published += await _publish(channel, queue_name, batch)
    return published


async def _publish(channel: AbstractChannel, queue_name: str, envelopes: list[Envelope]) -> int:
    await asyncio.gather(
        *(
            channel.default_exchange.publish(
                message_for(e.model_dump(mode="json")), routing_key=queue_name, mandatory=True
            )
            for e in envelopes
        )
    )
    return len(envelopes)


def producer_snapshots(service: str) -> Snapshots:
    """The registry of ``service`` (``<service>.snapshots:snapshots``)."""
    return importlib.import_module(f"{service}.snapshots").snapshots
