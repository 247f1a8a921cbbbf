"""Pytest plugin shared by every service's tests: fresh databases, a running app, callers, the clock.

Loaded for the whole workspace (``-p chassis.testing``). Tests run against the real
PostgreSQL and RabbitMQ on localhost. Every name a run creates carries its run id (the pytest
process id): databases ``journal_test_<run>_*``, exchanges and queues ``test.<run>.*``. So a
running demo is never disturbed, two runs (two checkouts, CI beside a developer) share a
machine, a run removes its own at the end, and a later run removes what a killed one left.

The services under test read a pinned clock (``TEST_NOW``, a Wednesday noon in Moscow, or
``JOURNAL_TEST_CLOCK`` to run the suite on another day), so "today" never flips mid-run.

A service's ``tests/conftest.py`` defines its session fixtures ``settings``
(``test_settings(TheSettings)``), ``app`` (``build_app(settings, verifier_for(token_signer))``) and
``client`` (``running_app(app, settings)``; session fixtures are cached per definition, so each
service keeps its own); this plugin adds ``as_(caller)`` (request headers of that caller),
``today`` (the school's today by the service's clock), ``move_today(day)`` (the clock moved for one
test) and ``outbox_events(school_id)``.
"""

import asyncio
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from datetime import time as dt_time
from typing import Any, TypeVar
from urllib.parse import quote
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import aio_pika
import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import MetaData, NullPool, select
from sqlalchemy.ext.asyncio import create_async_engine

from chassis.auth import Caller, TokenSigner, TokenVerifier
from chassis.clock import Clock
from chassis.events import Envelope, envelope_for
from chassis.publishers import broker_admin
from chassis.relay import message_for
from chassis.settings import ServiceSettings
from chassis.tables import outbox
from chassis.tenancy import SYSTEM
from contracts import Event

S = TypeVar("S", bound=ServiceSettings)

#: This run's id: every database, exchange and queue name of the run carries it.
RUN_ID = str(os.getpid())
RUN_DATABASE_PREFIX = f"journal_test_{RUN_ID}_"
RUN_BROKER_PREFIX = f"test.{RUN_ID}."
TEST_EXCHANGE = f"{RUN_BROKER_PREFIX}school.events"
TEST_PUBLIC_EXCHANGE = f"{RUN_BROKER_PREFIX}public.events"
#: The instant the services under test start their clocks at.
TEST_NOW = datetime.fromisoformat(os.environ.get("JOURNAL_TEST_CLOCK") or "2026-10-14T12:00:00+03:00")
#: The region's today at ``TEST_NOW``, for tests that reach a service through another (the gateway).
TEST_TODAY = TEST_NOW.astimezone(ZoneInfo(ServiceSettings().timezone)).date()


def test_queue_prefix(part: str = "") -> str:
    """Queue names of this run, under ``part`` for a group of services run apart from their own suites."""
    return RUN_BROKER_PREFIX + (f"{part}." if part else "")


def test_database_url(name: str) -> str:
    """A database of this run; the settings it is given to name the service's roles (``journal_<service>``)."""
    return f"postgresql+asyncpg://{ServiceSettings().db_server}/{RUN_DATABASE_PREFIX}{name}"


def test_settings(settings_class: type[S], **overrides: Any) -> S:
    """Settings of a service under test: this run's database, exchanges and queues, a pinned clock, fast retries."""
    values: dict[str, Any] = {
        "database_url": test_database_url(settings_class().service_name),
        "exchange": TEST_EXCHANGE,
        "public_exchange": TEST_PUBLIC_EXCHANGE,
        "queue_prefix": test_queue_prefix(),
        "profile": "test",
        "test_clock": TEST_NOW,
        # About twenty apps live through a run, and two runs may share one PostgreSQL.
        "db_pool_size": 2,
        "db_max_overflow": 4,
        "retry_delays_ms": [100, 200],
        "max_attempts": 3,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return settings_class(**values)


def _alive(run_id: str) -> bool:
    if not run_id.isdigit():
        return False
    try:
        os.kill(int(run_id), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _management(settings: ServiceSettings) -> httpx.Client:
    # The sweeps run after the captured output ends: httpx's line per request would only be noise there.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return httpx.Client(base_url=settings.broker_management_url, auth=broker_admin(settings), timeout=30)


def _rabbitmq_names(settings: ServiceSettings, kind: str) -> list[str]:
    """Queue or exchange names on the broker (its management API)."""
    with _management(settings) as client:
        listed = client.get(f"/api/{kind}/%2F", params={"columns": "name"})
        listed.raise_for_status()
        return [item["name"] for item in listed.json()]


def delete_broker_users(settings: ServiceSettings, users: list[str]) -> None:
    """Remove a test's RabbitMQ users (``chassis.publishers.provision`` made them)."""
    with _management(settings) as client:
        for user in users:
            client.delete(f"/api/users/{quote(user, safe='')}")


async def remove_runs(settings: ServiceSettings, *, keep_alive: bool) -> None:
    """Drop the databases, queues and exchanges of test runs: this run's, or every dead run's.

    ``keep_alive`` spares every run whose process still lives (the sweep at start); without it
    only this run's own are removed (the clean-up at the end).
    """

    def doomed(run_id: str) -> bool:
        return (not _alive(run_id)) if keep_alive else run_id == RUN_ID

    admin = await asyncpg.connect(settings.admin_database_url)
    try:
        databases = await admin.fetch("SELECT datname FROM pg_database WHERE datname LIKE 'journal\\_test\\_%'")
        for row in databases:
            name = row["datname"]
            found = re.match(r"journal_test_([^_]+)(_|$)", name)
            if found and doomed(found.group(1)):
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
    queues = [n for n in _rabbitmq_names(settings, "queues") if n.startswith("test.") and doomed(n.split(".")[1])]
    exchanges = [n for n in _rabbitmq_names(settings, "exchanges") if n.startswith("test.") and doomed(n.split(".")[1])]
    if not queues and not exchanges:
        return
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for name in queues:
            await channel.queue_delete(name)
        for name in exchanges:
            await channel.exchange_delete(name)


def _sweeps() -> bool:
    # Mutation testing runs pytest once per mutant in a forked process: it sweeps once, in its own run.
    return os.environ.get("TEST_CONTAINERS") != "1" and os.environ.get("JOURNAL_TEST_SWEEP") != "0"


def pytest_sessionstart(session: pytest.Session) -> None:
    if _sweeps():
        asyncio.run(remove_runs(ServiceSettings(), keep_alive=True))


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _sweeps():
        asyncio.run(remove_runs(ServiceSettings(), keep_alive=False))


def pytest_report_header(config: pytest.Config) -> str:
    return f"test run {RUN_ID}: databases {RUN_DATABASE_PREFIX}*, broker names {RUN_BROKER_PREFIX}*, today {TEST_NOW}"


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
            for suffix in ("", ".dlq"):
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
        exchange = await channel.get_exchange(settings.exchange)  # declared by the app under test
        await exchange.publish(message_for(envelope.model_dump(mode="json")), routing_key=envelope.type)
    return envelope


async def create_tables(settings: ServiceSettings, metadata: MetaData) -> None:
    """Tables a test defines, made as migrations make them: owned by the owner role, used by the runtime role."""
    from chassis.migrations import grant_runtime

    engine = create_async_engine(settings.owner_database_url, poolclass=NullPool)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()
    await grant_runtime(settings)


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

#: The problem type (``chassis.problems``) a refusal of each status carries unless a test names another.
SLUG_BY_STATUS = {
    400: "malformed-json",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    422: "invalid",
    503: "unavailable",
}


def refused(response: httpx.Response, status: int, detail: str | None = None, *, slug: str | None = None) -> dict:
    """Assert ``response`` is the RFC 9457 problem of ``status`` and its type, with ``detail`` in its message if given.

    So a refusal says which rule fired, not only a status code; returns the problem's body.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json", response.text
    body = response.json()
    assert body["type"] == f"https://journal.example/problems/{slug or SLUG_BY_STATUS[status]}", body
    if detail is not None:
        assert detail in body["detail"], body
    return body


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


def events_handled(app: FastAPI, consumer: str) -> int:
    """How many deliveries ``consumer`` has finished with, whatever the outcome (``journal_events_handled_total``).

    The marker a test waits for before it asserts that something did *not* happen: no sleep
    proves an absence, a handled delivery does.
    """
    return int(
        sum(
            sample.value
            for metric in app.state.metrics.events_handled.collect()
            for sample in metric.samples
            if sample.name.endswith("_total") and sample.labels["consumer"] == consumer
        )
    )


async def until_handled(app: FastAPI, consumer: str, count: int, *, timeout: float = 10.0) -> None:
    """Wait until ``consumer`` has finished with ``count`` deliveries in all (see ``events_handled``)."""

    async def reached() -> bool:
        return events_handled(app, consumer) >= count

    await eventually(reached, timeout=timeout)


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
    rabbit = RabbitMqContainer("rabbitmq:3.13-management").with_exposed_ports(5672, 15672)
    for container in (postgres, rabbit):
        container.start()
        config.add_cleanup(container.stop)
    server = f"{postgres.get_container_host_ip()}:{postgres.get_exposed_port(5432)}"
    os.environ["JOURNAL_DB_SERVER"] = server
    os.environ["JOURNAL_ADMIN_DATABASE_URL"] = f"postgresql://postgres@{server}/postgres"
    broker = rabbit.get_container_host_ip()
    os.environ["JOURNAL_AMQP_URL"] = f"amqp://guest:guest@{broker}:{rabbit.get_exposed_port(5672)}/"
    os.environ["JOURNAL_BROKER_MANAGEMENT_URL"] = f"http://{broker}:{rabbit.get_exposed_port(15672)}"


@pytest.fixture(scope="session")
def token_signer() -> TokenSigner:
    defaults = ServiceSettings()
    return TokenSigner.generate(issuer=defaults.token_issuer, audience=defaults.token_audience)


@pytest.fixture
def as_(token_signer: TokenSigner) -> Callable[[Caller], dict[str, str]]:
    """``as_(caller)`` gives the headers of a request made by that caller."""
    return lambda caller: auth_headers(token_signer, caller)


@pytest.fixture
def today(app: FastAPI, settings: ServiceSettings) -> date:
    """The school's today by the service's clock (pinned at ``TEST_NOW``)."""
    return app.state.clock.today(settings.timezone)


@pytest.fixture
def move_today(app: FastAPI, settings: ServiceSettings) -> Iterator[Callable[[date], None]]:
    """``move_today(day)`` runs the service's clock from noon of ``day`` (school time) until the test ends.

    For rules that turn on a date (the edit window's last open day and the day after): the
    test records on one day and acts on another through the API, as a teacher would.
    """
    pinned = app.state.clock

    def move(day: date) -> None:
        noon = datetime.combine(day, dt_time(12), tzinfo=ZoneInfo(settings.timezone))
        app.state.clock = Clock.starting_at(noon)

    yield move
    app.state.clock = pinned


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
