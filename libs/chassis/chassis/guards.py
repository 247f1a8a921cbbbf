"""What a request meets before any route: the operational endpoints' allow-list and the body size limit.

Operational endpoints (/metrics, /readyz, /docs, /openapi.json) are for the platform's own network only.

Prometheus and the orchestrator reach a service directly, from an allow-listed network;
people come through the public reverse proxy, which adds ``X-Forwarded-For``. A request
from outside the allow-list, or one that passed through a proxy, gets a plain 404: the
endpoints do not exist for it.

A body declared larger than the limit is refused at once (413); a body streamed without a
length is read first, up to the limit, and refused the same way once it passes it.
"""

from ipaddress import ip_address, ip_network

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.problems import problem

OPERATIONAL_PATHS = frozenset({"/metrics", "/readyz", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})
PROXY_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


def from_platform(client_host: str | None, headers: list[tuple[bytes, bytes]], networks: tuple[str, ...]) -> bool:
    if client_host is None or any(name in PROXY_HEADERS for name, _ in headers):
        return False
    try:
        address = ip_address(client_host)
    except ValueError:
        return False
    return any(address in ip_network(network, strict=False) for network in networks)


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return None


def _too_large(path: str, limit: int) -> Response:
    detail = f"Тело запроса больше {limit // 1024} КБ; отправьте меньше данных."
    return problem(413, "Слишком большой запрос", detail, "too-large", path)


class RequestGuard:
    def __init__(self, app: ASGIApp, networks: tuple[str, ...], max_body_bytes: int) -> None:
        self.app = app
        self.networks = networks
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope.get("headers", [])
            client = scope.get("client")
            refused = None
            if scope["path"].rstrip("/") in OPERATIONAL_PATHS and not from_platform(
                client[0] if client else None, headers, self.networks
            ):
                refused = problem(404, "Не найдено", "Такого адреса нет.", "not-found", scope["path"])
            elif (declared_length(headers) or 0) > self.max_body_bytes:
                refused = _too_large(scope["path"], self.max_body_bytes)
            if refused is None and declared_length(headers) is None:
                receive, refused = await self._read_whole(receive, scope["path"])
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _read_whole(self, receive: Receive, path: str) -> tuple[Receive, Response | None]:
        """A body of unknown length, read up to the limit; replayed to the app, or refused past it."""
        messages: list[Message] = []
        received = 0
        while True:
            message = await receive()
            messages.append(message)
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                return receive, _too_large(path, self.max_body_bytes)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        return replay, None
