"""Moderation (R-50): the school's administrator hides a message; every hiding is in the moderation log.

A hidden message stays in its conversation as «скрыто администрацией» without its text and files,
and no longer counts as unread or matches a search.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID

import structlog
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import func, select, update

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Conflict, Forbidden, NotFound
from notifications.domain.messaging import may_moderate
from notifications.models import Message, ModerationEntry

router = APIRouter(prefix="/schools/{school_id}", tags=["conversations"])
log = structlog.get_logger()


class HideIn(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ModerationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    message_id: UUID
    moderator_id: UUID
    reason: str
    created_at: datetime


def _check_moderator(roles: frozenset[str]) -> None:
    if not may_moderate(roles):
        raise Forbidden("Скрывать сообщения может только администратор школы.")


@router.post("/messages/{message_id}/hide")
async def hide(
    school_id: UUID, message_id: UUID, body: HideIn, caller: CallerDep, session: SchoolSession
) -> ModerationOut:
    _check_moderator(caller.roles_in(school_id))
    message = await session.scalar(select(Message).filter_by(id=message_id, school_id=school_id).with_for_update())
    if message is None:
        raise NotFound("Сообщение не найдено.")
    if message.hidden_at is not None:
        raise Conflict("Сообщение уже скрыто.")
    await session.execute(update(Message).filter_by(id=message_id).values(hidden_at=func.now()))
    entry = ModerationEntry(
        school_id=school_id, message_id=message_id, moderator_id=caller.person_id, reason=body.reason
    )
    session.add(entry)
    await session.flush()
    await session.refresh(entry)
    log.info("message_hidden", school_id=str(school_id), message_id=str(message_id), moderator_id=str(caller.person_id))
    return ModerationOut.model_validate(entry)


@router.get("/moderation-log")
async def moderation_log(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[ModerationOut]:
    _check_moderator(caller.roles_in(school_id))
    rows = await session.scalars(
        select(ModerationEntry).filter_by(school_id=school_id).order_by(ModerationEntry.created_at.desc()).limit(500)
    )
    return [ModerationOut.model_validate(e) for e in rows]
