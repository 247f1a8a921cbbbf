"""Виды работ of the school with their weights, and the subjects it assesses зачёт/незачёт (R-22).

Every member of the school reads them; the school administrator sets them. A new list applies to new
marks: a mark keeps the weight it was given, and a вид работы marks were given for cannot be removed.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import delete, select

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Invalid
from gradebook.api.access import school_work_types
from gradebook.domain.work_types import WorkType, check_work_type_list
from gradebook.models import Course, Mark, PassFailSubject, SchoolWorkType

router = APIRouter(prefix="/schools/{school_id}", tags=["work types"])


class WorkTypeOut(BaseModel):
    code: str
    title: str
    weight: float
    pass_fail: bool


class WorkTypeIn(BaseModel):
    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
    weight: float
    pass_fail: bool = False


class PassFailSubjectsIn(BaseModel):
    subject_ids: list[UUID] = Field(max_length=200)


def _out(kinds: dict[str, WorkType]) -> list[WorkTypeOut]:
    return [WorkTypeOut(code=k.code, title=k.title, weight=k.weight, pass_fail=k.pass_fail) for k in kinds.values()]


@router.get("/work-types")
async def list_work_types(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[WorkTypeOut]:
    caller.tenant_for(school_id)
    return _out(await school_work_types(session, school_id))


@router.put("/work-types")
async def set_work_types(
    school_id: UUID, body: Annotated[list[WorkTypeIn], Field(max_length=50)], caller: CallerDep, session: SchoolSession
) -> list[WorkTypeOut]:
    """The school administrator's list, whole: in its order, with weights (R-22)."""
    caller.require(school_id, "school_admin")
    in_use = set(await session.scalars(select(Mark.work_type).where(Mark.school_id == school_id).distinct()))
    table = check_work_type_list([WorkType(k.code, k.title, k.weight, k.pass_fail) for k in body], in_use)
    await session.execute(delete(SchoolWorkType).where(SchoolWorkType.school_id == school_id))
    session.add_all(
        SchoolWorkType(
            school_id=school_id, code=k.code, position=i, title=k.title, weight=k.weight, pass_fail=k.pass_fail
        )
        for i, k in enumerate(table.values())
    )
    await session.flush()
    return _out(table)


@router.get("/pass-fail-subjects")
async def list_pass_fail_subjects(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[UUID]:
    caller.tenant_for(school_id)
    return list(await session.scalars(select(PassFailSubject.subject_id).where(PassFailSubject.school_id == school_id)))


@router.put("/pass-fail-subjects")
async def set_pass_fail_subjects(
    school_id: UUID, body: PassFailSubjectsIn, caller: CallerDep, session: SchoolSession
) -> list[UUID]:
    """The subjects the school assesses зачёт/незачёт as a whole (R-22): their marks are «зач» or «незач»."""
    caller.require(school_id, "school_admin")
    known = set(await session.scalars(select(Course.subject_id).where(Course.school_id == school_id)))
    unknown = [str(s) for s in body.subject_ids if s not in known]
    if unknown:
        raise Invalid("Не все предметы ведутся в школе: у них нет нагрузки.", subjects=unknown)
    await session.execute(delete(PassFailSubject).where(PassFailSubject.school_id == school_id))
    session.add_all(PassFailSubject(school_id=school_id, subject_id=s) for s in dict.fromkeys(body.subject_ids))
    await session.flush()
    return list(dict.fromkeys(body.subject_ids))
