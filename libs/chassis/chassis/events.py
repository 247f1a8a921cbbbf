"""CloudEvents 1.0 envelopes and the one way to publish an event: through the outbox."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID, uuid4
from weakref import WeakKeyDictionary

from opentelemetry.propagate import inject
from pydantic import BaseModel
from sqlalchemy import ARRAY, Insert, Select, String, Text, Uuid, bindparam, cast, func, insert, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.tables import outbox
from contracts import Event

OUTBOX_CHANNEL = "journal_outbox"
#: A message of one event: a CloudEvents structured-mode JSON envelope.
EVENT_CONTENT_TYPE = "application/cloudevents+json"
#: A message of several events of one type and school: CloudEvents' JSON batch format (an array of envelopes).
BATCH_CONTENT_TYPE = "application/cloudevents-batch+json"
#: How many events a batch message carries (a header, so a consumer counts them before it reads the body).
EVENTS_HEADER = "x-events"


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


async def emit_event(
    session: AsyncSession,
    event: Event,
    *,
    school_id: UUID,
    along: Insert | None = None,
    along_values: Mapping[str, Any] | None = None,
) -> Envelope:
    """Write the event to the outbox in the caller's transaction; the relay publishes it after commit.

    NOTIFY is delivered on commit only, so the relay wakes exactly when the row is visible. ``along`` is the
    change's own insert (a mark's row), sent in the same statement: the row and its event in one round trip.
    On a hot path ``along`` is built once with bound parameters and ``along_values`` binds them: the whole
    statement is then keyed and compiled once per process instead of for every change.
    """
    return (await emit_events(session, [event], school_id=school_id, along=along, along_values=along_values))[0]


#: The outbox rows of one change as one array per column: a statement of the same text for any number of events,
#: compiled once (a multi-row ``VALUES`` has no cache key in SQLAlchemy and was compiled anew for every mark, ~7 %
#: of its CPU), and a parameter per column instead of one per value (an import's chunk). Unnest zips the arrays.
_OUTBOX_ROWS = insert(outbox).from_select(
    ["event_id", "type", "school_id", "envelope"],
    select(
        func.unnest(bindparam("outbox_event_ids", type_=ARRAY(Uuid))),
        func.unnest(bindparam("outbox_types", type_=ARRAY(String))),
        bindparam("outbox_school_id", type_=Uuid),
        cast(func.unnest(bindparam("outbox_envelopes", type_=ARRAY(Text))), JSONB),
    ),
)
_NOTIFY = select(func.pg_notify(OUTBOX_CHANNEL, "")).add_cte(_OUTBOX_ROWS.cte("written"))
#: ``_NOTIFY`` with each ``along`` insert, built once per insert: SQLAlchemy keys a statement object once, so an
#: insert built once (a mark's row) costs its cache key and SQL once. Kept while the insert lives.
_WITH_ALONG: WeakKeyDictionary[Insert, Select] = WeakKeyDictionary()


def _notify_with(along: Insert) -> Select:
    statement = _WITH_ALONG.get(along)
    if statement is None:
        statement = _WITH_ALONG[along] = _NOTIFY.add_cte(along.cte("along"))
    return statement


async def emit_events(
    session: AsyncSession,
    events: Sequence[Event],
    *,
    school_id: UUID,
    along: Insert | None = None,
    along_values: Mapping[str, Any] | None = None,
) -> list[Envelope]:
    """``emit_event`` for many events of one change (a timetable's lessons, an import's chunk): the rows and the
    NOTIFY in one statement.

    A data-modifying ``WITH`` runs once whatever the query reads, so ``SELECT pg_notify`` beside the inserts is one
    round trip instead of two or three.
    """
    source = session.info.get("source", "/journal")
    envelopes = envelopes_for(events, source=source, school_id=school_id)
    if not envelopes:
        if along is not None:
            await session.execute(along, along_values)
        return envelopes
    statement = _NOTIFY if along is None else _notify_with(along)
    await session.execute(
        statement,
        {
            "outbox_event_ids": [e.id for e in envelopes],
            "outbox_types": [e.type for e in envelopes],
            "outbox_school_id": school_id,
            "outbox_envelopes": [e.model_dump_json() for e in envelopes],
            **(along_values or {}),
        },
    )
    return envelopes
