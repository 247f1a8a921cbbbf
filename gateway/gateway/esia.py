"""The gateway as an ESIA relying party: authorization code with a signed client_secret, state and PKCE.

Follows ESIA's «Методические рекомендации по использованию ЕСИА»: the v2 authorization
endpoint, the v3 token endpoint, JWT verification of the tokens (GOST R 34.10-2012, ``alg``
``GOST3410_2012_256``, with the key of ESIA's certificate), and the REST look-ups of the person
and their children. The ESIA sandbox in ``deploy/esia_sandbox`` speaks the same protocol.

The calls go through aiohttp, the gateway's one HTTP client (``gateway.upstream``): a call through httpx cost
0.6–0.9 ms of CPU here, through aiohttp 0.2–0.3; a login cost the gateway 24.9 ms of CPU, and 22.1 on aiohttp
(medians of three rounds of 100 logins, ``tests/perf/bench_gateway_cpu.py``; most of the rest is the two GOST
verifications).
"""

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

import aiohttp
import jwt

from chassis.signing import GostPublicKey, Signer, SigningError

log = logging.getLogger(__name__)

#: ESIA's ``timestamp`` format, e.g. ``2025.09.01 08:30:00 +0300``.
TIMESTAMP_FORMAT = "%Y.%m.%d %H:%M:%S %z"
DEFAULT_SCOPE = "openid fullname birthdate snils kid_fullname kid_birthdate kid_snils"
#: Clock difference tolerated between ESIA and us when checking ``exp``/``nbf``/``iat``.
CLOCK_LEEWAY_SECONDS = 30

UNAVAILABLE = "Госуслуги сейчас недоступны. Попробуйте войти позже."
REFUSED = "Госуслуги не подтвердили вход. Попробуйте войти ещё раз."
#: A token whose signature is not ESIA's: an impostor, a tampered answer, or ESIA's new certificate not set yet.
BAD_SIGNATURE = (
    "Не удалось проверить подпись ответа Госуслуг. Попробуйте войти ещё раз; если ошибка повторится, "
    "сообщите администратору журнала."
)
#: ESIA's token signature: GOST R 34.10-2012 with a 256-bit key over Streebog-256.
TOKEN_ALGORITHM = "GOST3410_2012_256"


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to keep in the session until ESIA sends it back."""

    url: str
    state: str
    code_verifier: str


@dataclass(frozen=True)
class EsiaPerson:
    oid: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date | None
    snils: str | None
    #: ESIA's «подтверждённая учётная запись»; only such an account is bound to a person here.
    trusted: bool = False


@dataclass(frozen=True)
class EsiaTokens:
    access_token: str
    id_token: str | None
    oid: str
    expires_in: int
    scope: str


class EsiaError(Exception):
    """Login through ESIA failed; the message is Russian, shown to the user."""


def certificate_key(certificate_pem: bytes) -> GostPublicKey:
    """The key of ESIA's certificate, as ESIA hands it to a relying party: it verifies every token."""
    try:
        return GostPublicKey.from_certificate(certificate_pem)
    except SigningError as error:
        raise ValueError(f"ESIA's certificate must carry the GOST R 34.10-2012 key of its tokens: {error}") from error


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signature_problem(token: str, key: GostPublicKey) -> str | None:
    """Why ``token`` is not signed by ``key`` as ESIA signs (GOST3410_2012_256), or None when it is."""
    signing_input, _, signature = token.rpartition(".")
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
        signature_bytes = _unb64url(signature)
    except (jwt.PyJWTError, binascii.Error, ValueError):
        return "not a JWT"
    if algorithm != TOKEN_ALGORITHM:
        return f"signed with {algorithm!r}, not {TOKEN_ALGORITHM}"
    if not key.verify(signing_input.encode(), signature_bytes):
        return "the signature is not by the key of ESIA's certificate"
    return None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _timestamp() -> str:
    return datetime.now().astimezone().strftime(TIMESTAMP_FORMAT)


class EsiaClient:
    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        redirect_uri: str,
        signer: Signer,
        issuer: str,
        certificate_url: str | None = None,
        certificate: GostPublicKey | None = None,
        scope: str = DEFAULT_SCOPE,
        http: aiohttp.ClientSession,
    ) -> None:
        """Tokens are verified with ESIA's ``certificate`` when given, else with the one at ``certificate_url`` (only
        the sandbox publishes it: a new one at each of its starts)."""
        if certificate is None and certificate_url is None:
            raise ValueError("ESIA's tokens need a certificate to be verified with")
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.signer = signer
        self.certificate_url = certificate_url
        self.scope = scope
        self.issuer = issuer
        self.certificate = certificate
        self._http = http
        self._fetched: GostPublicKey | None = None

    def authorization_request(self) -> AuthorizationRequest:
        """A fresh authorization request: UUID state, PKCE S256 and a signed client_secret (v2 endpoint)."""
        state = str(uuid4())
        code_verifier = secrets.token_urlsafe(64)
        timestamp = _timestamp()
        client_secret = self._client_secret(self.client_id + self.scope + timestamp + state + self.redirect_uri)
        params = {
            "client_id": self.client_id,
            "client_secret": client_secret,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "response_type": "code",
            "state": state,
            "timestamp": timestamp,
            "access_type": "online",
            "code_challenge": _b64url(hashlib.sha256(code_verifier.encode()).digest()),
            "code_challenge_method": "S256",
        }
        return AuthorizationRequest(
            url=f"{self.base_url}/aas/oauth2/v2/ac?{urlencode(params)}", state=state, code_verifier=code_verifier
        )

    async def exchange(self, *, code: str, state: str, code_verifier: str) -> EsiaTokens:
        """Code → tokens at the v3 endpoint; the tokens' signature, ``iss``, ``exp`` and ``client_id`` are verified.

        ``state`` is the one the caller already matched against the callback; ESIA echoes it back.
        """
        timestamp = _timestamp()
        # A certified signer may be an external command: it runs off the event loop.
        client_secret = await asyncio.to_thread(
            self._client_secret, self.client_id + self.scope + timestamp + state + self.redirect_uri + code
        )
        form = {
            "client_id": self.client_id,
            "code": code,
            "grant_type": "authorization_code",
            "client_secret": client_secret,
            "state": state,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "timestamp": timestamp,
            "token_type": "Bearer",
            "code_verifier": code_verifier,
        }
        body = await self._json("POST", f"{self.base_url}/aas/oauth2/v3/te", data=form)
        if body.get("state") != state or not isinstance(body.get("access_token"), str):
            raise EsiaError(REFUSED)
        access = await self._verified(body["access_token"])
        oid = access.get("urn:esia:sbj_id")
        if access.get("client_id") != self.client_id or not isinstance(oid, int):
            raise EsiaError(REFUSED)
        expires_in = body.get("expires_in")
        if not isinstance(expires_in, int):
            raise EsiaError(REFUSED)
        id_token = body.get("id_token")
        if id_token is not None:
            identity = await self._verified(id_token, audience=self.client_id)
            if str(identity.get("sub")) != str(oid):
                raise EsiaError(REFUSED)
        return EsiaTokens(
            access_token=body["access_token"],
            id_token=id_token,
            oid=str(oid),
            expires_in=expires_in,
            scope=str(access.get("scope", "")),
        )

    def _client_secret(self, message: str) -> str:
        try:
            return _b64url(self.signer.sign(message.encode()))
        except SigningError as error:
            raise EsiaError(UNAVAILABLE) from error

    async def person(self, tokens: EsiaTokens) -> EsiaPerson:
        data = await self._json("GET", f"{self.base_url}/rs/prns/{tokens.oid}", token=tokens.access_token)
        return _person(tokens.oid, data)

    async def kids(self, tokens: EsiaTokens) -> list[EsiaPerson]:
        data = await self._json(
            "GET",
            f"{self.base_url}/rs/prns/{tokens.oid}/kids",
            token=tokens.access_token,
            params={"embed": "(elements)"},
        )
        elements = data.get("elements")
        if not isinstance(elements, list):
            raise EsiaError(REFUSED)
        return [_person(str(kid.get("id", "")), kid) for kid in elements if isinstance(kid, dict)]

    def logout_url(self, redirect_url: str) -> str:
        """Where to send the browser so the ESIA session ends too; ESIA then returns it to ``redirect_url``."""
        query = urlencode({"client_id": self.client_id, "redirect_url": redirect_url})
        return f"{self.base_url}/idp/ext/Logout?{query}"

    async def _json(
        self,
        method: str,
        url: str,
        *,
        data: dict[str, str] | None = None,
        token: str | None = None,
        params: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        status, content = await self._fetch(method, url, data=data, params=params, headers=headers)
        if status >= 500:
            raise EsiaError(UNAVAILABLE)
        if status != 200:
            raise EsiaError(REFUSED)
        try:
            body = json.loads(content)
        except ValueError as error:
            raise EsiaError(REFUSED) from error
        if not isinstance(body, dict):
            raise EsiaError(REFUSED)
        return body

    async def _fetch(self, method: str, url: str, **options: Any) -> tuple[int, bytes]:
        """The status and body of ESIA's answer, redirects not followed; ESIA out of reach is ``UNAVAILABLE``."""
        try:
            async with self._http.request(method, url, allow_redirects=False, **options) as response:
                return response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise EsiaError(UNAVAILABLE) from error

    async def _verified(self, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """The claims of an ESIA token whose GOST signature, issuer and lifetime check out."""
        key = await self._token_key()
        # Pure-Python GOST takes a CPU's fraction of a second: off the event loop.
        problem = await asyncio.to_thread(signature_problem, token, key)
        if problem and self.certificate is None:
            # The sandbox made a new key since: its certificate is fetched again, once.
            problem = await asyncio.to_thread(signature_problem, token, await self._token_key(refresh=True))
        if problem:
            log.warning("ESIA token refused: %s", problem)
            raise EsiaError(BAD_SIGNATURE)
        try:
            return jwt.decode(
                token,
                # The signature is checked above; PyJWT checks the claims.
                options={
                    "verify_signature": False,
                    "verify_exp": True,
                    "verify_nbf": True,
                    "verify_iat": True,
                    "verify_iss": True,
                    "verify_aud": audience is not None,
                    "require": ["exp", "iss"],
                },
                issuer=self.issuer,
                audience=audience,
                leeway=CLOCK_LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as error:
            raise EsiaError(REFUSED) from error

    async def _token_key(self, *, refresh: bool = False) -> GostPublicKey:
        if self.certificate is not None:
            return self.certificate
        if self._fetched is None or refresh:
            assert self.certificate_url is not None
            _, content = await self._fetch("GET", self.certificate_url)
            try:
                self._fetched = certificate_key(content)
            except ValueError as error:
                raise EsiaError(UNAVAILABLE) from error
        return self._fetched


def _person(oid: str, data: dict[str, Any]) -> EsiaPerson:
    last_name, first_name = data.get("lastName"), data.get("firstName")
    if not oid or not isinstance(last_name, str) or not isinstance(first_name, str):
        raise EsiaError(REFUSED)
    birth = data.get("birthDate")
    try:
        birth_date = datetime.strptime(birth, "%d.%m.%Y").date() if isinstance(birth, str) else None
    except ValueError as error:
        raise EsiaError(REFUSED) from error
    return EsiaPerson(
        oid=oid,
        last_name=last_name,
        first_name=first_name,
        middle_name=data.get("middleName") or None,
        birth_date=birth_date,
        snils=data.get("snils") or None,
        trusted=data.get("trusted") is True,
    )
