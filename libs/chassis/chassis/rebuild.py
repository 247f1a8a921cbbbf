"""Rebuild one consumer's read model from scratch beside the live one, then switch over atomically.

    python -m chassis.rebuild reporting.diary [--database-url SERVICE=URL ...] [--keep-old] [--snapshots-only]

The service keeps serving throughout; its live consumer keeps applying events to the live tables.

1. **Beside**: the consumer's read-model tables (registered with ``read_model``) are created empty in
   the schema ``rebuild_<consumer>`` — columns, constraints, indexes (same names), row-level security
   policies and grants as the live ones.
2. **Bound first**: an exclusive queue ``<consumer>.rebuild`` is bound to the consumer's event types,
   so every event published from now on reaches the new tables too.
3. **History**: each producer's retained tail (``chassis.replay``), then its snapshots
   (``chassis.snapshots``) — taken after the binding, so nothing falls between them. The tail comes
   first: the snapshot is the newest state, and a replica that keeps the last write ends at it.
4. The consumer's own handlers apply all of it to the new tables (``search_path`` puts the rebuild
   schema first; the inbox rows go under ``<consumer>~rebuild``; ``session.info[REBUILDING]`` tells
   handlers that announce events not to announce them again).
5. **Switch**: one transaction locks the live tables (readers wait for milliseconds; a lock that
   cannot be had within ``LOCK_TIMEOUT`` is given up and tried again, so a reader is never the one
   a deadlock aborts), applies what is still queued, moves the live tables to ``replaced_<consumer>``
   and the new ones into ``public``. Every event the live consumer applied before the lock had
   reached the rebuild queue, so the new tables hold all the live ones did; what comes after the
   lock, the live consumer applies to the new ones. Then the rebuild's inbox rows join the consumer's.

The replaced tables are dropped, or kept with ``--keep-old`` to compare (the end-to-end test does).
``--snapshots-only`` skips the tails.
"""

import argparse
import asyncio
import contextlib
import importlib
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import aio_pika
import aiormq
import structlog
from aio_pika.abc import AbstractConnection, AbstractIncomingMessage, AbstractQueue
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from chassis.consumers import (
    INBOX_ROW,
    Consumer,
    Delivery,
    UnknownEventType,
    UnreadableMessage,
    deliveries,
    is_outage,
    read_event,
)
from chassis.db import Database
from chassis.replay import replay
from chassis.settings import ServiceSettings
from chassis.snapshots import REBUILDING, Snapshots, producer_snapshots, publish_snapshots
from chassis.tenancy import Tenant
from chassis.topology import service_consumers

log = structlog.get_logger()

#: Consumer name → the tables of its read model, in ``public``.
READ_MODELS: dict[str, tuple[str, ...]] = {}
#: The producers that register snapshots (``<service>.snapshots``).
PRODUCERS = ("roster", "gradebook", "attendance", "notifications")
LOCK_TIMEOUT = "500ms"
SWITCH_ATTEMPTS = 40


def read_model(consumer: Consumer, tables: Iterable[str]) -> None:
    """Declare the tables ``consumer`` alone fills from events: what a rebuild recreates."""
    READ_MODELS[consumer.name] = tuple(tables)


class RebuildFailed(Exception):
    """The rebuild stopped before the switch: the live read model is untouched."""


@dataclass
class Rebuilt:
    consumer: str
    replayed: int
    snapshots: int
    #: Events applied to the new tables (history and live events during the rebuild).
    applied: int
    #: Unreadable messages skipped (the live consumer dead-letters its copy of each).
    skipped: int
    #: How long the live tables were locked for the switch, and the whole rebuild took.
    switch_seconds: float
    seconds: float
    #: Where the replaced tables are kept, when asked to.
    kept: str | None


def schemas_for(consumer_name: str) -> tuple[str, str]:
    slug = re.sub(r"[^a-z0-9]+", "_", consumer_name.lower())
    return f"rebuild_{slug}", f"replaced_{slug}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def create_beside(connection: AsyncConnection, tables: Sequence[str], schema: str) -> None:
    """Empty copies of the live ``tables`` in ``schema``, with their constraints, indexes, policies and grants."""
    s = _quote(schema)
    await connection.execute(text(f"DROP SCHEMA IF EXISTS {s} CASCADE"))
    await connection.execute(text(f"CREATE SCHEMA {s}"))
    for table in tables:
        t, live = _quote(table), f"public.{_quote(table)}"
        await connection.execute(
            text(
                f"CREATE TABLE {s}.{t} (LIKE {live} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY"
                " INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS)"
            )
        )
        constraints = await connection.execute(
            text(
                "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = CAST(:t AS regclass) AND contype IN ('p', 'u', 'x', 'f') ORDER BY conname"
            ),
            {"t": live},
        )
        for name, kind, definition in constraints:
            if kind == "f":
                raise RebuildFailed(f"{table} has a foreign key ({name}); a read model is rebuilt without them")
            await connection.execute(text(f"ALTER TABLE {s}.{t} ADD CONSTRAINT {_quote(name)} {definition}"))
        indexes = await connection.scalars(
            text(
                "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = CAST(:t AS regclass)"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            ),
            {"t": live},
        )
        for definition in indexes:
            # The same index name, on the copy (index names are per schema).
            await connection.execute(text(re.sub(r" ON (ONLY )?public\.", rf" ON \g<1>{s}.", definition, count=1)))
        security = (
            await connection.execute(
                text("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                {"t": live},
            )
        ).one()
        if security.relrowsecurity:
            await connection.execute(text(f"ALTER TABLE {s}.{t} ENABLE ROW LEVEL SECURITY"))
        if security.relforcerowsecurity:
            await connection.execute(text(f"ALTER TABLE {s}.{t} FORCE ROW LEVEL SECURITY"))
        policies = await connection.execute(
            text(
                "SELECT policyname, permissive, roles, cmd, qual, with_check FROM pg_policies"
                " WHERE schemaname = 'public' AND tablename = :table"
            ),
            {"table": table},
        )
        for name, permissive, roles, command, qual, with_check in policies:
            to = ", ".join("public" if r == "public" else _quote(r) for r in roles)
            using = f" USING ({qual})" if qual else ""
            check = f" WITH CHECK ({with_check})" if with_check else ""
            await connection.execute(
                text(f"CREATE POLICY {_quote(name)} ON {s}.{t} AS {permissive} FOR {command} TO {to}{using}{check}")
            )
        grants = await connection.execute(
            text(
                "SELECT grantee, privilege_type FROM information_schema.role_table_grants"
                " WHERE table_schema = 'public' AND table_name = :table AND grantee <> current_user"
            ),
            {"table": table},
        )
        for grantee, privilege in grants:
            to = "PUBLIC" if grantee == "PUBLIC" else _quote(grantee)
            await connection.execute(text(f"GRANT {privilege} ON {s}.{t} TO {to}"))


class _Applier:
    """Applies the rebuild queue's events to the tables in ``schema`` with the consumer's own handlers."""

    def __init__(self, db: Database, consumer: Consumer, schema: str, queue: AbstractQueue) -> None:
        self.db, self.consumer, self.schema, self.queue = db, consumer, schema, queue
        self.by_type = {cls.TYPE: cls for cls in consumer.handlers}
        self.handler_for = {cls.TYPE: handler for cls, handler in consumer.handlers.items()}
        self.inbox_name = f"{consumer.name}~rebuild"
        self.applied = self.skipped = 0

    async def drain(self) -> None:
        """Apply what the queue holds until it is empty."""
        while (message := await self.queue.get(no_ack=False, fail=False)) is not None:
            await self._apply(message)

    async def _apply(self, message: AbstractIncomingMessage) -> None:
        for delivery in deliveries(message):
            await self._apply_one(delivery)
        await message.ack()

    async def _apply_one(self, delivery: Delivery) -> None:
        try:
            envelope, event = read_event(delivery.source, self.by_type)
        except (UnreadableMessage, UnknownEventType) as exc:
            log.warning("rebuild_skipped_unreadable", consumer=self.consumer.name, error=str(exc))
            self.skipped += 1
            return
        pause = 0.5
        while True:
            try:
                async with self.db.transaction(Tenant(school_id=envelope.schoolid)) as session:
                    session.info[REBUILDING] = True
                    await session.execute(text(f"SET LOCAL search_path TO {_quote(self.schema)}, public"))
                    first_time = (
                        await session.execute(INBOX_ROW, {"consumer": self.inbox_name, "event_id": envelope.id})
                    ).first()
                    if first_time is not None:
                        await self.handler_for[envelope.type](session, event, envelope)
                        self.applied += 1
                break
            except Exception as exc:
                if not is_outage(exc):
                    raise RebuildFailed(f"{envelope.type} {envelope.id}: {exc!r}") from exc
                log.warning("rebuild_paused_by_outage", error=repr(exc), retry_in=pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 15.0)


async def _switch(
    db: Database, consumer: Consumer, tables: Sequence[str], schema: str, old: str, applier: _Applier
) -> float:
    """Lock the live tables, apply what is left and swap the tables: one transaction."""
    live = ", ".join(f"public.{_quote(t)}" for t in tables)
    for attempt in range(1, SWITCH_ATTEMPTS + 1):
        try:
            async with db.engine.begin() as connection:
                await connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
                await connection.execute(text(f"LOCK TABLE {live} IN ACCESS EXCLUSIVE MODE"))
                locked = time.perf_counter()
                # The live consumer cannot commit now: what it applied is in the rebuild queue or applied.
                await applier.drain()
                await connection.execute(text(f"DROP SCHEMA IF EXISTS {_quote(old)} CASCADE"))
                await connection.execute(text(f"CREATE SCHEMA {_quote(old)}"))
                for table in tables:
                    await connection.execute(text(f"ALTER TABLE public.{_quote(table)} SET SCHEMA {_quote(old)}"))
                    await connection.execute(text(f"ALTER TABLE {_quote(schema)}.{_quote(table)} SET SCHEMA public"))
            return time.perf_counter() - locked
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != "55P03" and "lock timeout" not in str(exc):
                raise
            log.info("rebuild_switch_waiting_for_locks", consumer=consumer.name, attempt=attempt)
            await asyncio.sleep(0.1 * attempt)
    raise RebuildFailed(f"the live tables of {consumer.name} could not be locked for the switch")


async def rebuild(
    db: Database,
    connection: AbstractConnection,
    settings: ServiceSettings,
    consumer: Consumer,
    producers: Sequence[tuple[Database, Snapshots]],
    *,
    keep_old: bool = False,
    tail: bool = True,
) -> Rebuilt:
    """Rebuild ``consumer``'s read model in ``db`` from ``producers``' tails and snapshots; switch over.

    ``tail=False`` rebuilds from the snapshots alone: quicker, and what is left after the replay
    window anyway — only the tombstones of what no longer exists (a withdrawn absence) are missing.
    """
    tables = READ_MODELS.get(consumer.name)
    if not tables:
        raise RebuildFailed(f"{consumer.name} declares no read model (chassis.rebuild.read_model)")
    schema, old = schemas_for(consumer.name)
    started = time.perf_counter()
    channel = await connection.channel()
    try:
        # Exclusive: gone with the connection, so a rebuild that dies leaves no queue behind; and
        # declared first, it is the lock that lets one rebuild of a consumer run at a time.
        queue = await channel.declare_queue(f"{settings.queue_prefix}{consumer.name}.rebuild", exclusive=True)
    except aiormq.exceptions.ChannelLockedResource as exc:
        raise RebuildFailed(f"another rebuild of {consumer.name} is running") from exc
    async with db.engine.begin() as ddl:
        await create_beside(ddl, tables, schema)
    try:
        for event_type in consumer.event_types:
            await queue.bind(settings.exchange, routing_key=event_type)
        applier = _Applier(db, consumer, schema, queue)
        counts = {"replayed": 0, "snapshots": 0}

        async def feed() -> None:
            async with await connection.channel(publisher_confirms=True, on_return_raises=True) as publishing:
                for producer_db, registry in producers:
                    if tail:
                        counts["replayed"] += await replay(producer_db, connection, queue.name, consumer.event_types)
                    counts["snapshots"] += await publish_snapshots(
                        producer_db, registry, publishing, queue.name, consumer.event_types
                    )

        feeding = asyncio.create_task(feed())
        try:
            while not feeding.done():
                await applier.drain()
                await asyncio.wait({feeding}, timeout=0.05)
            await feeding
        finally:
            feeding.cancel()
        await applier.drain()
        switch_seconds = await _switch(db, consumer, tables, schema, old, applier)
        # After the switch, not in it: the live consumer, waiting on the tables with an inbox row of the
        # same event claimed, would otherwise wait on the switch while the switch waits on it.
        async with db.engine.begin() as merge:
            await merge.execute(
                text(
                    "INSERT INTO inbox (consumer, event_id, processed_at)"
                    " SELECT :live, event_id, processed_at FROM inbox WHERE consumer = :rebuild"
                    " ON CONFLICT DO NOTHING"
                ),
                {"live": consumer.name, "rebuild": applier.inbox_name},
            )
    finally:
        # A failed rebuild may have left messages in its queue: a retry on this connection starts clean.
        with contextlib.suppress(Exception):
            await queue.delete(if_unused=False, if_empty=False)
        await channel.close()
        async with db.engine.begin() as ddl:
            await ddl.execute(text(f"DROP SCHEMA IF EXISTS {_quote(schema)} CASCADE"))
            await ddl.execute(
                text("DELETE FROM inbox WHERE consumer = :rebuild"), {"rebuild": f"{consumer.name}~rebuild"}
            )
    if not keep_old:
        async with db.engine.begin() as ddl:
            await ddl.execute(text(f"DROP SCHEMA IF EXISTS {_quote(old)} CASCADE"))
    result = Rebuilt(
        consumer.name,
        counts["replayed"],
        counts["snapshots"],
        applier.applied,
        applier.skipped,
        switch_seconds,
        time.perf_counter() - started,
        old if keep_old else None,
    )
    log.info("read_model_rebuilt", **vars(result))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chassis.rebuild", description=__doc__.splitlines()[0])
    parser.add_argument("consumer", help="the consumer whose read model to rebuild, e.g. reporting.diary")
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        metavar="SERVICE=URL",
        help="a service's database, when not the default (the consumer's own and each producer's)",
    )
    parser.add_argument("--keep-old", action="store_true", help="keep the replaced tables in replaced_<consumer>")
    parser.add_argument(
        "--snapshots-only", action="store_true", help="skip the retained tail: the current state alone, no tombstones"
    )
    args = parser.parse_args(argv)
    consumer = next((c for c in service_consumers() if c.name == args.consumer), None)
    if consumer is None:
        parser.error(f"no consumer {args.consumer}")
    urls = dict(item.split("=", 1) for item in args.database_url)
    settings = ServiceSettings()

    def database(service: str, *, owner: bool = False) -> Database:
        # The consumer's tables are recreated and switched: its database's owner does that, as migrations do.
        service_settings = ServiceSettings(service_name=service)
        url = urls.get(service) or (service_settings.owner_database_url if owner else service_settings.database_url)
        return Database(url, source=f"/{service}", pool_size=2, max_overflow=0)

    # Run as ``__main__``, this module is not the ``chassis.rebuild`` the services' handlers registered with.
    registered = importlib.import_module("chassis.rebuild")

    async def run() -> Rebuilt:
        own = database(consumer.name.split(".")[0], owner=True)
        registries = [producer_snapshots(service) for service in PRODUCERS]
        producers = [(database(r.service), r) for r in registries if r.for_consumer(consumer.event_types)]
        try:
            connection = await aio_pika.connect(settings.amqp_url)
            async with connection:
                return await registered.rebuild(
                    own, connection, settings, consumer, producers, keep_old=args.keep_old, tail=not args.snapshots_only
                )
        finally:
            for db in [own, *(p for p, _ in producers)]:
                await db.dispose()

    try:
        result = asyncio.run(run())
    except registered.RebuildFailed as exc:
        print(f"rebuild failed, the live read model is untouched: {exc}", file=sys.stderr)
        return 1
    print(
        f"{result.consumer} rebuilt: {result.replayed} events replayed, {result.snapshots} snapshots,"
        f" {result.applied} applied, {result.skipped} skipped in {result.seconds:.1f} s;"
        f" live tables locked {result.switch_seconds:.3f} s"
        + (f"; replaced tables kept in {result.kept}" if result.kept else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
