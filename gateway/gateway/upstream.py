"""Calls to the services behind the gateway with the caller's internal token, and the access log (R-5)."""

import time
from collections.abc import Mapping
from uuid import UUID

import httpx
from opentelemetry.propagate import inject

from chassis.auth import Caller
from chassis.problems import DomainError
from gateway.access_log import AccessLog
from gateway.keys import InternalTokens
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
#: A token is reused for the same caller (same roles) until this little of its life is left.
TOKEN_REISSUE_BEFORE_SECONDS = 60
#: Shorter than the services' keep-alive timeout (uvicorn: 5 s), so the gateway never reuses a
#: connection the service is closing at that moment.
KEEPALIVE_EXPIRY_SECONDS = 4.0
#: A bound on the tokens kept; past it they are issued afresh.
MAX_TOKENS = 100_000


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
        #: Caller → (token, when to issue a new one): a role change is another caller, another token.
        self._tokens: dict[Caller, tuple[str, float]] = {}

    async def __aenter__(self) -> "Upstreams":
        timeout = httpx.Timeout(self.settings.upstream_timeout, connect=3.0)
        limits = httpx.Limits(
            max_connections=200, max_keepalive_connections=100, keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS
        )
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

    def token_for(self, caller: Caller) -> str:
        """The caller's internal token, signed once and reused while it has more than a minute to live."""
        now = time.monotonic()
        kept = self._tokens.get(caller)
        if kept is not None and now < kept[1]:
            return kept[0]
        if len(self._tokens) >= MAX_TOKENS:
            self._tokens.clear()
        token = self.tokens.signer.issue(caller, INTERNAL_TOKEN_TTL_SECONDS)
        self._tokens[caller] = (token, now + INTERNAL_TOKEN_TTL_SECONDS - TOKEN_REISSUE_BEFORE_SECONDS)
        return token

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
            outgoing["authorization"] = f"Bearer {self.token_for(caller)}"
        inject(outgoing)
        url = f"{self.settings.service_url(service)}{path}" + (f"?{query}" if query else "")
        try:
            return await self._client(service).request(method, url, content=body, headers=outgoing)
        except httpx.TransportError as exc:
            raise ServiceUnavailable(
                f"Сервис «{SERVICE_TITLES[service]}» временно недоступен. Повторите попытку через минуту."
            ) from exc


async def record_access(access_log: AccessLog, person_id: UUID, method: str, path: str, status: int) -> None:
    """R-5: every read and change of data through the gateway is auditable; committed before the answer."""
    await access_log.record(person_id, method, path, status)
