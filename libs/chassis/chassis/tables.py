"""The chassis' own tables, present in every service's database (created by its first migration)."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

outbox = Table(
    "outbox",
    metadata,
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("type", String(200), nullable=False),
    Column("school_id", Uuid, nullable=False),
    #: The whole CloudEvent, trace context included, exactly as it will be published.
    Column("envelope", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Index("outbox_unsent", "seq", postgresql_where=text("sent_at IS NULL")),
    #: Retention deletes sent rows by age (``chassis.retention``).
    Index("outbox_sent_at", "sent_at", postgresql_where=text("sent_at IS NOT NULL")),
)

inbox = Table(
    "inbox",
    metadata,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("inbox_processed_at", "processed_at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("owner", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    #: Set in the transaction that claimed the key (``chassis.idempotency``): no one sees it NULL.
    Column("status", Integer),
    Column("content_type", Text),
    Column("body", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("idempotency_keys_created_at", "created_at"),
)

#: Each school's time zone as roster last announced it (``chassis.schooltime``); tenant-owned.
school_zones = Table(
    "school_zones",
    metadata,
    Column("school_id", Uuid, primary_key=True),
    Column("timezone", String(64), nullable=False),
    Column("version", Integer, nullable=False),
)

#: Уничтожение персональных данных (152-ФЗ ст. 21): what each destruction run removed here, by run id, so the
#: gateway's retry of a run that already passed this service gets the same answer and removes nothing twice.
destructions = Table(
    "destructions",
    metadata,
    Column("run_id", Uuid, primary_key=True),
    #: No person id: once the run is done nothing here may name whose data it was.
    Column("school_id", Uuid, nullable=False),
    #: Kind of data → rows removed (``chassis.retention_periods.Kind``).
    Column("removed", JSONB, nullable=False),
    Column("destroyed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
