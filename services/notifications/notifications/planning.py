"""Writing a notice: the inbox rows and their deliveries in the caller's transaction (R-51).

Every notice — of a mark, an absence, homework, an announcement — goes through ``deliver``:
the inbox rows, then one delivery row per channel each recipient chose for its kind. Both are
written in one transaction with the change that caused them, so a notice is never lost between
the inbox and the sender, and the unique keys make a repeat a no-op. Rows are written in bulk:
a school-wide notice to thousands of families is one statement a table (``chassis.bulk``), not thousands.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID, uuid4

from sqlalchemy import ARRAY, Select, Uuid, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.bulk import insert_rows
from notifications.domain.delivery import CHANNEL_CONSENTS, channels_for
from notifications.domain.texts import Notice
from notifications.models import Consent, Delivery, Notification, NotificationPreference, PushSubscription


@dataclass(frozen=True)
class Recipient:
    person_id: UUID
    #: The student the notice is about (the person themselves for staff and announcements).
    student_id: UUID


@dataclass(frozen=True)
class Letter:
    """One notice of one event (``event_id``) to its recipients."""

    event_id: UUID
    kind: str
    notice: Notice
    recipients: list[Recipient]


@dataclass(frozen=True)
class _Written:
    """A notification row just written: whose, about which student (None: nobody else's consent counts), what."""

    notification_id: UUID
    person_id: UUID
    student_id: UUID | None
    kind: str
    notice: Notice


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
    return await deliver_all(session, school_id, [Letter(event_id, kind, notice, recipients)], within=within)


async def deliver_all(
    session: AsyncSession, school_id: UUID, letters: Sequence[Letter], *, within: frozenset[str] | None = None
) -> int:
    """``deliver`` of many letters (a column of marks) with the statements of one: returns how many rows were new."""
    rows = [
        {
            "id": uuid4(),
            "school_id": school_id,
            "recipient_id": r.person_id,
            "event_id": letter.event_id,
            "kind": letter.kind,
            "title": letter.notice.title,
            "body": letter.notice.body,
            "student_id": r.student_id,
        }
        for letter in letters
        for r in letter.recipients
    ]
    if not rows:
        return 0
    written = await insert_rows(
        session,
        Notification.__table__,
        rows,
        skip_conflicts_on=("recipient_id", "event_id"),
        returning=("id", "recipient_id", "event_id"),
    )
    sent = {(r.person_id, letter.event_id): (letter, r) for letter in letters for r in letter.recipients}
    notices = []
    for notification_id, person, event_id in written:
        letter, recipient = sent[(person, event_id)]
        notices.append(_Written(notification_id, person, recipient.student_id, letter.kind, letter.notice))
    await _plan(session, school_id, notices, within=within)
    return len(written)


@dataclass(frozen=True)
class _Preference:
    """A person's choice of channels (``NotificationPreference``), as planning reads it."""

    email_address: str | None
    phone: str | None
    channels: dict[str, list[str]]
    digest: bool


@dataclass(frozen=True)
class _Reach:
    """How the people of some notices can be reached: their preferences, who has a browser subscribed to push,
    and the channels whose consent each person (a recipient or the student a notice is about) withdrew (R-5)."""

    preferences: dict[UUID, _Preference]
    pushers: set[UUID]
    withdrawn: dict[UUID, set[str]]


_BY_PURPOSE = {purpose: channel for channel, purpose in CHANNEL_CONSENTS.items()}


def _reach_statement() -> Select:
    """A row per person (``people``) with what ``_Reach`` keeps, for everyone at once however many notices.

    Built once with bound parameters (``school_id``, ``people``): its cache key and SQL are computed once per
    process, not for every notice; the preference comes as its columns, not as an ORM entity."""
    school_id = bindparam("school_id", type_=Uuid)
    everyone = func.unnest(bindparam("people", type_=ARRAY(Uuid))).table_valued("person_id").render_derived("everyone")
    person = everyone.c.person_id
    return (
        select(
            person,
            NotificationPreference.person_id.is_not(None).label("has_preference"),
            NotificationPreference.email_address,
            NotificationPreference.phone,
            NotificationPreference.channels,
            NotificationPreference.digest,
            exists()
            .where(PushSubscription.school_id == school_id, PushSubscription.person_id == person)
            .label("pushes"),
            select(func.array_agg(Consent.purpose))
            .where(
                Consent.school_id == school_id,
                Consent.person_id == person,
                Consent.purpose.in_(_BY_PURPOSE),
                Consent.granted.is_(False),
            )
            .scalar_subquery()
            .label("withdrawn"),
        )
        .select_from(everyone)
        .outerjoin(
            NotificationPreference,
            (NotificationPreference.school_id == school_id) & (NotificationPreference.person_id == person),
        )
    )


REACH = _reach_statement()


async def _reach(session: AsyncSession, school_id: UUID, people: Collection[UUID]) -> _Reach:
    reach = _Reach({}, set(), {})
    for row in await session.execute(REACH, {"school_id": school_id, "people": list(people)}):
        if row.has_preference:
            reach.preferences[row.person_id] = _Preference(row.email_address, row.phone, row.channels, row.digest)
        if row.pushes:
            reach.pushers.add(row.person_id)
        if row.withdrawn:
            reach.withdrawn[row.person_id] = {_BY_PURPOSE[purpose] for purpose in row.withdrawn}
    return reach


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
    subjects = subjects or {}
    written = [_Written(n, person, subjects.get(n), kind, notice) for n, person in notices]
    return await _plan(session, school_id, written, only=only, within=within)


async def _plan(
    session: AsyncSession,
    school_id: UUID,
    notices: Sequence[_Written],
    *,
    only: str | None = None,
    within: frozenset[str] | None = None,
) -> list[str]:
    if not notices:
        return []
    people = {n.person_id for n in notices}
    subjects = {n.student_id for n in notices if n.student_id is not None}
    reach = await _reach(session, school_id, people | subjects)
    preferences, pushers, withdrawn = reach.preferences, reach.pushers, reach.withdrawn
    rows: list[dict] = []
    for n in notices:
        preference = preferences.get(n.person_id)
        if preference is None:
            continue
        addresses = {"email": preference.email_address, "sms": preference.phone}
        reachable = {
            "email": bool(preference.email_address),
            "sms": bool(preference.phone),
            "push": n.person_id in pushers,
        }
        chosen = {n.kind: [only]} if only else preference.channels
        refused = withdrawn.get(n.person_id, set()) | withdrawn.get(n.student_id, set())
        for channel in channels_for(chosen, n.kind, reachable):
            if (within is not None and channel not in within) or channel in refused:
                continue
            # a digest reader gets e-mails once a day; a test message shows the channel works now.
            held = channel == "email" and preference.digest and only is None
            rows.append(
                {
                    "id": uuid4(),
                    "notification_id": n.notification_id,
                    "channel": channel,
                    "school_id": school_id,
                    "recipient_id": n.person_id,
                    "kind": n.kind,
                    "address": addresses.get(channel),
                    "subject": n.notice.title,
                    "body": n.notice.body,
                    "state": "held" if held else "pending",
                }
            )
    await insert_rows(session, Delivery.__table__, rows, skip_conflicts_on=("notification_id", "channel"))
    return sorted({row["channel"] for row in rows})
