"""``/api/v1/compromise``: report compromised credentials (R-3), see what was done under them, lift the block."""

import dataclasses
import json
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import AwareDatetime, BaseModel, Field

from chassis.auth import Caller, Reverting
from chassis.tenancy import SYSTEM
from gateway import compromise
from gateway.deps import SignedInDep, callers_changed
from gateway.domain.compromise import NOT_REVERTIBLE, describe, operation_outcome, revert_target
from gateway.upstream import ServiceUnavailable, Upstreams, record_access

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
    #: What the administrator names to revert it.
    id: int
    at: datetime
    method: str
    path: str
    status: int
    #: What it was, in Russian («Поставлена отметка», «Просмотр: дневник»).
    description: str
    #: Whether the revert undoes it (it was done, and its service undoes such writes).
    revertible: bool


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
        operations=[
            OperationOut(
                id=o.id,
                at=o.at,
                method=o.method,
                path=o.path,
                status=o.status,
                description=describe(o.method, o.path),
                revertible=o.status < 400 and revert_target(o.method, o.path) is not None,
            )
            for o in done
        ],
    )


@router.delete("/{person_id}", status_code=204)
async def clear(person_id: UUID, current: SignedInDep, request: Request) -> Response:
    async with request.app.state.db.transaction(SYSTEM) as session:
        await compromise.clear(session, current.caller, person_id)
    callers_changed(request, person_id)
    await record_access(request.app.state.access_log, current.caller.person_id, "DELETE", request.url.path, 204)
    return Response(status_code=204)


#: The access log's ids are PostgreSQL bigints: a larger number is refused before it reaches the query.
OperationId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class RevertIn(BaseModel):
    #: Ids of operations from the list (``…/operations``).
    operations: list[OperationId] = Field(max_length=500)


class RecordRevertOut(BaseModel):
    """A mark or an absence the operation wrote, as its service answers."""

    id: UUID
    outcome: str
    detail: str


class OperationRevertOut(BaseModel):
    id: int
    outcome: Literal["reverted", "already_reverted", "changed_since", "refused", "nothing_to_revert", "not_revertible"]
    #: Why, when the operation's own outcome needs words (a refusal, nothing to do); each record says its own.
    detail: str | None = None
    records: list[RecordRevertOut] = []


async def _revert_one(upstreams: Upstreams, grant: Caller, operation: compromise.Operation) -> OperationRevertOut:
    if operation.status >= 400:
        detail = f"Операция не была выполнена (ответ {operation.status}): отменять нечего."
        return OperationRevertOut(id=operation.id, outcome="nothing_to_revert", detail=detail)
    target = revert_target(operation.method, operation.path)
    if target is None:
        return OperationRevertOut(id=operation.id, outcome="not_revertible", detail=NOT_REVERTIBLE)
    path = f"/schools/{target.school_id}/compromise-reverts"
    body = json.dumps(target.body).encode()
    try:
        answer = await upstreams.send(
            target.service, "POST", path, grant, body=body, headers={"content-type": "application/json"}
        )
    except ServiceUnavailable as unavailable:
        return OperationRevertOut(id=operation.id, outcome="refused", detail=unavailable.detail)
    if answer.status_code != 200:
        # The service's own reason (a closed period, a mark no longer there), in its words.
        detail = answer.json().get("detail") if answer.headers.get("content-type", "").endswith("json") else None
        return OperationRevertOut(id=operation.id, outcome="refused", detail=detail or "Сервис отказал в отмене.")
    records = [RecordRevertOut(**record) for record in answer.json()]
    outcome = operation_outcome([r.outcome for r in records])
    detail = "Отменять нечего: записей этой операции уже нет (отменены или удалены)." if not records else None
    return OperationRevertOut(id=operation.id, outcome=outcome, detail=detail, records=records)


@router.post("/{person_id}/revert")
async def revert(person_id: UUID, body: RevertIn, current: SignedInDep, request: Request) -> list[OperationRevertOut]:
    """R-3: the administrator undoes chosen operations of the list through the services' audited corrections, past
    the edit window; a later change by someone else wins, a second revert does nothing more."""
    async with request.app.state.db.transaction(SYSTEM) as session:
        since, found = await compromise.listed(session, current.caller, person_id, body.operations)
    # The journal lets the administrator undo only this person's writes since the reported moment.
    grant = dataclasses.replace(current.caller, reverting=Reverting(person_id, since))
    answers = []
    for operation_id in dict.fromkeys(body.operations):
        operation = found.get(operation_id)
        if operation is None:
            detail = "Этой операции нет в списке действий под учётной записью."
            answers.append(OperationRevertOut(id=operation_id, outcome="refused", detail=detail))
        else:
            answers.append(await _revert_one(request.app.state.upstreams, grant, operation))
    await record_access(request.app.state.access_log, current.caller.person_id, "POST", request.url.path, 200)
    return answers
