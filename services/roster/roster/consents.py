"""Consent records (R-5): written as a person is entered, and one at a time as the office or the family records them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.bulk import insert_rows
from contracts.roster import CONSENT_PURPOSES as PURPOSES
from roster.models import Consent


def entry_consents(school_id: UUID, person_id: UUID, now: datetime) -> list[dict[str, Any]]:
    """The consent the school confirms as it enters a person (the box «согласие получено»): every purpose given.

    The paper and who signed it are recorded on the card afterwards; a purpose withdrawn later is a new row.
    """
    return [
        {
            "id": uuid4(),
            "school_id": school_id,
            "person_id": person_id,
            "version": n,
            "purpose": p,
            "action": "given",
            "recorded_at": now,
        }
        for n, p in enumerate(PURPOSES, start=1)
    ]


async def record_entry_consents(
    session: AsyncSession, school_id: UUID, person_ids: Sequence[UUID], now: datetime
) -> None:
    """``entry_consents`` of people just entered (and flushed), in one statement: an import enters a thousand."""
    rows = [row for person_id in person_ids for row in entry_consents(school_id, person_id, now)]
    await insert_rows(session, Consent.__table__, rows)


async def next_version(session: AsyncSession, person_id: UUID) -> int:
    """The number of the person's next record; the caller holds the person's row locked."""
    latest = await session.scalar(select(func.max(Consent.version)).where(Consent.person_id == person_id))
    return (latest or 0) + 1
