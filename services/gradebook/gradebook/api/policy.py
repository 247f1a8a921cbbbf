"""The school's journal policy (R-24): the edit window, chosen by the school administrator."""

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from chassis.deps import CallerDep, SchoolSession
from gradebook.api.access import school_edit_window
from gradebook.domain.edit_window import EDIT_WINDOW_CHOICES, EditWindowChoice, edit_window_choice
from gradebook.models import SchoolPolicy

router = APIRouter(prefix="/schools/{school_id}", tags=["policy"])


class PolicyIn(BaseModel):
    #: Checked against R-24's choices by the domain, so a wrong value is told what is allowed.
    edit_window: str


class EditWindowOut(BaseModel):
    code: str
    title: str


class PolicyOut(BaseModel):
    edit_window: str
    title: str
    #: None while the school follows the region's default.
    updated_at: datetime | None
    updated_by: UUID | None


def policy_out(choice: EditWindowChoice, policy: SchoolPolicy | None) -> PolicyOut:
    return PolicyOut(
        edit_window=choice.code,
        title=choice.title,
        updated_at=policy.updated_at if policy else None,
        updated_by=policy.updated_by if policy else None,
    )


@router.get("/policy/edit-windows")
async def list_edit_windows(school_id: UUID, caller: CallerDep) -> list[EditWindowOut]:
    """The windows an administrator may choose from (R-24), for any member of the school."""
    caller.tenant_for(school_id)
    return [EditWindowOut(code=choice.code, title=choice.title) for choice in EDIT_WINDOW_CHOICES]


@router.get("/policy")
async def read_policy(school_id: UUID, session: SchoolSession, request: Request) -> PolicyOut:
    return policy_out(*await school_edit_window(session, school_id, request.app.state.settings))


@router.put("/policy")
async def set_policy(
    school_id: UUID, body: PolicyIn, caller: CallerDep, session: SchoolSession, request: Request
) -> PolicyOut:
    # the edit window is set by the school administrator.
    caller.require(school_id, "school_admin")
    choice = edit_window_choice(body.edit_window)
    values = {"edit_window": choice.code, "updated_at": func.now(), "updated_by": caller.person_id}
    await session.execute(
        insert(SchoolPolicy)
        .values(school_id=school_id, **values)
        .on_conflict_do_update(index_elements=[SchoolPolicy.school_id], set_=values)
    )
    return policy_out(*await school_edit_window(session, school_id, request.app.state.settings))
