"""The invariant checker: proves that the producers' tables, their outboxes and the read models reconcile.

``python -m chassis.invariants [--database-url SERVICE=URL ...] [--settle SECONDS]`` checks, read only:

- **outbox drained**: no event of any part waits unpublished longer than ``--settle`` (the relay's stall limit);
- **every state has its event**: each row of a versioned aggregate (a mark, a lesson record, an absence) made
  within the outbox's retained window has, in its producer's outbox, the event of its current version — the row
  and its event were committed together or not at all;
- **no version gaps**: within the retained outbox, an aggregate's events carry every version from its lowest to
  its highest (an inbox keeps only event ids, so the gaps are looked for where the versions are: at the producer);
- **every replica row has its source**: the read model (reporting's diary) holds each live row of the producer at
  its version, no live row the producer does not have, and no tombstone of a row the producer still has.

Run it on a quiet system (the outboxes drained, the queues empty), e.g. after a restore once the services are
back (docs/operations.md): a read model still catching up shows as a difference. Without ``--database-url``
every part's own database is checked; with it, only those named, and a comparison needs both of its databases.
Exit 1 names each broken invariant with a count and examples.
"""

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import Database
from chassis.settings import ServiceSettings
from chassis.tenancy import Tenant
from chassis.topology import SERVICE_APPS
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import LessonDeleted, LessonRecorded, MarkChanged, MarkDeleted, MarkPosted

#: Every part with a database and an outbox.
PARTS = tuple(app.split(".")[0] for app in SERVICE_APPS)
#: Examples named per broken invariant.
EXAMPLES = 3
#: An event's version; events that do not carry one (``MarkPosted``) are an aggregate's first state.
EVENT_VERSION = "coalesce((envelope->'data'->>'version')::int, 1)"
READ = Tenant(region_read=True, read_only=True)


@dataclass(frozen=True)
class Replica:
    service: str
    table: str
    #: The column that keeps a deleted row as a tombstone (a late event cannot bring it back).
    tombstone: str


@dataclass(frozen=True)
class Aggregate:
    """A versioned aggregate: its rows at the producer (``id``, ``version``, ``created_at``), the event types
    that carry its states (deletion included) with the aggregate's id as CloudEvents ``subject``, its replica."""

    title: str
    service: str
    table: str
    events: tuple[str, ...]
    replica: Replica


AGGREGATES = (
    Aggregate(
        "отметки",
        "gradebook",
        "marks",
        (MarkPosted.TYPE, MarkChanged.TYPE, MarkDeleted.TYPE),
        Replica("reporting", "marks", "deleted"),
    ),
    Aggregate(
        "записи уроков",
        "gradebook",
        "lessons",
        (LessonRecorded.TYPE, LessonDeleted.TYPE),
        Replica("reporting", "lessons", "deleted"),
    ),
    Aggregate(
        "пропуски",
        "attendance",
        "absences",
        (AbsenceRecorded.TYPE, AbsenceCorrected.TYPE, AbsenceWithdrawn.TYPE),
        Replica("reporting", "absences", "withdrawn"),
    ),
)


@dataclass
class Finding:
    """One invariant checked in one place; broken when ``count`` > 0."""

    invariant: str
    where: str
    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, example: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(example)

    def line(self) -> str:
        if not self.count:
            return f"соблюдён: {self.invariant} ({self.where})"
        return f"НАРУШЕН: {self.invariant} ({self.where}): {self.count}; например: {'; '.join(self.examples)}"


def mismatch(source_version: int | None, replica: tuple[int, bool] | None) -> str | None:
    """How a replica row differs from its source (None: it does not); ``replica`` is (version, tombstone)."""
    if replica is None:
        return None if source_version is None else f"нет в копии (источник v{source_version})"
    version, tombstone = replica
    if source_version is None:
        return None if tombstone else f"нет в источнике (копия v{version})"
    if tombstone:
        return f"удалена в копии v{version}, в источнике есть v{source_version}"
    if version != source_version:
        return f"версия расходится: источник v{source_version}, копия v{version}"
    return None


async def outbox_drained(session: AsyncSession, service: str, settle: float) -> Finding:
    finding = Finding("outbox опубликован", f"{service}.outbox, дольше {settle:g} с")
    rows = await session.execute(
        text(
            "SELECT event_id, type, created_at FROM outbox"
            " WHERE sent_at IS NULL AND created_at < now() - make_interval(secs => :settle) ORDER BY seq"
        ),
        {"settle": settle},
    )
    for event_id, type_, created_at in rows:
        finding.add(f"{type_} {event_id} от {created_at:%Y-%m-%d %H:%M:%S%z}")
    return finding


async def states_have_events(session: AsyncSession, aggregate: Aggregate) -> Finding:
    # Only rows made since the oldest retained event: retention trims the events of older ones (30 days).
    finding = Finding(f"у каждого состояния есть событие: {aggregate.title}", f"{aggregate.service}.{aggregate.table}")
    rows = await session.execute(
        text(
            f"SELECT s.id, s.version FROM {aggregate.table} s"
            " WHERE s.created_at >= (SELECT min(created_at) FROM outbox)"
            " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.type = ANY(:types)"
            f" AND o.envelope->>'subject' = s.id::text AND {EVENT_VERSION} = s.version)"
            " ORDER BY s.created_at"
        ),
        {"types": list(aggregate.events)},
    )
    for id_, version in rows:
        finding.add(f"{id_} v{version} без события")
    return finding


async def versions_without_gaps(session: AsyncSession, aggregate: Aggregate) -> Finding:
    finding = Finding(f"версии событий без пропусков: {aggregate.title}", f"{aggregate.service}.outbox")
    rows = await session.execute(
        text(
            f"SELECT envelope->>'subject', array_agg(DISTINCT {EVENT_VERSION} ORDER BY {EVENT_VERSION})"
            " FROM outbox WHERE type = ANY(:types) GROUP BY 1"
            f" HAVING count(DISTINCT {EVENT_VERSION}) <> max({EVENT_VERSION}) - min({EVENT_VERSION}) + 1"
        ),
        {"types": list(aggregate.events)},
    )
    for subject, versions in rows:
        finding.add(f"{subject}: версии {', '.join(map(str, versions))}")
    return finding


async def _states(db: Database, query: str) -> AsyncIterator[tuple[UUID, int, bool]]:
    async with db.transaction(READ) as session:
        async for row in await session.stream(text(query)):
            yield row[0], row[1], row[2]


async def replica_matches(source: Database, replica_db: Database, aggregate: Aggregate) -> Finding:
    """Both tables read in the order of their ids and merged, so a region's millions of rows never sit in memory."""
    replica = aggregate.replica
    finding = Finding(
        f"у каждой строки копии есть источник: {aggregate.title}",
        f"{aggregate.service}.{aggregate.table} → {replica.service}.{replica.table}",
    )
    async with (
        aclosing(_states(source, f"SELECT id, version, false FROM {aggregate.table} ORDER BY id")) as sources,
        aclosing(
            _states(replica_db, f"SELECT id, version, {replica.tombstone} FROM {replica.table} ORDER BY id")
        ) as copies,
    ):
        left, right = await anext(sources, None), await anext(copies, None)
        while left is not None or right is not None:
            if right is None or (left is not None and left[0] < right[0]):
                key, found = left[0], mismatch(left[1], None)
                left = await anext(sources, None)
            elif left is None or right[0] < left[0]:
                key, found = right[0], mismatch(None, (right[1], right[2]))
                right = await anext(copies, None)
            else:
                key, found = left[0], mismatch(left[1], (right[1], right[2]))
                left, right = await anext(sources, None), await anext(copies, None)
            if found:
                finding.add(f"{key}: {found}")
    return finding


async def check(databases: dict[str, Database], settle: float) -> list[Finding]:
    """Every invariant the given databases let us check."""
    findings = []
    for service, db in databases.items():
        async with db.transaction(READ) as session:
            findings.append(await outbox_drained(session, service, settle))
            for aggregate in (a for a in AGGREGATES if a.service == service):
                findings.append(await states_have_events(session, aggregate))
                findings.append(await versions_without_gaps(session, aggregate))
    for aggregate in AGGREGATES:
        source, replica = databases.get(aggregate.service), databases.get(aggregate.replica.service)
        if source is not None and replica is not None:
            findings.append(await replica_matches(source, replica, aggregate))
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.invariants", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        metavar="SERVICE=URL",
        help="a part's database to check (repeat); without any, every part's own",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=ServiceSettings().relay_stall_seconds,
        help="seconds an event may wait for the relay (default: the relay's stall limit)",
    )
    args = parser.parse_args(argv)
    named = dict(item.split("=", 1) for item in args.database_url)
    if unknown := set(named) - set(PARTS):
        parser.error(f"no part {', '.join(sorted(unknown))}")
    urls = named or {part: ServiceSettings(service_name=part).database_url for part in PARTS}

    async def run() -> list[Finding]:
        databases = {
            part: Database(url, source="/invariants", pool_size=2, max_overflow=0) for part, url in urls.items()
        }
        try:
            return await check(databases, args.settle)
        finally:
            for db in databases.values():
                await db.dispose()

    findings = asyncio.run(run())
    for finding in findings:
        print(finding.line())
    broken = sum(1 for f in findings if f.count)
    print(f"инварианты: проверено {len(findings)}, нарушено {broken}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
