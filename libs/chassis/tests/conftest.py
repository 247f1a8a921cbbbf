"""A probe service built only from the chassis: one table, one consumer, one route."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID, uuid4

import aio_pika
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import Column, Integer, MetaData, String, Table, Uuid, update
from sqlalchemy.ext.asyncio import create_async_engine

from chassis.app import create_app
from chassis.auth import TokenSigner
from chassis.consumers import Consumer
from chassis.migrations import ensure_database, grant_runtime
from chassis.relay import OutboxRelay
from chassis.settings import ServiceSettings
from chassis.tables import metadata as chassis_metadata
from chassis.testing import (
    RUN_BROKER_PREFIX,
    delete_queues,
    drop_database,
    test_database_url,
    test_settings,
    verifier_for,
)
from contracts.roster import SubjectCreated

probe_metadata = MetaData()
effects = Table(
    "probe_effects", probe_metadata, Column("id", Integer, primary_key=True), Column("count", Integer, nullable=False)
)
#: One row per time the handler ran: no key on the event id, so only the inbox stops a second effect.
seen = Table(
    "probe_seen",
    probe_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False),
    Column("name", String, nullable=False),
)

#: A subject with this name makes the probe's handler fail every time.
FAILING_NAME = "всегда-ошибка"

probe = Consumer("probe.subjects")
probe_routes = APIRouter()


@probe_routes.get("/schools/{school_id}/things/{thing_id}")
async def read_thing(school_id: UUID, thing_id: UUID) -> dict:
    return {"school_id": str(school_id), "thing_id": str(thing_id)}


@probe.on(SubjectCreated)
async def count_subject(session, event: SubjectCreated, envelope) -> None:
    if event.name == FAILING_NAME:
        raise RuntimeError("the probe handler fails on purpose")
    await session.execute(update(effects).values(count=effects.c.count + 1))
    await session.execute(seen.insert().values(event_id=envelope.id, name=event.name))


@dataclass
class Probe:
    app: FastAPI
    settings: ServiceSettings

    def relay(self) -> OutboxRelay:
        """A relay like one of another replica's (the probe runs none of its own)."""
        return OutboxRelay(self.app.state.db, self.app.state.broker, self.app.state.metrics)

    async def count(self) -> int:
        async with self.app.state.db.engine.connect() as connection:
            return await connection.scalar(effects.select().with_only_columns(effects.c.count))

    async def queue_depth(self, suffix: str = "") -> int:
        connection = await aio_pika.connect(self.settings.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.settings.queue_prefix + probe.name + suffix, passive=True)
            return queue.declaration_result.message_count


@pytest.fixture(scope="session")
def probe_settings() -> ServiceSettings:
    return test_settings(
        ServiceSettings,
        service_name="chassis_probe",
        run_relay=False,
        database_url=test_database_url("chassis_probe"),
    )


@pytest.fixture(scope="session")
async def probe_app(probe_settings: ServiceSettings, token_signer: TokenSigner) -> AsyncIterator[Probe]:
    await drop_database(probe_settings)
    await ensure_database(probe_settings)
    # Tables are the owner's (as migrations make them); the probe's runtime role only uses their rows.
    engine = create_async_engine(probe_settings.owner_database_url)
    async with engine.begin() as connection:
        await connection.run_sync(chassis_metadata.create_all)
        await connection.run_sync(probe_metadata.create_all)
        await connection.execute(effects.insert().values(id=1, count=0))
    await engine.dispose()
    await grant_runtime(probe_settings)
    await delete_queues(probe_settings, [probe.name])
    app = create_app(
        probe_settings, title="probe", routers=[probe_routes], consumers=[probe], verifier=verifier_for(token_signer)
    )
    async with app.router.lifespan_context(app):
        yield Probe(app, probe_settings)


@pytest.fixture
async def bare_exchange_settings(probe_settings: ServiceSettings) -> ServiceSettings:
    """An events exchange declared (by an older deploy) without the alternate exchange."""
    settings = probe_settings.model_copy(update={"exchange": f"{RUN_BROKER_PREFIX}bare.{uuid4().hex[:8]}"})
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.declare_exchange(settings.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
    return settings
