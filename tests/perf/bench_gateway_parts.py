"""The CPU of the gateway's two per-request layers, without the broker or a database: run it with each
checkout's interpreter (``.venv/bin/python tests/perf/bench_gateway_parts.py``) and compare.

- **middleware**: a chassis app (``create_app``: request id, metrics, guard, idempotency, telemetry) with the
  gateway's security headers, one GET route answering a small JSON; requests go straight into the ASGI app (no
  sockets, no lifespan: the middleware stack and routing only);
- **upstream call**: the gateway's ``Upstreams.send`` (internal token, headers, the HTTP client) calling a trivial
  HTTP/1.1 server in another process over keep-alive, 16 at a time: what the gateway spends per proxied request
  on it.

CPU is ``time.process_time`` of this process per request; nothing here waits on a neighbour's work.
"""

import argparse
import asyncio
import socket
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

from fastapi import APIRouter

from chassis.app import create_app
from chassis.auth import Caller
from chassis.settings import ServiceSettings
from gateway.keys import InternalTokens
from gateway.settings import GatewaySettings
from gateway.upstream import ServiceUnavailable, Upstreams

SERVER = """
import asyncio, sys
BODY = b'{"ok":true}'
HEAD = b"HTTP/1.1 200 OK\\r\\ncontent-type: application/json\\r\\ncontent-length: %d\\r\\n\\r\\n"
ANSWER = HEAD % len(BODY) + BODY
async def serve(reader, writer):
    while True:
        try:
            head = await reader.readuntil(b"\\r\\n\\r\\n")
        except asyncio.IncompleteReadError:
            return
        lines = head.lower().split(b"\\r\\n")
        length = next((int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length")), 0)
        if length:
            await reader.readexactly(length)
        writer.write(ANSWER)
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
"""


async def middleware_ms(requests: int) -> float:
    router = APIRouter()

    @router.get("/api/v1/things/{thing}")
    async def thing(thing: str) -> dict:
        return {"thing": thing}

    app = create_app(ServiceSettings(service_name="bench"), title="bench", routers=[router])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/things/1",
        "raw_path": b"/api/v1/things/1",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"gateway"), (b"cookie", b"session=x"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message

    for _ in range(200):
        await app(dict(scope), receive, send)
    started = time.process_time()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    return 1000 * (time.process_time() - started) / requests


async def upstream_ms(requests: int) -> float:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await asyncio.create_subprocess_exec(sys.executable, "-c", SERVER, str(port))
    with tempfile.TemporaryDirectory() as keys:
        settings = GatewaySettings(gradebook_url=f"http://127.0.0.1:{port}", signing_key_path=Path(keys) / "key.pem")
        caller = Caller(person_id=uuid4(), name="Учитель")
        try:
            async with Upstreams(settings, InternalTokens(settings)) as upstreams:
                path = "/schools/1/lessons/2/marks"
                for _ in range(100):
                    try:
                        await upstreams.send("gradebook", "GET", path, caller)
                        break
                    except ServiceUnavailable:
                        await asyncio.sleep(0.05)
                gate = asyncio.Semaphore(16)
                headers = {"content-type": "application/json", "cookie": "session=x", "x-request-id": "r"}

                async def one() -> None:
                    async with gate:
                        answer = await upstreams.send(
                            "gradebook", "POST", path, caller, body=b'{"value":"5"}', headers=headers
                        )
                        assert answer.status_code == 200

                await asyncio.gather(*(one() for _ in range(200)))
                started = time.process_time()
                await asyncio.gather(*(one() for _ in range(requests)))
                return 1000 * (time.process_time() - started) / requests
        finally:
            server.terminate()
            await server.wait()


async def main(requests: int, rounds: int) -> None:
    for _ in range(rounds):
        print(
            f"middleware {await middleware_ms(requests):.3f} ms/request, "
            f"upstream call {await upstream_ms(requests):.3f} ms/request",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.rounds))
