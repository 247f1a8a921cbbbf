"""Rebuilding a read model beside the live one, on the probe: the switch, a failure, one rebuild at a time."""

from collections.abc import AsyncIterator
from uuid import uuid4

import aio_pika
import pytest
from sqlalchemy import Column, MetaData, String, Table, Uuid, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from chassis.consumers import Consumer
from chassis.db import Database
from chassis.events import emit_event
from chassis.rebuild import RebuildFailed, read_model, rebuild, schemas_for
from chassis.snapshots import Snapshot, Snapshots
from chassis.tenancy import Tenant
from chassis.testing import create_tables
from contracts.roster import SubjectCreated

from .conftest import Probe

replica_metadata = MetaData()
replica = Table(
    "probe_subject_names",
    replica_metadata,
    Column("id", Uuid, primary_key=True),
    Column("school_id", Uuid, nullable=False),
    Column("name", String, nullable=False),
)


def subject_names(*, failing: bool = False) -> Consumer:
    consumer = Consumer(f"rebuild.{uuid4().hex[:8]}")

    @consumer.on(SubjectCreated)
    async def store(session, event: SubjectCreated, envelope) -> None:
        if failing:
            raise RuntimeError("the handler fails on purpose")
        row = {"id": event.subject_id, "school_id": envelope.schoolid, "name": event.name}
        await session.execute(insert(replica).values(row).on_conflict_do_update(index_elements=["id"], set_=row))

    read_model(consumer, [replica.name])
    return consumer


@pytest.fixture
async def live(probe_app: Probe) -> AsyncIterator[Probe]:
    owner = create_async_engine(probe_app.settings.owner_database_url, poolclass=NullPool)
    async with owner.begin() as connection:
        await connection.run_sync(replica_metadata.drop_all)
    await create_tables(probe_app.settings, replica_metadata)
    async with owner.begin() as connection:
        await connection.execute(text("CREATE INDEX probe_subject_names_by_name ON probe_subject_names (name)"))
    yield probe_app
    async with owner.begin() as connection:
        await connection.run_sync(replica_metadata.drop_all)
    await owner.dispose()


@pytest.fixture
async def owner_db(live: Probe) -> AsyncIterator[Database]:
    """A rebuild changes schemas, so it runs as the database's owner, as migrations do (never the runtime role)."""
    db = Database(live.settings.owner_database_url, source="/probe")
    yield db
    await db.dispose()


async def names(probe: Probe, school, schema: str = "public", db: Database | None = None) -> dict:
    """The school's rows (the probe's outbox also holds other tests' subjects, which the tail replays)."""
    query = text(f'SELECT id, name FROM "{schema}".probe_subject_names WHERE school_id = :school')
    async with (db or probe.app.state.db).engine.connect() as connection:
        return dict((await connection.execute(query, {"school": school})).all())


def producer_with(state: dict, school) -> Snapshots:
    registry = Snapshots("probe")

    @registry.aggregate("subject", SubjectCreated)
    async def subjects(session):
        for subject_id, name in state.items():
            yield Snapshot(school, SubjectCreated(subject_id=subject_id, name=name))

    return registry


async def test_the_rebuilt_table_replaces_the_live_one_with_the_producers_state(live: Probe, owner_db: Database):
    db, school = owner_db, uuid4()
    renamed, kept = uuid4(), uuid4()
    async with db.transaction(Tenant(school_id=school)) as session:
        await emit_event(session, SubjectCreated(subject_id=renamed, name="Алгебра"), school_id=school)
    # The live table has drifted (say, restored from an old backup): a row too many, a stale name.
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(replica),
            [
                {"id": renamed, "school_id": school, "name": "Алгебра"},
                {"id": uuid4(), "school_id": school, "name": "лишняя строка"},
            ],
        )
    state = {renamed: "Алгебра и начала анализа", kept: "Геометрия"}
    consumer = subject_names()
    connection = await aio_pika.connect(live.settings.amqp_url)
    async with connection:
        producers = [(db, producer_with(state, school))]
        result = await rebuild(db, connection, live.settings, consumer, producers, keep_old=True)
    assert await names(live, school) == state
    assert result.snapshots == 2 and result.kept == schemas_for(consumer.name)[1]
    # The replaced tables are the owner's to inspect or drop: the service's own role cannot even see them.
    assert "лишняя строка" in (await names(live, school, result.kept, db)).values()
    async with db.engine.connect() as connection:
        indexes = set(
            await connection.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'probe_subject_names'"))
        )
        await connection.execute(text(f'DROP SCHEMA "{result.kept}" CASCADE'))
        await connection.commit()
    assert {"probe_subject_names_pkey", "probe_subject_names_by_name"} <= indexes


async def test_a_rebuild_that_fails_leaves_the_live_table_as_it_was(live: Probe, owner_db: Database):
    db, school = owner_db, uuid4()
    async with db.engine.begin() as connection:
        await connection.execute(insert(replica).values(id=uuid4(), school_id=school, name="живая строка"))
    consumer = subject_names(failing=True)
    connection = await aio_pika.connect(live.settings.amqp_url)
    async with connection:
        with pytest.raises(RebuildFailed, match="fails on purpose"):
            await rebuild(db, connection, live.settings, consumer, [(db, producer_with({uuid4(): "Физика"}, school))])
    assert list((await names(live, school)).values()) == ["живая строка"]
    async with db.engine.connect() as connection:
        schemas = set(await connection.scalars(text("SELECT nspname FROM pg_namespace")))
    assert not set(schemas_for(consumer.name)) & schemas


async def test_one_rebuild_of_a_consumer_at_a_time(live: Probe, owner_db: Database):
    db, consumer = owner_db, subject_names()
    running = await aio_pika.connect(live.settings.amqp_url)
    async with running:
        channel = await running.channel()
        await channel.declare_queue(f"{live.settings.queue_prefix}{consumer.name}.rebuild", exclusive=True)
        second = await aio_pika.connect(live.settings.amqp_url)
        async with second:
            with pytest.raises(RebuildFailed, match="another rebuild"):
                await rebuild(db, second, live.settings, consumer, [])
