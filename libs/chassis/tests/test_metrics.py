"""GET /metrics after real requests, real events on the broker and real outbox rows."""

from datetime import timedelta
from uuid import uuid4

import aio_pika
import httpx
from prometheus_client.parser import text_string_to_metric_families

from chassis.events import emit_event, envelope_for
from chassis.relay import message_for
from chassis.tenancy import Tenant
from chassis.testing import eventually, publish_event
from contracts.roster import ClassCreated, SubjectCreated

from .conftest import FAILING_NAME, Probe, probe

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
THING_ROUTE = "/schools/{school_id}/things/{thing_id}"


async def get(probe_app: Probe, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=probe_app.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def scrape(probe_app: Probe) -> Samples:
    response = await get(probe_app, "/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset({"service": "chassis_probe", **labels}.items())), 0.0)


def handled(samples: Samples, outcome: str, event_type: str = SubjectCreated.TYPE) -> float:
    return value(samples, "journal_events_handled_total", consumer=probe.name, type=event_type, outcome=outcome)


async def test_request_latency_is_labelled_by_route_template_not_by_path(probe_app: Probe):
    labels = {"method": "GET", "route": THING_ROUTE, "status": "2xx"}
    before = value(await scrape(probe_app), "journal_http_request_duration_seconds_count", **labels)
    school, thing = uuid4(), uuid4()

    assert (await get(probe_app, f"/schools/{school}/things/{thing}")).status_code == 200
    assert (await get(probe_app, "/nowhere")).status_code == 404

    response = await get(probe_app, "/metrics")
    samples = await scrape(probe_app)
    assert value(samples, "journal_http_request_duration_seconds_count", **labels) == before + 1
    assert value(samples, "journal_http_request_duration_seconds_count", method="GET", route="unmatched", status="4xx")
    assert str(thing) not in response.text and "/nowhere" not in response.text
    assert "/metrics" not in (await get(probe_app, "/openapi.json")).json()["paths"]


async def test_handled_duplicate_retried_dead_lettered_and_unreadable_events_are_counted(probe_app: Probe):
    before = await scrape(probe_app)
    settings = probe_app.settings
    school = uuid4()
    event = SubjectCreated(subject_id=uuid4(), name="с-опозданием")
    late = envelope_for(event, source="/tests", school_id=school)
    late = late.model_copy(update={"time": late.time - timedelta(minutes=2)})

    await publish_event(settings, event, school_id=school, envelope=late)
    await publish_event(settings, event, school_id=school, envelope=late)
    await publish_event(settings, SubjectCreated(subject_id=uuid4(), name=FAILING_NAME), school_id=school)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(settings.exchange)
        await exchange.publish(aio_pika.Message(b"{not json", message_id=str(uuid4())), routing_key=SubjectCreated.TYPE)

    expected = {
        "ok": handled(before, "ok") + 1,
        "duplicate": handled(before, "duplicate") + 1,
        # max_attempts is 3 in tests: two delayed retries, then the dead-letter queue.
        "retried": handled(before, "retried") + 2,
        "dead_lettered": handled(before, "dead_lettered") + 1,
    }

    async def all_counted() -> Samples | None:
        samples = await scrape(probe_app)
        # At least: events another test left in flight may be counted in the same window.
        counted = all(handled(samples, outcome) >= count for outcome, count in expected.items())
        unreadable = handled(samples, "unreadable", "unknown") >= handled(before, "unreadable", "unknown") + 1
        return samples if counted and unreadable else None

    after = await eventually(all_counted, timeout=30)

    timed = {"consumer": probe.name, "type": SubjectCreated.TYPE}
    handler_runs = value(after, "journal_event_handler_duration_seconds_count", **timed)
    assert handler_runs >= value(before, "journal_event_handler_duration_seconds_count", **timed) + 5
    lag_count = value(after, "journal_event_lag_seconds_count", consumer=probe.name)
    assert lag_count >= value(before, "journal_event_lag_seconds_count", consumer=probe.name) + 1
    lag_sum = value(after, "journal_event_lag_seconds_sum", consumer=probe.name)
    assert lag_sum - value(before, "journal_event_lag_seconds_sum", consumer=probe.name) >= 120


async def test_outbox_backlog_is_measured_on_scrape_and_the_relay_counts_what_it_publishes(probe_app: Probe):
    before = await scrape(probe_app)
    backlog = value(before, "journal_outbox_backlog")
    school = uuid4()
    async with probe_app.app.state.db.transaction(Tenant(school_id=school)) as session:
        for name in ("ждёт-1", "ждёт-2"):
            await emit_event(session, SubjectCreated(subject_id=uuid4(), name=name), school_id=school)

    assert value(await scrape(probe_app), "journal_outbox_backlog") == backlog + 2

    while await probe_app.relay().publish_pending():
        pass
    after = await scrape(probe_app)
    assert value(after, "journal_outbox_backlog") == 0
    published = value(after, "journal_events_published_total", type=SubjectCreated.TYPE)
    assert published == value(before, "journal_events_published_total", type=SubjectCreated.TYPE) + backlog + 2


async def test_an_event_the_consumer_has_no_handler_for_is_retried_then_dead_lettered(probe_app: Probe):
    """A type that reaches an instance without its handler (a rolling deploy, a stale binding) is
    retried, so a newer instance can take it, and only then dead-lettered."""
    before = await scrape(probe_app)
    dead_before = await probe_app.queue_depth(".dlq")
    stray = ClassCreated(class_id=uuid4(), grade=5, letter="А", name="5А", academic_year="2026/2027")
    envelope = envelope_for(stray, source="/tests", school_id=uuid4())
    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue_name = probe_app.settings.queue_prefix + probe.name
        await channel.default_exchange.publish(message_for(envelope.model_dump(mode="json")), routing_key=queue_name)

    async def retried_then_dead_lettered() -> bool:
        samples = await scrape(probe_app)
        return (
            handled(samples, "retried", ClassCreated.TYPE) == handled(before, "retried", ClassCreated.TYPE) + 2
            and handled(samples, "dead_lettered", ClassCreated.TYPE)
            == handled(before, "dead_lettered", ClassCreated.TYPE) + 1
        )

    await eventually(retried_then_dead_lettered, timeout=10)
    await eventually(lambda: _dead_letters_are(probe_app, dead_before + 1), timeout=10)


async def _dead_letters_are(probe_app: Probe, expected: int) -> bool:
    return await probe_app.queue_depth(".dlq") == expected
