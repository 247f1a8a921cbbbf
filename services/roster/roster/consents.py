"""Consent records (R-5): written as a person is entered, and one at a time as the office or the family records them."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.roster import CONSENT_PURPOSES as PURPOSES
from roster.models import Consent


def entry_consents(school_id: UUID, person_id: UUID, now: datetime) -> list[Consent]:
    """The consent the school confirms as it enters a person (the box «согласие получено»): every purpose given.

    The paper and who signed it are recorded on the card afterwards; a purpose withdrawn later is a new row.
    """
    return [
        Consent(school_id=school_id, person_id=person_id, version=n, purpose=p, action="given", recorded_at=now)
        for n, p in enumerate(PURPOSES, start=1)
    ]


async def next_version(session: AsyncSession, person_id: UUID) -> int:
    """The number of the person's next record; the caller holds the person's row locked."""
    latest = await session.scalar(select(func.max(Consent.version)).where(Consent.person_id == person_id))
    return (latest or 0) + 1
