"""The service's own keys, made once into ``keys_dir`` and kept: DKIM (RSA), VAPID (P-256), the link secret."""

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


@dataclass(frozen=True)
class DeliveryKeys:
    dkim_private_pem: bytes
    vapid_private_pem: bytes
    link_secret: bytes

    def dkim_dns_record(self) -> str:
        """The TXT record that publishes the DKIM public key."""
        key = serialization.load_pem_private_key(self.dkim_private_pem, None)
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode()}"


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_or_make(path: Path, make: Callable[[], bytes]) -> bytes:
    if not path.exists():
        path.write_bytes(make())
        path.chmod(0o600)
    return path.read_bytes()


def load_keys(keys_dir: Path) -> DeliveryKeys:
    keys_dir.mkdir(parents=True, exist_ok=True)
    keys = DeliveryKeys(
        dkim_private_pem=_load_or_make(
            keys_dir / "dkim.pem", lambda: _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        ),
        vapid_private_pem=_load_or_make(keys_dir / "vapid.pem", lambda: _pem(ec.generate_private_key(ec.SECP256R1()))),
        link_secret=_load_or_make(keys_dir / "link-secret", lambda: os.urandom(32)),
    )
    (keys_dir / "dkim.txt").write_text(keys.dkim_dns_record() + "\n")
    return keys
