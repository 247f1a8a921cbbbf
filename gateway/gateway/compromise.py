"""Compromised credentials (R-3, ``004 §4.3-4.4``): the account is blocked at once, its sessions end, and
everything done under it since the reported moment is listed for the school's administrator.

The list comes from the gateway's access log (R-5): every read and change of marks, absences,
lessons and messages, and every login, passes the gateway and is written there. Reverting a
listed operation goes through the normal audited paths of the service that owns it (``api.compromise.revert``).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.problems import Invalid, NotFound
from gateway.local_logins import administering_school
from gateway.models import AccessLogEntry, CompromiseReport, Session


@dataclass(frozen=True)
class Reported:
    person_id: UUID
    since: datetime
    sessions_ended: int


async def report(session: AsyncSession, caller: Caller, person_id: UUID, since: datetime) -> Reported:
    """The person themselves, or their school's administrator, reports the account compromised since ``since``.

    The block and the end of every session are one transaction: the next request of any
    session, on any gateway instance, finds no session (sessions live only in the database).
    """
    if person_id != caller.person_id:
        await administering_school(session, caller, person_id)
    if since > datetime.now(UTC):
        raise Invalid("Момент, с которого учётной записью пользовались без вас, не может быть в будущем.")
    session.add(CompromiseReport(person_id=person_id, since=since, reported_by=caller.person_id))
    ended = await session.execute(delete(Session).where(Session.person_id == person_id))
    return Reported(person_id=person_id, since=since, sessions_ended=ended.rowcount or 0)


@dataclass(frozen=True)
class Operation:
    id: int
    at: datetime
    method: str
    path: str
    status: int


async def operations(session: AsyncSession, admin: Caller, person_id: UUID) -> tuple[datetime, list[Operation]]:
    """What was done under the account since the earliest uncleared report's moment, oldest first."""
    since = await reported_since(session, admin, person_id)
    return since, await operations_between(session, person_id, since)


async def reported_since(session: AsyncSession, admin: Caller, person_id: UUID) -> datetime:
    """The earliest uncleared report's moment, for the person's school's administrator."""
    await administering_school(session, admin, person_id)
    since = await session.scalar(
        select(func.min(CompromiseReport.since)).where(
            CompromiseReport.person_id == person_id, CompromiseReport.cleared_at.is_(None)
        )
    )
    if since is None:
        raise NotFound("Об угрозе этой учётной записи не сообщали, или блокировка уже снята.")
    return since


async def listed(
    session: AsyncSession, admin: Caller, person_id: UUID, ids: list[int]
) -> tuple[datetime, dict[int, Operation]]:
    """The chosen operations that are in the person's list (the moment it starts from, and them by id)."""
    since = await reported_since(session, admin, person_id)
    rows = await session.scalars(
        select(AccessLogEntry).where(
            AccessLogEntry.id.in_(ids), AccessLogEntry.person_id == person_id, AccessLogEntry.at >= since
        )
    )
    return since, {r.id: _operation(r) for r in rows}


def _operation(entry: AccessLogEntry) -> Operation:
    return Operation(id=entry.id, at=entry.at, method=entry.method, path=entry.path, status=entry.status)


async def operations_between(
    session: AsyncSession, person_id: UUID, since: datetime, until: datetime | None = None
) -> list[Operation]:
    """What the access log holds of the account from ``since`` (to ``until``, inclusive), oldest first."""
    query = select(AccessLogEntry).where(AccessLogEntry.person_id == person_id, AccessLogEntry.at >= since)
    if until is not None:
        query = query.where(AccessLogEntry.at <= until)
    rows = await session.scalars(query.order_by(AccessLogEntry.at, AccessLogEntry.id))
    return [_operation(r) for r in rows]


async def clear(session: AsyncSession, admin: Caller, person_id: UUID) -> None:
    """The administrator ends the block once the person has new credentials (a new password, ESIA's own)."""
    await administering_school(session, admin, person_id)
    cleared = await session.execute(
        update(CompromiseReport)
        .where(CompromiseReport.person_id == person_id, CompromiseReport.cleared_at.is_(None))
        .values(cleared_at=datetime.now(UTC), cleared_by=admin.person_id)
    )
    if not cleared.rowcount:
        raise NotFound("Учётная запись не заблокирована.")
