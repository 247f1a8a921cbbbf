"""The gateway under bad input: odd paths, NUL bytes and calendar-edge periods never get a 500.

The gateway proxies to the fuzz stack's roster and reporting; they do not know the gateway's
signing key, so they answer 401, which is enough: what is checked here is the gateway's own
handling (its access log, its diary, its login callback), not the services'.
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import func, select

from chassis import testing
from chassis.tenancy import SYSTEM
from chassis.testing import running_app
from gateway.domain.sessions import COOKIE
from gateway.main import build_app
from gateway.models import AccessLogEntry
from gateway.sessions import open_session
from gateway.settings import GatewaySettings

from .conftest import Service

DOWN_URL = "http://127.0.0.1:9"
# Fixed ids: the parameters name the tests, and every pytest-xdist worker must collect the same names.
STUDENT = UUID("4ec2e9f9-ca7f-402f-8860-c2a1b0d5e7f3")
SCHOOL = UUID("962fd44c-b332-4e7a-9c1d-0e5f3a2b6c84")
#: (method, path with query): each reaches the gateway's own code with something nasty.
NASTY_REQUESTS = [
    ("GET", "/api/v1/roster/schools/%00"),
    ("POST", "/api/v1/roster/schools/%00/classes"),
    ("GET", f"/api/v1/roster/schools/{SCHOOL}/people?q=%00"),
    ("GET", "/api/v1/roster/" + "x" * 5000),
    ("GET", "/api/v1/nosuch/%00"),
    ("GET", "/api/v1/diary/%00"),
    ("GET", f"/api/v1/diary/{STUDENT}?start=0001-01-01&end=9999-12-31"),
    ("GET", f"/api/v1/diary/{STUDENT}?start=0000-01-01"),
    ("GET", f"/api/v1/diary/{STUDENT}?start=%00"),
    ("GET", "/auth/esia/callback?state=%00&code=x"),
    ("GET", "/auth/esia/callback?state=" + "x" * 5000 + "&code=x"),
    ("POST", "/logout?csrf_token=%00"),
]


@pytest.fixture(scope="module")
async def browser(
    services: dict[str, Service], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    keys: Path = tmp_path_factory.mktemp("gateway-keys")
    settings = testing.test_settings(
        GatewaySettings,
        database_url=testing.test_database_url("fuzz_gateway"),
        queue_prefix=testing.test_queue_prefix("fuzz"),
        public_url="http://gateway.test",
        esia_url=DOWN_URL,
        esia_client_key_path=keys / "client-key.pem",
        signing_key_path=keys / "signing-key.pem",
        roster_url="http://roster.test",
        reporting_url="http://reporting.test",
        gradebook_url=DOWN_URL,
        attendance_url=DOWN_URL,
        notifications_url=DOWN_URL,
    )
    async with AsyncExitStack() as stack:
        service_http = {
            name: await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=services[name].app), base_url=f"http://{name}.test")
            )
            for name in ("roster", "reporting")
        }
        gateway = build_app(settings, service_http=service_http)
        client = await stack.enter_async_context(running_app(gateway, settings))
        async with gateway.state.db.transaction(SYSTEM) as session:
            opened = await open_session(session, uuid4(), "1000001", 1)
        client.cookies.set(COOKIE, opened.token)
        client.headers["x-fuzz"] = "1"
        client.app = gateway  # type: ignore[attr-defined]
        yield client


@pytest.mark.parametrize(("method", "target"), NASTY_REQUESTS, ids=lambda v: str(v)[:40])
async def test_gateway_answers_bad_input_without_a_server_error(
    browser: httpx.AsyncClient, method: str, target: str
) -> None:
    response = await browser.request(method, target)
    assert response.status_code < 500, response.text[:300]
    if target.startswith("/api/") and response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_nul_byte_in_a_proxied_path_is_still_audited(browser: httpx.AsyncClient) -> None:
    async def entries() -> int:
        async with browser.app.state.db.transaction(SYSTEM) as session:  # type: ignore[attr-defined]
            return await session.scalar(select(func.count()).select_from(AccessLogEntry))

    before = await entries()
    response = await browser.get("/api/v1/roster/schools/%00")
    assert response.status_code < 500
    assert await entries() == before + 1
