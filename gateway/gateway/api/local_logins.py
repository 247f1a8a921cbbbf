"""``/api/v1/local-logins``: the school's administrator issues, resets and revokes local logins (R-2, R-4)."""

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from chassis.tenancy import SYSTEM
from gateway import local_logins
from gateway.deps import SignedInDep, callers_changed
from gateway.upstream import record_access

router = APIRouter(prefix="/api/v1/local-logins", tags=["local logins"])
#: The temporary password is shown once: no cache keeps it.
NO_STORE = {"Cache-Control": "no-store"}


class LocalLoginIn(BaseModel):
    person_id: UUID


class IssuedOut(BaseModel):
    person_id: UUID
    login: str
    temporary_password: str
    reset: bool


class LocalLoginOut(BaseModel):
    person_id: UUID
    login: str
    temporary: bool
    issued_at: datetime
    password_set_at: datetime
    locked_until: datetime | None


@router.post("", status_code=201)
async def issue(body: LocalLoginIn, current: SignedInDep, request: Request, response: Response) -> IssuedOut:
    """A login with a temporary password for a person of the caller's school; again: a new temporary password."""
    async with request.app.state.db.transaction(SYSTEM) as session:
        issued = await local_logins.issue(session, current.caller, body.person_id)
    callers_changed(request, body.person_id)
    await record_access(request.app.state.access_log, current.caller.person_id, "POST", request.url.path, 201)
    response.headers.update(NO_STORE)
    return IssuedOut(
        person_id=issued.person_id, login=issued.login, temporary_password=issued.temporary_password, reset=issued.reset
    )


@router.get("/{person_id}")
async def show(person_id: UUID, current: SignedInDep, request: Request) -> LocalLoginOut:
    async with request.app.state.db.transaction(SYSTEM) as session:
        login = await local_logins.find(session, current.caller, person_id)
        locked = await local_logins.lock_of(session, login.login, datetime.now(UTC))
        found = LocalLoginOut(
            person_id=login.person_id,
            login=login.login,
            temporary=login.temporary,
            issued_at=login.issued_at,
            password_set_at=login.password_set_at,
            locked_until=locked,
        )
    await record_access(request.app.state.access_log, current.caller.person_id, "GET", request.url.path, 200)
    return found


@router.delete("/{person_id}", status_code=204)
async def revoke(person_id: UUID, current: SignedInDep, request: Request) -> Response:
    async with request.app.state.db.transaction(SYSTEM) as session:
        await local_logins.revoke(session, current.caller, person_id)
    callers_changed(request, person_id)
    await record_access(request.app.state.access_log, current.caller.person_id, "DELETE", request.url.path, 204)
    return Response(status_code=204)
