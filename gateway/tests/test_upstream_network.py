"""The gateway's calls to a service over the network (aiohttp): what the service receives, what comes back.

The API tests bind the services in-process; this one puts a real socket in between, with a server that
records the request exactly as it arrived on the wire.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from chassis.auth import Caller
from gateway.keys import InternalTokens
from gateway.settings import GatewaySettings
from gateway.upstream import ServiceUnavailable, Upstreams

#: Chunked, as a streamed answer (a report's file) comes.
ANSWER = (
    b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nlocation: /marks/7\r\nset-cookie: service=1\r\n"
    b'transfer-encoding: chunked\r\n\r\n7\r\n{"id": \r\n4\r\n"7"}\r\n0\r\n\r\n'
)


@pytest.fixture
async def service() -> AsyncIterator[tuple[int, list[bytes]]]:
    """A port and the raw requests received on it, each answered with ``ANSWER`` on a kept-alive connection."""
    received: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.lower().split(b"\r\n")
                        if line.startswith(b"content-length")
                    ),
                    0,
                )
                received.append(head + await reader.readexactly(length))
                writer.write(ANSWER)
        except asyncio.IncompleteReadError:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1], received


def upstreams(tmp_path: Path, port: int) -> Upstreams:
    settings = GatewaySettings(gradebook_url=f"http://127.0.0.1:{port}", signing_key_path=tmp_path / "signing-key.pem")
    return Upstreams(settings, InternalTokens(settings))


async def test_a_request_reaches_the_service_as_checked_and_its_answer_comes_back(
    tmp_path: Path, service: tuple[int, list[bytes]]
) -> None:
    port, received = service
    caller = Caller(person_id=uuid4(), name="Учитель")
    headers = {"content-type": "application/json", "cookie": "session=secret", "x-request-id": "r-1"}
    async with upstreams(tmp_path, port) as calls:
        answers = [
            await calls.send(
                "gradebook", "POST", "/schools/1/a%2Fb%20c", caller, query="x=1%262", body=b'{"v": 5}', headers=headers
            )
            for _ in range(2)
        ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == {"id": "7"} and answers[0].headers["location"] == "/marks/7"
    first = received[0].decode()
    assert first.startswith("POST /schools/1/a%2Fb%20c?x=1%262 HTTP/1.1\r\n"), "forwarded exactly as encoded"
    lowered = first.lower()
    assert f"authorization: bearer {calls.token_for(caller).lower()}" in lowered
    assert "x-request-id: r-1" in lowered and "content-type: application/json" in lowered
    assert "cookie" not in lowered, "the browser's session cookie stays at the gateway, the service's is not kept"
    assert "user-agent" not in lowered and "accept-encoding" not in lowered
    assert first.endswith('\r\n\r\n{"v": 5}')
    assert "cookie" not in received[1].decode().lower()


async def test_a_service_that_does_not_answer_is_a_503_in_russian(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    async with upstreams(tmp_path, closed_port) as calls:
        with pytest.raises(ServiceUnavailable, match="Сервис «Журнал» временно недоступен"):
            await calls.send("gradebook", "GET", "/schools/1/lessons", Caller(person_id=uuid4(), name="Учитель"))
