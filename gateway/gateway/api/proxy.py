"""``/api/v1/<service>/<path>``: the session turns into an internal token; the service answers.

One route is public: the unsubscribe links of e-mails (R-51, RFC 8058) are opened from a mail client,
and mail.ru and Yandex POST them themselves, with no session and no CSRF token. Their authority is the
link's HMAC signature, checked by notifications; the gateway passes exactly that route, with no token.

The services' routes go through ``ProxyRoute``, a plain ASGI route in front of the app's own (``install``):
FastAPI's route for them matched the path after every other route, solved the session as a dependency and wrapped
the call in its handlers, a fifth of the gateway's CPU per proxied mark (py-spy under ``wrk``). The session's checks,
the problems and the access log are the same; FastAPI's route stays for the API's description and answers a
service that does not exist.
"""

import re

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from chassis.problems import NotFound
from gateway.deps import SignedIn, SignedInDep, signed_in
from gateway.domain.paths import canonical_path
from gateway.settings import SERVICES
from gateway.upstream import Upstreams, record_access

router = APIRouter(prefix="/api/v1", tags=["proxy"])
#: Response headers a client may need besides the body's type (a download's file name among them).
RETURNED_HEADERS = ("idempotent-replayed", "location", "content-disposition")


def upstream_path(request: Request, service: str) -> str | None:
    """The service's path, canonical (``gateway.domain.paths``), from the path as the client encoded it."""
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    prefix = f"/api/v1/{service}/"
    return canonical_path(raw[len(prefix) - 1 :]) if raw.startswith(prefix) else None


def request_id() -> str | None:
    """The id the chassis gave this request, so one request is traced through every service's log."""
    return structlog.contextvars.get_contextvars().get("request_id")


#: The methods the services' routes are called with.
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
#: The path of ``unsubscribe``'s routes (GET and POST), which answer before the proxy's.
UNSUBSCRIBE_PATH = re.compile(r"/api/v1/notifications/unsubscribe/[^/]+")

#: An unsubscribe token as notifications signs it: base64url payload "." base64url MAC — nothing that could
#: make the forwarded path reach another route.
UNSUBSCRIBE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{1,100}")


# One route per method: a route of several methods gives them one OpenAPI operation id.
@router.get("/notifications/unsubscribe/{token}", operation_id="unsubscribe_link")
@router.post("/notifications/unsubscribe/{token}", operation_id="unsubscribe_confirm")
async def unsubscribe(token: str, request: Request) -> Response:
    """The e-mail's unsubscribe link, without a session (``notifications.api.unsubscribe``)."""
    if not UNSUBSCRIBE_TOKEN.fullmatch(token):
        raise NotFound("Ссылка для отписки недействительна.")
    answer = await request.app.state.upstreams.send(
        "notifications",
        request.method,
        f"/unsubscribe/{token}",
        None,
        body=await request.body(),
        headers=dict(request.headers),
    )
    passed = {"content-type": answer.headers["content-type"]} if "content-type" in answer.headers else {}
    return Response(content=answer.content, status_code=answer.status_code, headers=passed)


@router.get("/{service}/{path:path}", operation_id="proxy_get")
@router.post("/{service}/{path:path}", operation_id="proxy_post")
@router.put("/{service}/{path:path}", operation_id="proxy_put")
@router.patch("/{service}/{path:path}", operation_id="proxy_patch")
@router.delete("/{service}/{path:path}", operation_id="proxy_delete")
async def proxy(service: str, path: str, request: Request, current: SignedInDep) -> Response:
    """A service's route (``service`` one of roster, gradebook, attendance, notifications, reporting) as the caller.

    Those go through ``ProxyRoute``; what reaches this route names no service: 404, in the access log."""
    audited_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    await record_access(request.app.state.access_log, current.caller.person_id, request.method, audited_path, 404)
    raise NotFound(f"Адреса «{request.url.path}» в API нет.")


async def forward(request: Request, service: str, current: SignedIn) -> Response:
    """The request to ``service`` as ``current``'s caller, and its answer back; written to the access log (R-5)."""
    audited_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    forwarded = upstream_path(request, service)
    if forwarded is None:
        await record_access(request.app.state.access_log, current.caller.person_id, request.method, audited_path, 404)
        raise NotFound(f"Адреса «{request.url.path}» в API нет.")
    upstreams: Upstreams = request.app.state.upstreams
    headers = dict(request.headers)
    if "x-request-id" not in headers and (rid := request_id()):
        headers["x-request-id"] = rid
    status = 503
    try:
        answer = await upstreams.send(
            service,
            request.method,
            forwarded,
            current.caller,
            query=request.url.query,
            body=await request.body(),
            headers=headers,
        )
        status = answer.status_code
    finally:
        await record_access(
            request.app.state.access_log, current.caller.person_id, request.method, audited_path, status
        )
    passed = {name: answer.headers[name] for name in RETURNED_HEADERS if name in answer.headers}
    if "content-type" in answer.headers:
        passed["content-type"] = answer.headers["content-type"]
    return Response(content=answer.content, status_code=answer.status_code, headers=passed)


class ProxyRoute(BaseRoute):
    """``/api/v1/<service>/<path>`` of the services in ``SERVICES``, as plain ASGI: the session checked as
    ``SignedInDep`` checks it (401, the password change's 403, CSRF), its problems answered by the app's handlers."""

    #: As FastAPI's route has it: the metrics' and the spans' label.
    path = path_format = "/api/v1/{service}/{path:path}"

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            return Match.NONE, {}
        path: str = scope["path"]
        if not path.startswith("/api/v1/"):
            return Match.NONE, {}
        service, slash, rest = path[len("/api/v1/") :].partition("/")
        if not slash or service not in SERVICES:
            return Match.NONE, {}
        if scope["method"] in ("GET", "POST") and UNSUBSCRIBE_PATH.fullmatch(path):
            return Match.NONE, {}
        return Match.FULL, {"route": self, "path_params": {"service": service, "path": rest}}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await forward(request, scope["path_params"]["service"], await signed_in(request))
        await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """The services' routes first: no route of the app's own begins with a service's name but the unsubscribe
    link's, which ``ProxyRoute`` leaves to it."""
    app.router.routes.insert(0, ProxyRoute())
