"""``/api/v1/<service>/<path>``: the session turns into an internal token; the service answers."""

from urllib.parse import quote

import structlog
from fastapi import APIRouter, Request, Response

from chassis.problems import NotFound
from gateway.deps import SignedInDep
from gateway.settings import SERVICES
from gateway.upstream import Upstreams, record_access

router = APIRouter(prefix="/api/v1", tags=["proxy"])
#: A service's operational endpoints are for the platform, not for people behind the gateway.
OPERATIONAL_PATHS = frozenset({"metrics", "livez", "readyz", "docs", "redoc", "openapi.json"})
#: Response headers a client may need besides the body's type.
RETURNED_HEADERS = ("idempotent-replayed", "location")


def upstream_path(request: Request, service: str, path: str) -> str:
    """The path as the client encoded it, less the ``/api/v1/<service>`` prefix."""
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    prefix = f"/api/v1/{service}/"
    return raw[len(prefix) - 1 :] if raw.startswith(prefix) else "/" + quote(path)


def request_id() -> str | None:
    """The id the chassis gave this request, so one request is traced through every service's log."""
    return structlog.contextvars.get_contextvars().get("request_id")


@router.api_route("/{service}/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def proxy(service: str, path: str, request: Request, current: SignedInDep) -> Response:
    if service not in SERVICES or path.strip("/").split("/")[0] in OPERATIONAL_PATHS:
        raise NotFound(f"Адреса «{request.url.path}» в API нет.")
    upstreams: Upstreams = request.app.state.upstreams
    headers = dict(request.headers)
    if "x-request-id" not in headers and (rid := request_id()):
        headers["x-request-id"] = rid
    audited_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    status = 503
    try:
        answer = await upstreams.send(
            service,
            request.method,
            upstream_path(request, service, path),
            current.caller,
            query=request.url.query,
            body=await request.body(),
            headers=headers,
        )
        status = answer.status_code
    finally:
        await record_access(request.app.state.db, current.caller.person_id, request.method, audited_path, status)
    passed = {name: answer.headers[name] for name in RETURNED_HEADERS if name in answer.headers}
    if "content-type" in answer.headers:
        passed["content-type"] = answer.headers["content-type"]
    return Response(content=answer.content, status_code=answer.status_code, headers=passed)
