"""``/api/v1/<service>/<path>``: the session turns into an internal token; the service answers.

One route is public: the unsubscribe links of e-mails (R-51, RFC 8058) are opened from a mail client,
and mail.ru and Yandex POST them themselves, with no session and no CSRF token. Their authority is the
link's HMAC signature, checked by notifications; the gateway passes exactly that route, with no token.
"""

import re

import structlog
from fastapi import APIRouter, Request, Response

from chassis.problems import NotFound
from gateway.deps import SignedInDep
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


#: An unsubscribe token as notifications signs it: base64url payload "." base64url MAC — nothing that could
#: make the forwarded path reach another route.
UNSUBSCRIBE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{1,100}")


@router.api_route("/notifications/unsubscribe/{token}", methods=["GET", "POST"])
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


@router.api_route("/{service}/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def proxy(service: str, path: str, request: Request, current: SignedInDep) -> Response:
    audited_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    forwarded = upstream_path(request, service) if service in SERVICES else None
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
