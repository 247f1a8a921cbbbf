"""Retries: backoff through delay queues, outages that cost no attempt, dead letters with their reason."""

from uuid import uuid4

import asyncpg
import pytest
import sqlalchemy.exc

from chassis.broker import Broker
from chassis.consumers import Consumer, ConsumerRunner, Outage, is_outage, retry_delay_ms
from chassis.metrics import Metrics
from chassis.settings import ServiceSettings
from chassis.testing import eventually, publish_event
from contracts.roster import SubjectCreated

from .conftest import Probe


def test_each_failed_attempt_waits_longer_with_jitter_and_the_last_step_repeats():
    settings = ServiceSettings(retry_delays_ms=[1000, 5000, 30000])
    steps = [retry_delay_ms(settings, attempt) for attempt in (1, 2, 3, 4, 9)]
    assert [queue for queue, _ in steps] == [1000, 5000, 30000, 30000, 30000]
    assert all(queue // 2 <= expiry <= queue for queue, expiry in steps)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.AdminShutdownError("terminating connection due to administrator command"),
        sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionResetError()),
        sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("connection is closed")),
    ],
)
def test_an_unreachable_database_is_an_outage(error: Exception):
    assert is_outage(error)


def test_an_outage_hidden_under_another_error_is_found():
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except OSError as cause:
            raise RuntimeError("handler could not read") from cause
    except RuntimeError as wrapped:
        assert is_outage(wrapped)


@pytest.mark.parametrize("error", [ValueError("bad data"), sqlalchemy.exc.IntegrityError("INSERT", {}, Exception())])
def test_a_handler_error_is_not_an_outage(error: Exception):
    assert not is_outage(error)


async def test_an_outage_pauses_the_consumer_and_costs_no_attempt(probe_app: Probe, probe_settings: ServiceSettings):
    """More failures than max_attempts, all outages: the event is applied once, never retried or dead-lettered."""
    consumer = Consumer(f"retries.{uuid4().hex[:8]}")
    calls: list[str] = []

    @consumer.on(SubjectCreated)
    async def flaky(session, event: SubjectCreated, envelope) -> None:
        calls.append(event.name)
        if len(calls) <= probe_settings.max_attempts + 1:
            raise sqlalchemy.exc.OperationalError("INSERT", {}, ConnectionRefusedError(111, "Connection refused"))

    metrics = Metrics("retries")
    broker = await Broker.connect(probe_settings, [consumer])
    runner = ConsumerRunner(probe_app.app.state.db, broker, probe_settings, [consumer], metrics)
    runner.outage = Outage(first_pause=0.02, longest_pause=0.1)
    try:
        await runner.start()
        await publish_event(probe_settings, SubjectCreated(subject_id=uuid4(), name="перебой"), school_id=uuid4())

        async def applied() -> bool:
            return _count(metrics, consumer.name, "ok") == 1

        await eventually(applied, timeout=10)
        assert len(calls) == probe_settings.max_attempts + 2
        assert _count(metrics, consumer.name, "retried") == _count(metrics, consumer.name, "dead_lettered") == 0
    finally:
        await runner.stop()
        await broker.close()


def _count(metrics: Metrics, consumer: str, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "journal_events_handled_total",
        {"service": "retries", "consumer": consumer, "type": SubjectCreated.TYPE, "outcome": outcome},
    )
    return value or 0.0
