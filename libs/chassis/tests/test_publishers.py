"""Each service its own RabbitMQ user, publishing only its own event types; consumers take an event only from
the user of the service that owns its type (RabbitMQ's validated ``user_id``). Against the real broker: the
run's users ``test.<run>.<service>`` are made through the management API and removed at the end.
"""

import re
import secrets
from collections.abc import Iterator
from urllib.parse import quote
from uuid import uuid4

import aio_pika
import aiormq
import pytest

from chassis.events import envelope_for
from chassis.publishers import (
    PORTAL,
    broker_admin,
    management_requests,
    permissions,
    provision,
    publisher_refusal,
    publishing_service,
)
from chassis.relay import message_for
from chassis.settings import ServiceSettings
from chassis.testing import RUN_BROKER_PREFIX, delete_broker_users, eventually
from contracts.roster import SubjectCreated

from .conftest import Probe
from .test_dlq import letter_ids
from .test_messaging import names_seen

TEMPLATE = RUN_BROKER_PREFIX + "{service}"


def test_an_event_is_taken_from_its_owners_user_or_ones_own_only():
    def refusal(event_type: str, user: str | None) -> str | None:
        return publisher_refusal(event_type, user, own_user="journal_reporting", template="journal_{service}")

    assert refusal("roster.person.registered.v1", "journal_roster") is None
    assert refusal("public.mark.posted.v1", "journal_gateway") is None  # the portal's events are the gateway's
    assert refusal("gradebook.mark.posted.v1", "journal_reporting") is None  # its own retry, come back
    assert "journal_attendance does not own gradebook.mark.posted.v1" in refusal(
        "gradebook.mark.posted.v1", "journal_attendance"
    )
    assert "unnamed" in refusal("roster.person.registered.v1", None)
    assert publishing_service("attendance.absence.recorded.v1") == "attendance"


@pytest.fixture(scope="module")
def users(probe_app: Probe) -> Iterator[dict[str, str]]:
    """Users of roster and gradebook for this run, with the permissions ``chassis.publishers`` gives them."""
    settings = probe_app.settings.model_copy(update={"broker_user_template": TEMPLATE})
    passwords = {service: secrets.token_hex(16) for service in ("roster", "gradebook")}
    # As `make run` makes them (twice: a second start only sets the passwords again).
    for _ in range(2):
        provision(settings.broker_management_url, broker_admin(settings), passwords, settings, settings.queue_prefix)
    made = {
        service: f"amqp://{quote(TEMPLATE.format(service=service), safe='')}:{password}@127.0.0.1:5672/"
        for service, password in passwords.items()
    }
    yield made
    delete_broker_users(settings, [TEMPLATE.format(service=service) for service in made])


async def _publish(url: str, routing_key: str, message: aio_pika.Message, exchange_name: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name, ensure=False)
        await exchange.publish(message, routing_key=routing_key)


def _subject_created(name: str, user_id: str | None = None) -> tuple[aio_pika.Message, str]:
    envelope = envelope_for(SubjectCreated(subject_id=uuid4(), name=name), source="/tests", school_id=uuid4())
    message = message_for(envelope.model_dump(mode="json"))
    message.user_id = user_id
    return message, str(envelope.id)


async def test_a_service_user_cannot_publish_another_services_event_type(probe_app: Probe, users):
    roster_user = TEMPLATE.format(service="roster")
    message, _ = _subject_created("Алгебра", roster_user)
    # Its own type goes through (the probe consumes roster's subjects).
    await _publish(users["roster"], SubjectCreated.TYPE, message, probe_app.settings.exchange)
    # Gradebook's user may not publish roster's type: the broker's topic permission refuses it.
    forged, _ = _subject_created("Подделка", TEMPLATE.format(service="gradebook"))
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused):
        await _publish(users["gradebook"], SubjectCreated.TYPE, forged, probe_app.settings.exchange)


async def test_a_forged_user_id_is_refused_by_the_broker(probe_app: Probe, users):
    # Gradebook's connection claiming to be roster.
    message, _ = _subject_created("Геометрия", TEMPLATE.format(service="roster"))
    with pytest.raises(aiormq.exceptions.ChannelPreconditionFailed):
        await _publish(users["gradebook"], "gradebook.mark.posted.v1", message, probe_app.settings.exchange)


async def test_the_consumer_takes_an_event_only_from_the_owners_user(probe_app: Probe, users):
    """Where the broker's permissions were too wide (here: guest may publish anything), the consumer's own check
    still refuses an event not published by its owner: it is dead-lettered, never applied."""
    settings = probe_app.app.state.settings
    settings.verify_publishers, settings.broker_user_template = True, TEMPLATE
    try:
        # Guest (not roster's user) publishes roster's type, naming no user.
        unsigned, unsigned_id = _subject_created("Черчение")
        await _publish(settings.amqp_url, SubjectCreated.TYPE, unsigned, settings.exchange)
        owned, owned_id = _subject_created("Астрономия", TEMPLATE.format(service="roster"))
        await _publish(users["roster"], SubjectCreated.TYPE, owned, settings.exchange)

        async def settled() -> dict[str, str] | None:
            letters = await letter_ids(probe_app)
            return letters if unsigned_id in letters and await names_seen(probe_app, "Астрономия") else None

        letters = await eventually(settled, timeout=10)
        assert "publisher unnamed does not own roster.subject.created.v1" in letters[unsigned_id]
        assert await names_seen(probe_app, "Черчение") == 0
        assert owned_id not in letters
    finally:
        settings.verify_publishers, settings.broker_user_template = False, "journal_{service}"


def test_rosters_user_may_publish_only_rosters_events():
    settings = ServiceSettings()
    granted = permissions("roster", settings)
    (user, perms, topic, public) = management_requests("roster", "secret", settings)
    assert user == ("PUT", "/api/users/journal_roster", {"password": "secret", "tags": ""})
    assert perms == (
        "PUT",
        "/api/permissions/%2F/journal_roster",
        {"configure": granted["configure"], "write": granted["write"], "read": granted["read"]},
    )
    # Roster may publish only roster.* on the events exchange.
    assert topic[2] == {"exchange": "school.events", "write": r"^(roster)\.", "read": ".*"}
    assert re.match(topic[2]["write"], "roster.person.registered.v1")
    assert not re.match(topic[2]["write"], "gradebook.mark.posted.v1")
    # Nobody publishes to the portal's exchange directly: its events come through the binding.
    assert public[2]["exchange"] == "public.events"
    assert not re.search(public[2]["write"], "public.lesson.recorded.v1")


def test_the_portals_user_reads_its_own_queues_and_the_public_stream_only():
    settings = ServiceSettings()
    granted = permissions(PORTAL, settings)
    (user, perms, public) = management_requests(PORTAL, "secret", settings)
    assert user == ("PUT", "/api/users/journal_portal", {"password": "secret", "tags": ""})
    assert perms[2] == {"configure": r"^(portal\..*)$", "write": r"^(portal\..*)$", "read": granted["read"]}
    # It reads its own queues and the public stream, publishes nowhere (not even the default exchange).
    assert re.match(granted["read"], "public.events") and not re.match(granted["read"], "school.events")
    assert not re.match(perms[2]["write"], "amq.default") and not re.match(perms[2]["write"], "public.events")
    assert public[2]["exchange"] == "public.events" and not re.search(public[2]["write"], "public.mark.posted.v1")
