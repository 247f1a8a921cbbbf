"""The gateway's signing key for internal tokens: kept in a file, made once, published as JWKS."""

import contextlib
import hashlib
import os
import tempfile
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from chassis.auth import TokenSigner, TokenVerifier
from gateway.settings import GatewaySettings


def key_id(pem: bytes) -> str:
    """A stable ``kid`` (hash of the public key): the same in every process and after a restart."""
    key = serialization.load_pem_private_key(pem, password=None)
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]


def _write_new_key(path: Path) -> None:
    """Write a fresh key readable by its owner only; if another process wrote one first, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = TokenSigner.generate(issuer="", audience="").pem()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def load_or_create_signer(path: Path, *, issuer: str, audience: str) -> TokenSigner:
    if not path.exists():
        _write_new_key(path)
    pem = path.read_bytes()
    return TokenSigner.from_pem(pem, issuer=issuer, audience=audience, kid=key_id(pem))


class InternalTokens:
    """The signer, loaded on first use so that importing the app writes no file."""

    def __init__(self, settings: GatewaySettings) -> None:
        self._settings = settings

    @cached_property
    def signer(self) -> TokenSigner:
        return load_or_create_signer(
            self._settings.signing_key_path, issuer=self._settings.token_issuer, audience=self._settings.token_audience
        )

    @cached_property
    def form_key(self) -> bytes:
        """Signs the login form's CSRF nonce; derived from the signing key, so every gateway process agrees."""
        return hashlib.sha256(b"journal login form\x00" + self.signer.pem()).digest()

    def verifier(self) -> TokenVerifier:
        """Verifies tokens against our own key, with no HTTP to ourselves."""

        async def own_jwks() -> dict:
            return self.signer.jwks()

        return TokenVerifier(own_jwks, issuer=self._settings.token_issuer, audience=self._settings.token_audience)
