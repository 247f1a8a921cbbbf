"""CloudEvents 1.0 envelopes and the one way to publish an event: through the outbox."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from opentelemetry.propagate import inject
from pydantic import BaseModel
from sqlalchemy import Insert, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.bulk import insert_rows
from chassis.tables import outbox
from contracts import Event

OUTBOX_CHANNEL = "journal_outbox"
#: Up to this many events, the rows and the NOTIFY go in one statement; more go as one insert of
#: an array per column (``chassis.bulk``), then the NOTIFY.
FEW_EVENTS = 20


class Envelope(BaseModel):
    """A CloudEvents 1.0 structured-mode event with our extensions ``schoolid`` and ``traceparent``."""

    specversion: Literal["1.0"] = "1.0"
    id: UUID
    source: str
    type: str
    time: datetime
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    schoolid: UUID
    traceparent: str | None = None
    #: Extension ``snapshot``: true on an aggregate's current state re-emitted on request
    #: (``chassis.snapshots``) — state to store, not news to announce. Absent on ordinary events.
    snapshot: bool | None = None
    data: dict[str, Any]


def envelope_for(event: Event, *, source: str, school_id: UUID) -> Envelope:
    return envelopes_for([event], source=source, school_id=school_id)[0]


def envelopes_for(events: Sequence[Event], *, source: str, school_id: UUID) -> list[Envelope]:
    """The envelopes of one change's events: one trace context and one time for all of them.

    Built without validation (``model_construct``): every field comes from our own typed values, and validating
    each envelope was half the CPU of an import's events.
    """
    carrier: dict[str, str] = {}
    inject(carrier)
    now = datetime.now(UTC)
    return [
        Envelope.model_construct(
            id=uuid4(),
            source=source,
            type=event.TYPE,
            time=now,
            subject=event.subject(),
            schoolid=school_id,
            # Our trace context stays inside: events for the state portal (``public.*``) leave without it.
            traceparent=None if event.TYPE.startswith("public.") else carrier.get("traceparent"),
            data=event.model_dump(mode="json"),
        )
        for event in events
    ]


async def emit_event(session: AsyncSession, event: Event, *, school_id: UUID, along: Insert | None = None) -> Envelope:
    """Write the event to the outbox in the caller's transaction; the relay publishes it after commit.

    NOTIFY is delivered on commit only, so the relay wakes exactly when the row is visible. ``along`` is the
    change's own insert (a mark's row), sent in the same statement: the row and its event in one round trip.
    """
    return (await emit_events(session, [event], school_id=school_id, along=along))[0]


async def emit_events(
    session: AsyncSession, events: Sequence[Event], *, school_id: UUID, along: Insert | None = None
) -> list[Envelope]:
    """``emit_event`` for many events of one change (a timetable's lessons): the rows and the NOTIFY in one statement.

    A data-modifying ``WITH`` runs once whatever the query reads, so ``SELECT pg_notify`` beside the insert is one
    round trip instead of two for the few events of most changes; many (an import's chunk) go as one insert of
    an array per column (``chassis.bulk``), then the NOTIFY.
    """
    source = session.info.get("source", "/journal")
    envelopes = envelopes_for(events, source=source, school_id=school_id)
    rows = [
        {
            "event_id": envelope.id,
            "type": envelope.type,
            "school_id": school_id,
            "envelope": envelope.model_dump(mode="json"),
        }
        for envelope in envelopes
    ]
    if not rows:
        if along is not None:
            await session.execute(along)
        return envelopes
    if len(rows) <= FEW_EVENTS:
        written = insert(outbox).values(rows).cte("written")
        notify = select(func.pg_notify(OUTBOX_CHANNEL, "")).add_cte(written)
        if along is not None:
            notify = notify.add_cte(along.cte("along"))
        await session.execute(notify)
    else:
        if along is not None:
            await session.execute(along)
        # A parameter per value costs SQLAlchemy ~6 times the CPU of one array per column (``chassis.bulk``):
        # for many rows, a round trip more.
        await insert_rows(session, outbox, rows)
        await session.execute(select(func.pg_notify(OUTBOX_CHANNEL, "")))
    return envelopes
