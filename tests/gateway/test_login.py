"""Login through the ESIA sandbox's form, sessions, the cookie, /api/v1/me and logout."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

from sqlalchemy import func, select, update

from chassis.tables import inbox
from chassis.tenancy import SYSTEM
from chassis.testing import eventually, publish_event
from contracts.roster import SchoolRegistered, StaffRoleGranted
from gateway.models import Person, Session


async def stored_person(stack, person_id):
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        return await session.get(Person, person_id)


async def handled(stack, event_id) -> bool:
    """The accounts consumer applied the event."""
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        found = select(func.count()).where(inbox.c.consumer == "gateway.accounts", inbox.c.event_id == event_id)
        return await session.scalar(found) == 1


async def session_count(stack) -> int:
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        return await session.scalar(select(func.count()).select_from(Session))


async def test_first_login_matches_by_snils_and_binds_the_oid(stack, esia_person, publish):
    teacher = await esia_person()
    school_id, person_id = uuid4(), uuid4()
    await publish(
        school_id,
        SchoolRegistered(school_id=school_id, name="МБОУ СОШ № 7", short_name="СОШ № 7", municipality="Энск"),
        teacher.registered(person_id),
        StaffRoleGranted(person_id=person_id, role="teacher"),
    )
    await eventually(lambda: stored_person(stack, person_id))

    async with stack.browser() as browser:
        done = await stack.log_in(browser, teacher.oid)
        assert done.status_code == 303 and done.headers["location"] == "/"
        me = await browser.get("/api/v1/me")
        assert me.status_code == 200, me.text
        body = me.json()
        assert body["person_id"] == str(person_id)
        assert body["name"] == "Иванова Мария Петровна"
        assert body["roles"] == [{"school_id": str(school_id), "school_name": "СОШ № 7", "role": "teacher"}]
        assert body["region_roles"] == []
        assert len(body["csrf_token"]) >= 32
    assert (await stored_person(stack, person_id)).esia_oid == str(teacher.oid)


async def test_later_logins_go_by_oid_even_when_the_school_changes_the_name(stack, esia_person, publish):
    parent = await esia_person("Петров", "Сергей")
    school_id, person_id = uuid4(), uuid4()
    # The school typed the oid in without a СНИЛС: the names and birth date ESIA gives confirm it.
    await publish(school_id, parent.registered(person_id, with_oid=True, snils=None))
    await eventually(lambda: stored_person(stack, person_id))
    async with stack.browser() as browser:
        assert (await stack.log_in(browser, parent.oid)).status_code == 303
    await publish(school_id, parent.changed(person_id, 2, last_name="Петровъ"))

    async def renamed():
        stored = await stored_person(stack, person_id)
        return stored.last_name == "Петровъ"

    await eventually(renamed)
    async with stack.browser() as browser:
        done = await stack.log_in(browser, parent.oid)
        assert done.status_code == 303
        assert (await browser.get("/api/v1/me")).json()["person_id"] == str(person_id)


async def test_a_replayed_roster_event_without_oid_keeps_the_bound_oid(stack, esia_person, publish):
    person = await esia_person("Сидорова", "Анна")
    school_id, person_id = uuid4(), uuid4()
    await publish(school_id, person.registered(person_id))
    await eventually(lambda: stored_person(stack, person_id))
    async with stack.browser() as browser:
        await stack.log_in(browser, person.oid)
    await publish(school_id, person.changed(person_id, 3, middle_name="Викторовна"))

    async def updated():
        stored = await stored_person(stack, person_id)
        return stored.middle_name == "Викторовна" and stored

    assert (await eventually(updated)).esia_oid == str(person.oid)
    # Late: the registration and an older change (a replay, a redelivery) leave the corrected card.
    late = [person.registered(person_id), person.changed(person_id, 2, middle_name="Петровна")]
    envelopes = [await publish_event(stack.settings, event, school_id=school_id) for event in late]
    for envelope in envelopes:
        await eventually(lambda envelope=envelope: handled(stack, envelope.id))
    stored = await stored_person(stack, person_id)
    assert (stored.middle_name, stored.version, stored.esia_oid) == ("Викторовна", 3, str(person.oid))


async def test_unknown_person_gets_a_page_and_no_session(stack, esia_person):
    stranger = await esia_person("Неизвестный", "Пётр")
    before = await session_count(stack)
    async with stack.browser() as browser:
        done = await stack.log_in(browser, stranger.oid)
        assert done.status_code == 403
        assert "Учётная запись не найдена. Обратитесь в школу." in done.text
        assert "journal_session" not in done.headers.get("set-cookie", "")
        assert (await browser.get("/api/v1/me")).status_code == 401
    assert await session_count(stack) == before


async def test_a_person_whose_facts_differ_is_not_matched(stack, esia_person, publish):
    person = await esia_person("Кузнецова", "Ольга")
    school_id, person_id = uuid4(), uuid4()
    await publish(school_id, person.registered(person_id, birth_date=person.birth_date.replace(year=1990)))
    await eventually(lambda: stored_person(stack, person_id))
    async with stack.browser() as browser:
        done = await stack.log_in(browser, person.oid)
        assert done.status_code == 403
    assert (await stored_person(stack, person_id)).esia_oid is None


async def test_a_replayed_or_unknown_state_is_refused(stack, esia_person, publish):
    teacher = await esia_person()
    school_id, person_id = uuid4(), uuid4()
    await publish(school_id, teacher.registered(person_id, with_oid=True))
    await eventually(lambda: stored_person(stack, person_id))
    async with stack.browser() as browser:
        callback = await stack.esia_redirect(browser, teacher.oid)
        first = await browser.get(callback)
        assert first.status_code == 303
        replayed = await browser.get(callback)
        assert replayed.status_code == 400
        assert "устарела, уже использована" in replayed.text

    async with stack.browser() as browser:
        callback = await stack.esia_redirect(browser, teacher.oid)
        code = parse_qs(urlsplit(callback).query)["code"][0]
        forged = await browser.get("/auth/esia/callback", params={"code": code, "state": str(uuid4())})
        assert forged.status_code == 400
        assert "journal_session" not in forged.headers.get("set-cookie", "")
        assert (await browser.get("/api/v1/me")).status_code == 401


async def test_a_refusal_at_esia_is_shown_and_opens_no_session(stack):
    async with stack.browser() as browser:
        start = await browser.get("/auth/esia")
        state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
        refused = await browser.get(
            "/auth/esia/callback",
            params={"error": "access_denied", "error_description": "<b>Позвоните по номеру 8-800</b>", "state": state},
        )
        assert refused.status_code == 400
        assert "Вы отказались от входа на Госуслугах" in refused.text
        # Anyone can put text into a callback URL: none of it reaches the page.
        assert "8-800" not in refused.text
        assert (await browser.get("/api/v1/me")).status_code == 401


async def test_session_cookie_is_httponly_lax_and_rooted(stack, esia_person, publish):
    teacher = await esia_person()
    school_id, person_id = uuid4(), uuid4()
    await publish(school_id, teacher.registered(person_id))
    await eventually(lambda: stored_person(stack, person_id))
    async with stack.browser() as browser:
        done = await stack.log_in(browser, teacher.oid)
    (cookie,) = [c for c in done.headers.get_list("set-cookie") if c.startswith("journal_session=")]
    flags = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in flags
    assert flags["samesite"].strip().lower() == "samesite=lax"
    assert flags["path"].strip() == "Path=/"
    assert flags["max-age"].strip() == f"Max-Age={12 * 3600}"
    assert "secure" not in flags  # cookie_secure is off in tests (plain http)


async def test_without_a_session_the_api_is_401(stack):
    async with stack.browser() as browser:
        me = await browser.get("/api/v1/me")
        assert me.status_code == 401
        assert me.headers["content-type"] == "application/problem+json"
        assert "Войдите" in me.json()["detail"]
        browser.cookies.set("journal_session", "forged-token")
        assert (await browser.get("/api/v1/roster/schools")).status_code == 401
        assert (await browser.get("/api/v1/diary")).status_code == 401


async def test_logout_kills_the_session_and_goes_through_esia(stack, esia_person, publish):
    teacher = await esia_person()
    school_id, person_id = uuid4(), uuid4()
    await publish(school_id, teacher.registered(person_id))
    await eventually(lambda: stored_person(stack, person_id))
    async with stack.browser() as browser:
        await stack.log_in(browser, teacher.oid)
        stolen = browser.cookies["journal_session"]
        csrf = (await browser.get("/api/v1/me")).json()["csrf_token"]
        forged = await browser.post("/logout", data={"csrf_token": "wrong"})
        assert forged.status_code == 403
        assert (await browser.get("/api/v1/me")).status_code == 200

        out = await browser.post("/logout", data={"csrf_token": csrf})
        assert out.status_code == 303
        target = urlsplit(out.headers["location"])
        assert f"{target.scheme}://{target.netloc}{target.path}" == f"{stack.settings.esia_url}/idp/ext/Logout"
        assert parse_qs(target.query)["redirect_url"] == ["http://gateway.test/login"]
        assert 'journal_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
        browser.cookies.set("journal_session", stolen)
        assert (await browser.get("/api/v1/me")).status_code == 401
        async with stack.esia_browser() as esia:
            back = await esia.get(out.headers["location"])
        assert back.status_code == 302 and back.headers["location"] == "http://gateway.test/login"


async def test_an_expired_session_is_refused(stack, esia_person, publish):
    teacher = await esia_person()
    school_id, person_id = uuid4(), uuid4()
    await publish(school_id, teacher.registered(person_id))
    await eventually(lambda: stored_person(stack, person_id))
    async with stack.browser() as browser:
        await stack.log_in(browser, teacher.oid)
        assert (await browser.get("/api/v1/me")).status_code == 200
        heard = stack.gateway.state.callers.generation
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            expired = func.now() - timedelta(seconds=1)
            await session.execute(update(Session).where(Session.person_id == person_id).values(expires_at=expired))
        await stack.heard_since(heard)
        assert (await browser.get("/api/v1/me")).status_code == 401
        assert (await browser.get("/")).headers["location"] == "/login"
