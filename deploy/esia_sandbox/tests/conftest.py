import base64
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI

from esia_sandbox.main import build_app
from esia_sandbox.protocol import TIMESTAMP_FORMAT
from esia_sandbox.settings import SandboxSettings
from esia_sandbox.testing import register_client

CLIENT_ID = "JOURNAL-TEST"
REDIRECT_URI = "http://journal.test/auth/esia/callback"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class RelyingParty:
    """A client of ESIA written out by hand, so the sandbox is tested independently of the gateway's client."""

    key: ec.EllipticCurvePrivateKey
    http: httpx.AsyncClient
    client_id: str = CLIENT_ID
    redirect_uri: str = REDIRECT_URI
    scope: str = "openid fullname birthdate snils kid_fullname kid_birthdate kid_snils"

    @staticmethod
    def timestamp(hours_ago: float = 0) -> str:
        return (datetime.now().astimezone() - timedelta(hours=hours_ago)).strftime(TIMESTAMP_FORMAT)

    def sign(self, message: str, key: ec.EllipticCurvePrivateKey | None = None) -> str:
        return b64url((key or self.key).sign(message.encode(), ec.ECDSA(hashes.SHA256())))

    def authorization_params(self, verifier: str = "v" * 43, **overrides: str) -> dict[str, str]:
        params = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "response_type": "code",
            "state": str(uuid4()),
            "timestamp": self.timestamp(),
            "access_type": "online",
            "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
            "code_challenge_method": "S256",
            **overrides,
        }
        if "client_secret" not in params:
            params["client_secret"] = self.sign(
                params["client_id"] + params["scope"] + params["timestamp"] + params["state"] + params["redirect_uri"]
            )
        return params

    async def login_form(self, params: dict[str, str]) -> str:
        """GET the authorization endpoint; the request id of the login form it shows."""
        response = await self.http.get("/aas/oauth2/v2/ac", params=params)
        assert response.status_code == 200, response.text
        found = re.search(r'name="request_id" value="([^"]+)"', response.text)
        assert found is not None
        return found.group(1)

    def redirect_query(self, response: httpx.Response) -> dict[str, str]:
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert location.startswith(self.redirect_uri)
        return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}

    async def code_for(self, oid: int, verifier: str = "v" * 43) -> str:
        """Log in as ``oid`` by picking them on the form; the code ESIA sends back."""
        params = self.authorization_params(verifier)
        request_id = await self.login_form(params)
        response = await self.http.post("/aas/oauth2/v2/ac", data={"request_id": request_id, "oid": str(oid)})
        query = self.redirect_query(response)
        assert query["state"] == params["state"]
        return query["code"]

    def token_form(self, code: str, verifier: str = "v" * 43, **overrides: str) -> dict[str, str]:
        form = {
            "client_id": self.client_id,
            "code": code,
            "grant_type": "authorization_code",
            "state": str(uuid4()),
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "timestamp": self.timestamp(),
            "token_type": "Bearer",
            "code_verifier": verifier,
            **overrides,
        }
        if "client_secret" not in form:
            form["client_secret"] = self.sign(
                form["client_id"] + form["scope"] + form["timestamp"] + form["state"] + form["redirect_uri"] + code
            )
        return form

    async def exchange(self, form: dict[str, str]) -> httpx.Response:
        return await self.http.post("/aas/oauth2/v3/te", data=form)

    async def tokens_for(self, oid: int) -> dict[str, Any]:
        response = await self.exchange(self.token_form(await self.code_for(oid)))
        assert response.status_code == 200, response.text
        return response.json()

    async def look_up(self, path: str, access_token: str) -> httpx.Response:
        return await self.http.get(path, headers={"Authorization": f"Bearer {access_token}"})


@pytest.fixture
def client_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def settings(tmp_path: Path, client_key: ec.EllipticCurvePrivateKey) -> SandboxSettings:
    clients_file = register_client(tmp_path, CLIENT_ID, ["http://journal.test/auth/"], client_key.public_key())
    return SandboxSettings(clients_file=clients_file, admin_api=True)


@pytest.fixture
def make_rp(client_key: ec.EllipticCurvePrivateKey) -> Callable[[FastAPI], RelyingParty]:
    return lambda app: RelyingParty(
        client_key, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://esia-sandbox.test")
    )


@pytest.fixture
async def rp(settings: SandboxSettings, make_rp: Callable[[FastAPI], RelyingParty]) -> AsyncIterator[RelyingParty]:
    relying_party = make_rp(build_app(settings))
    async with relying_party.http:
        yield relying_party


@pytest.fixture
async def instant_expiry_rp(
    settings: SandboxSettings, make_rp: Callable[[FastAPI], RelyingParty]
) -> AsyncIterator[RelyingParty]:
    """A sandbox whose codes expire the moment they are issued."""
    relying_party = make_rp(build_app(replace(settings, code_lifetime_seconds=0)))
    async with relying_party.http:
        yield relying_party
