"""Snapshot events: a producer's current state, to one queue, at the time of its latest retained event."""

from datetime import UTC, datetime
from uuid import uuid4

import aio_pika
from sqlalchemy import select

from chassis.events import Envelope, emit_event
from chassis.snapshots import Snapshot, Snapshots, is_news, publish_snapshots
from chassis.tables import outbox
from chassis.tenancy import SYSTEM, Tenant
from contracts.roster import SubjectCreated

from .conftest import Probe


async def received(channel: aio_pika.abc.AbstractChannel, queue_name: str) -> list[Envelope]:
    queue = await channel.get_queue(queue_name)
    envelopes = []
    while message := await queue.get(no_ack=True, fail=False):
        envelopes.append(Envelope.model_validate_json(message.body))
    return envelopes


async def test_a_snapshot_carries_the_current_state_the_time_of_its_latest_event_and_a_stable_id(probe_app: Probe):
    db, school = probe_app.app.state.db, uuid4()
    renamed, unheard = uuid4(), uuid4()
    async with db.transaction(Tenant(school_id=school)) as session:
        emitted = await emit_event(session, SubjectCreated(subject_id=renamed, name="Алгебра"), school_id=school)
    async with db.transaction(SYSTEM) as session:
        await session.execute(outbox.update().where(outbox.c.event_id == emitted.id).values(sent_at=datetime.now(UTC)))

    registry = Snapshots("probe")

    @registry.aggregate("subject", SubjectCreated)
    async def subjects(session):
        assert await session.scalar(select(1))  # read inside the producer's transaction
        yield Snapshot(school, SubjectCreated(subject_id=renamed, name="Алгебра и начала анализа"))
        yield Snapshot(school, SubjectCreated(subject_id=unheard, name="Геометрия"))

    connection = await aio_pika.connect(probe_app.settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(exclusive=True)
        before = datetime.now(UTC)
        assert await publish_snapshots(db, registry, channel, queue.name, [SubjectCreated.TYPE]) == 2
        first = {e.data["subject_id"]: e for e in await received(channel, queue.name)}
        assert await publish_snapshots(db, registry, channel, queue.name, [SubjectCreated.TYPE]) == 2
        again = {e.data["subject_id"]: e for e in await received(channel, queue.name)}
        # A consumer that keeps no subjects is sent none.
        assert await publish_snapshots(db, registry, channel, queue.name, ["roster.person.registered.v1"]) == 0

    state = first[str(renamed)]
    assert state.snapshot is True and state.type == SubjectCreated.TYPE and state.schoolid == school
    assert state.data["name"] == "Алгебра и начала анализа" and state.subject == str(renamed)
    assert state.time == emitted.time  # the time of the aggregate's latest retained event
    assert first[str(unheard)].time >= before  # nothing retained: the snapshot's own time
    assert {k: e.id for k, e in first.items()} == {k: e.id for k, e in again.items()}  # the inbox skips a repeat
    assert state.id != emitted.id


async def test_only_live_events_are_news(probe_app: Probe):
    live = Envelope(id=uuid4(), source="/t", type="t", time=datetime.now(UTC), schoolid=uuid4(), data={})
    snapshot = live.model_copy(update={"snapshot": True})
    async with probe_app.app.state.db.transaction(SYSTEM) as session:
        assert is_news(session, live) and not is_news(session, snapshot)
        session.info["rebuilding"] = True
        assert not is_news(session, live)
