"""The request id: taken from the caller or made, bound to every log line of the request, returned on the answer."""

import httpx
import structlog
from starlette.types import Receive, Scope, Send

from chassis.app import RequestIdMiddleware


async def echo_bound_request_id(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that answers with the request id its log lines would carry."""
    bound = structlog.contextvars.get_contextvars().get("request_id", "")
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": bound.encode()})


async def get(headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=RequestIdMiddleware(echo_bound_request_id))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/", headers=headers)


async def test_the_callers_request_id_is_bound_for_the_request_and_returned() -> None:
    answer = await get({"X-Request-Id": "trace-me-42"})
    assert answer.text == "trace-me-42"
    assert answer.headers["x-request-id"] == "trace-me-42"
    assert "request_id" not in structlog.contextvars.get_contextvars(), "unbound after the request"


async def test_a_request_without_one_gets_a_new_id_each_time() -> None:
    first, second = await get({}), await get({})
    assert len(first.text) == 32 and first.headers["x-request-id"] == first.text
    assert second.text != first.text
