"""Writing a notice: the inbox row and its deliveries in the caller's transaction (R-51).

Every notice — of a mark, an absence, homework, an announcement, a letter — goes through
``deliver``: the inbox row, then one delivery row per channel the recipient chose for its
kind. Both are written in one transaction with the change that caused them, so a notice is
never lost between the inbox and the sender, and the unique keys make a repeat a no-op.
"""

from dataclasses import dataclass
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.replicas import insert_once
from notifications.domain.delivery import channels_for
from notifications.domain.texts import Notice
from notifications.models import Delivery, Notification, NotificationPreference, PushSubscription


@dataclass(frozen=True)
class Recipient:
    person_id: UUID
    #: The student the notice is about (the person themselves for staff and announcements).
    student_id: UUID


async def deliver(
    session: AsyncSession, school_id: UUID, event_id: UUID, kind: str, notice: Notice, recipients: list[Recipient]
) -> int:
    """Writes the notice to each recipient's inbox and plans its deliveries; returns how many were new."""
    written = 0
    for recipient in recipients:
        notification_id = await session.scalar(
            insert(Notification)
            .values(
                id=uuid4(),
                school_id=school_id,
                recipient_id=recipient.person_id,
                event_id=event_id,
                kind=kind,
                title=notice.title,
                body=notice.body,
                student_id=recipient.student_id,
            )
            .on_conflict_do_nothing(index_elements=["recipient_id", "event_id"])
            .returning(Notification.id)
        )
        if notification_id is None:
            continue
        written += 1
        await plan(session, school_id, recipient.person_id, notification_id, kind, notice)
    return written


async def plan(
    session: AsyncSession,
    school_id: UUID,
    person_id: UUID,
    notification_id: UUID,
    kind: str,
    notice: Notice,
    *,
    only: str | None = None,
) -> list[str]:
    """One delivery per channel the person chose for ``kind`` and can be reached by; ``only`` limits it to one."""
    preference = await session.get(NotificationPreference, (school_id, person_id))
    if preference is None:
        return []
    has_push = await session.scalar(
        select(PushSubscription.endpoint).filter_by(school_id=school_id, person_id=person_id).limit(1)
    )
    addresses = {"email": preference.email_address, "sms": preference.phone, "push": has_push}
    chosen = {kind: [only]} if only else preference.channels
    channels = channels_for(chosen, kind, {c: bool(a) for c, a in addresses.items()})
    for channel in channels:
        # a digest reader gets e-mails once a day; a test message shows the channel works now.
        held = channel == "email" and preference.digest and only is None
        await insert_once(
            session,
            Delivery,
            {"notification_id": notification_id, "channel": channel},
            {
                "id": uuid4(),
                "school_id": school_id,
                "recipient_id": person_id,
                "kind": kind,
                "address": None if channel == "push" else addresses[channel],
                "subject": notice.title,
                "body": notice.body,
                "state": "held" if held else "pending",
            },
        )
    return channels
