"""Dead letters are visible with their reason, and can be requeued or purged one by one, by type, or all."""

import json
from datetime import datetime, timedelta
from uuid import uuid4

import aio_pika

from chassis.consumers import REASON_HEADER
from chassis.dlq import DeadLetter, Selection, dead_letters, purge, requeue
from chassis.events import emit_events, envelope_for
from chassis.relay import message_for
from chassis.tenancy import Tenant
from chassis.testing import eventually, publish_event
from chassis.topology import dead_letter_name
from contracts.roster import SubjectCreated

from .conftest import FAILING_NAME, Probe, probe
from .test_messaging import names_seen


def probe_dlq(probe_app: Probe) -> str:
    return dead_letter_name(probe_app.settings.queue_prefix + probe.name)


async def letter_ids(probe_app: Probe) -> dict[str, str]:
    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        return {letter.message_id: letter.reason for letter in await dead_letters(connection, probe_dlq(probe_app))}


async def test_a_failing_and_a_malformed_event_are_listed_with_why_they_died(probe_app: Probe):
    malformed_id = str(uuid4())
    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(probe_app.settings.exchange)
        await exchange.publish(aio_pika.Message(b"{not json", message_id=malformed_id), SubjectCreated.TYPE)
    failing = await publish_event(
        probe_app.settings, SubjectCreated(subject_id=uuid4(), name=FAILING_NAME), school_id=uuid4()
    )

    async def both_dead() -> dict[str, str] | None:
        found = await letter_ids(probe_app)
        return found if {malformed_id, str(failing.id)} <= found.keys() else None

    reasons = await eventually(both_dead, timeout=10)
    assert reasons[malformed_id].startswith("unreadable:")
    assert "the probe handler fails on purpose" in reasons[str(failing.id)]
    assert f"after {probe_app.settings.max_attempts} attempts" in reasons[str(failing.id)]
    assert {malformed_id, str(failing.id)} <= (await letter_ids(probe_app)).keys()  # listing leaves them in place
    # When each died, in UTC: a person reading the DLQ compares it with the logs of any machine.
    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        letters = {letter.message_id: letter for letter in await dead_letters(connection, probe_dlq(probe_app))}
    for message_id in (malformed_id, str(failing.id)):
        assert datetime.fromisoformat(letters[message_id].died_at).utcoffset() == timedelta(0)


async def bury(probe_app: Probe, name: str) -> str:
    """A readable event put straight into the DLQ, as one that died while its cause was still there."""
    envelope = envelope_for(SubjectCreated(subject_id=uuid4(), name=name), source="/tests", school_id=uuid4())
    message = message_for(envelope.model_dump(mode="json"))
    message.headers[REASON_HEADER] = "handler: a bug since fixed"
    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.default_exchange.publish(message, routing_key=probe_dlq(probe_app))
    return str(envelope.id)


async def test_a_requeued_dead_letter_is_handled_and_the_others_stay(probe_app: Probe):
    revived, kept = await bury(probe_app, "воскрешённое"), await bury(probe_app, "оставленное")
    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        done = await requeue(connection, probe_dlq(probe_app), Selection(message_id=revived), probe_app.settings)

    assert [letter.message_id for letter in done] == [revived]
    await eventually(lambda: names_seen(probe_app, "воскрешённое"))
    remaining = await letter_ids(probe_app)
    assert revived not in remaining and kept in remaining
    assert await names_seen(probe_app, "оставленное") == 0


async def test_purge_by_type_removes_only_that_type(probe_app: Probe):
    buried = await bury(probe_app, "стереть")
    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        other = aio_pika.Message(b"{}", message_id=str(uuid4()), type="other.type.v1")
        await channel.default_exchange.publish(other, routing_key=probe_dlq(probe_app))
        purged = await purge(connection, probe_dlq(probe_app), Selection(event_type=SubjectCreated.TYPE))

    assert buried in {letter.message_id for letter in purged}
    assert {letter.type for letter in purged} == {SubjectCreated.TYPE}
    assert other.message_id in await letter_ids(probe_app)


async def test_a_failing_event_in_a_batch_message_dies_alone_and_the_rest_apply(probe_app: Probe):
    """The relay sends one school's events of one type as one message: the failing one is retried and
    dead-lettered as a message of its own, the others apply once, and the message leaves the queue."""
    school = uuid4()
    names = ["пачка-первое", "пачка-второе", FAILING_NAME, "пачка-третье"]
    async with probe_app.app.state.db.transaction(Tenant(school_id=school)) as session:
        envelopes = await emit_events(
            session, [SubjectCreated(subject_id=uuid4(), name=name) for name in names], school_id=school
        )
    while await probe_app.relay().publish_pending():
        pass
    failing = str(envelopes[2].id)

    async def dead() -> list[DeadLetter] | None:
        connection = await aio_pika.connect(probe_app.settings.amqp_url)
        async with connection:
            letters = [letter for letter in await dead_letters(connection, probe_dlq(probe_app))]
        return [letter for letter in letters if letter.message_id == failing] or None

    [letter] = await eventually(dead, timeout=10)
    assert letter.type == SubjectCreated.TYPE
    assert json.loads(letter.body)["id"] == failing  # the event alone, not its batch
    for name in names[:2] + names[3:]:
        assert await names_seen(probe_app, name) == 1
    assert await eventually(lambda: _empty(probe_app), timeout=5)


async def _empty(probe_app: Probe) -> bool:
    return await probe_app.queue_depth() == 0
