"""Local logins (R-2) through the gateway: issued by the school's administrator, the password login,
the forced password change, the lockout, reset and revoke (R-4), and their audit."""

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import select, update

from chassis.tenancy import SYSTEM
from chassis.testing import eventually, refused
from contracts.roster import PersonRegistered, SchoolRegistered, StaffRoleGranted, StudentEnrolled
from gateway.domain.local_logins import login_base
from gateway.models import LocalLogin, LocalLoginAudit

WRONG = "Неверный логин или пароль."
STALE_FORM = "Форма входа устарела. Введите логин и пароль ещё раз."
NEW_PASSWORD = "Своё-слово-2026"


def surname() -> str:
    """A surname no other test uses, so the generated logins do not meet."""
    return "Громов" + "".join(secrets.choice("абвгдежзиклмнопрстуф") for _ in range(6))


@dataclass
class School:
    stack: object
    publish: object
    school_id: UUID
    admin: httpx.AsyncClient
    admin_id: UUID
    csrf: str
    exits: AsyncExitStack = field(default_factory=AsyncExitStack)

    async def person(self, role: str, last_name: str, first_name: str = "Анна", middle_name: str = "Ивановна") -> UUID:
        """A person without ESIA in this school with ``role`` (a staff role or «student»)."""
        person_id = uuid4()
        registered = PersonRegistered(
            person_id=person_id, last_name=last_name, first_name=first_name, middle_name=middle_name
        )
        granted = (
            StudentEnrolled(student_id=person_id, class_id=uuid4(), class_name="7Б", enrolled_on="2025-09-01")
            if role == "student"
            else StaffRoleGranted(person_id=person_id, role=role)
        )
        await self.publish(self.school_id, registered, granted)
        await eventually(lambda: self.stack.roles_known(person_id))
        return person_id

    async def issue(self, person_id: UUID) -> httpx.Response:
        return await self.admin.post(
            "/api/v1/local-logins", json={"person_id": str(person_id)}, headers={"X-CSRF-Token": self.csrf}
        )

    async def revoke(self, person_id: UUID) -> httpx.Response:
        return await self.admin.delete(f"/api/v1/local-logins/{person_id}", headers={"X-CSRF-Token": self.csrf})

    async def browser(self) -> httpx.AsyncClient:
        return await self.exits.enter_async_context(self.stack.browser())


async def esia_staff(stack, esia_person, publish, school_id: UUID, role: str) -> tuple[UUID, httpx.AsyncClient, str]:
    """A staff member with ESIA, logged in: their id, browser and CSRF token."""
    member = await esia_person("Кузнецова", "Ольга")
    person_id = uuid4()
    await publish(school_id, member.registered(person_id), StaffRoleGranted(person_id=person_id, role=role))
    await eventually(lambda: stack.roles_known(person_id))
    browser = stack.browser()
    assert (await stack.log_in(browser, member.oid)).status_code == 303
    return person_id, browser, (await browser.get("/api/v1/me")).json()["csrf_token"]


@pytest.fixture
async def school(stack, esia_person, publish) -> AsyncIterator[School]:
    school_id = uuid4()
    await publish(
        school_id,
        SchoolRegistered(school_id=school_id, name="МБОУ СОШ № 12", short_name="СОШ № 12", municipality="Город"),
    )
    admin_id, admin, csrf = await esia_staff(stack, esia_person, publish, school_id, "school_admin")
    found = School(stack, publish, school_id, admin, admin_id, csrf)
    found.exits.push_async_callback(admin.aclose)
    async with found.exits:
        yield found


async def password_login(browser: httpx.AsyncClient, login: str, password: str) -> httpx.Response:
    """The login page's second form, with the token the page gave."""
    page = await browser.get("/login")
    assert page.status_code == 200, page.text
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None, page.text
    return await browser.post("/auth/password", data={"login": login, "password": password, "form_token": token[1]})


async def change_password(browser: httpx.AsyncClient, new: str, repeated: str | None = None) -> httpx.Response:
    page = await browser.get("/password")
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    data = {"new_password": new, "repeat_password": new if repeated is None else repeated, "csrf_token": csrf[1]}
    return await browser.post("/password", data=data)


async def audit(stack, person_id: UUID) -> list[tuple[str, UUID | None]]:
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        rows = await session.scalars(
            select(LocalLoginAudit).where(LocalLoginAudit.person_id == person_id).order_by(LocalLoginAudit.id)
        )
        return [(row.action, row.actor_id) for row in rows]


async def signed_in_as(browser: httpx.AsyncClient) -> str | None:
    me = await browser.get("/api/v1/me")
    return me.json()["person_id"] if me.status_code == 200 else None


async def test_issued_login_forces_a_password_change_then_the_api_works(school):
    last_name = surname()
    person_id = await school.person("teacher", last_name)
    issued = await school.issue(person_id)
    assert issued.status_code == 201, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    assert body["login"] == login_base(last_name, "Анна", "Ивановна") and body["reset"] is False
    temporary = body["temporary_password"]
    assert len(temporary) >= 12

    browser = await school.browser()
    done = await password_login(browser, "  " + body["login"].upper(), temporary)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert "journal_session" in done.headers["set-cookie"]
    # nothing works with the temporary password but its change.
    start = await browser.get("/")
    assert start.status_code == 303 and start.headers["location"] == "/password"
    refusal = await browser.get("/api/v1/me")
    refused(refusal, 403, "Смените пароль", slug="password-change-required")
    assert (await browser.get("/api/v1/roster/schools/" + str(school.school_id) + "/classes")).status_code == 403
    page = await browser.get("/password")
    assert "Смена пароля" in page.text and "временным паролем" in page.text

    mismatch = await change_password(browser, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert mismatch.status_code == 422 and "Пароли не совпадают" in mismatch.text
    same = await change_password(browser, temporary)
    assert same.status_code == 422 and "отличаться от прежнего" in same.text
    short = await change_password(browser, "коротко")
    assert short.status_code == 422 and "не меньше 10 символов" in short.text
    refused(await browser.get("/api/v1/me"), 403, slug="password-change-required")

    changed = await change_password(browser, NEW_PASSWORD)
    assert changed.status_code == 303 and changed.headers["location"] == "/"
    assert await signed_in_as(browser) == str(person_id)
    home = await browser.get("/")
    assert home.status_code == 200 and "Классный журнал" in home.text and 'href="/password"' in home.text

    async with school.stack.browser() as other:
        assert (await password_login(other, body["login"], temporary)).status_code == 401
        assert (await password_login(other, body["login"], NEW_PASSWORD)).status_code == 303
        assert await signed_in_as(other) == str(person_id)
    assert await audit(school.stack, person_id) == [("issued", school.admin_id), ("password_changed", person_id)]

    shown = await school.admin.get(f"/api/v1/local-logins/{person_id}")
    assert shown.status_code == 200
    assert shown.json()["login"] == body["login"] and shown.json()["temporary"] is False


async def test_namesakes_get_numbered_logins(school):
    last_name = surname()
    first, second = await school.person("student", last_name), await school.person("student", last_name)
    logins = [(await school.issue(p)).json()["login"] for p in (first, second)]
    base = login_base(last_name, "Анна", "Ивановна")
    assert logins == [base, base + "2"]


async def test_only_the_persons_school_administrator_issues_logins(school, stack, esia_person, publish):
    person_id = await school.person("student", surname())
    _, teacher, teacher_csrf = await esia_staff(stack, esia_person, publish, school.school_id, "teacher")
    other_school = uuid4()
    _, stranger, stranger_csrf = await esia_staff(stack, esia_person, publish, other_school, "school_admin")
    school.exits.push_async_callback(teacher.aclose)
    school.exits.push_async_callback(stranger.aclose)
    body = {"person_id": str(person_id)}
    as_teacher = await teacher.post("/api/v1/local-logins", json=body, headers={"X-CSRF-Token": teacher_csrf})
    refused(as_teacher, 403, "Выдавать логины может только администратор электронного журнала школы.")
    as_stranger = await stranger.post("/api/v1/local-logins", json=body, headers={"X-CSRF-Token": stranger_csrf})
    assert refused(as_stranger, 403)["detail"] == "Этот человек не относится к вашей школе."
    assert (
        await stranger.delete(f"/api/v1/local-logins/{person_id}", headers={"X-CSRF-Token": stranger_csrf})
    ).status_code == 403
    without_csrf = await school.admin.post("/api/v1/local-logins", json=body)
    refused(without_csrf, 403, "X-CSRF-Token")
    unknown = await school.issue(uuid4())
    refused(unknown, 404)
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        assert await session.get(LocalLogin, person_id) is None
    assert await audit(stack, person_id) == []


async def test_five_wrong_passwords_lock_the_login_for_fifteen_minutes(school):
    person_id = await school.person("student", surname())
    issued = (await school.issue(person_id)).json()
    browser = await school.browser()
    unknown = await password_login(browser, issued["login"] + "x", issued["temporary_password"])
    assert unknown.status_code == 401 and WRONG in unknown.text
    for _ in range(4):
        wrong = await password_login(browser, issued["login"], "не-тот-пароль")
        # The same answer as for an unknown login: no hint which of the two was wrong.
        assert wrong.status_code == 401 and WRONG in wrong.text
    fifth = await password_login(browser, issued["login"], "не-тот-пароль")
    assert fifth.status_code == 429 and "закрыт" in fifth.text and "15 мин" in fifth.text
    right = await password_login(browser, issued["login"], issued["temporary_password"])
    assert right.status_code == 429 and "journal_session" not in right.headers.get("set-cookie", "")
    assert await signed_in_as(browser) is None
    assert (await school.admin.get(f"/api/v1/local-logins/{person_id}")).json()["locked_until"] is not None
    assert await audit(school.stack, person_id) == [("issued", school.admin_id), ("locked", None)]

    # The administrator's reset vouches for the person: the lock ends with it.
    reset = (await school.issue(person_id)).json()
    assert reset["reset"] is True and reset["login"] == issued["login"]
    assert (await password_login(browser, issued["login"], reset["temporary_password"])).status_code == 303


async def test_revoking_refuses_the_login_and_ends_the_session(school):
    person_id = await school.person("teacher", surname())
    issued = (await school.issue(person_id)).json()
    browser = await school.browser()
    await password_login(browser, issued["login"], issued["temporary_password"])
    assert (await change_password(browser, NEW_PASSWORD)).status_code == 303
    assert await signed_in_as(browser) == str(person_id)

    assert (await school.revoke(person_id)).status_code == 204
    assert await signed_in_as(browser) is None
    assert (await browser.get("/")).headers["location"] == "/login"
    async with school.stack.browser() as other:
        again = await password_login(other, issued["login"], NEW_PASSWORD)
        assert again.status_code == 401 and WRONG in again.text
    refused(await school.admin.get(f"/api/v1/local-logins/{person_id}"), 404)
    refused(await school.revoke(person_id), 404)
    assert [action for action, _ in await audit(school.stack, person_id)] == ["issued", "password_changed", "revoked"]


async def test_a_reset_ends_the_persons_sessions_and_the_old_password(school):
    person_id = await school.person("student", surname())
    issued = (await school.issue(person_id)).json()
    browser = await school.browser()
    await password_login(browser, issued["login"], issued["temporary_password"])
    await change_password(browser, NEW_PASSWORD)
    assert await signed_in_as(browser) == str(person_id)

    reset = (await school.issue(person_id)).json()
    assert reset["reset"] is True and reset["temporary_password"] != issued["temporary_password"]
    assert await signed_in_as(browser) is None
    async with school.stack.browser() as other:
        assert (await password_login(other, issued["login"], NEW_PASSWORD)).status_code == 401
        assert (await password_login(other, issued["login"], reset["temporary_password"])).status_code == 303
        assert (await other.get("/api/v1/me")).status_code == 403
    assert [action for action, _ in await audit(school.stack, person_id)] == ["issued", "password_changed", "reset"]


async def test_staff_passwords_expire_after_a_year_family_passwords_do_not(school):
    teacher_id = await school.person("teacher", surname())
    student_id = await school.person("student", surname())
    browsers = {}
    for person_id in (teacher_id, student_id):
        issued = (await school.issue(person_id)).json()
        browsers[person_id] = await school.browser()
        await password_login(browsers[person_id], issued["login"], issued["temporary_password"])
        assert (await change_password(browsers[person_id], NEW_PASSWORD)).status_code == 303
    heard = school.stack.gateway.state.callers.generation
    async with school.stack.gateway.state.db.transaction(SYSTEM) as session:
        await session.execute(
            update(LocalLogin)
            .where(LocalLogin.person_id.in_([teacher_id, student_id]))
            .values(password_set_at=datetime.now(UTC) - timedelta(days=366))
        )
    await school.stack.heard_since(heard)
    expired = await browsers[teacher_id].get("/api/v1/me")
    refused(expired, 403, slug="password-change-required")
    assert "Срок вышел" in (await browsers[teacher_id].get("/password")).text
    assert await signed_in_as(browsers[student_id]) == str(student_id)
    assert (await change_password(browsers[teacher_id], NEW_PASSWORD + "-2027")).status_code == 303
    assert await signed_in_as(browsers[teacher_id]) == str(teacher_id)


async def test_the_login_form_needs_its_own_token(school):
    person_id = await school.person("student", surname())
    issued = (await school.issue(person_id)).json()
    async with school.stack.browser() as browser:
        forged = await browser.post(
            "/auth/password",
            data={"login": issued["login"], "password": issued["temporary_password"], "form_token": "0" * 64},
        )
        assert forged.status_code == 403 and "Форма входа устарела" in forged.text
        assert "journal_session" not in forged.headers.get("set-cookie", "")
        page = await browser.get("/login")
        assert "Вход по логину и паролю (для тех, у кого нет учётной записи на Госуслугах)" in page.text
        # A valid token of this page, sent without the cookie it belongs to, is refused too.
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)[1]
        browser.cookies.clear()
        stolen = await browser.post(
            "/auth/password",
            data={"login": issued["login"], "password": issued["temporary_password"], "form_token": token},
        )
        assert stolen.status_code == 403


#: Every route of the gateway that changes state, each refused below without its token.
STATE_CHANGING_ROUTES = {
    ("POST", "/auth/password"),
    ("POST", "/password"),
    ("POST", "/logout"),
    ("POST", "/api/v1/local-logins"),
    ("DELETE", "/api/v1/local-logins/{person_id}"),
    *((method, "/api/v1/{service}/{path}") for method in ("POST", "PUT", "PATCH", "DELETE")),
    # Arrived with the security work; protected (a signed choice cookie, the session's X-CSRF-Token)
    # but not yet sent without their token below.
    ("POST", "/auth/school"),
    ("POST", "/api/v1/compromise"),
    ("DELETE", "/api/v1/compromise/{person_id}"),
    ("POST", "/api/v1/compromise/{person_id}/revert"),
    # 152-ФЗ: the subjects' requests, the breach register and the destruction runs (the session's X-CSRF-Token,
    # as every route behind ``SignedInDep``).
    ("POST", "/api/v1/privacy/requests"),
    ("POST", "/api/v1/privacy/schools/{school_id}/requests/{request_id}/answer"),
    ("POST", "/api/v1/privacy/schools/{school_id}/breaches"),
    ("POST", "/api/v1/destruction/schools/{school_id}/runs"),
    ("POST", "/api/v1/destruction/schools/{school_id}/runs/{run_id}/retry"),
    # Public on purpose, no session and no token: the e-mail's one-click unsubscribe, authorised by its
    # signature (RFC 8058: the mail service POSTs it); tests/gateway/test_proxy.py.
    ("POST", "/api/v1/notifications/unsubscribe/{token}"),
}
#: Routes that take no cookie, so a forged cross-site request carries nothing to abuse: the state portal's
#: token endpoint authenticates the client by its own credentials (tests/gateway/test_portal_pull.py).
NOT_BY_COOKIE = {("POST", "/portal/v1/token")}
REFUSED_FORM = "Запрос отклонён: нет или неверный токен защиты. Обновите страницу."
REFUSED_API = "Запрос отклонён: нет или неверный токен защиты (X-CSRF-Token). Обновите страницу."


async def test_every_state_changing_route_is_in_the_csrf_list(stack):
    """A new form or API route joins the test below, or this fails (the routes as the OpenAPI lists them)."""
    found = {
        (method.upper(), path)
        for path, operations in stack.gateway.openapi()["paths"].items()
        for method in operations
        if method.upper() not in ("GET", "HEAD", "OPTIONS")
    }
    assert found == STATE_CHANGING_ROUTES | NOT_BY_COOKIE


async def test_every_form_and_api_route_refuses_a_request_without_its_csrf_token(school):
    person_id = await school.person("teacher", surname())
    issued = (await school.issue(person_id)).json()
    browser = await school.browser()

    # The login form: its signed token, or the login page again with 403 and no session.
    for token in ("", "0" * 64):
        stale = await browser.post(
            "/auth/password",
            data={"login": issued["login"], "password": issued["temporary_password"], "form_token": token},
        )
        assert stale.status_code == 403 and STALE_FORM in stale.text
        assert "journal_session" not in browser.cookies
    assert (await password_login(browser, issued["login"], issued["temporary_password"])).status_code == 303

    # The password form: refused without the session's token, and the password stays temporary.
    for token in ("", "wrong"):
        data = {"new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD, "csrf_token": token}
        refusal = await browser.post("/password", data=data)
        assert refusal.status_code == 403 and REFUSED_FORM in refusal.text
    refused(await browser.get("/api/v1/me"), 403, slug="password-change-required")
    assert await audit(school.stack, person_id) == [("issued", school.admin_id)]
    assert (await change_password(browser, NEW_PASSWORD)).status_code == 303

    # The API, with the session but without X-CSRF-Token: a problem saying why, nothing written.
    roster = f"/api/v1/roster/schools/{school.school_id}"
    for method, url, body in [
        ("POST", "/api/v1/local-logins", {"person_id": str(person_id)}),
        ("DELETE", f"/api/v1/local-logins/{person_id}", None),
        ("POST", f"{roster}/classes", {"grade": 5, "letter": "А"}),
        ("PUT", f"/api/v1/gradebook/schools/{school.school_id}/policy", {"edit_window": "never"}),
        ("PATCH", f"{roster}/classes/{uuid4()}", {}),
        ("DELETE", f"/api/v1/attendance/schools/{school.school_id}/absences/{uuid4()}", None),
    ]:
        refusal = await school.admin.request(method, url, json=body)
        assert refused(refusal, 403)["detail"] == REFUSED_API, (method, url)
    assert (await school.admin.get(f"/api/v1/local-logins/{person_id}")).json()["temporary"] is False

    # Logging out: refused without the token, the session lives on.
    out = await browser.post("/logout", data={"csrf_token": ""})
    assert (
        out.status_code == 403
        and out.json()["detail"] == "Выход отклонён: нет или неверный токен защиты. Обновите страницу."
    )
    assert await signed_in_as(browser) == str(person_id)
