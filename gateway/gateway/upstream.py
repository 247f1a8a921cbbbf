"""Calls to the services behind the gateway, each with a fresh internal token, and the access log (R-5)."""

from collections.abc import Mapping
from uuid import UUID

import httpx
from opentelemetry.propagate import inject

from chassis.auth import Caller
from chassis.db import Database
from chassis.problems import DomainError
from chassis.tenancy import SYSTEM
from gateway.keys import InternalTokens
from gateway.models import AccessLogEntry
from gateway.settings import GatewaySettings

#: How the services are called in messages a user reads.
SERVICE_TITLES = {
    "roster": "Контингент",
    "gradebook": "Журнал",
    "attendance": "Посещаемость",
    "notifications": "Уведомления",
    "reporting": "Дневник и отчёты",
}
#: Request headers passed on to a service; the rest (cookies above all) stay at the gateway.
FORWARDED_HEADERS = ("content-type", "accept", "idempotency-key", "x-request-id")
INTERNAL_TOKEN_TTL_SECONDS = 300


class ServiceUnavailable(DomainError):
    status = 503
    title = "Сервис временно недоступен"
    slug = "unavailable"


class Upstreams:
    """One shared HTTP client for all services (or, in tests, a client per service bound to its app)."""

    def __init__(
        self,
        settings: GatewaySettings,
        tokens: InternalTokens,
        clients: Mapping[str, httpx.AsyncClient] | None = None,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self._clients = dict(clients or {})
        self._shared: httpx.AsyncClient | None = None

    async def __aenter__(self) -> "Upstreams":
        timeout = httpx.Timeout(self.settings.upstream_timeout, connect=3.0)
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
        self._shared = httpx.AsyncClient(timeout=timeout, limits=limits)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._shared is not None:
            await self._shared.aclose()
            self._shared = None

    def _client(self, service: str) -> httpx.AsyncClient:
        client = self._clients.get(service) or self._shared
        if client is None:
            raise ServiceUnavailable("Шлюз ещё не готов к работе. Повторите попытку через минуту.")
        return client

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        caller: Caller | None,
        *,
        query: str = "",
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send a request to ``service`` as ``caller`` (None: a public route, no token); a service that cannot be
        reached is a 503 problem."""
        outgoing = {name: value for name, value in (headers or {}).items() if name.lower() in FORWARDED_HEADERS}
        if caller is not None:
            outgoing["authorization"] = f"Bearer {self.tokens.signer.issue(caller, INTERNAL_TOKEN_TTL_SECONDS)}"
        inject(outgoing)
        url = f"{self.settings.service_url(service)}{path}" + (f"?{query}" if query else "")
        try:
            return await self._client(service).request(method, url, content=body, headers=outgoing)
        except httpx.TransportError as exc:
            raise ServiceUnavailable(
                f"Сервис «{SERVICE_TITLES[service]}» временно недоступен. Повторите попытку через минуту."
            ) from exc


async def record_access(db: Database, person_id: UUID, method: str, path: str, status: int) -> None:
    """R-5: every read and change of data through the gateway is auditable."""
    async with db.transaction(SYSTEM) as session:
        # PostgreSQL text cannot hold a NUL byte; the path is written as the client encoded it.
        stored = path.replace("\x00", "%00")[:2000]
        session.add(AccessLogEntry(person_id=person_id, method=method, path=stored, status=status))
