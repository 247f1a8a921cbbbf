"""The tenant a database transaction runs as: PostgreSQL row-level security reads it."""

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Tenant:
    """``school_id`` scopes reads and writes to one school; ``region_read`` lets a
    region-wide read-only role (инспектор) read every school and write none; ``read_only`` makes
    the whole transaction read only."""

    school_id: UUID | None = None
    region_read: bool = False
    #: The transaction writes nothing (PostgreSQL refuses): a municipal administrator reading a school.
    read_only: bool = False


SYSTEM = Tenant()
