"""The sender loop: drains the delivery outbox for every school, and makes the daily digests.

It locks a batch of due rows (``FOR UPDATE SKIP LOCKED``, so several senders share the table)
and keeps them locked while it sends, marking each sent or failed in the same transaction: a
row is never sent by two senders at once. A crash after a provider took a message and before
the commit sends that batch again; SMSC.ru refuses the repeated message id and the e-mail keeps
its Message-ID, so a repeat is rare and recognisable. Time comes from the service's clock.
"""

import asyncio
import itertools
from dataclasses import dataclass
from datetime import datetime, time
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import Clock
from chassis.db import Database, set_tenant
from chassis.replicas import insert_once
from chassis.schooltime import zone_of
from chassis.tenancy import SYSTEM, Tenant
from notifications.delivery.channels import DeliveryFailed, Links, Mailer, SmscSms, WebPush
from notifications.delivery.keys import DeliveryKeys
from notifications.domain import texts, unsubscribe
from notifications.domain.delivery import QuietHours, digest_due, month_start, retry_delay, sms_segments, sms_text
from notifications.models import Delivery, PushSubscription, SchoolDeliverySettings
from notifications.settings import NotificationsSettings

log = structlog.get_logger()

SMS_BUDGET_SPENT = "Месячный лимит SMS школы исчерпан: сообщение не отправлено."
NO_PUSH_SUBSCRIPTION = "Нет браузеров, подписанных на push-уведомления."


async def school_rules(session: AsyncSession, school_id: UUID, default_timezone: str) -> SchoolDeliverySettings:
    """The school's delivery settings; the defaults (not yet stored) while the school has set none.

    Whoever changes them adds the object to the session, so a read never writes.
    """
    rules = await session.get(SchoolDeliverySettings, school_id)
    if rules is None:
        rules = SchoolDeliverySettings(
            school_id=school_id,
            # Quiet hours and digests follow the school's own zone until the school sets another.
            timezone=await zone_of(session, school_id, default_timezone),
            quiet_start=time(21),
            quiet_end=time(8),
            digest_time=time(18),
            sms_monthly_limit=1000,
        )
    return rules


async def sms_parts_sent(session: AsyncSession, school_id: UUID, since: datetime) -> int:
    """SMS parts the school has paid for since ``since`` (the budget's month)."""
    used = await session.scalar(
        select(func.coalesce(func.sum(Delivery.sms_parts), 0)).where(
            Delivery.school_id == school_id,
            Delivery.channel == "sms",
            Delivery.state == "sent",
            Delivery.sent_at >= since,
        )
    )
    return int(used or 0)


@dataclass
class DeliverySender:
    db: Database
    clock: Clock
    settings: NotificationsSettings
    keys: DeliveryKeys
    mailer: Mailer
    sms: SmscSms
    push: WebPush

    def links(self, delivery: Delivery) -> Links:
        token = unsubscribe.sign(
            unsubscribe.Unsubscribe(delivery.school_id, delivery.recipient_id, delivery.kind, delivery.channel),
            self.keys.link_secret,
        )
        base = self.settings.public_url.rstrip("/")
        return Links(unsubscribe=f"{base}/api/v1/notifications/unsubscribe/{token}", inbox=f"{base}/")

    async def run(self) -> None:
        while True:
            try:
                await self.make_digests()
                while await self.send_due() == self.settings.delivery_batch:
                    pass
            except Exception:
                log.exception("delivery_sender_failed")
            await asyncio.sleep(self.settings.delivery_poll_seconds)

    async def send_due(self) -> int:
        """Send one batch of due deliveries; returns how many rows it took."""
        now = self.clock.now()
        async with self.db.transaction(SYSTEM) as session:
            rows = list(
                await session.scalars(
                    select(Delivery)
                    .where(Delivery.state == "pending", or_(Delivery.not_before.is_(None), Delivery.not_before <= now))
                    .order_by(Delivery.seq)
                    .limit(self.settings.delivery_batch)
                    .with_for_update(skip_locked=True)
                )
            )
            for school_id, group in itertools.groupby(
                sorted(rows, key=lambda d: str(d.school_id)), lambda d: d.school_id
            ):
                await set_tenant(session, Tenant(school_id=school_id))
                rules = await school_rules(session, school_id, self.settings.timezone)
                quiet = QuietHours(rules.quiet_start, rules.quiet_end, rules.timezone)
                for delivery in group:
                    await self._send_one(session, rules, quiet, delivery, now)
        return len(rows)

    async def _send_one(
        self, session: AsyncSession, rules: SchoolDeliverySettings, quiet: QuietHours, delivery: Delivery, now: datetime
    ) -> None:
        if quiet.contains(now) and delivery.kind != "test":
            # Nothing wakes a family at night: the delivery waits for the morning. A test message
            # was asked for this very moment by the person who gets it.
            delivery.not_before = quiet.send_at(now)
            return
        if delivery.channel == "sms":
            parts = sms_segments(sms_text(delivery.subject))
            used = await sms_parts_sent(session, delivery.school_id, month_start(now, rules.timezone))
            if used + parts > rules.sms_monthly_limit:
                delivery.state, delivery.last_error = "skipped", SMS_BUDGET_SPENT
                return
            delivery.sms_parts = parts
        links = self.links(delivery)
        delivery.attempts += 1
        try:
            delivery.provider_id = await self._through_provider(session, delivery, links, now)
        except DeliveryFailed as failure:
            delivery.last_error = str(failure)
            if failure.permanent or delivery.attempts >= self.settings.delivery_max_attempts:
                delivery.state = "failed"
                log.warning("delivery_failed", delivery_id=str(delivery.id), channel=delivery.channel)
            else:
                delivery.not_before = now + retry_delay(delivery.attempts, self.settings.delivery_retry_seconds)
            return
        if delivery.state == "pending":
            delivery.state, delivery.sent_at, delivery.last_error = "sent", now, None

    async def _through_provider(
        self, session: AsyncSession, delivery: Delivery, links: Links, now: datetime
    ) -> str | None:
        if delivery.channel == "email":
            return await self.mailer.send(delivery, links, now)
        if delivery.channel == "sms":
            return await self.sms.send(delivery, links, now)
        subscriptions = list(
            await session.scalars(
                select(PushSubscription).filter_by(school_id=delivery.school_id, person_id=delivery.recipient_id)
            )
        )
        if not subscriptions:
            delivery.state, delivery.last_error = "skipped", NO_PUSH_SUBSCRIPTION
            return None
        gone = await self.push.send_to(subscriptions, delivery, links)
        if gone:
            await session.execute(
                delete(PushSubscription).where(
                    PushSubscription.school_id == delivery.school_id, PushSubscription.endpoint.in_(gone)
                )
            )
        return None

    async def make_digests(self) -> int:
        """At each school's digest time, fold every held e-mail of a person into one digest (R-51)."""
        now = self.clock.now()
        made = 0
        async with self.db.transaction(SYSTEM) as session:
            held = list(
                await session.scalars(
                    select(Delivery)
                    .where(Delivery.state == "held")
                    .order_by(Delivery.seq)
                    .with_for_update(skip_locked=True)
                )
            )
            for school_id, group in itertools.groupby(
                sorted(held, key=lambda d: str(d.school_id)), lambda d: d.school_id
            ):
                await set_tenant(session, Tenant(school_id=school_id))
                rules = await school_rules(session, school_id, self.settings.timezone)
                due = digest_due(now, rules.digest_time, rules.timezone)
                if rules.last_digest_at is None:
                    # The school's first held notice: its first digest is at the next digest time.
                    rules.last_digest_at = due
                session.add(rules)
                if due <= rules.last_digest_at:
                    continue
                rules.last_digest_at = due
                by_reader = sorted(group, key=lambda d: (str(d.recipient_id), d.address or "", d.seq))
                for (person_id, address), items in itertools.groupby(by_reader, lambda d: (d.recipient_id, d.address)):
                    items = list(items)
                    made += await self._digest(session, school_id, person_id, address, items, due, rules.timezone)
        return made

    async def _digest(
        self,
        session: AsyncSession,
        school_id: UUID,
        person_id: UUID,
        address: str | None,
        items: list[Delivery],
        due: datetime,
        timezone: str,
    ) -> int:
        digest_id = uuid5(NAMESPACE_URL, f"digest:{school_id}:{person_id}:{address}:{due.isoformat()}")
        notice = texts.digest(
            due.astimezone(ZoneInfo(timezone)).date(), [texts.Notice(d.subject, d.body) for d in items]
        )
        await insert_once(
            session,
            Delivery,
            {"notification_id": digest_id, "channel": "email"},
            {
                "id": uuid4(),
                "school_id": school_id,
                "recipient_id": person_id,
                "kind": "digest",
                "address": address,
                "subject": notice.title,
                "body": notice.body,
            },
        )
        for item in items:
            item.state, item.digest_id = "digested", digest_id
        return 1
