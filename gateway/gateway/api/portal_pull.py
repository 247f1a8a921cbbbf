"""R-70, the pull half: the state-services portal asks for a student's schedule by ESIA id and follows a
change feed, authenticated with OAuth2 client credentials (RFC 6749 §4.4) and bearer tokens (RFC 6750).

The portal acts for the family ESIA has signed in at its end, so a schedule is read from reporting
with that person's own rights (R-1: a parent their children, a student themself). Every call is in
the access log (R-5) under the client's own id. Errors carry a stable ``code`` for the portal's
program beside the Russian ``detail`` for people.
"""

import base64
import secrets
from typing import Annotated
from urllib.parse import unquote
from uuid import NAMESPACE_URL, UUID, uuid5

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.dates import JournalDate
from chassis.problems import PROBLEM_JSON
from chassis.tenancy import SYSTEM
from gateway.accounts import caller_for
from gateway.domain.portal_pull import (
    Outcome,
    PortalRefusal,
    changes_limit,
    granted_scopes,
    schedule_lessons,
    schedule_period_marks,
    schedule_range,
    secret_digest,
)
from gateway.models import (
    Guardianship,
    Person,
    PortalChange,
    PortalClient,
    PortalConsent,
    PortalFeed,
    PortalToken,
    SchoolRole,
)
from gateway.portal import portal_oid
from gateway.rate_limits import over_rate_limit
from gateway.upstream import ServiceUnavailable, Upstreams, record_access

router = APIRouter(prefix="/portal/v1", tags=["portal"])

TOKEN_TTL_SECONDS = 3600


def client_actor(client_id: str) -> UUID:
    """The id a portal client's calls carry in the access log (it is not a person)."""
    return uuid5(NAMESPACE_URL, f"journal:portal-client:{client_id}")


async def refusal_answer(request: Request, refusal: PortalRefusal) -> JSONResponse:
    """The problem answer of a refused portal call, in the access log under the client when it is known."""
    client_id = getattr(request.state, "portal_client", None)
    if client_id is not None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        await record_access(request.app.state.access_log, client_actor(client_id), request.method, path, refusal.status)
    body = {
        "type": f"https://journal.example/problems/{refusal.outcome.code.replace('_', '-')}",
        "title": "Запрос портала отклонён",
        "status": refusal.status,
        "detail": refusal.outcome.text,
        "code": refusal.outcome.code,
    }
    headers = refusal.headers if isinstance(refusal, BearerRefusal) else None
    return JSONResponse(body, status_code=refusal.status, media_type=PROBLEM_JSON, headers=headers)


def oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """RFC 6749 §5.2's error answer of the token endpoint."""
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    """RFC 6749 §2.3.1: HTTP Basic with the form-urlencoded client id and secret."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


@router.post("/token")
async def issue_token(
    request: Request,
    grant_type: Annotated[str, Form(max_length=40)] = "",
    scope: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> JSONResponse:
    credentials = _basic_credentials(request.headers.get("authorization"))
    if credentials is None and client_id and client_secret:
        credentials = (client_id, client_secret)
    refused = {"WWW-Authenticate": 'Basic realm="journal-portal"'}
    if credentials is None:
        return oauth_error(401, "invalid_client", "Нужны идентификатор и секрет клиента портала.", refused)
    if grant_type != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Поддерживается только grant_type=client_credentials.")
    async with request.app.state.db.transaction(SYSTEM) as session:
        client = await session.get(PortalClient, credentials[0])
        known = client is not None and client.revoked_at is None
        if not known or not secrets.compare_digest(client.secret_digest, secret_digest(credentials[1])):
            return oauth_error(401, "invalid_client", "Неверный идентификатор или секрет клиента портала.", refused)
        try:
            scopes = granted_scopes(scope, frozenset(client.scopes))
        except PortalRefusal as refusal:
            return oauth_error(400, refusal.outcome.code, refusal.outcome.text)
        token = secrets.token_urlsafe(32)
        expires = func.now() + func.make_interval(0, 0, 0, 0, 0, 0, TOKEN_TTL_SECONDS)
        # Expired tokens of this client go as it takes a new one: the table holds live tokens only.
        await session.execute(
            delete(PortalToken).where(PortalToken.client_id == client.client_id, PortalToken.expires_at < func.now())
        )
        session.add(
            PortalToken(
                token_digest=secret_digest(token), client_id=client.client_id, scopes=sorted(scopes), expires_at=expires
            )
        )
    await record_access(request.app.state.access_log, client_actor(client.client_id), "POST", request.url.path, 200)
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_SECONDS,
            "scope": " ".join(sorted(scopes)),
        },
        headers={"Cache-Control": "no-store"},
    )


class PortalCall:
    """A call of a portal client holding a live token with ``scope``, within its rate."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id


def bearer(scope: str):
    async def authenticated(request: Request) -> PortalCall:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        async with request.app.state.db.transaction(SYSTEM) as session:
            found = await session.execute(
                select(PortalToken.scopes, PortalClient.client_id, PortalClient.calls_per_minute)
                .join(PortalClient, PortalClient.client_id == PortalToken.client_id)
                .where(
                    PortalToken.token_digest == secret_digest(token),
                    PortalToken.expires_at > func.now(),
                    PortalClient.revoked_at.is_(None),
                )
            )
            live = found.first()
            if live is None:
                raise BearerRefusal(
                    401,
                    Outcome("invalid_token", "Токен доступа неверен или истёк: получите новый."),
                    'Bearer realm="journal-portal", error="invalid_token"',
                )
            if scope not in live.scopes:
                raise BearerRefusal(
                    403,
                    Outcome("insufficient_scope", f"Токену не выдан доступ «{scope}»."),
                    f'Bearer realm="journal-portal", error="insufficient_scope", scope="{scope}"',
                )
            request.state.portal_client = live.client_id
            # Counted in the gateway's database, so every instance holds the client to one limit.
            wait = await over_rate_limit(session, {f"portal:{live.client_id}": live.calls_per_minute})
        if wait is not None:
            raise BearerRefusal(
                429, Outcome("rate_limited", f"Слишком много запросов: повторите через {wait} с."), None, wait
            )
        return PortalCall(live.client_id)

    return authenticated


class BearerRefusal(PortalRefusal):
    def __init__(self, status: int, outcome: Outcome, challenge: str | None, retry_after: int = 0) -> None:
        super().__init__(status, outcome)
        self.headers = {"WWW-Authenticate": challenge} if challenge else {"Retry-After": str(retry_after)}


async def _students_of(session: AsyncSession, esia_id: str) -> list[tuple[UUID, UUID, UUID]]:
    """(school, student, whose rights read them) for the ESIA person: themself as a student, their children."""
    people = list(await session.scalars(select(Person.person_id).where(portal_oid() == esia_id)))
    if not people:
        return []
    as_student = await session.execute(
        select(SchoolRole.school_id, SchoolRole.person_id).where(
            SchoolRole.person_id.in_(people), SchoolRole.role == "student"
        )
    )
    children = await session.execute(
        select(Guardianship.school_id, Guardianship.student_id, Guardianship.guardian_id)
        .join(SchoolRole, (SchoolRole.person_id == Guardianship.guardian_id) & (SchoolRole.role == "guardian"))
        .where(Guardianship.guardian_id.in_(people), SchoolRole.school_id == Guardianship.school_id)
    )
    found = {(school, student, student) for school, student in as_student}
    found |= {(school, student, guardian) for school, student, guardian in children}
    # a student whose consent to the portal is withdrawn is not shown to it.
    withdrawn = set(
        await session.scalars(
            select(PortalConsent.person_id).where(
                PortalConsent.person_id.in_({student for _, student, _ in found}), PortalConsent.granted.is_(False)
            )
        )
    )
    return sorted((entry for entry in found if entry[1] not in withdrawn), key=str)


@router.get("/Schedule/{esia_id}")
async def schedule(
    request: Request,
    call: Annotated[PortalCall, Depends(bearer("schedule"))],
    esia_id: Annotated[str, Path(max_length=64, pattern=r"^[0-9]+$")],
    start: JournalDate,
    end: JournalDate,
) -> JSONResponse:
    """The lessons of the person's students (themself, their children in every school) in ``start``..``end``.

    A school that cannot answer now is an ``outcomes`` entry beside the others' lessons, not a failure of all.
    """
    audited = f"{request.url.path}?start={start.isoformat()}&end={end.isoformat()}"
    db = request.app.state.db
    actor = client_actor(call.client_id)
    schedule_range(start, end)
    async with db.transaction(SYSTEM) as session:
        students = await _students_of(session, esia_id)
        callers = {reader: await caller_for(session, reader, esia_id) for _, _, reader in students}
        student_ids = {student for _, student, _ in students}
        oids = {
            person: oid
            for person, oid in await session.execute(
                select(Person.person_id, portal_oid()).where(Person.person_id.in_(student_ids))
            )
        }
    if not students:
        raise PortalRefusal(404, Outcome("not_found", "Ученик не найден."))
    upstreams: Upstreams = request.app.state.upstreams
    answered, outcomes = [], []
    for school_id, student_id, reader in students:
        path = f"/schools/{school_id}/students/{student_id}/diary"
        query = f"start={start.isoformat()}&end={end.isoformat()}"
        try:
            answer = await upstreams.send("reporting", "GET", path, callers[reader], query=query)
        except ServiceUnavailable:
            answer = None
        if answer is None or answer.status_code >= 500:
            outcomes.append(
                {"code": "school_unavailable", "school_id": str(school_id), "text": "Данные школы временно недоступны."}
            )
            continue
        if answer.status_code != 200:
            continue
        diary = answer.json()
        answered.append(
            {
                "school_id": str(school_id),
                # The child's own ESIA id, the key of the public stream's events; None if ESIA has none yet.
                "student_esia_id": oids.get(student_id),
                "class_name": diary["student"]["class_name"],
                "lessons": schedule_lessons(diary),
                "period_marks": schedule_period_marks(diary),
            }
        )
    if not answered and not outcomes:
        raise PortalRefusal(404, Outcome("not_found", "Ученик не найден."))
    await record_access(request.app.state.access_log, actor, "GET", audited, 200)
    body = {"esia_id": esia_id, "start": start.isoformat(), "end": end.isoformat(), "students": answered}
    return JSONResponse({**body, "outcomes": outcomes})


@router.get("/changes")
async def changes(
    request: Request,
    call: Annotated[PortalCall, Depends(bearer("changes"))],
    since: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    limit: int = 100,
) -> JSONResponse:
    """Public events after version ``since``, oldest first; a portal stores ``last_version`` and asks again.

    Without ``since``: no changes; ``last_version`` is where the feed stands now and ``replay_from`` where its
    retained history starts. A portal that loads schedules afresh follows from ``replay_from``: every change
    made around the load is replayed, and keeping each mark's highest version makes the replay harmless.

    Changes are kept ``portal_changes_retention_days``; a portal that fell further behind is told to
    load the schedules afresh (410) rather than silently skipping what was trimmed.
    """
    db = request.app.state.db
    actor = client_actor(call.client_id)
    audited = f"{request.url.path}?since={since}&limit={limit}"
    changes_limit(limit)
    async with db.transaction(SYSTEM) as session:
        trimmed_through = await session.scalar(select(PortalFeed.trimmed_through))
        if since is None:
            latest = await session.scalar(select(func.coalesce(func.max(PortalChange.version), trimmed_through)))
            await record_access(request.app.state.access_log, actor, "GET", audited, 200)
            return JSONResponse(
                {"changes": [], "last_version": latest, "replay_from": trimmed_through, "has_more": False}
            )
        if since < trimmed_through:
            raise PortalRefusal(
                410,
                Outcome(
                    "resync_required",
                    f"Изменения после версии {since} уже удалены: загрузите расписания заново "
                    f"и повторите ленту с версии {trimmed_through}.",
                ),
            )
        rows = list(
            await session.scalars(
                select(PortalChange).where(PortalChange.version > since).order_by(PortalChange.version).limit(limit + 1)
            )
        )
    page = rows[:limit]
    await record_access(request.app.state.access_log, actor, "GET", audited, 200)
    return JSONResponse(
        {
            "changes": [
                {
                    "version": change.version,
                    "type": change.type,
                    "time": change.at.isoformat(),
                    "school_id": str(change.school_id),
                    "data": change.data,
                }
                for change in page
            ],
            "last_version": page[-1].version if page else since,
            "has_more": len(rows) > limit,
        }
    )
