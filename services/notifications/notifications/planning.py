"""Writing a notice: the inbox rows and their deliveries in the caller's transaction (R-51).

Every notice — of a mark, an absence, homework, an announcement — goes through ``deliver``:
the inbox rows, then one delivery row per channel each recipient chose for its kind. Both are
written in one transaction with the change that caused them, so a notice is never lost between
the inbox and the sender, and the unique keys make a repeat a no-op. Rows are written in bulk:
a school-wide notice to thousands of families is a few statements, not thousands.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.delivery import CHANNEL_CONSENTS, channels_for
from notifications.domain.texts import Notice
from notifications.models import Consent, Delivery, Notification, NotificationPreference, PushSubscription

#: Rows per INSERT: well under PostgreSQL's 32,767 bind parameters.
CHUNK = 1000


@dataclass(frozen=True)
class Recipient:
    person_id: UUID
    #: The student the notice is about (the person themselves for staff and announcements).
    student_id: UUID


async def _insert(session: AsyncSession, statement: Any, rows: Sequence[dict], returning: Any = None) -> list:
    found: list = []
    for start in range(0, len(rows), CHUNK):
        result = await session.execute(statement.values(list(rows[start : start + CHUNK])))
        if returning is not None:
            found.extend(result.all())
    return found


async def deliver(
    session: AsyncSession,
    school_id: UUID,
    event_id: UUID,
    kind: str,
    notice: Notice,
    recipients: list[Recipient],
    *,
    within: frozenset[str] | None = None,
) -> int:
    """Writes the notice to each recipient's inbox and plans its deliveries; returns how many were new."""
    if not recipients:
        return 0
    rows = [
        {
            "id": uuid4(),
            "school_id": school_id,
            "recipient_id": r.person_id,
            "event_id": event_id,
            "kind": kind,
            "title": notice.title,
            "body": notice.body,
            "student_id": r.student_id,
        }
        for r in recipients
    ]
    returning = (Notification.id, Notification.recipient_id)
    statement = (
        insert(Notification).on_conflict_do_nothing(index_elements=["recipient_id", "event_id"]).returning(*returning)
    )
    written = await _insert(session, statement, rows, returning)
    notices = [(notification_id, person) for notification_id, person in written]
    about = {r.person_id: r.student_id for r in recipients}
    subjects = {notification_id: about[person] for notification_id, person in notices}
    await plan(session, school_id, notices, kind, notice, within=within, subjects=subjects)
    return len(written)


async def withdrawn_channels(session: AsyncSession, school_id: UUID, people: Collection[UUID]) -> dict[UUID, set[str]]:
    """Person → the channels whose consent they withdrew (R-5)."""
    by_purpose = {purpose: channel for channel, purpose in CHANNEL_CONSENTS.items()}
    found: dict[UUID, set[str]] = {}
    rows = await session.execute(
        select(Consent.person_id, Consent.purpose).where(
            Consent.school_id == school_id,
            Consent.person_id.in_(people),
            Consent.purpose.in_(by_purpose),
            Consent.granted.is_(False),
        )
    )
    for person, purpose in rows:
        found.setdefault(person, set()).add(by_purpose[purpose])
    return found


async def plan(
    session: AsyncSession,
    school_id: UUID,
    notices: Iterable[tuple[UUID, UUID]],
    kind: str,
    notice: Notice,
    *,
    only: str | None = None,
    within: frozenset[str] | None = None,
    subjects: Mapping[UUID, UUID] | None = None,
) -> list[str]:
    """For each (notification, person): one delivery per channel the person chose for ``kind`` and can be
    reached by, of those ``within`` (the sender's choice); ``only`` sends by that one channel whatever
    was chosen. No channel whose consent the person, or the student the notice is about (``subjects``:
    notification → student), withdrew (R-5). Returns the channels planned."""
    notices = list(notices)
    subjects = subjects or {}
    people = list({person for _, person in notices})
    withdrawn = await withdrawn_channels(session, school_id, {*people, *subjects.values()})
    preferences = {
        p.person_id: p
        for p in await session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.school_id == school_id, NotificationPreference.person_id.in_(people)
            )
        )
    }
    pushers = set(
        await session.scalars(
            select(PushSubscription.person_id)
            .where(PushSubscription.school_id == school_id, PushSubscription.person_id.in_(people))
            .distinct()
        )
    )
    rows: list[dict] = []
    for notification_id, person in notices:
        preference = preferences.get(person)
        if preference is None:
            continue
        addresses = {"email": preference.email_address, "sms": preference.phone}
        reachable = {"email": bool(preference.email_address), "sms": bool(preference.phone), "push": person in pushers}
        chosen = {kind: [only]} if only else preference.channels
        refused = withdrawn.get(person, set()) | withdrawn.get(subjects.get(notification_id), set())
        for channel in channels_for(chosen, kind, reachable):
            if (within is not None and channel not in within) or channel in refused:
                continue
            # a digest reader gets e-mails once a day; a test message shows the channel works now.
            held = channel == "email" and preference.digest and only is None
            rows.append(
                {
                    "id": uuid4(),
                    "notification_id": notification_id,
                    "channel": channel,
                    "school_id": school_id,
                    "recipient_id": person,
                    "kind": kind,
                    "address": addresses.get(channel),
                    "subject": notice.title,
                    "body": notice.body,
                    "state": "held" if held else "pending",
                }
            )
    statement = insert(Delivery).on_conflict_do_nothing(index_elements=["notification_id", "channel"])
    await _insert(session, statement, rows)
    return sorted({row["channel"] for row in rows})
