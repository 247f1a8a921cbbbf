"""The gateway's ESIA client against the ESIA sandbox, run in-process, driven like a browser would drive it.

The client calls ESIA over a socket (aiohttp), so the sandbox, or whoever stands in front of it, listens on one; the
test browser reaches the same app in-process."""

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import aiohttp
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.signing import EcdsaSigner
from esia_sandbox.gost import GostKey
from esia_sandbox.main import build_app
from esia_sandbox.settings import SandboxSettings
from esia_sandbox.testing import register_client, serving
from gateway.esia import EsiaClient, EsiaError, EsiaPerson, EsiaTokens, certificate_key, signature_problem
from gateway.settings import SANDBOX_ISSUER

CALLBACK = "http://journal.test/auth/esia/callback"


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    #: (name, value, visible text) of each submit button.
    buttons: list[tuple[str, str, str]] = field(default_factory=list)


class FormReader(HTMLParser):
    """Reads the forms of a page the way a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append(Form(attributes["action"]))
        elif tag == "input" and attributes.get("type") == "hidden":
            self.forms[-1].fields[attributes["name"]] = attributes["value"]
        elif tag == "button" and attributes.get("name"):
            self._button = [attributes["name"], attributes.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            name, value, text = self._button
            self.forms[-1].buttons.append((name, value, " ".join(text.split())))
            self._button = None


async def log_in_as(browser: httpx.AsyncClient, authorization_url: str, full_name: str) -> dict[str, str]:
    """Open the ESIA login page, pick the test person by name; the query ESIA redirects back with."""
    page = await browser.get(authorization_url)
    assert page.status_code == 200, page.text
    reader = FormReader()
    reader.feed(page.text)
    form, (name, value, _) = next(
        (form, button) for form in reader.forms for button in form.buttons if button[2].startswith(full_name)
    )
    response = await browser.post(form.action, data={**form.fields, name: value})
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def client_key_pem(tmp_path: Path) -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture
def new_sandbox(tmp_path: Path, client_key_pem: bytes) -> Callable[[], FastAPI]:
    key = serialization.load_pem_private_key(client_key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    clients_file = register_client(tmp_path, "JOURNAL", ["http://journal.test/auth/"], key.public_key())
    return lambda: build_app(SandboxSettings(clients_file=clients_file, admin_api=True))


@pytest.fixture
def sandbox(new_sandbox: Callable[[], FastAPI]) -> FastAPI:
    return new_sandbox()


@pytest.fixture
async def esia_url(sandbox: FastAPI) -> AsyncIterator[str]:
    async with serving(sandbox) as url:
        yield url


@pytest.fixture
async def browser(sandbox: FastAPI, esia_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=esia_url) as client:
        yield client


@pytest.fixture
def requests_seen() -> list[str]:
    return []


@pytest.fixture
async def back_channel(requests_seen: list[str]) -> AsyncIterator[aiohttp.ClientSession]:
    """The gateway's own connection to ESIA (not the browser's); records the paths it requests."""

    async def record(_: aiohttp.ClientSession, __: SimpleNamespace, request: aiohttp.TraceRequestStartParams) -> None:
        requests_seen.append(request.url.path)

    tracing = aiohttp.TraceConfig()
    tracing.on_request_start.append(record)
    async with aiohttp.ClientSession(trace_configs=[tracing]) as session:
        yield session


def esia_client(client_key_pem: bytes, http: aiohttp.ClientSession, base_url: str, **overrides: object) -> EsiaClient:
    settings = {
        "client_id": "JOURNAL",
        "redirect_uri": CALLBACK,
        "certificate_url": f"{base_url}/sandbox/esia.pem",
        "issuer": SANDBOX_ISSUER,
        **overrides,
    }
    return EsiaClient(base_url=base_url, signer=EcdsaSigner(client_key_pem), http=http, **settings)


@pytest.fixture
def client(client_key_pem: bytes, back_channel: aiohttp.ClientSession, esia_url: str) -> EsiaClient:
    return esia_client(client_key_pem, back_channel, esia_url)


async def sign_in(client: EsiaClient, browser: httpx.AsyncClient, full_name: str) -> EsiaTokens:
    request = client.authorization_request()
    callback = await log_in_as(browser, request.url, full_name)
    assert callback["state"] == request.state
    return await client.exchange(code=callback["code"], state=callback["state"], code_verifier=request.code_verifier)


async def test_a_parent_logs_in_and_is_told_with_their_kids(client: EsiaClient, browser: httpx.AsyncClient) -> None:
    tokens = await sign_in(client, browser, "Петров Сергей Иванович")
    assert tokens.oid == "1000002"
    assert tokens.expires_in == 3600
    assert "kid_fullname" in tokens.scope.split()
    assert tokens.id_token is not None
    assert await client.person(tokens) == EsiaPerson(
        oid="1000002",
        last_name="Петров",
        first_name="Сергей",
        middle_name="Иванович",
        birth_date=date(1982, 11, 20),
        snils="123-456-701 40",
        trusted=True,
    )
    assert await client.kids(tokens) == [
        EsiaPerson(
            oid="1000003",
            last_name="Петров",
            first_name="Алексей",
            middle_name="Сергеевич",
            birth_date=date(2014, 4, 9),
            snils="156-342-781 74",
        )
    ]


async def test_a_teacher_has_no_kids(client: EsiaClient, browser: httpx.AsyncClient) -> None:
    tokens = await sign_in(client, browser, "Иванова Мария Петровна")
    assert (await client.person(tokens)).last_name == "Иванова"
    assert await client.kids(tokens) == []


def test_each_authorization_request_is_fresh_and_uses_pkce_s256(client: EsiaClient, esia_url: str) -> None:
    first, second = client.authorization_request(), client.authorization_request()
    assert first.state != second.state
    UUID(first.state)
    query = parse_qs(urlsplit(first.url).query)
    assert first.url.startswith(f"{esia_url}/aas/oauth2/v2/ac?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"] != parse_qs(urlsplit(second.url).query)["code_challenge"]
    assert first.code_verifier not in first.url


async def test_the_sandboxs_certificate_is_fetched_once(
    client: EsiaClient, browser: httpx.AsyncClient, requests_seen: list[str]
) -> None:
    await sign_in(client, browser, "Иванова Мария Петровна")
    await sign_in(client, browser, "Кузнецова Ольга Николаевна")
    assert requests_seen.count("/sandbox/esia.pem") == 1
    assert requests_seen.count("/aas/oauth2/v3/te") == 2


async def test_a_code_used_twice_is_refused_in_russian(client: EsiaClient, browser: httpx.AsyncClient) -> None:
    request = client.authorization_request()
    callback = await log_in_as(browser, request.url, "Иванова Мария Петровна")
    await client.exchange(code=callback["code"], state=request.state, code_verifier=request.code_verifier)
    with pytest.raises(EsiaError, match="Госуслуги не подтвердили вход"):
        await client.exchange(code=callback["code"], state=request.state, code_verifier=request.code_verifier)


async def test_a_wrong_code_verifier_is_refused(client: EsiaClient, browser: httpx.AsyncClient) -> None:
    request = client.authorization_request()
    callback = await log_in_as(browser, request.url, "Иванова Мария Петровна")
    with pytest.raises(EsiaError):
        await client.exchange(code=callback["code"], state=request.state, code_verifier="x" * 64)


def tampering(esia: ASGIApp) -> ASGIApp:
    """Someone between the gateway and ESIA who rewrites the subject of the tokens ESIA answers with."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/aas/oauth2/v3/te":
            await esia(scope, receive, send)
            return
        answered: list[Message] = []

        async def keep(message: Message) -> None:
            answered.append(message)

        await esia(scope, receive, keep)
        body = json.loads(b"".join(message.get("body", b"") for message in answered[1:]))
        header, payload, signature = body["access_token"].split(".")
        claims = json.loads(jwt.utils.base64url_decode(payload))
        claims["urn:esia:sbj_id"] = 1000004
        forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
        body["access_token"] = f"{header}.{forged}.{signature}"
        content = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
        await send({"type": "http.response.start", "status": answered[0]["status"], "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return app


async def test_a_tampered_token_is_refused(
    sandbox: FastAPI, browser: httpx.AsyncClient, back_channel: aiohttp.ClientSession, client_key_pem: bytes
) -> None:
    async with serving(tampering(sandbox)) as url:
        client = esia_client(client_key_pem, back_channel, url)
        with pytest.raises(EsiaError, match="Не удалось проверить подпись ответа Госуслуг"):
            await sign_in(client, browser, "Петров Сергей Иванович")


async def test_tokens_signed_by_another_key_are_refused(
    new_sandbox: Callable[[], FastAPI],
    sandbox: FastAPI,
    back_channel: aiohttp.ClientSession,
    client_key_pem: bytes,
) -> None:
    """An impostor ESIA with its own key: its tokens do not verify against the real ESIA's keys."""
    impostor = new_sandbox()

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        app = sandbox if scope.get("path") == "/sandbox/esia.pem" else impostor
        await app(scope, receive, send)

    async with (
        serving(route) as url,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=impostor), base_url=url) as impostor_browser,
    ):
        client = esia_client(client_key_pem, back_channel, url)
        with pytest.raises(EsiaError, match="Не удалось проверить подпись ответа Госуслуг"):
            await sign_in(client, impostor_browser, "Петров Сергей Иванович")


async def test_tokens_verify_with_esias_configured_certificate_and_no_other(
    new_sandbox: Callable[[], FastAPI],
    sandbox: FastAPI,
    back_channel: aiohttp.ClientSession,
    esia_url: str,
    browser: httpx.AsyncClient,
    client_key_pem: bytes,
    requests_seen: list[str],
) -> None:
    """Production's way: ESIA's certificate from the configuration, nothing fetched; another ESIA's is refused."""
    configured = esia_client(
        client_key_pem,
        back_channel,
        esia_url,
        certificate_url=None,
        certificate=certificate_key(sandbox.state.sandbox.tokens.certificate_pem),
    )
    assert (await sign_in(configured, browser, "Петров Сергей Иванович")).oid == "1000002"
    assert "/sandbox/esia.pem" not in requests_seen
    other = certificate_key(new_sandbox().state.sandbox.tokens.certificate_pem)
    stale = esia_client(client_key_pem, back_channel, esia_url, certificate_url=None, certificate=other)
    with pytest.raises(EsiaError, match="Не удалось проверить подпись ответа Госуслуг"):
        await sign_in(stale, browser, "Петров Сергей Иванович")


def test_only_esias_gost_signature_passes() -> None:
    """Another algorithm (RS256, ``none``), a spoilt signature, a key not ESIA's: each named, none passes."""
    key = GostKey()
    certificate = certificate_key(key.certificate_pem("ESIA", datetime.now(UTC), datetime.now(UTC) + timedelta(days=1)))

    def token(header: dict, signer: GostKey = key) -> str:
        encoded = ".".join(jwt.utils.base64url_encode(json.dumps(p).encode()).decode() for p in (header, {"sub": "1"}))
        return f"{encoded}.{jwt.utils.base64url_encode(signer.sign(encoded.encode())).decode()}"

    esia = {"alg": "GOST3410_2012_256", "typ": "JWT", "sbt": "access", "ver": 1}
    good = token(esia)
    assert signature_problem(good, certificate) is None
    rs256 = token({**esia, "alg": "RS256"})
    assert signature_problem(rs256, certificate) == "signed with 'RS256', not GOST3410_2012_256"
    assert signature_problem(good.rsplit(".", 1)[0] + ".", certificate) is not None
    assert signature_problem(token({**esia, "alg": "none"}), certificate) is not None
    another_key = token(esia, GostKey())
    assert signature_problem(another_key, certificate) == "the signature is not by the key of ESIA's certificate"
    assert signature_problem("not a token", certificate) == "not a JWT"


async def test_tokens_of_another_issuer_are_refused(
    client_key_pem: bytes, back_channel: aiohttp.ClientSession, esia_url: str, browser: httpx.AsyncClient
) -> None:
    client = esia_client(client_key_pem, back_channel, esia_url, issuer="http://esia.gosuslugi.ru/")
    with pytest.raises(EsiaError):
        await sign_in(client, browser, "Петров Сергей Иванович")


async def test_an_unreachable_esia_is_reported_in_russian(client_key_pem: bytes) -> None:
    async with aiohttp.ClientSession() as http:
        client = esia_client(client_key_pem, http, "http://127.0.0.1:9")
        with pytest.raises(EsiaError, match="Госуслуги сейчас недоступны"):
            await client.exchange(code="x", state="y", code_verifier="z" * 43)


async def test_logout_ends_the_esia_session(client: EsiaClient, browser: httpx.AsyncClient) -> None:
    await sign_in(client, browser, "Сидорова Анна Викторовна")
    page = await browser.get(client.authorization_request().url)
    assert "Продолжить как Сидорова Анна Викторовна" in page.text
    response = await browser.get(client.logout_url("http://journal.test/auth/logged-out"))
    assert response.status_code == 302
    assert response.headers["location"] == "http://journal.test/auth/logged-out"
    page = await browser.get(client.authorization_request().url)
    assert "Продолжить как" not in page.text
