"""The sandbox's token signing key, the tokens it issues and their verification at the REST endpoints."""

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ALGORITHM = "RS256"


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    id_token: str
    expires_in: int


class TokenIssuer:
    def __init__(self, key: rsa.RSAPrivateKey, *, issuer: str, lifetime_seconds: int) -> None:
        self.key = key
        self.issuer = issuer
        self.lifetime_seconds = lifetime_seconds
        public_der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.kid = jwt.utils.base64url_encode(hashlib.sha256(public_der).digest()[:16]).decode()

    @classmethod
    def from_settings(cls, key_path: Path | None, *, issuer: str, lifetime_seconds: int) -> "TokenIssuer":
        if key_path is None:
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise ValueError("ESIA sandbox: the signing key must be an RSA private key")
            key = loaded
        return cls(key, issuer=issuer, lifetime_seconds=lifetime_seconds)

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}]}

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
        headers = {"kid": self.kid}
        return IssuedTokens(
            access_token=jwt.encode(access, self.key, algorithm=ALGORITHM, headers=headers),
            id_token=jwt.encode(identity, self.key, algorithm=ALGORITHM, headers=headers),
            expires_in=self.lifetime_seconds,
        )

    def verify_access(self, token: str) -> dict[str, Any]:
        """The claims of an access token this sandbox issued; ``jwt.InvalidTokenError`` otherwise."""
        return jwt.decode(
            token,
            self.key.public_key(),
            algorithms=[ALGORITHM],
            issuer=self.issuer,
            options={"require": ["exp", "iss", "urn:esia:sbj_id", "scope"], "verify_aud": False},
        )
