"""For tests of the sandbox and of its clients: register a client in a clients file, serve the sandbox on a socket."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.types import ASGIApp


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


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """``app`` (the sandbox, or something in front of it) on a free port of 127.0.0.1 until the block ends; its base
    URL. The gateway calls ESIA over the network (aiohttp), so its tests put a real socket in between."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
