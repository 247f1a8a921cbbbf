"""The sandbox's token signing key and its certificate, the tokens it issues and their check at the REST endpoints.

Tokens are JWTs signed as real ESIA signs them: ``alg`` ``GOST3410_2012_256`` (``esia_sandbox.gost``).
"""

import base64
import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from esia_sandbox.gost import GostKey

ALGORITHM = "GOST3410_2012_256"
#: What the certificate names, and how long it is valid from the sandbox's start.
CERTIFICATE_NAME = "ESIA sandbox"
CERTIFICATE_DAYS = 365


class InvalidToken(Exception):
    """Not a token this sandbox issued, or no longer valid."""


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    id_token: str
    expires_in: int


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    def __init__(self, *, issuer: str, lifetime_seconds: int) -> None:
        """A new key at every start; relying parties take its certificate from ``GET /sandbox/esia.pem``."""
        self.key = GostKey()
        self.issuer = issuer
        self.lifetime_seconds = lifetime_seconds
        #: Access token → its claims, until it expires.
        self._issued: dict[str, dict[str, Any]] = {}
        # The sandbox's routes are sync: FastAPI runs them in threads, so logins at once share the dict.
        self._issued_lock = threading.Lock()
        now = datetime.now(UTC)
        self.certificate_pem = self.key.certificate_pem(
            CERTIFICATE_NAME, now - timedelta(minutes=5), now + timedelta(days=CERTIFICATE_DAYS)
        )

    def _signed(self, claims: dict[str, Any], kind: str) -> str:
        # ESIA's header: the algorithm, the token's kind (``sbt``) and the format's version.
        header = {"alg": ALGORITHM, "typ": "JWT", "sbt": kind, "ver": 1}
        signing_input = ".".join(_b64url(json.dumps(part).encode()) for part in (header, claims))
        return f"{signing_input}.{_b64url(self.key.sign(signing_input.encode()))}"

    def issue(self, *, oid: int, client_id: str, scope: str) -> IssuedTokens:
        """An access token and an id_token with the claims ESIA puts in them."""
        now = int(time.time())
        common = {
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime_seconds,
            "urn:esia:sid": str(uuid4()),
        }
        access = {**common, "urn:esia:sbj_id": oid, "client_id": client_id, "scope": scope}
        identity = {
            **common,
            "sub": str(oid),
            "aud": client_id,
            "urn:esia:sbj_id": oid,
            "client_id": client_id,
            "scope": scope,
            "amr": "PWD",
            "auth_time": now,
        }
        access_token = self._signed(access, "access")
        with self._issued_lock:
            # Every token lives as long, so the expired ones are the oldest: dropped from the front, not a copy.
            while self._issued and next(iter(self._issued.values()))["exp"] <= now:
                del self._issued[next(iter(self._issued))]
            self._issued[access_token] = access
        return IssuedTokens(
            access_token=access_token, id_token=self._signed(identity, "id"), expires_in=self.lifetime_seconds
        )

    def verify_access(self, token: str) -> dict[str, Any]:
        """The claims of an access token this sandbox issued and that has not expired; ``InvalidToken`` otherwise.

        The sandbox keeps the tokens it issued: a look-up, not a GOST verification (a CPU's 60 ms) per REST call.
        """
        claims = self._issued.get(token)
        if claims is None or claims["exp"] <= time.time():
            raise InvalidToken("not a token of this sandbox, or expired")
        return claims
