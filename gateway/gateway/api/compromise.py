"""``/api/v1/compromise``: report compromised credentials (R-3), see what was done under them, lift the block."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import AwareDatetime, BaseModel

from chassis.tenancy import SYSTEM
from gateway import compromise
from gateway.deps import SignedInDep, callers_changed
from gateway.upstream import record_access

router = APIRouter(prefix="/api/v1/compromise", tags=["compromise"])


class ReportIn(BaseModel):
    #: Whose account; omitted: the caller's own.
    person_id: UUID | None = None
    #: From when on the person disowns what was done under the account.
    since: AwareDatetime


class ReportOut(BaseModel):
    person_id: UUID
    since: datetime
    sessions_ended: int


class OperationOut(BaseModel):
    at: datetime
    method: str
    path: str
    status: int


class OperationsOut(BaseModel):
    person_id: UUID
    since: datetime
    operations: list[OperationOut]


@router.post("", status_code=201)
async def report(body: ReportIn, current: SignedInDep, request: Request) -> ReportOut:
    """The account is blocked and every session of it ends now (the caller's own too, if it is theirs)."""
    person_id = body.person_id or current.caller.person_id
    async with request.app.state.db.transaction(SYSTEM) as session:
        reported = await compromise.report(session, current.caller, person_id, body.since)
    callers_changed(request, person_id)
    await record_access(request.app.state.access_log, current.caller.person_id, "POST", request.url.path, 201)
    return ReportOut(person_id=reported.person_id, since=reported.since, sessions_ended=reported.sessions_ended)


@router.get("/{person_id}/operations")
async def operations(person_id: UUID, current: SignedInDep, request: Request) -> OperationsOut:
    async with request.app.state.db.transaction(SYSTEM) as session:
        since, done = await compromise.operations(session, current.caller, person_id)
    await record_access(request.app.state.access_log, current.caller.person_id, "GET", request.url.path, 200)
    return OperationsOut(
        person_id=person_id,
        since=since,
        operations=[OperationOut(at=o.at, method=o.method, path=o.path, status=o.status) for o in done],
    )


@router.delete("/{person_id}", status_code=204)
async def clear(person_id: UUID, current: SignedInDep, request: Request) -> Response:
    async with request.app.state.db.transaction(SYSTEM) as session:
        await compromise.clear(session, current.caller, person_id)
    callers_changed(request, person_id)
    await record_access(request.app.state.access_log, current.caller.person_id, "DELETE", request.url.path, 204)
    return Response(status_code=204)
