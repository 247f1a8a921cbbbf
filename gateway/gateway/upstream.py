"""Calls to the services behind the gateway with the caller's internal token, and the access log (R-5)."""

import time
from collections.abc import Mapping
from uuid import UUID

import aiohttp
import httpx
from opentelemetry.propagate import inject
from yarl import URL

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
#: Headers aiohttp would add of its own: a service gets what the gateway chose to forward, and answers uncompressed
#: (on loopback, compressing costs both sides CPU for nothing).
NOT_ADDED = frozenset({"User-Agent", "Accept-Encoding", "Content-Type"})


class ServiceUnavailable(DomainError):
    status = 503
    title = "Сервис временно недоступен"
    slug = "unavailable"


class Upstreams:
    """The services over HTTP/1.1 keep-alive with aiohttp (or, in tests, an httpx client per service bound to its app).

    aiohttp, not httpx, on the network: a call through httpx's client and httpcore's pool cost the gateway
    1.5 ms of CPU, aiohttp's 0.15–0.2 ms (``tests/perf/bench_gateway_parts.py``), the largest part of a proxied
    request. Answers are handed on as ``httpx.Response`` either way, so callers see one type.
    """

    def __init__(
        self,
        settings: GatewaySettings,
        tokens: InternalTokens,
        clients: Mapping[str, httpx.AsyncClient] | None = None,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self._clients = dict(clients or {})
        self._network: aiohttp.ClientSession | None = None
        #: Caller → (token, when to issue a new one): a role change is another caller, another token.
        self._tokens: dict[Caller, tuple[str, float]] = {}

    async def __aenter__(self) -> "Upstreams":
        self._network = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=KEEPALIVE_EXPIRY_SECONDS),
            timeout=aiohttp.ClientTimeout(total=self.settings.upstream_timeout, connect=3.0),
            # A service's cookie is never kept for the next caller.
            cookie_jar=aiohttp.DummyCookieJar(),
            # The body stays as the service encoded it, as its headers say: ``httpx.Response`` decodes it by them.
            auto_decompress=False,
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._network is not None:
            await self._network.close()
            self._network = None

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
            client = self._clients.get(service)
            if client is not None:
                return await client.request(method, url, content=body, headers=outgoing)
            return await self._over_network(method, url, body, outgoing)
        except (httpx.TransportError, aiohttp.ClientError, TimeoutError) as exc:
            raise ServiceUnavailable(
                f"Сервис «{SERVICE_TITLES[service]}» временно недоступен. Повторите попытку через минуту."
            ) from exc

    async def _over_network(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        if self._network is None:
            raise ServiceUnavailable("Шлюз ещё не готов к работе. Повторите попытку через минуту.")
        # encoded=True: the path goes on exactly as ``gateway.domain.paths`` checked it, not re-quoted by yarl.
        async with self._network.request(
            method,
            URL(url, encoded=True),
            data=body or None,
            headers=headers,
            skip_auto_headers=NOT_ADDED,
            allow_redirects=False,
        ) as answer:
            content = await answer.read()
        return httpx.Response(answer.status, headers=answer.raw_headers, content=content)


async def record_access(access_log: AccessLog, person_id: UUID, method: str, path: str, status: int) -> None:
    """R-5: every read and change of data through the gateway is auditable; committed before the answer."""
    await access_log.record(person_id, method, path, status)
