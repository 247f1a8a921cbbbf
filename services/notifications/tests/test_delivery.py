"""Delivery end to end: events through the real broker, the real database, and the local SMTP server,
SMSC.ru fake and push service of the delivery sandbox (R-51)."""

import asyncio
import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import dkim
import httpx
from sqlalchemy import select

from chassis.auth import Caller
from chassis.tenancy import SYSTEM
from chassis.testing import eventually, person, publish_event
from contracts.gradebook import LessonRecorded, MarkPosted
from contracts.roster import ConsentChanged, GuardianshipLinked, PersonRegistered, StaffRoleGranted, StudentEnrolled
from notifications.models import Delivery

MOSCOW = ZoneInfo("Europe/Moscow")


@dataclass
class Family:
    school_id: UUID
    student: Caller
    mother: Caller
    email: str
    phone: str


def mark(family: Family, value: str) -> MarkPosted:
    return MarkPosted(
        mark_id=uuid4(),
        lesson_id=uuid4(),
        student_id=family.student.person_id,
        class_id=uuid4(),
        subject_id=uuid4(),
        subject_name="Математика",
        teacher_id=uuid4(),
        date=date(2026, 11, 24),
        value=value,
        work_type="test",
        work_type_title="Контрольная работа",
        weight=2.0,
    )


async def arrived(value):
    """``eventually`` polls a coroutine: this one just tells whether the sandbox has it yet."""
    return value


async def family_with_choices(settings, client, as_, channels, *, digest=False, email=None, phone=None) -> Family:
    school = uuid4()
    student = person(school, "student")
    mother = person(school, "guardian")
    email = email or f"mother-{uuid4().hex[:8]}@mail.ru"
    phone = phone or f"+7912{uuid4().int % 10**7:07d}"
    saved = await client.put(
        f"/schools/{school}/notification-preferences",
        json={"email_address": email, "phone": phone, "channels": channels, "digest": digest},
        headers=as_(mother),
    )
    assert saved.status_code == 200, saved.text
    for event in (
        PersonRegistered(person_id=student.person_id, last_name="Абрамова", first_name="Анна"),
        GuardianshipLinked(guardian_id=mother.person_id, student_id=student.person_id, relation="мать"),
    ):
        await publish_event(settings, event, school_id=school)
    return Family(school, student, mother, email, phone)


async def deliveries(app, family: Family) -> list[Delivery]:
    async with app.state.db.transaction(SYSTEM) as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.school_id == family.school_id).order_by(Delivery.seq)
        )
        return list(rows)


@contextlib.contextmanager
def clock_at(app, instant: datetime):
    """The service's clock reads ``instant`` for the block, then the pinned test time again."""
    saved = app.state.clock.offset
    app.state.clock.offset += instant - app.state.clock.now()
    try:
        yield
    finally:
        app.state.clock.offset = saved


async def test_a_mark_arrives_once_by_email_signed_with_dkim_and_once_by_sms(settings, app, client, as_, sandbox):
    family = await family_with_choices(settings, client, as_, {"mark": ["email", "sms"]})
    # Names first, so the letter says whose mark it is (the consumer keeps order on one queue).
    envelope = await publish_event(settings, mark(family, "2"), school_id=family.school_id)
    await eventually(lambda: arrived(sandbox.mail.to(family.email) and sandbox.sms.to(family.phone)))
    # The same event again (a broker redelivery) sends nothing more.
    await publish_event(settings, mark(family, "2"), school_id=family.school_id, envelope=envelope)
    await asyncio.sleep(0.5)

    [letter] = sandbox.mail.to(family.email)
    parsed = letter.parsed()
    assert parsed["Subject"] == "Новая отметка: 2 — Математика, контрольная работа, 24.11.2026"
    assert "Абрамова Анна: отметка 2 по предмету «Математика» за урок 24.11.2026" in letter.text()
    assert "Отказаться от таких писем: http://127.0.0.1:8000/api/v1/notifications/unsubscribe/" in letter.text()
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    record = app.state.keys.dkim_dns_record().encode()
    assert dkim.verify(
        letter.raw, dnsfunc=lambda name, timeout=5: record if name == b"journal._domainkey.journal.local." else None
    )
    # A letter readdressed on the way no longer verifies.
    forged = letter.raw.replace(family.email.encode(), b"someone@mail.ru")
    assert not dkim.verify(forged, dnsfunc=lambda *_a, **_k: record)

    [sms] = sandbox.sms.to(family.phone)
    assert sms.text == "Новая отметка: 2 — Математика, контрольная работа, 24.11.2026"
    states = {(d.channel, d.state) for d in await deliveries(app, family)}
    assert states == {("email", "sent"), ("sms", "sent")}


async def test_a_provider_down_is_retried_then_shown_undelivered_and_sent_once_when_retried(
    settings, app, client, as_, sandbox
):
    family = await family_with_choices(settings, client, as_, {"absence": [], "mark": ["sms"]})
    admin = person(family.school_id, "school_admin")
    sandbox.sms.down = True
    try:
        await publish_event(settings, mark(family, "3"), school_id=family.school_id)

        async def dead() -> list[dict]:
            found = await client.get(f"/schools/{family.school_id}/deliveries", headers=as_(admin))
            return found.json()

        [failed] = await eventually(dead)
        assert failed["attempts"] == settings.delivery_max_attempts
        assert failed["last_error"] == "SMS-шлюз ответил HTTP 503"
        assert sandbox.sms.to(family.phone) == []
    finally:
        sandbox.sms.down = False
    retried = await client.post(f"/schools/{family.school_id}/deliveries/{failed['id']}/retry", headers=as_(admin))
    assert retried.json()["state"] == "pending"
    await eventually(lambda: arrived(sandbox.sms.to(family.phone)))
    await asyncio.sleep(0.3)
    assert len(sandbox.sms.to(family.phone)) == 1
    again = await client.post(f"/schools/{family.school_id}/deliveries/{failed['id']}/retry", headers=as_(admin))
    assert again.status_code == 404
    # Only the administration sees the school's deliveries.
    refused = await client.get(f"/schools/{family.school_id}/deliveries", headers=as_(family.mother))
    assert refused.status_code == 403
    assert "администрация" in refused.json()["detail"]


async def test_an_address_that_does_not_exist_fails_at_once_without_retries(settings, app, client, as_, sandbox):
    family = await family_with_choices(settings, client, as_, {"mark": ["email"]}, email="nobody@nowhere.example")
    await publish_event(settings, mark(family, "4"), school_id=family.school_id)

    async def failed() -> list[Delivery]:
        return [d for d in await deliveries(app, family) if d.state == "failed"]

    [delivery] = await eventually(failed)
    assert delivery.attempts == 1
    assert "Адрес отклонён" in delivery.last_error


async def test_nothing_is_sent_in_quiet_hours_and_it_goes_in_the_morning(settings, app, client, as_, sandbox):
    family = await family_with_choices(settings, client, as_, {"mark": ["sms"]})
    night = datetime(2026, 10, 14, 23, 0, tzinfo=MOSCOW)
    with clock_at(app, night):
        await publish_event(settings, mark(family, "5"), school_id=family.school_id)

        async def postponed() -> list[Delivery]:
            return [d for d in await deliveries(app, family) if d.not_before is not None]

        [delivery] = await eventually(postponed)
        assert delivery.not_before == datetime(2026, 10, 15, 8, 0, tzinfo=MOSCOW)
        await asyncio.sleep(0.3)
        assert sandbox.sms.to(family.phone) == []
        # A test message is asked for now by the person who gets it: it goes at once.
        url = f"/schools/{family.school_id}/notification-preferences/test"
        await client.post(url, json={"channel": "sms"}, headers=as_(family.mother))
        await eventually(lambda: arrived(sandbox.sms.to(family.phone)))
        assert [m.text for m in sandbox.sms.to(family.phone)] == ["Проверка уведомлений"]
    with clock_at(app, datetime(2026, 10, 15, 8, 1, tzinfo=MOSCOW)):
        await eventually(lambda: arrived(len(sandbox.sms.to(family.phone)) == 2))


async def test_a_digest_reader_gets_the_days_notices_in_one_letter_at_the_digest_time(
    settings, app, client, as_, sandbox
):
    family = await family_with_choices(settings, client, as_, {"mark": ["email"]}, digest=True)
    with clock_at(app, datetime(2026, 10, 14, 12, 0, tzinfo=MOSCOW)):
        for value in ("5", "4"):
            await publish_event(settings, mark(family, value), school_id=family.school_id)

        async def held() -> bool:
            return [d.state for d in await deliveries(app, family)].count("held") == 2

        await eventually(held)
        await asyncio.sleep(0.3)
        assert sandbox.mail.to(family.email) == []
    with clock_at(app, datetime(2026, 10, 14, 18, 5, tzinfo=MOSCOW)):
        await eventually(lambda: arrived(sandbox.mail.to(family.email)))
        await asyncio.sleep(0.3)
    [letter] = sandbox.mail.to(family.email)
    assert letter.parsed()["Subject"] == "Сводка уведомлений за 14.10.2026: 2 уведомления"
    assert "Новая отметка: 5" in letter.text() and "Новая отметка: 4" in letter.text()
    assert sorted(d.state for d in await deliveries(app, family)) == ["digested", "digested", "sent"]


async def test_the_sms_budget_stops_sms_and_the_report_counts_them(settings, app, client, as_, sandbox):
    family = await family_with_choices(settings, client, as_, {"mark": ["sms"]})
    admin = person(family.school_id, "school_admin")
    url = f"/schools/{family.school_id}/delivery-settings"
    rules = (await client.get(url, headers=as_(admin))).json()
    saved = await client.put(url, json={**rules, "sms_monthly_limit": 2}, headers=as_(admin))
    assert saved.status_code == 200, saved.text
    for value in ("5", "4", "3"):
        await publish_event(settings, mark(family, value), school_id=family.school_id)

    async def settled() -> bool:
        return (
            all(d.state in ("sent", "skipped") for d in await deliveries(app, family))
            and len(await deliveries(app, family)) == 3
        )

    await eventually(settled)
    states = [(d.seq, d.state, d.provider_id) for d in await deliveries(app, family)]
    assert len(sandbox.sms.to(family.phone)) == 2, (states, sandbox.sms.received)
    report = (await client.get(f"/schools/{family.school_id}/sms-budget", headers=as_(admin))).json()
    states = [(d.state, d.sms_parts, d.created_at, d.sent_at) for d in await deliveries(app, family)]
    assert report == {
        "month": "2026-10",
        "limit": 2,
        "parts_sent": 2,
        "remaining": 0,
        "messages_sent": 2,
        "skipped_over_budget": 1,
    }, (states, app.state.clock.now())
    bad = await client.put(url, json={**rules, "timezone": "Марс/Олимп"}, headers=as_(admin))
    assert bad.status_code == 422 and "часовой пояс" in bad.text


async def test_a_push_reaches_the_browser_encrypted_and_signed(settings, app, client, as_, sandbox):
    family = await family_with_choices(settings, client, as_, {"mark": ["push"]})
    async with httpx.AsyncClient() as browser:
        subscription = (await browser.post(f"{sandbox.url}/sandbox/push/subscriptions")).json()
    registered = await client.post(
        f"/schools/{family.school_id}/push-subscriptions", json=subscription, headers=as_(family.mother)
    )
    assert registered.status_code == 201, registered.text
    await publish_event(settings, mark(family, "5"), school_id=family.school_id)
    box = sandbox.push.by_endpoint(subscription["endpoint"])
    await eventually(lambda: arrived(box.received))
    assert '"title": "Новая отметка: 5 — Математика' in box.received[0]


async def test_the_unsubscribe_link_turns_that_kind_off_on_that_channel(settings, app, client, as_, sandbox):
    family = await family_with_choices(settings, client, as_, {"mark": ["email", "sms"]})
    await publish_event(settings, mark(family, "5"), school_id=family.school_id)
    await eventually(lambda: arrived(sandbox.mail.to(family.email)))
    link = re.search(r"/unsubscribe/(\S+)", sandbox.mail.to(family.email)[0].text()).group(1)

    page = await client.get(f"/unsubscribe/{link}")
    assert "Отказаться от уведомлений об отметках по электронной почте?" in page.text
    done = await client.post(f"/unsubscribe/{link}")
    assert "Вы отписались" in done.text
    prefs = (
        await client.get(f"/schools/{family.school_id}/notification-preferences", headers=as_(family.mother))
    ).json()
    assert prefs["channels"] == {"mark": ["sms"]}
    forged = await client.post(f"/unsubscribe/{link[:-3]}abc")
    assert forged.status_code == 404


async def test_a_test_message_goes_by_the_chosen_channel(settings, app, client, as_, sandbox):
    family = await family_with_choices(settings, client, as_, {})
    url = f"/schools/{family.school_id}/notification-preferences/test"
    sent = await client.post(url, json={"channel": "sms"}, headers=as_(family.mother))
    assert sent.status_code == 202, sent.text
    await eventually(lambda: arrived(sandbox.sms.to(family.phone)))
    assert sandbox.sms.to(family.phone)[0].text == "Проверка уведомлений"
    no_push = await client.post(url, json={"channel": "push"}, headers=as_(family.mother))
    assert no_push.status_code == 422 and "push-уведомления" in no_push.json()["detail"]


async def test_homework_reaches_the_class_families_by_their_channels(settings, app, client, as_, sandbox):
    family = await family_with_choices(settings, client, as_, {"homework": ["email"]})
    school_class = uuid4()
    await publish_event(
        settings,
        StudentEnrolled(
            student_id=family.student.person_id, class_id=school_class, class_name="5А", enrolled_on=date(2026, 9, 1)
        ),
        school_id=family.school_id,
    )
    lesson = LessonRecorded(
        lesson_id=uuid4(),
        version=1,
        assignment_id=uuid4(),
        class_id=school_class,
        subject_id=uuid4(),
        subject_name="Русский язык",
        teacher_id=uuid4(),
        date=date(2026, 10, 14),
        topic="Причастный оборот",
        homework="Упр. 125, выучить правило на с. 60",
    )
    await publish_event(settings, lesson, school_id=family.school_id)
    await eventually(lambda: arrived(sandbox.mail.to(family.email)))
    [letter] = sandbox.mail.to(family.email)
    assert letter.parsed()["Subject"] == "Домашнее задание: Русский язык, урок 14.10.2026"
    assert "«Русский язык», урок 14.10.2026: Упр. 125, выучить правило на с. 60" in letter.text()


async def test_a_withdrawn_email_consent_sends_no_more_emails_and_the_administrator_is_told(
    settings, app, client, as_, sandbox
):
    family = await family_with_choices(settings, client, as_, {"mark": ["email", "sms"]})
    admin = person(family.school_id, "school_admin")
    await publish_event(
        settings, StaffRoleGranted(person_id=admin.person_id, role="school_admin"), school_id=family.school_id
    )
    await publish_event(
        settings,
        PersonRegistered(person_id=family.mother.person_id, last_name="Абрамова", first_name="Ольга"),
        school_id=family.school_id,
    )
    await publish_event(settings, mark(family, "5"), school_id=family.school_id)
    await eventually(lambda: arrived(sandbox.mail.to(family.email) and sandbox.sms.to(family.phone)))

    withdrawal = ConsentChanged(
        person_id=family.mother.person_id, purpose="notifications_email", granted=False, version=7
    )
    await publish_event(settings, withdrawal, school_id=family.school_id)
    await publish_event(settings, mark(family, "4"), school_id=family.school_id)
    # The SMS of the new mark comes; its e-mail never does.
    await eventually(lambda: arrived(len(sandbox.sms.to(family.phone)) == 2))
    await asyncio.sleep(0.5)
    assert len(sandbox.mail.to(family.email)) == 1
    assert sorted((d.channel, d.state) for d in await deliveries(app, family)) == [
        ("email", "sent"),
        ("sms", "sent"),
        ("sms", "sent"),
    ]

    async def told() -> list[dict]:
        found = await client.get(f"/schools/{family.school_id}/notifications", headers=as_(admin))
        return [n for n in found.json() if n["title"].startswith("Отозвано согласие")]

    [notice] = await eventually(told)
    assert notice["title"] == "Отозвано согласие: Абрамова Ольга"
    assert "«уведомления по электронной почте»" in notice["body"]

    # Given again (a newer record), e-mails go again; an older event arriving late changes nothing.
    await publish_event(
        settings, withdrawal.model_copy(update={"granted": True, "version": 8}), school_id=family.school_id
    )
    await publish_event(settings, withdrawal.model_copy(update={"version": 6}), school_id=family.school_id)
    await publish_event(settings, mark(family, "3"), school_id=family.school_id)
    await eventually(lambda: arrived(len(sandbox.mail.to(family.email)) == 2))


async def test_a_withdrawal_about_the_student_skips_the_emails_waiting_for_the_digest(
    settings, app, client, as_, sandbox
):
    family = await family_with_choices(settings, client, as_, {"mark": ["email"]}, digest=True)
    await publish_event(settings, mark(family, "5"), school_id=family.school_id)

    async def states() -> list[str]:
        return [d.state for d in await deliveries(app, family)]

    await eventually(lambda: _equal(states(), ["held"]))
    # The parent withdrew the e-mail consent given for the child: nothing about the child goes by e-mail.
    withdrawal = ConsentChanged(
        person_id=family.student.person_id, purpose="notifications_email", granted=False, version=7
    )
    await publish_event(settings, withdrawal, school_id=family.school_id)
    await eventually(lambda: _equal(states(), ["skipped"]))
    await publish_event(settings, mark(family, "4"), school_id=family.school_id)
    await asyncio.sleep(0.5)
    assert await states() == ["skipped"]


async def _equal(found, expected) -> bool:
    return await found == expected
