"""Outbox, relay, inbox and dead-lettering on the real broker and database."""

import asyncio
from uuid import uuid4

import aio_pika
import asyncpg
import pytest
from opentelemetry import trace
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from chassis import relay as relay_module
from chassis.events import OUTBOX_CHANNEL, emit_event, emit_events, envelope_for
from chassis.tables import outbox
from chassis.tenancy import Tenant
from chassis.testing import events_handled, eventually, publish_event, until_handled
from contracts.roster import SubjectCreated

from .conftest import FAILING_NAME, Probe, probe, seen


async def emit_subject(probe: Probe, name: str) -> None:
    school = uuid4()
    async with probe.app.state.db.transaction(Tenant(school_id=school)) as session:
        await emit_event(session, SubjectCreated(subject_id=uuid4(), name=name), school_id=school)


async def names_seen(probe: Probe, name: str) -> int:
    async with probe.app.state.db.engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(seen).where(seen.c.name == name))


async def until_seen(probe: Probe, names: list[str]) -> None:
    """Until the probe's consumer has handled these events: a test that counts deliveries after this one must not
    count them."""

    async def all_seen() -> bool:
        async with probe.app.state.db.engine.connect() as connection:
            return await connection.scalar(select(func.count()).select_from(seen).where(seen.c.name.in_(names))) == len(
                names
            )

    await eventually(all_seen, timeout=60)


async def test_event_committed_while_the_relay_is_down_is_published_once_after_restart(probe_app: Probe):
    await emit_subject(probe_app, "история")  # no relay runs in the probe: the event waits in the outbox
    assert await unsent_named(probe_app, "история") == 1

    handled = events_handled(probe_app.app, probe.name)
    restarted = probe_app.relay()
    published = await restarted.publish_pending()
    assert published >= 1
    assert await probe_app.relay().publish_pending() == 0
    assert await unsent_named(probe_app, "история") == 0
    # Every delivery the two relays made has been handled: had one been published twice, it would show.
    await until_handled(probe_app.app, probe.name, handled + published)
    assert await names_seen(probe_app, "история") == 1


async def unsent_named(probe: Probe, name: str) -> int:
    async with probe.app.state.db.engine.connect() as connection:
        return await connection.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.sent_at.is_(None), outbox.c.envelope["data"]["name"].astext == name)
        )


async def unsent(probe: Probe) -> int:
    async with probe.app.state.db.engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None)))


async def test_a_running_relay_is_woken_by_a_commit_and_publishes_past_one_batch(probe_app: Probe, monkeypatch):
    """The relay's loop: its LISTEN hears the commit (the safety-net poll is an hour here, so nothing else wakes it),
    and a backlog longer than a batch goes out in passes one after another, each pass recorded as progress."""
    monkeypatch.setattr(relay_module, "IDLE_POLL_SECONDS", 3600.0)
    relay = probe_app.relay()
    running = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: _equals(unsent(probe_app), 0))  # what other tests left, in its first pass
        started = relay.last_progress
        school = uuid4()
        names = [f"разбуженный-{i}" for i in range(relay_module.BATCH + 1)]
        async with probe_app.app.state.db.transaction(Tenant(school_id=school)) as session:
            await emit_events(session, [SubjectCreated(subject_id=uuid4(), name=n) for n in names], school_id=school)
        await eventually(lambda: _equals(unsent(probe_app), 0), timeout=30)

        async def progressed() -> bool:  # the pass is recorded just after its commit
            return relay.last_progress > started

        await eventually(progressed)
        assert not relay.stalled(60)
        await until_seen(probe_app, names)
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running


async def test_a_pass_publishes_every_unsent_row_past_one_batch_and_skips_a_row_another_relay_holds(
    probe_app: Probe,
):
    relay, db = probe_app.relay(), probe_app.app.state.db
    while await relay.publish_pending():  # what other tests left
        pass
    school = uuid4()
    names = [f"по-порядку-{i}" for i in range(relay_module.BATCH + 2)]
    async with db.transaction(Tenant(school_id=school)) as session:
        await emit_events(session, [SubjectCreated(subject_id=uuid4(), name=n) for n in names], school_id=school)
    async with db.transaction(Tenant(school_id=school)) as other_relay:
        # Another relay is publishing the oldest row: this one goes past it, without waiting for it.
        oldest = select(outbox.c.seq).where(outbox.c.sent_at.is_(None)).order_by(outbox.c.seq).limit(1)
        await other_relay.execute(oldest.with_for_update())
        assert await asyncio.wait_for(relay.publish_pending(), timeout=60) == len(names) - 1
        # Only the held row waits; the pass went on past its first batch (the batches are pipelined).
        assert [await unsent_named(probe_app, n) for n in (names[0], names[1], names[-2], names[-1])] == [1, 0, 0, 0]
    assert await relay.publish_pending() == 1
    assert await unsent(probe_app) == 0
    await until_seen(probe_app, names)


async def _equals(value, expected) -> bool:
    return await value == expected


async def test_relays_sharing_an_outbox_publish_each_event_once(probe_app: Probe):
    left_by_other_tests = await unsent(probe_app)
    for i in range(60):
        await emit_subject(probe_app, f"параллельно-{i}")
    db = probe_app.app.state.db
    published = await asyncio.gather(*(probe_app.relay().publish_pending() for _ in range(3)))
    assert sum(published) == 60 + left_by_other_tests

    async def all_seen() -> bool:
        async with db.engine.connect() as connection:
            return (
                await connection.scalar(select(func.count()).select_from(seen).where(seen.c.name.like("параллельно-%")))
                == 60
            )

    await eventually(all_seen)
    assert await unsent(probe_app) == 0


async def test_a_redelivered_event_has_no_second_effect(probe_app: Probe):
    """Only the inbox stands between a redelivery and a second effect: ``probe_seen`` has a row per run of the
    handler, with no key on the event. The counter of all runs is not read: other tests' events may still arrive."""
    school = uuid4()
    envelope = await publish_event(
        probe_app.settings, SubjectCreated(subject_id=uuid4(), name="дважды"), school_id=school
    )
    await publish_event(
        probe_app.settings, SubjectCreated(subject_id=uuid4(), name="дважды"), school_id=school, envelope=envelope
    )
    # The queue is handled in order: once the next event is in, the redelivery before it has been handled.
    await publish_event(probe_app.settings, SubjectCreated(subject_id=uuid4(), name="после-дубля"), school_id=school)
    await eventually(lambda: names_seen(probe_app, "после-дубля"))
    assert await names_seen(probe_app, "дважды") == 1


async def test_poison_messages_are_dead_lettered_and_the_consumer_keeps_working(probe_app: Probe):
    settings = probe_app.settings
    dead_before = await probe_app.queue_depth(".dlq")
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(settings.exchange)
        await exchange.publish(aio_pika.Message(b"{not json", message_id=str(uuid4())), routing_key=SubjectCreated.TYPE)
    await publish_event(settings, SubjectCreated(subject_id=uuid4(), name=FAILING_NAME), school_id=uuid4())

    # The unreadable one goes at once; the failing one after max_attempts delayed retries.
    await eventually(lambda: _depth_is(probe_app, ".dlq", dead_before + 2), timeout=10)

    await publish_event(settings, SubjectCreated(subject_id=uuid4(), name="после-яда"), school_id=uuid4())
    await eventually(lambda: names_seen(probe_app, "после-яда"))


async def _depth_is(probe: Probe, suffix: str, expected: int) -> bool:
    return await probe.queue_depth(suffix) == expected


async def test_trace_context_rides_in_the_outbox_row(probe_app: Probe):
    tracer = trace.get_tracer("test")
    school = uuid4()
    with tracer.start_as_current_span("teacher request") as span:
        async with probe_app.app.state.db.transaction(Tenant(school_id=school)) as session:
            envelope = await emit_event(session, SubjectCreated(subject_id=uuid4(), name="трасса"), school_id=school)
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert envelope.traceparent is not None and trace_id in envelope.traceparent
    async with probe_app.app.state.db.engine.connect() as connection:
        stored = await connection.scalar(select(outbox.c.envelope).where(outbox.c.event_id == envelope.id))
    assert stored["traceparent"] == envelope.traceparent
    assert stored["schoolid"] == str(school) and stored["type"] == "roster.subject.created.v1"


async def test_many_events_go_as_one_statement_of_arrays_with_the_notify_heard_at_commit(probe_app: Probe):
    """An import's chunk: the rows go as one insert of an array per column (far less CPU than a parameter per
    value) in the NOTIFY's statement; the relay still hears them only at commit."""
    db = probe_app.app.state.db
    heard: asyncio.Queue = asyncio.Queue()
    listener = await asyncpg.connect(db.asyncpg_dsn)
    await listener.add_listener(OUTBOX_CHANNEL, lambda *_: heard.put_nowait(True))
    statements: list[str] = []

    def record(_connection, _cursor, statement: str, *_rest) -> None:
        if "INSERT INTO outbox" in statement or "pg_notify" in statement:
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        school, count = uuid4(), 45
        async with db.transaction(Tenant(school_id=school)) as session:
            assert await emit_events(session, [], school_id=school) == []  # a change with nothing to tell
            events = [SubjectCreated(subject_id=uuid4(), name=f"предмет {n}") for n in range(count)]
            envelopes = await emit_events(session, events, school_id=school)
            await asyncio.sleep(0.2)
            assert heard.empty()
        # One statement for all (not a statement a row), the NOTIFY with it.
        assert len(statements) == 1 and "pg_notify" in statements[0], statements
        await asyncio.wait_for(heard.get(), 5)
        async with db.engine.connect() as connection:
            stored = await connection.scalar(
                select(func.count()).where(outbox.c.event_id.in_([e.id for e in envelopes]))
            )
        assert stored == count
        async with db.engine.connect() as connection:
            last = await connection.scalar(select(outbox.c.envelope).where(outbox.c.event_id == envelopes[-1].id))
        assert last == envelopes[-1].model_dump(mode="json")  # the envelope as JSON, exactly as it will be published
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        await listener.close()


async def test_the_outbox_rows_and_their_notify_are_one_statement_heard_at_commit(probe_app: Probe):
    """The relay's LISTEN hears an event's write only when it commits; rows and NOTIFY go as one statement."""
    db = probe_app.app.state.db
    heard: asyncio.Queue = asyncio.Queue()
    listener = await asyncpg.connect(db.asyncpg_dsn)
    await listener.add_listener(OUTBOX_CHANNEL, lambda *_: heard.put_nowait(True))
    statements: list[str] = []

    def record(_connection, _cursor, statement: str, *_rest) -> None:
        if "outbox" in statement or "pg_notify" in statement:
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        school = uuid4()
        names = [f"предмет {n}" for n in range(3)]
        async with db.transaction(Tenant(school_id=school)) as session:
            envelopes = await emit_events(
                session, [SubjectCreated(subject_id=uuid4(), name=name) for name in names], school_id=school
            )
            await asyncio.sleep(0.2)
            assert heard.empty()
        # The app's own background (retention, the relay) shares the engine: only writes and notifies count.
        [written] = [s for s in statements if "INSERT INTO outbox" in s]
        assert "pg_notify" in written and not [s for s in statements if s.lstrip().upper().startswith("NOTIFY")]
        await asyncio.wait_for(heard.get(), 5)
        async with db.engine.connect() as connection:
            stored = await connection.scalars(
                select(outbox.c.event_id).where(outbox.c.event_id.in_([e.id for e in envelopes]))
            )
            assert len(list(stored)) == 3
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        await listener.close()


async def test_a_change_and_its_event_go_in_one_statement_and_fail_together(probe_app: Probe):
    """``along``: the change's own row (a mark) is in the statement that writes its event and the NOTIFY: one round
    trip; when that row breaks a constraint, the event is not written either."""
    db = probe_app.app.state.db
    statements: list[str] = []

    def record(_connection, _cursor, statement: str, *_rest) -> None:
        if "probe_seen" in statement or "outbox" in statement:
            statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        school, row_id = uuid4(), 10_000_000 + uuid4().int % 1_000_000
        created = SubjectCreated(subject_id=uuid4(), name="астрономия")
        along = seen.insert().values(id=row_id, event_id=uuid4(), name="астрономия")
        async with db.transaction(Tenant(school_id=school)) as session:
            envelope = await emit_event(session, created, school_id=school, along=along)
        [written] = [s for s in statements if "INSERT INTO outbox" in s]
        assert "INSERT INTO probe_seen" in written and "pg_notify" in written
        again = SubjectCreated(subject_id=uuid4(), name="астрономия")
        with pytest.raises(IntegrityError):
            async with db.transaction(Tenant(school_id=school)) as session:
                await emit_event(session, again, school_id=school, along=along)
        async with db.engine.connect() as connection:
            stored = await connection.scalars(
                select(outbox.c.envelope["data"]["subject_id"].astext).where(outbox.c.school_id == school)
            )
            assert list(stored) == [str(created.subject_id)]
            assert await connection.scalar(select(func.count()).select_from(seen).where(seen.c.id == row_id)) == 1
        assert envelope.data["subject_id"] == str(created.subject_id)
        # A change with nothing to tell is still written.
        quiet_id = row_id + 1
        quiet = seen.insert().values(id=quiet_id, event_id=uuid4(), name="без события")
        async with db.transaction(Tenant(school_id=school)) as session:
            assert await emit_events(session, [], school_id=school, along=quiet) == []
        async with db.engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(seen).where(seen.c.id == quiet_id)) == 1
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


def test_an_outbox_row_goes_out_persistent_with_its_id_type_school_and_trace():
    """What the broker and the other side read without opening the body: a broker restart keeps it (persistent),
    the dead-letter list names it by its id and type, the school and the trace ride in its headers."""
    school, trace_parent = uuid4(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    envelope = envelope_for(SubjectCreated(subject_id=uuid4(), name="свойства"), source="/test", school_id=school)
    row = envelope.model_dump(mode="json") | {"traceparent": trace_parent}
    message = relay_module.message_for(row)
    assert (message.message_id, message.type) == (str(envelope.id), SubjectCreated.TYPE)
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.headers == {"schoolid": str(school), "traceparent": trace_parent}
    assert relay_module.message_for(row | {"traceparent": None}).headers == {"schoolid": str(school)}
