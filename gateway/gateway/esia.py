"""The gateway as an ESIA relying party: authorization code with a signed client_secret, state and PKCE.

Follows ESIA's «Методические рекомендации по использованию ЕСИА»: the v2 authorization
endpoint, the v3 token endpoint, JWT verification of the tokens, and the REST look-ups
of the person and their children. The ESIA sandbox in ``deploy/esia_sandbox`` speaks
the same protocol.
"""

import asyncio
import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

import httpx
import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from chassis.signing import Signer, SigningError

#: ESIA's ``timestamp`` format, e.g. ``2025.09.01 08:30:00 +0300``.
TIMESTAMP_FORMAT = "%Y.%m.%d %H:%M:%S %z"
DEFAULT_SCOPE = "openid fullname birthdate snils kid_fullname kid_birthdate kid_snils"
#: Clock difference tolerated between ESIA and us when checking ``exp``/``nbf``/``iat``.
CLOCK_LEEWAY_SECONDS = 30

UNAVAILABLE = "Госуслуги сейчас недоступны. Попробуйте войти позже."
REFUSED = "Госуслуги не подтвердили вход. Попробуйте войти ещё раз."


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


def certificate_key(certificate_pem: bytes) -> rsa.RSAPublicKey:
    """The key of ESIA's certificate, as ESIA hands it to a relying party: it verifies every token."""
    key = x509.load_pem_x509_certificate(certificate_pem).public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("ESIA's certificate must carry the RSA key that signs its RS256 tokens")
    return key


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
        token_keys_url: str | None = None,
        certificate: rsa.RSAPublicKey | None = None,
        scope: str = DEFAULT_SCOPE,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        """Tokens are verified with ESIA's ``certificate`` when given, else with the keys at ``token_keys_url``."""
        if certificate is None and token_keys_url is None:
            raise ValueError("ESIA's tokens need a certificate or a key set to be verified with")
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.signer = signer
        self.token_keys_url = token_keys_url
        self.scope = scope
        self.issuer = issuer
        self.certificate = certificate
        self._http = http or httpx.AsyncClient(timeout=10)
        self._keys: dict[str, jwt.PyJWK] = {}

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
        try:
            response = await self._http.request(method, url, data=data, params=params, headers=headers)
        except httpx.HTTPError as error:
            raise EsiaError(UNAVAILABLE) from error
        if response.status_code >= 500:
            raise EsiaError(UNAVAILABLE)
        if response.status_code != 200:
            raise EsiaError(REFUSED)
        try:
            body = response.json()
        except ValueError as error:
            raise EsiaError(REFUSED) from error
        if not isinstance(body, dict):
            raise EsiaError(REFUSED)
        return body

    async def _verified(self, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """The claims of an ESIA token whose RS256 signature, issuer and lifetime check out."""
        try:
            key = self.certificate or await self._key_for(jwt.get_unverified_header(token).get("kid"))
            return jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                audience=audience,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iss"], "verify_aud": audience is not None},
            )
        except jwt.PyJWTError as error:
            raise EsiaError(REFUSED) from error

    async def _key_for(self, kid: str | None) -> jwt.PyJWK:
        """ESIA's token key with this ``kid``; the key set is fetched again only for a key not seen yet."""
        if kid is None:
            raise EsiaError(REFUSED)
        if kid not in self._keys and self.token_keys_url is not None:
            jwks = await self._json("GET", self.token_keys_url)
            self._keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(jwks).keys if key.key_id}
        if kid not in self._keys:
            raise EsiaError(REFUSED)
        return self._keys[kid]


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
