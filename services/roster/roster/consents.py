"""Consent records (R-5): written as a person is entered, and one at a time as the office or the family records them."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import ARRAY, DateTime, String, Uuid, bindparam, func, insert, literal, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.roster import CONSENT_PURPOSES as PURPOSES
from roster.models import Consent


async def record_entry_consents(
    session: AsyncSession, school_id: UUID, person_ids: Sequence[UUID], now: datetime
) -> None:
    """The consent the school confirms as it enters people (the box «согласие получено»): every purpose given, one
    row per purpose numbered as ``PURPOSES``, for people just entered (and flushed).

    The paper and who signed it are recorded on the card afterwards; a purpose withdrawn later is a new row.
    PostgreSQL makes the rows from the people's ids in one statement: an import enters a thousand people at once,
    six rows each.
    """
    if not person_ids:
        return
    people = func.unnest(bindparam("people", list(person_ids), ARRAY(Uuid))).table_valued("id").render_derived("person")
    purposes = (
        func.unnest(bindparam("purposes", list(PURPOSES), ARRAY(String)))
        .table_valued("purpose", with_ordinality="version")
        .render_derived("purposes")
    )
    given = select(
        func.gen_random_uuid(),
        literal(school_id, Uuid),
        people.c.id,
        purposes.c.version,
        purposes.c.purpose,
        literal("given"),
        literal(now, DateTime(timezone=True)),
    ).select_from(people.join(purposes, true()))
    columns = ["id", "school_id", "person_id", "version", "purpose", "action", "recorded_at"]
    await session.execute(insert(Consent).from_select(columns, given))


async def next_version(session: AsyncSession, person_id: UUID) -> int:
    """The number of the person's next record; the caller holds the person's row locked."""
    latest = await session.scalar(select(func.max(Consent.version)).where(Consent.person_id == person_id))
    return (latest or 0) + 1
