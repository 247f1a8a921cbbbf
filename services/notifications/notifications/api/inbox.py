"""The caller's own inbox: a person reads and marks only their own notifications (and, together, their messages)."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession, database
from chassis.problems import NotFound
from notifications.api.conversations import mark_messages_read, unread_message_count
from notifications.models import Notification

router = APIRouter(prefix="/schools/{school_id}/notifications", tags=["notifications"])


async def own_inbox_session(school_id: UUID, caller: CallerDep, request: Request) -> AsyncIterator[AsyncSession]:
    """The caller's transaction for marking their own inbox read.

    The inspector reads the region in a transaction that writes no school's rows; their own notices in a
    school are theirs to mark read (docs/security.md, «One's own inbox»), so that one transaction is the
    school's — every statement under it names the caller as the recipient, nobody else's row changes.
    """
    tenant = caller.tenant_for(school_id)
    if tenant.region_read:
        tenant = replace(tenant, school_id=school_id, region_read=False)
    async with database(request).transaction(tenant) as session:
        yield session


OwnInboxSession = Annotated[AsyncSession, Depends(own_inbox_session, scope="function")]


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    kind: str
    title: str
    body: str
    student_id: UUID
    created_at: datetime
    read_at: datetime | None


class UnreadCountOut(BaseModel):
    #: The one counter the pages show: unread notices and unread messages together.
    unread: int
    notifications: int
    messages: int


class MarkedOut(BaseModel):
    marked: int


@router.get("")
async def list_notifications(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NotificationOut]:
    query = select(Notification).filter_by(school_id=school_id, recipient_id=caller.person_id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    rows = await session.scalars(query.order_by(Notification.created_at.desc(), Notification.id).limit(limit))
    return [NotificationOut.model_validate(n) for n in rows]


@router.get("/unread-count")
async def unread_count(school_id: UUID, caller: CallerDep, session: SchoolSession) -> UnreadCountOut:
    notices = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .filter_by(school_id=school_id, recipient_id=caller.person_id)
        .where(Notification.read_at.is_(None))
    )
    messages = await unread_message_count(session, school_id, caller.person_id)
    return UnreadCountOut(unread=(notices or 0) + messages, notifications=notices or 0, messages=messages)


@router.post("/{notification_id}/read")
async def mark_read(
    school_id: UUID, notification_id: UUID, caller: CallerDep, session: OwnInboxSession
) -> NotificationOut:
    """Marks a notification read; reading it again keeps the first time it was read."""
    read = (
        await session.scalars(
            update(Notification)
            .filter_by(id=notification_id, school_id=school_id, recipient_id=caller.person_id)
            .values(read_at=func.coalesce(Notification.read_at, func.now()))
            .returning(Notification)
        )
    ).one_or_none()
    if read is None:
        # Someone else's notification is as absent as a missing one.
        raise NotFound("Уведомление не найдено.")
    return NotificationOut.model_validate(read)


@router.post("/read-all")
async def mark_all_read(school_id: UUID, caller: CallerDep, session: OwnInboxSession) -> MarkedOut:
    """«Отметить все как прочитанные»: every unread notice and message of the caller, nobody else's."""
    marked = await session.execute(
        update(Notification)
        .filter_by(school_id=school_id, recipient_id=caller.person_id)
        .where(Notification.read_at.is_(None))
        .values(read_at=func.now())
    )
    messages = await mark_messages_read(session, school_id, caller.person_id)
    return MarkedOut(marked=marked.rowcount + messages)
