"""/api/v1/<service>/...: internal tokens roster accepts, CSRF, the access log, services that are down, JWKS."""

from contextlib import asynccontextmanager
from uuid import uuid4

import httpx
import jwt
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from prometheus_client import generate_latest
from sqlalchemy import select

from chassis.auth import Caller, TokenVerifier
from chassis.tenancy import SYSTEM
from chassis.testing import eventually, refused
from gateway.accounts import grant_region_role
from gateway.keys import load_or_create_signer
from gateway.models import AccessLogEntry, School
from gateway.upstream import Upstreams

SCHOOL = {"name": "МБОУ «Лицей № 2»", "short_name": "Лицей № 2", "municipality": "Энск"}


@asynccontextmanager
async def region_admin(stack, esia_person):
    """A signed-in region administrator's browser and CSRF token (a region role: granted at the gateway)."""
    person = await esia_person("Смирнов", "Павел")
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        await grant_region_role(session, esia_oid=str(person.oid), role="region_admin", name="Смирнов Павел Андреевич")
    async with stack.browser() as browser:
        done = await stack.log_in(browser, person.oid)
        assert done.status_code == 303, done.text
        yield browser, (await browser.get("/api/v1/me")).json()["csrf_token"]


async def access_log(stack, person_id):
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        rows = await session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.person_id == person_id).order_by(AccessLogEntry.id)
        )
        return [(r.method, r.path, r.status) for r in rows]


async def test_roster_accepts_the_internal_token_and_every_call_is_logged(stack, esia_person):
    async with region_admin(stack, esia_person) as (browser, csrf):
        me = (await browser.get("/api/v1/me")).json()
        assert me["name"] == "Смирнов Павел Андреевич" and me["region_roles"] == ["region_admin"]
        created = await browser.post("/api/v1/roster/schools", json=SCHOOL, headers={"X-CSRF-Token": csrf})
        assert created.status_code == 201, created.text
        school_id = created.json()["id"]
        read = await browser.get(f"/api/v1/roster/schools/{school_id}")
        assert read.status_code == 200
        assert read.headers["content-type"] == "application/json"
        assert read.json()["short_name"] == "Лицей № 2"
        missing = await browser.get("/api/v1/roster/schools/00000000-0000-0000-0000-000000000000")
        refused(missing, 404)
        assert missing.headers["content-type"] == "application/problem+json"

    assert await access_log(stack, me["person_id"]) == [
        ("LOGIN", "/auth/esia", 200),
        ("POST", "/api/v1/roster/schools", 201),
        ("GET", f"/api/v1/roster/schools/{school_id}", 200),
        ("GET", "/api/v1/roster/schools/00000000-0000-0000-0000-000000000000", 404),
    ]
    # Timed by the route's template, no school's id in a label.
    timed = generate_latest(stack.gateway.state.metrics.registry).decode()
    assert 'method="POST",route="/api/v1/{service}/{path:path}",service="gateway",status="2xx"' in timed
    assert school_id not in timed

    async def school_replicated():
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            return await session.get(School, school_id)

    # Roster's SchoolRegistered reached the gateway's accounts consumer through RabbitMQ.
    assert (await eventually(school_replicated)).short_name == "Лицей № 2"


async def test_state_changing_requests_need_the_csrf_token(stack, esia_person):
    async with region_admin(stack, esia_person) as (browser, csrf):
        for headers in ({}, {"X-CSRF-Token": "not-the-token"}):
            refusal = await browser.post("/api/v1/roster/schools", json=SCHOOL, headers=headers)
            refused(refusal, 403)
            assert "CSRF" in refusal.json()["detail"]
        schools_read = await browser.get("/api/v1/roster/schools/00000000-0000-0000-0000-000000000000")
        assert schools_read.status_code == 404  # reads need no CSRF token
        accepted = await browser.post("/api/v1/roster/schools", json=SCHOOL, headers={"X-CSRF-Token": csrf})
        assert accepted.status_code == 201


async def test_idempotency_key_and_query_reach_the_service(stack, esia_person):
    async with region_admin(stack, esia_person) as (browser, csrf):
        headers = {"X-CSRF-Token": csrf, "Idempotency-Key": "school-lyceum-2"}
        first = await browser.post("/api/v1/roster/schools", json=SCHOOL, headers=headers)
        again = await browser.post("/api/v1/roster/schools", json=SCHOOL, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert again.headers["idempotent-replayed"] == "true"
        zero = "00000000-0000-0000-0000-000000000000"
        bad_query = await browser.get(f"/api/v1/reporting/schools/{zero}/students/{zero}/diary?start=not-a-date")
        assert bad_query.status_code == 422  # without the query reporting would answer 404
        assert "start" in bad_query.json()["detail"]


async def test_unknown_service_is_404_and_a_service_that_is_down_is_503(stack, esia_person):
    async with region_admin(stack, esia_person) as (browser, _):
        unknown = await browser.get("/api/v1/payroll/anything")
        refused(unknown, 404)
        assert unknown.json()["detail"] == "Адреса «/api/v1/payroll/anything» в API нет."
        for operational in ("metrics", "readyz", "openapi.json", "docs"):
            hidden = await browser.get(f"/api/v1/roster/{operational}")
            assert hidden.status_code == 404, operational
        down = await browser.get("/api/v1/attendance/schools/00000000-0000-0000-0000-000000000000/absences")
        assert down.status_code == 503
        assert down.headers["content-type"] == "application/problem+json"
        assert down.json()["detail"] == "Сервис «Посещаемость» временно недоступен. Повторите попытку через минуту."
        me = (await browser.get("/api/v1/me")).json()
    assert (await access_log(stack, me["person_id"]))[-1] == (
        "GET",
        "/api/v1/attendance/schools/00000000-0000-0000-0000-000000000000/absences",
        503,
    )


async def test_published_jwks_verifies_an_issued_token_and_its_key_id_is_stable(stack, settings):
    async with stack.browser() as browser:
        jwks = (await browser.get("/.well-known/jwks.json")).json()
    signer = stack.gateway.state.tokens.signer
    caller = Caller(person_id=uuid4(), name="Проверка")
    token = signer.issue(caller)
    verifier = TokenVerifier.from_jwks(jwks, issuer=settings.token_issuer, audience=settings.token_audience)
    assert (await verifier.verify(token)).person_id == caller.person_id
    assert jwt.get_unverified_header(token)["kid"] == jwks["keys"][0]["kid"]
    assert jwks["keys"][0]["alg"] == "ES256" and "d" not in jwks["keys"][0]
    # The key file was made 0600 and gives the same kid when loaded again (another process, a restart).
    assert settings.signing_key_path.stat().st_mode & 0o777 == 0o600
    again = load_or_create_signer(settings.signing_key_path, issuer="i", audience="a")
    assert again.kid == signer.kid


@asynccontextmanager
async def notifications_answering(stack):
    """Notifications replaced by an app that tells what reached it (the gateway's own notifications is down)."""
    seen: list[tuple[str, str, str | None, bytes]] = []
    service = FastAPI()

    @service.api_route("/{path:path}", methods=["GET", "POST"])
    async def echo(path: str, request: Request) -> HTMLResponse:
        seen.append((request.method, request.url.path, request.headers.get("authorization"), await request.body()))
        return HTMLResponse("<h1>Отписаться от уведомлений</h1>")

    saved: Upstreams = stack.gateway.state.upstreams
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=service), base_url="http://notifications.test"
    ) as http:
        stack.gateway.state.upstreams = Upstreams(saved.settings, saved.tokens, {"notifications": http})
        try:
            yield seen
        finally:
            stack.gateway.state.upstreams = saved


async def test_the_unsubscribe_link_works_without_a_session_and_nothing_else_does(stack):
    token = "WyJzY2hvb2wiXQ.c2lnbmF0dXJl"
    async with notifications_answering(stack) as seen, stack.browser() as mail_client:
        opened = await mail_client.get(f"/api/v1/notifications/unsubscribe/{token}")
        assert opened.status_code == 200, opened.text
        assert "Отписаться от уведомлений" in opened.text
        # RFC 8058 one-click: the mail service POSTs, with no cookie and no CSRF token.
        clicked = await mail_client.post(
            f"/api/v1/notifications/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}
        )
        assert clicked.status_code == 200, clicked.text
        # Passed on to that route alone, and with no internal token: the signature is the authority.
        assert seen == [
            ("GET", f"/unsubscribe/{token}", None, b""),
            ("POST", f"/unsubscribe/{token}", None, b"List-Unsubscribe=One-Click"),
        ]
        # Anything else of notifications still needs a session, and a token that is not one reaches nothing.
        refused(await mail_client.get(f"/api/v1/notifications/schools/{uuid4()}/notifications"), 401)
        refused(await mail_client.get("/api/v1/notifications/unsubscribe/..%2Fschools"), 401)
        refused(await mail_client.get("/api/v1/notifications/unsubscribe/no-signature"), 404, "недействительна")
        assert len(seen) == 2
