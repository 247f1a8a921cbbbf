"""Holes an attacker would try at the gateway (issue 7): login CSRF, password guessing in parallel and
at volume, stale form tokens, logins that take over accounts, idle sessions, path tricks through the
proxy, operational endpoints, oversized bodies, dates past the calendar, and the browser's headers."""

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import delete, func, select, update

from chassis.tenancy import SYSTEM
from chassis.testing import eventually
from contracts.roster import GuardianshipLinked, SchoolRegistered, StaffRoleGranted
from gateway.access_log import seal_pending, trim_expired, verify
from gateway.callers import TTL_SECONDS
from gateway.domain.sessions import LOGIN_FORM_COOKIE, form_token
from gateway.models import (
    AccessLogEntry,
    AccessLogTrimmed,
    Guardianship,
    LoginAttempts,
    LoginFailure,
    Person,
    SchoolRole,
    Session,
)
from gateway.upstream import record_access

from .conftest import PUBLIC_URL
from .test_local_login import password_login, surname
from .test_local_login import school as school

STALE = "Форма входа устарела"


def browser_from(stack, address: str) -> httpx.AsyncClient:
    """A browser at another address than the tests' 127.0.0.1."""
    transport = httpx.ASGITransport(app=stack.gateway, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL)


@pytest.fixture
async def teacher(stack, esia_person, publish) -> AsyncIterator[httpx.AsyncClient]:
    """A teacher signed in through ESIA: their browser."""
    member = await esia_person()
    person_id = uuid4()
    await publish(uuid4(), member.registered(person_id), StaffRoleGranted(person_id=person_id, role="teacher"))
    await eventually(lambda: stack.roles_known(person_id))
    async with stack.browser() as browser:
        assert (await stack.log_in(browser, member.oid)).status_code == 303
        yield browser


# --- ESIA login bound to the browser (login CSRF) -------------------------------------------------


async def test_a_callback_opened_in_another_browser_fails_and_is_then_spent(stack, esia_person, publish):
    person = await esia_person()
    person_id = uuid4()
    await publish(uuid4(), person.registered(person_id), StaffRoleGranted(person_id=person_id, role="teacher"))
    await eventually(lambda: stack.roles_known(person_id))
    async with stack.browser() as victim, stack.browser() as attacker:
        # The attacker starts a login with their own account and plants the callback on the victim.
        callback = await stack.esia_redirect(attacker, person.oid)
        planted = await victim.get(callback)
        assert planted.status_code == 400
        assert "открыта в другом браузере" in planted.text
        assert "journal_session" not in victim.cookies
        assert (await victim.get("/api/v1/me")).status_code == 401
        # The state is spent: the browser that started the login cannot use the leaked URL either.
        assert (await attacker.get(callback)).status_code == 400


async def test_the_pre_login_cookie_is_httponly_and_scoped_to_the_esia_paths(stack):
    async with stack.browser() as browser:
        start = await browser.get("/auth/esia")
    (cookie,) = [c for c in start.headers.get_list("set-cookie") if c.startswith("journal_esia_login=")]
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")}
    assert "httponly" in flags and flags["path"] == "Path=/auth/esia"
    assert flags["samesite"].lower() == "samesite=lax"
    assert parse_qs(urlsplit(start.headers["location"]).query)["code_challenge_method"] == ["S256"]


# --- password logins: rate limits, parallel guessing, the form token, issuance ----------------------


async def test_password_attempts_past_the_per_address_limit_are_429_with_retry_after(stack):
    settings = stack.gateway.state.settings
    limit = settings.login_attempts_per_ip_per_minute
    settings.login_attempts_per_ip_per_minute = 3
    try:
        async with browser_from(stack, "198.51.100.7") as guesser, browser_from(stack, "198.51.100.8") as neighbour:
            answers = [await password_login(guesser, f"nobody.{n}", "wrong-password") for n in range(4)]
            assert [a.status_code for a in answers] == [401, 401, 401, 429]
            assert "Слишком много попыток входа" in answers[-1].text
            assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
            # Another address is not held up by this one.
            assert (await password_login(neighbour, "nobody.x", "wrong-password")).status_code == 401
    finally:
        settings.login_attempts_per_ip_per_minute = limit


async def test_all_password_attempts_together_have_a_limit(stack):
    settings = stack.gateway.state.settings
    limit = settings.login_attempts_per_minute
    # Attempts are counted per minute: two attempts a minute apart would be counted apart, so not at its end.
    second_of_minute = datetime.now(UTC).second
    if second_of_minute >= 55:
        await asyncio.sleep(60.5 - second_of_minute)
    async with browser_from(stack, "198.51.100.21") as first, browser_from(stack, "198.51.100.22") as second:
        await password_login(first, "nobody", "wrong-password")
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            counted = await session.scalar(
                select(func.max(LoginAttempts.attempts)).where(LoginAttempts.bucket == "all")
            )
        settings.login_attempts_per_minute = counted or 1
        try:
            refused = await password_login(second, "nobody", "wrong-password")
        finally:
            settings.login_attempts_per_minute = limit
    assert refused.status_code == 429 and "retry-after" in refused.headers


async def test_parallel_wrong_passwords_cannot_get_past_the_lockout(school, stack):
    person_id = await school.person("student", surname())
    issued = (await school.issue(person_id)).json()
    browsers = [await school.browser() for _ in range(10)]

    async def guess(browser: httpx.AsyncClient) -> int:
        return (await password_login(browser, issued["login"], "not-the-password")).status_code

    statuses = await asyncio.gather(*(guess(b) for b in browsers))
    # the fifth failure locks the login (and says so); the others wait for it and find it locked.
    assert sorted(statuses) == [401] * 4 + [429] * 6
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        failures = await session.scalar(select(func.count()).where(LoginFailure.login == issued["login"]))
    assert failures == 5
    locked = await password_login(browsers[0], issued["login"], issued["temporary_password"])
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 60


async def test_a_login_form_token_older_than_thirty_minutes_is_refused(school, stack):
    person_id = await school.person("student", surname())
    issued = (await school.issue(person_id)).json()
    browser = await school.browser()
    assert (await browser.get("/login")).status_code == 200
    key = stack.gateway.state.tokens.form_key
    old = form_token(key, browser.cookies[LOGIN_FORM_COOKIE], datetime.now(UTC) - timedelta(minutes=31))
    data = {"login": issued["login"], "password": issued["temporary_password"]}
    refused = await browser.post("/auth/password", data={**data, "form_token": old})
    assert refused.status_code == 403 and STALE in refused.text
    # The refusal handed out a new form (a new nonce); a token of it 29 minutes old still works.
    fresh = form_token(key, browser.cookies[LOGIN_FORM_COOKIE], datetime.now(UTC) - timedelta(minutes=29))
    assert (await browser.post("/auth/password", data={**data, "form_token": fresh})).status_code == 303


async def test_no_login_for_the_administration_an_esia_user_or_a_person_of_another_school(school, stack, publish):
    director = await school.person("director", surname())
    refused = await school.issue(director)
    assert refused.status_code == 403 and "Директору, заместителям и администраторам" in refused.json()["detail"]

    teacher = await school.person("teacher", surname())
    await publish(uuid4(), StaffRoleGranted(person_id=teacher, role="teacher"))
    await eventually(lambda: _roles(stack, teacher, 2))
    refused = await school.issue(teacher)
    assert refused.status_code == 403 and "в другой школе" in refused.json()["detail"]

    esia_user = await school.person("teacher", surname())
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        await session.execute(update(Person).where(Person.person_id == esia_user).values(esia_oid="1999999"))
    refused = await school.issue(esia_user)
    assert refused.status_code == 403 and "входит через Госуслуги" in refused.json()["detail"]

    student = await school.person("student", surname())
    assert (await school.issue(student)).status_code == 201


async def _roles(stack, person_id, count: int) -> bool:
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        found = await session.scalar(select(func.count()).where(SchoolRole.person_id == person_id))
    return found == count


# --- sessions and headers ---------------------------------------------------------------------------


async def test_a_session_left_idle_ends_and_a_used_one_goes_on(stack, teacher):
    me = (await teacher.get("/api/v1/me")).json()
    person_id = me["person_id"]

    async def last_seen(minutes_ago: int) -> None:
        heard = stack.gateway.state.callers.generation
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            moment = func.now() - timedelta(minutes=minutes_ago)
            await session.execute(update(Session).where(Session.person_id == person_id).values(last_seen_at=moment))
        await stack.heard_since(heard)

    await last_seen(29)
    assert (await teacher.get("/api/v1/me")).status_code == 200
    # Using it moved last_seen_at to now: 29 more minutes later it is still alive.
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        seen = await session.scalar(select(Session.last_seen_at).where(Session.person_id == person_id))
    assert datetime.now(UTC) - seen < timedelta(minutes=1)
    await last_seen(31)
    assert (await teacher.get("/api/v1/me")).status_code == 401


async def test_pages_forbid_framing_sniffing_and_foreign_scripts(stack):
    async with stack.browser() as browser:
        page = await browser.get("/login")
    policy = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "object-src 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    # Plain HTTP in tests: HSTS only under TLS.
    assert "strict-transport-security" not in page.headers


# --- the proxy and operational endpoints --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/roster/%2e%2e/metrics",
        "/api/v1/roster/schools/%2e%2e/metrics",
        "/api/v1/roster/schools%2f..%2fmetrics",
        "/api/v1/roster/schools%5c..%5cmetrics",
        "/api/v1/roster/./metrics",
        "/api/v1/roster/%6detrics",
        "/api/v1/roster/Metrics",
        "/api/v1/roster//metrics",
        "/api/v1/roster/schools/%252e%252e/metrics",
        "/api/v1/r%6fster/metrics",
    ],
)
async def test_path_tricks_never_reach_a_services_operational_endpoints(teacher, path):
    answer = await teacher.get(path)
    assert answer.status_code == 404, answer.text
    assert answer.json()["type"].endswith("/not-found")
    assert "journal_http_request" not in answer.text


async def test_an_encoded_name_is_forwarded_as_it_was_checked(stack, teacher):
    # %41 is «A»: the service gets the one canonical spelling (and answers for it).
    answer = await teacher.get("/api/v1/roster/schools/%41")
    assert answer.status_code in (404, 422)
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/metrics", "/readyz", "/docs", "/openapi.json"])
async def test_the_gateways_operational_endpoints_are_for_the_platform_only(stack, path):
    async with browser_from(stack, "203.0.113.9") as outsider:
        refused = await outsider.get(path)
    assert refused.status_code == 404 and refused.json()["type"].endswith("/not-found")
    async with stack.browser() as platform:
        assert (await platform.get(path)).status_code in (200, 503)
        # Through the public reverse proxy (it adds X-Forwarded-For) it is the public again.
        assert (await platform.get(path, headers={"X-Forwarded-For": "203.0.113.9"})).status_code == 404


async def test_a_body_past_the_limit_is_413_before_anything_reads_it(stack, teacher):
    csrf = (await teacher.get("/api/v1/me")).json()["csrf_token"]
    too_big = b"{" + b" " * stack.settings.max_body_bytes + b"}"
    answer = await teacher.post(
        "/api/v1/roster/schools", content=too_big, headers={"X-CSRF-Token": csrf, "content-type": "application/json"}
    )
    assert answer.status_code == 413 and answer.json()["type"].endswith("/too-large")

    async def streamed() -> AsyncIterator[bytes]:
        for _ in range(stack.settings.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    answer = await teacher.post(
        "/api/v1/roster/schools", content=streamed(), headers={"X-CSRF-Token": csrf, "content-type": "application/json"}
    )
    assert answer.status_code == 413


# --- dates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["end=0001-01-01", "start=9999-12-31", "start=1899-12-31&end=2026-10-14"])
async def test_a_diary_date_past_the_supported_range_is_422(teacher, query):
    answer = await teacher.get(f"/api/v1/diary/{uuid4()}?{query}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["type"].endswith("/invalid")
    assert re.search(r"start|end", answer.json()["detail"])


# --- account binding ----------------------------------------------------------------------------------


async def test_an_oid_typed_in_for_someone_else_opens_nothing(stack, esia_person, publish):
    intruder = await esia_person("Захаров", "Игорь")
    victim = await esia_person("Белова", "Нина")
    person_id = uuid4()
    # A secretary types the intruder's oid into the victim's card.
    await publish(uuid4(), victim.registered(person_id, esia_oid=str(intruder.oid)))
    await eventually(lambda: _person(stack, person_id))
    async with stack.browser() as browser:
        refused = await stack.log_in(browser, intruder.oid)
        assert refused.status_code == 403 and "не найдена" in refused.text
    assert (await _person(stack, person_id)).esia_oid is None


async def test_an_unconfirmed_esia_account_is_not_bound(stack, esia_person, publish):
    unconfirmed = await esia_person("Лебедева", "Ирина", trusted=False)
    person_id = uuid4()
    await publish(uuid4(), unconfirmed.registered(person_id))
    await eventually(lambda: _person(stack, person_id))
    async with stack.browser() as browser:
        refused = await stack.log_in(browser, unconfirmed.oid)
        assert refused.status_code == 403 and "не подтверждена" in refused.text
        assert "journal_session" not in browser.cookies
    assert (await _person(stack, person_id)).esia_oid is None


async def test_a_teacher_of_two_schools_chooses_the_school_after_login(stack, esia_person, publish):
    teacher = await esia_person("Орлов", "Денис")
    schools = {uuid4(): "Гимназия № 3", uuid4(): "Лицей № 9"}
    accounts = {}
    for school_id, name in schools.items():
        person_id = uuid4()
        accounts[name] = person_id
        await publish(
            school_id,
            SchoolRegistered(school_id=school_id, name=name, short_name=name, municipality="Энск"),
            teacher.registered(person_id),
            StaffRoleGranted(person_id=person_id, role="teacher"),
        )
    await eventually(lambda: stack.roles_known(*accounts.values()))
    async with stack.browser() as browser:
        page = await stack.log_in(browser, teacher.oid)
        assert page.status_code == 200 and "Выберите школу" in page.text
        assert "Гимназия № 3" in page.text and "Лицей № 9" in page.text
        # Only an account the signed choice lists can be taken.
        forged = await browser.post("/auth/school", data={"person_id": str(uuid4())})
        assert forged.status_code == 400 and "journal_session" not in browser.cookies
        chosen = await browser.post("/auth/school", data={"person_id": str(accounts["Лицей № 9"])})
        assert chosen.status_code == 303
        me = (await browser.get("/api/v1/me")).json()
        assert me["person_id"] == str(accounts["Лицей № 9"])
    for person_id in accounts.values():
        assert (await _person(stack, person_id)).esia_oid == str(teacher.oid)


async def _person(stack, person_id):
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        return await session.get(Person, person_id)


# --- compromise (R-3) ---------------------------------------------------------------------------------


async def test_a_reported_compromise_blocks_the_account_ends_its_sessions_and_lists_what_was_done(
    school, stack, esia_person, publish
):
    member = await esia_person("Соколова", "Вера")
    person_id = uuid4()
    await publish(school.school_id, member.registered(person_id), StaffRoleGranted(person_id=person_id, role="teacher"))
    await eventually(lambda: stack.roles_known(person_id))
    since = datetime.now(UTC) - timedelta(seconds=1)
    async with stack.browser() as thief, stack.browser() as owner:
        assert (await stack.log_in(thief, member.oid)).status_code == 303
        assert (await stack.log_in(owner, member.oid)).status_code == 303
        await thief.get(f"/api/v1/roster/schools/{school.school_id}/people")
        csrf = (await owner.get("/api/v1/me")).json()["csrf_token"]
        reported = await owner.post(
            "/api/v1/compromise", json={"since": since.isoformat()}, headers={"X-CSRF-Token": csrf}
        )
        assert reported.status_code == 201, reported.text
        assert reported.json()["sessions_ended"] == 2
        # At once, not within 5 s: sessions live only in the database every gateway instance reads.
        assert (await thief.get("/api/v1/me")).status_code == 401
        again = await stack.log_in(thief, member.oid)
        assert again.status_code == 403 and "заблокирована" in again.text

    listed = await school.admin.get(f"/api/v1/compromise/{person_id}/operations")
    assert listed.status_code == 200, listed.text
    done = [(o["method"], o["path"]) for o in listed.json()["operations"]]
    assert done.count(("LOGIN", "/auth/esia")) == 2
    assert ("GET", f"/api/v1/roster/schools/{school.school_id}/people") in done
    # The administrator's screen reads each one in Russian; a read or a login is nothing to revert.
    shown = {(o["description"], o["revertible"]) for o in listed.json()["operations"]}
    assert shown >= {("Вход в систему: через Госуслуги", False), ("Просмотр: школа и контингент", False)}

    cleared = await school.admin.delete(f"/api/v1/compromise/{person_id}", headers={"X-CSRF-Token": school.csrf})
    assert cleared.status_code == 204
    async with stack.browser() as owner:
        assert (await stack.log_in(owner, member.oid)).status_code == 303


async def test_only_the_person_or_their_schools_administrator_reports_or_reads(school, stack, esia_person, publish):
    stranger_school = uuid4()
    outsider = uuid4()
    await publish(stranger_school, StaffRoleGranted(person_id=outsider, role="teacher"))
    await eventually(lambda: stack.roles_known(outsider))
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    refused = await school.admin.post(
        "/api/v1/compromise", json={"person_id": str(outsider), "since": since}, headers={"X-CSRF-Token": school.csrf}
    )
    assert refused.status_code in (403, 404) and refused.json()["type"].endswith(("/forbidden", "/not-found"))
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    student = await school.person("student", surname())
    refused = await school.admin.post(
        "/api/v1/compromise", json={"person_id": str(student), "since": future}, headers={"X-CSRF-Token": school.csrf}
    )
    assert refused.status_code == 422 and "в будущем" in refused.json()["detail"]
    assert (await school.admin.get(f"/api/v1/compromise/{student}/operations")).status_code == 404


async def test_a_child_esia_lists_as_the_parents_is_marked_verified_at_login(stack, esia_person, publish):
    child = await esia_person("Морозов", "Кирилл")
    parent = await esia_person("Морозова", "Алла", kids=(child.oid,))
    school_id, parent_id, child_id, other_id = uuid4(), uuid4(), uuid4(), uuid4()
    await publish(
        school_id,
        parent.registered(parent_id),
        child.registered(child_id),
        GuardianshipLinked(guardian_id=parent_id, student_id=child_id, relation="мать"),
        # A link ESIA does not confirm (the school's word only) stays unverified.
        GuardianshipLinked(guardian_id=parent_id, student_id=other_id, relation="мать"),
    )
    await eventually(lambda: stack.roles_known(parent_id))

    async def linked() -> bool:
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            return await session.scalar(select(func.count()).where(Guardianship.guardian_id == parent_id)) == 2

    await eventually(linked)
    async with stack.browser() as browser:
        assert (await stack.log_in(browser, parent.oid)).status_code == 303
        children = (await browser.get("/api/v1/me")).json()["children"]
    assert {c["student_id"]: c["verified"] for c in children} == {str(child_id): True, str(other_id): False}


# --- the access log's hash chain (R-5) ------------------------------------------------------------------


async def test_access_log_entries_written_together_are_each_committed_when_their_request_goes_on(stack):
    person_id = uuid4()
    access_log = stack.gateway.state.access_log
    paths = [f"/api/v1/diary/{i}" for i in range(20)]

    async def one(path: str) -> bool:
        await record_access(access_log, person_id, "GET", path, 200)
        # Committed by now: another connection sees it.
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            return bool(await session.scalar(select(func.count()).where(AccessLogEntry.path == path)))

    assert all(await asyncio.gather(*(one(p) for p in paths)))


async def test_the_sealed_access_log_shows_a_changed_entry(stack):
    person_id = uuid4()
    db = stack.gateway.state.db
    for path in ("/api/v1/diary", "/api/v1/roster/schools", "/api/v1/me"):
        await record_access(stack.gateway.state.access_log, person_id, "GET", path, 200)
    async with db.transaction(SYSTEM) as session:
        # Settled: every unsealed entry (other tests' too) made older than a writer's transaction stays open.
        await session.execute(
            update(AccessLogEntry)
            .where(AccessLogEntry.seal.is_(None))
            .values(at=AccessLogEntry.at - timedelta(minutes=1))
        )

    async def sealed() -> list[AccessLogEntry]:
        # A round seals a batch, and not while the gateway's own sealer holds the lock: repeat.
        async with db.transaction(SYSTEM) as session:
            await seal_pending(session)
        async with db.transaction(SYSTEM) as session:
            rows = list(await session.scalars(select(AccessLogEntry).where(AccessLogEntry.person_id == person_id)))
        return rows if all(row.seal for row in rows) else []

    changed = (await eventually(sealed))[1]
    async with db.transaction(SYSTEM) as session:
        assert await verify(session) is None
    async with db.transaction(SYSTEM) as session:
        await session.execute(update(AccessLogEntry).where(AccessLogEntry.id == changed.id).values(status=404))
    try:
        async with db.transaction(SYSTEM) as session:
            assert await verify(session) == changed.id
    finally:
        async with db.transaction(SYSTEM) as session:
            await session.execute(update(AccessLogEntry).where(AccessLogEntry.id == changed.id).values(status=200))


async def test_the_retention_job_removes_only_old_sealed_entries_and_the_chain_still_verifies(stack):
    person_id = uuid4()
    db = stack.gateway.state.db
    for path in ("/api/v1/diary", "/api/v1/me", "/api/v1/roster/schools"):
        await record_access(stack.gateway.state.access_log, person_id, "GET", path, 200)
    async with db.transaction(SYSTEM) as session:
        ids = sorted(await session.scalars(select(AccessLogEntry.id).where(AccessLogEntry.person_id == person_id)))
        # Two of them six years old (before sealing: the seal covers the moment); the third settled only.
        await session.execute(
            update(AccessLogEntry).where(AccessLogEntry.id.in_(ids[:2])).values(at=func.now() - timedelta(days=6 * 365))
        )
        await session.execute(
            update(AccessLogEntry)
            .where(AccessLogEntry.seal.is_(None), AccessLogEntry.id.not_in(ids[:2]))
            .values(at=AccessLogEntry.at - timedelta(minutes=1))
        )
    retention = timedelta(days=5 * 365 + 1)

    async def trimmed() -> bool:
        async with db.transaction(SYSTEM) as session:
            await seal_pending(session)
        async with db.transaction(SYSTEM) as session:
            await trim_expired(session, retention)
        async with db.transaction(SYSTEM) as session:
            left = set(await session.scalars(select(AccessLogEntry.id).where(AccessLogEntry.id.in_(ids))))
            kept = set(await session.scalars(select(AccessLogTrimmed.id).where(AccessLogTrimmed.id.in_(ids))))
        return left == {ids[2]} and kept == set(ids[:2])

    await eventually(trimmed)
    async with db.transaction(SYSTEM) as session:
        assert await verify(session) is None
    # A removed entry's seal altered: the next entry kept no longer follows.
    async with db.transaction(SYSTEM) as session:
        later = await session.scalar(
            select(func.min(AccessLogEntry.id)).where(AccessLogEntry.id > ids[1], AccessLogEntry.seal.is_not(None))
        )
        original = await session.scalar(select(AccessLogTrimmed.seal).where(AccessLogTrimmed.id == ids[1]))
        await session.execute(update(AccessLogTrimmed).where(AccessLogTrimmed.id == ids[1]).values(seal="0" * 64))
    try:
        async with db.transaction(SYSTEM) as session:
            assert await verify(session) == later
    finally:
        async with db.transaction(SYSTEM) as session:
            await session.execute(update(AccessLogTrimmed).where(AccessLogTrimmed.id == ids[1]).values(seal=original))


# --- the caller cache (gateway.callers): another instance's change applies here at once --------------


async def test_a_role_ended_or_a_session_closed_elsewhere_applies_here_well_within_the_cache_ttl(stack, teacher):
    me = (await teacher.get("/api/v1/me")).json()
    assert [r["role"] for r in me["roles"]] == ["teacher"]
    person_id = UUID(me["person_id"])
    callers = stack.gateway.state.callers
    assert callers.listening
    assert (await teacher.get("/api/v1/me")).status_code == 200  # served from the cache now
    db = stack.gateway.state.db

    async def no_roles() -> bool:
        return (await teacher.get("/api/v1/me")).json()["roles"] == []

    # Written straight to the database, as another gateway instance (or roster's event) would.
    async with db.transaction(SYSTEM) as session:
        await session.execute(delete(SchoolRole).where(SchoolRole.person_id == person_id))
    started = time.monotonic()
    await eventually(no_roles, timeout=TTL_SECONDS)
    assert time.monotonic() - started < TTL_SECONDS / 2

    async with db.transaction(SYSTEM) as session:
        await session.execute(delete(Session).where(Session.person_id == person_id))
    started = time.monotonic()

    async def refused() -> bool:
        return (await teacher.get("/api/v1/me")).status_code == 401

    await eventually(refused, timeout=TTL_SECONDS)
    assert time.monotonic() - started < TTL_SECONDS / 2
