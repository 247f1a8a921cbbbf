"""Retention trims what is old and done, never an unsent event or a recent answer."""

from uuid import uuid4

from sqlalchemy import func, select, text

from chassis.events import envelope_for
from chassis.retention import trim
from chassis.tables import idempotency_keys, inbox, outbox
from chassis.tenancy import SYSTEM
from contracts.roster import SubjectCreated

from .conftest import Probe


async def test_old_sent_events_applied_ids_and_answers_go_and_the_rest_stays(probe_app: Probe):
    db, settings = probe_app.app.state.db, probe_app.settings
    school = uuid4()
    ids = {name: uuid4() for name in ("old_sent", "new_sent", "old_unsent", "old_inbox", "new_inbox")}
    envelope = envelope_for(SubjectCreated(subject_id=uuid4(), name="хранение"), source="/tests", school_id=school)
    async with db.transaction(SYSTEM) as session:
        for name, created, sent in [
            ("old_sent", "40 days", "39 days"),
            ("new_sent", "1 day", "1 day"),
            ("old_unsent", "40 days", None),
        ]:
            await session.execute(
                outbox.insert().values(
                    event_id=ids[name],
                    type=SubjectCreated.TYPE,
                    school_id=school,
                    envelope=envelope.model_copy(update={"id": ids[name]}).model_dump(mode="json"),
                    created_at=func.now() - text(f"interval '{created}'"),
                    sent_at=func.now() - text(f"interval '{sent}'") if sent else None,
                )
            )
        for name, age in [("old_inbox", "31 days"), ("new_inbox", "1 hour")]:
            await session.execute(
                inbox.insert().values(
                    consumer="retention", event_id=ids[name], processed_at=func.now() - text(f"interval '{age}'")
                )
            )
        for key, age in [("old-key", "4 days"), ("new-key", "1 hour")]:
            await session.execute(
                idempotency_keys.insert().values(
                    owner=str(school),
                    key=key,
                    request_hash="x",
                    status=201,
                    created_at=func.now() - text(f"interval '{age}'"),
                )
            )

    # The app's own retention job may take some of them first: what remains is what counts.
    await trim(db, settings)

    async with db.transaction(SYSTEM) as session:
        kept_events = set(await session.scalars(select(outbox.c.event_id).where(outbox.c.school_id == school)))
        kept_inbox = set(await session.scalars(select(inbox.c.event_id).where(inbox.c.consumer == "retention")))
        kept_keys = set(
            await session.scalars(select(idempotency_keys.c.key).where(idempotency_keys.c.owner == str(school)))
        )
    assert kept_events == {ids["new_sent"], ids["old_unsent"]}  # an unsent event is never trimmed
    assert kept_inbox == {ids["new_inbox"]}
    assert kept_keys == {"new-key"}


async def test_retention_deletes_by_an_index(probe_app: Probe):
    async with probe_app.app.state.db.transaction(SYSTEM) as session:
        names = set(await session.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")))
    assert {"outbox_sent_at", "inbox_processed_at", "idempotency_keys_created_at"} <= names
