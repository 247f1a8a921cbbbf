"""The gateway with its neighbours: real PostgreSQL and RabbitMQ, the ESIA sandbox, roster and reporting in-process.

Only the network to the services is replaced: each is reached through an httpx ASGI transport. The sandbox listens
on a socket of its own, as the gateway calls ESIA over the network (aiohttp); the test browsers reach it in-process.
Roster and reporting verify the gateway's tokens with the keys it publishes at /.well-known/jwks.json.
"""

import json
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from sqlalchemy import func, select

from chassis.auth import TokenVerifier
from chassis.tenancy import SYSTEM
from chassis.testing import eventually, publish_event, running_app, test_database_url, test_queue_prefix, test_settings
from contracts import Event
from contracts.roster import PersonChanged, PersonRegistered
from devstack.region import snils_with_check
from esia_sandbox.main import build_app as build_sandbox
from esia_sandbox.settings import SandboxSettings
from esia_sandbox.testing import serving
from gateway.main import build_app
from gateway.models import SchoolRole
from gateway.settings import GatewaySettings
from reporting.main import build_app as build_reporting
from reporting.settings import ReportingSettings
from roster.main import build_app as build_roster
from roster.settings import RosterSettings

PUBLIC_URL = "http://gateway.test"
#: Nothing listens here: a service that is down.
DOWN_URL = "http://127.0.0.1:9"
#: Queues of the services run here, apart from those of their own test suites.
QUEUE_PREFIX = test_queue_prefix("gateway")


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gateway's ESIA client key and its registration with the sandbox."""
    directory = tmp_path_factory.mktemp("keys")
    key = ec.generate_private_key(ec.SECP256R1())
    (directory / "client-key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / "client-key.pub.pem").write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    clients = [
        {
            "client_id": "JOURNAL",
            "redirect_uri_prefixes": [f"{PUBLIC_URL}/"],
            "public_key_pem_path": str(directory / "client-key.pub.pem"),
        }
    ]
    (directory / "clients.json").write_text(json.dumps(clients))
    return directory


@pytest.fixture(scope="session")
def sandbox(keys_dir: Path) -> FastAPI:
    return build_sandbox(SandboxSettings(clients_file=keys_dir / "clients.json", admin_api=True))


@pytest.fixture(scope="session")
async def esia_url(sandbox: FastAPI) -> AsyncIterator[str]:
    async with serving(sandbox) as url:
        yield url


@pytest.fixture(scope="session")
def settings(keys_dir: Path, esia_url: str) -> GatewaySettings:
    return test_settings(
        GatewaySettings,
        queue_prefix=QUEUE_PREFIX,
        public_url=PUBLIC_URL,
        esia_url=esia_url,
        esia_client_key_path=keys_dir / "client-key.pem",
        signing_key_path=keys_dir / "gateway" / "signing-key.pem",
        roster_url="http://roster.test",
        reporting_url="http://reporting.test",
        gradebook_url=DOWN_URL,
        attendance_url=DOWN_URL,
        notifications_url=DOWN_URL,
        # Every test browser comes from 127.0.0.1: the rate-limit tests lower these for themselves.
        login_attempts_per_ip_per_minute=10_000,
        login_attempts_per_minute=10_000,
    )


@dataclass
class Stack:
    settings: GatewaySettings
    gateway: FastAPI
    sandbox: FastAPI
    roster_settings: RosterSettings

    def browser(self) -> httpx.AsyncClient:
        """A browser of its own: its own cookie jar, so no test sees another's session."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.gateway), base_url=PUBLIC_URL)

    def esia_browser(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.sandbox), base_url=self.settings.esia_url)

    async def heard_since(self, generation: int) -> None:
        """A change written straight to the gateway's database has reached its caller cache.

        Every instance hears of it from PostgreSQL (``gateway.callers``) a moment after the commit;
        a test that writes the database itself and asks at once waits for that moment.
        """

        async def heard() -> bool:
            return self.gateway.state.callers.generation > generation

        await eventually(heard)

    async def roles_known(self, *person_ids: UUID) -> bool:
        """Whether the accounts consumer has stored a school role of each person yet."""
        async with self.gateway.state.db.transaction(SYSTEM) as session:
            known = await session.scalar(
                select(func.count(func.distinct(SchoolRole.person_id))).where(SchoolRole.person_id.in_(person_ids))
            )
        return known == len(person_ids)

    async def esia_redirect(self, browser: httpx.AsyncClient, oid: int) -> str:
        """Start a login at the gateway and pick ``oid`` on the sandbox's form; returns where ESIA sends the browser."""
        start = await browser.get("/auth/esia")
        assert start.status_code == 302, start.text
        async with self.esia_browser() as esia:
            form = await esia.get(start.headers["location"])
            assert form.status_code == 200, form.text
            request_id = re.search(r'name="request_id" value="([^"]+)"', form.text)
            assert request_id is not None, form.text
            chosen = await esia.post("/aas/oauth2/v2/ac", data={"request_id": request_id.group(1), "oid": str(oid)})
        assert chosen.status_code == 302, chosen.text
        return chosen.headers["location"]

    async def log_in(self, browser: httpx.AsyncClient, oid: int) -> httpx.Response:
        """The whole login: gateway → sandbox form → callback; returns the callback's answer."""
        callback = await self.esia_redirect(browser, oid)
        assert callback.startswith(f"{PUBLIC_URL}/auth/esia/callback?")
        return await browser.get(callback)


@pytest.fixture(scope="session")
async def stack(settings: GatewaySettings, sandbox: FastAPI) -> AsyncIterator[Stack]:
    gateway_client: httpx.AsyncClient | None = None

    async def gateway_jwks() -> dict:
        assert gateway_client is not None
        return (await gateway_client.get("/.well-known/jwks.json")).json()

    def verifier() -> TokenVerifier:
        return TokenVerifier(gateway_jwks, issuer=settings.token_issuer, audience=settings.token_audience)

    common = {"queue_prefix": QUEUE_PREFIX}
    roster_settings = test_settings(RosterSettings, database_url=test_database_url("gateway_roster"), **common)
    reporting_settings = test_settings(ReportingSettings, database_url=test_database_url("gateway_reporting"), **common)
    roster = build_roster(roster_settings, verifier())
    reporting = build_reporting(reporting_settings, verifier())
    async with AsyncExitStack() as stack:
        service_http = {
            "roster": await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=roster), base_url=settings.roster_url)
            ),
            "reporting": await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=reporting), base_url=settings.reporting_url)
            ),
        }
        gateway = build_app(settings, service_http=service_http)
        await stack.enter_async_context(running_app(roster, roster_settings))
        await stack.enter_async_context(running_app(reporting, reporting_settings))
        gateway_client = await stack.enter_async_context(running_app(gateway, settings))
        yield Stack(settings, gateway, sandbox, roster_settings)


def _valid_snils() -> str:
    """A random СНИЛС that passes the control-number check."""
    return snils_with_check(2_000_000 + secrets.randbelow(999_999_999 - 2_000_000))


@dataclass(frozen=True)
class EsiaPerson:
    oid: int
    last_name: str
    first_name: str
    middle_name: str
    birth_date: date
    snils: str

    def registered(self, person_id: UUID, *, with_oid: bool = False, **changes: object) -> PersonRegistered:
        """Roster's PersonRegistered for this person (the school may not know their ESIA oid)."""
        values: dict = {
            "person_id": person_id,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "middle_name": self.middle_name,
            "birth_date": self.birth_date,
            "snils": self.snils,
            "esia_oid": str(self.oid) if with_oid else None,
        }
        return PersonRegistered(**{**values, **changes})

    def changed(self, person_id: UUID, version: int, **changes: object) -> PersonChanged:
        """Roster's PersonChanged: the card corrected, at ``version`` (a card's first change is 2)."""
        return PersonChanged(**self.registered(person_id, **changes).model_dump() | {"version": version})


@pytest.fixture
def esia_person(stack: Stack) -> Callable[..., Awaitable[EsiaPerson]]:
    """A fresh person in the ESIA sandbox, so no two tests share an account."""

    async def make(
        last_name: str = "Иванова", first_name: str = "Мария", kids: tuple[int, ...] = (), trusted: bool = True
    ) -> EsiaPerson:
        body = {
            "last_name": last_name,
            "first_name": first_name,
            "middle_name": "Петровна",
            "birth_date": "1985-03-14",
            "snils": _valid_snils(),
            "kids": list(kids),
            "trusted": trusted,
        }
        async with stack.esia_browser() as esia:
            response = await esia.post("/sandbox/people", json=body)
        assert response.status_code == 201, response.text
        return EsiaPerson(response.json()["oid"], last_name, first_name, "Петровна", date(1985, 3, 14), body["snils"])

    return make


@pytest.fixture
def publish(settings: GatewaySettings) -> Callable[..., Awaitable[None]]:
    async def send(school_id: UUID, *events: Event) -> None:
        for event in events:
            await publish_event(settings, event, school_id=school_id)

    return send
