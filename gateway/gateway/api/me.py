"""The signed-in person, and the keys services verify our internal tokens with."""

from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import select

from chassis.tenancy import SYSTEM
from gateway.accounts import school_names
from gateway.deps import SignedInDep
from gateway.models import Guardianship

router = APIRouter(tags=["me"])


class RoleOut(BaseModel):
    school_id: UUID
    school_name: str | None
    role: str


class ChildOut(BaseModel):
    student_id: UUID
    #: ESIA's ``/kids`` of this parent listed the child (R-2); otherwise only the school linked them.
    verified: bool


class MeOut(BaseModel):
    person_id: UUID
    name: str
    csrf_token: str
    roles: list[RoleOut]
    region_roles: list[str]
    children: list[ChildOut]


@router.get("/api/v1/me")
async def me(current: SignedInDep, request: Request) -> MeOut:
    caller = current.caller
    school_ids = {school_id for school_id, _ in caller.school_roles}
    async with request.app.state.db.transaction(SYSTEM) as session:
        names = await school_names(session, school_ids)
        links = await session.execute(
            select(Guardianship.student_id, Guardianship.verified_at).where(
                Guardianship.guardian_id == caller.person_id
            )
        )
        children = [ChildOut(student_id=student, verified=at is not None) for student, at in links]
    return MeOut(
        person_id=caller.person_id,
        name=caller.name,
        csrf_token=current.csrf_token,
        roles=[
            RoleOut(school_id=school_id, school_name=names.get(school_id), role=role)
            for school_id, role in sorted(caller.school_roles, key=lambda r: (str(r[0]), r[1]))
        ],
        region_roles=sorted(caller.region_roles),
        children=sorted(children, key=lambda child: str(child.student_id)),
    )


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> dict:
    return request.app.state.tokens.signer.jwks()
