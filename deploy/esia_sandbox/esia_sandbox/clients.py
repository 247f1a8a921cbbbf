"""Information systems (clients) registered with the sandbox, read from the clients file."""

import binascii
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from esia_sandbox.protocol import b64url_decode


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    redirect_uri_prefixes: tuple[str, ...]
    #: Real ESIA holds the client's GOST certificate; the sandbox takes a P-256 public key.
    public_key: ec.EllipticCurvePublicKey

    def allows_redirect(self, uri: str) -> bool:
        return any(uri.startswith(prefix) for prefix in self.redirect_uri_prefixes)

    def signed(self, message: bytes, client_secret: str) -> bool:
        """``client_secret`` is this client's detached ECDSA P-256/SHA-256 signature of ``message``."""
        try:
            self.public_key.verify(b64url_decode(client_secret), message, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError, binascii.Error):
            return False
        return True


def find_client(clients_file: Path, client_id: str) -> RegisteredClient | None:
    """The registration of ``client_id``; the file is read each time, so registrations apply without a restart."""
    for entry in json.loads(clients_file.read_text()):
        if entry["client_id"] != client_id:
            continue
        key = serialization.load_pem_public_key(Path(entry["public_key_pem_path"]).read_bytes())
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise ValueError(f"client {client_id}: the sandbox takes EC P-256 public keys only")
        return RegisteredClient(client_id, tuple(entry["redirect_uri_prefixes"]), key)
    return None
