"""What the gateway itself holds of a person: the account's copy of the card, roles, sessions, the local login
and the access log, whose removed entries leave their seals in ``access_log_trimmed`` so the chain still verifies."""

from datetime import date
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.destruction import CURRENT, Holding, destroy
from chassis.retention_periods import Kind
from gateway.access_log import SEALER_LOCK
from gateway.models import (
    AccessLogEntry,
    AccessLogTrimmed,
    Guardianship,
    LeftStudent,
    LocalLogin,
    LocalLoginAudit,
    Person,
    PortalConsent,
    PortalWithheld,
    SchoolRole,
    Session,
)
from gateway.privacy.models import BreachIncident, SubjectRequest

CARD = Kind.PERSON_CARD
HOLDINGS = [
    Holding(Kind.SESSION, Session.__table__, "person_id", "expires_at"),
    Holding(Kind.ACCESS_LOG, AccessLogEntry.__table__, "person_id", "at"),
    Holding(CARD, LocalLoginAudit.__table__, "person_id", "at"),
    Holding(CARD, LocalLogin.__table__, "person_id", "password_set_at"),
    Holding(CARD, SchoolRole.__table__, "person_id", CURRENT),
    Holding(CARD, Guardianship.__table__, "guardian_id"),
    Holding(CARD, Guardianship.__table__, "student_id"),
    Holding(CARD, LeftStudent.__table__, "student_id", "left_on"),
    Holding(CARD, PortalConsent.__table__, "person_id"),
    Holding(CARD, PortalWithheld.__table__, "student_id", "at"),
    # The answered requests of art. 14 and 20 about the person or by them: the card's term from the day received.
    Holding(CARD, SubjectRequest.__table__, "requester_id", "received_on"),
    Holding(CARD, SubjectRequest.__table__, "subject_id", "received_on"),
    Holding(CARD, Person.__table__, "person_id"),
]


async def destroy_here(
    session: AsyncSession, *, run_id: UUID, school_id: UUID, person_id: UUID, as_of: date, today: date
) -> dict[str, int]:
    """The gateway's part of a run: the person's sealed access-log entries become tombstones (id and seal) first,
    and a breach incident about their account keeps its facts for Роскомнадзор but no longer names them."""

    async def tombstones() -> None:
        await session.execute(
            update(BreachIncident)
            .where(BreachIncident.school_id == school_id, BreachIncident.account_id == person_id)
            .values(account_id=None)
        )
        # No sealing pass beside it: an entry sealed after the tombstones were taken would go without one.
        await session.execute(select(func.pg_advisory_xact_lock(SEALER_LOCK)))
        sealed = select(AccessLogEntry.id, AccessLogEntry.seal).where(
            AccessLogEntry.person_id == person_id, AccessLogEntry.seal.is_not(None)
        )
        await session.execute(insert(AccessLogTrimmed).from_select(["id", "seal"], sealed))

    return await destroy(
        session,
        HOLDINGS,
        run_id=run_id,
        school_id=school_id,
        person_id=person_id,
        as_of=as_of,
        today=today,
        before=tombstones,
    )
