"""For tests of the sandbox and of its clients: register a client in a clients file."""

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def register_client(
    directory: Path, client_id: str, redirect_uri_prefixes: list[str], public_key: ec.EllipticCurvePublicKey
) -> Path:
    """Writes the client's public key and a clients file registering it into ``directory``; the file's path."""
    public_key_path = directory / f"{client_id}.pub.pem"
    public_key_path.write_bytes(
        public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    clients_file = directory / "clients.json"
    clients_file.write_text(
        json.dumps(
            [
                {
                    "client_id": client_id,
                    "redirect_uri_prefixes": redirect_uri_prefixes,
                    "public_key_pem_path": str(public_key_path),
                }
            ]
        )
    )
    return clients_file
