"""Pytest plugin shared by every service's tests: fresh databases, a running app, callers.

Loaded for the whole workspace (``-p chassis.testing``). Tests run against the real
PostgreSQL and RabbitMQ on localhost, on their own databases (``journal_test_*``), exchange
and queue names, so a running demo is never disturbed.

A service's ``tests/conftest.py`` defines its session fixtures ``settings``
(``test_settings(TheSettings)``), ``app`` (``build_app(settings, verifier_for(token_signer))``) and
``client`` (``running_app(app, settings)``; session fixtures are cached per definition, so each
service keeps its own); this plugin adds ``as_(caller)`` (request headers of that caller) and
``outbox_events(school_id)``.
"""

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from uuid import UUID, uuid4

import aio_pika
import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from chassis.auth import Caller, TokenSigner, TokenVerifier
from chassis.events import Envelope, envelope_for
from chassis.relay import message_for
from chassis.settings import ServiceSettings
from chassis.tables import outbox
from chassis.tenancy import SYSTEM
from contracts import Event

S = TypeVar("S", bound=ServiceSettings)

TEST_EXCHANGE = "test.school.events"
TEST_PUBLIC_EXCHANGE = "test.public.events"
TEST_QUEUE_PREFIX = "test."


def test_settings(settings_class: type[S], **overrides: Any) -> S:
    """Settings of a service under test: its own database, exchanges and queue names, fast retries."""
    probe = settings_class()
    values: dict[str, Any] = {
        "database_url": f"postgresql+asyncpg://{probe.db_role}@{probe.db_server}/journal_test_{probe.service_name}",
        "exchange": TEST_EXCHANGE,
        "public_exchange": TEST_PUBLIC_EXCHANGE,
        "queue_prefix": TEST_QUEUE_PREFIX,
        "retry_delay_ms": 200,
        "max_attempts": 3,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return settings_class(**values)


async def drop_database(settings: ServiceSettings) -> None:
    admin = await asyncpg.connect(settings.admin_database_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{settings.database_name}" WITH (FORCE)')
    finally:
        await admin.close()


async def delete_queues(settings: ServiceSettings, queue_names: list[str]) -> None:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in queue_names:
            for suffix in ("", ".retry", ".dlq"):
                await channel.queue_delete(settings.queue_prefix + name + suffix)


@asynccontextmanager
async def running_app(app: FastAPI, settings: ServiceSettings) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app on a fresh database and fresh queues; yield an HTTP client bound to it."""
    await drop_database(settings)
    await delete_queues(settings, [c.name for c in app.state.consumers])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def publish_event(
    settings: ServiceSettings, event: Event, *, school_id: UUID, envelope: Envelope | None = None
) -> Envelope:
    """Publish an event to the test exchange as a producing service's relay would.

    Pass ``envelope`` to publish the very same event again (a redelivery).
    """
    envelope = envelope or envelope_for(event, source="/tests", school_id=school_id)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(settings.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        await exchange.publish(message_for(envelope.model_dump(mode="json")), routing_key=envelope.type)
    return envelope


def verifier_for(signer: TokenSigner) -> TokenVerifier:
    return TokenVerifier.from_jwks(signer.jwks(), issuer=signer.issuer, audience=signer.audience)


def auth_headers(signer: TokenSigner, caller: Caller) -> dict[str, str]:
    return {"Authorization": f"Bearer {signer.issue(caller)}"}


def person(
    school_id: UUID | None = None, *roles: str, name: str = "Тестовый Пользователь", region_roles: tuple[str, ...] = ()
) -> Caller:
    """A caller with the given roles in one school."""
    return Caller(
        person_id=uuid4(),
        name=name,
        school_roles=frozenset((school_id, r) for r in roles) if school_id else frozenset(),
        region_roles=frozenset(region_roles),
    )


T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T]], *, timeout: float = 5.0, interval: float = 0.05) -> T:
    """Poll until ``probe`` returns a truthy value (events are asynchronous); fail loudly on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(interval)


def pytest_configure(config: pytest.Config) -> None:
    """With ``TEST_CONTAINERS=1`` (and Docker), PostgreSQL and RabbitMQ run in containers for the session.

    The settings of every service under test, and of the end-to-end stack, read the same
    ``JOURNAL_*`` variables, so the rest of the suite does not know the difference.
    """
    if os.environ.get("TEST_CONTAINERS") != "1":
        return
    from testcontainers.community.postgres import PostgresContainer
    from testcontainers.community.rabbitmq import RabbitMqContainer

    postgres = PostgresContainer("postgres:15", username="postgres", password="postgres", dbname="postgres")
    postgres.with_env("POSTGRES_HOST_AUTH_METHOD", "trust")
    rabbit = RabbitMqContainer("rabbitmq:3.13")
    for container in (postgres, rabbit):
        container.start()
        config.add_cleanup(container.stop)
    server = f"{postgres.get_container_host_ip()}:{postgres.get_exposed_port(5432)}"
    os.environ["JOURNAL_DB_SERVER"] = server
    os.environ["JOURNAL_ADMIN_DATABASE_URL"] = f"postgresql://postgres@{server}/postgres"
    os.environ["JOURNAL_AMQP_URL"] = (
        f"amqp://guest:guest@{rabbit.get_container_host_ip()}:{rabbit.get_exposed_port(5672)}/"
    )


@pytest.fixture(scope="session")
def token_signer() -> TokenSigner:
    defaults = ServiceSettings()
    return TokenSigner.generate(issuer=defaults.token_issuer, audience=defaults.token_audience)


@pytest.fixture
def as_(token_signer: TokenSigner) -> Callable[[Caller], dict[str, str]]:
    """``as_(caller)`` gives the headers of a request made by that caller."""
    return lambda caller: auth_headers(token_signer, caller)


@pytest.fixture
def outbox_events(app: FastAPI) -> Callable[[UUID], Awaitable[list[dict]]]:
    """The envelopes a school's changes put in the outbox, oldest first."""

    async def read(school_id: UUID) -> list[dict]:
        async with app.state.db.transaction(SYSTEM) as session:
            found = await session.scalars(
                select(outbox.c.envelope).where(outbox.c.school_id == school_id).order_by(outbox.c.seq)
            )
            return list(found)

    return read
