"""Schools of the region: registered by the region administrator."""

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from chassis.deps import CallerDep, SchoolSession, database
from chassis.events import emit_event
from chassis.problems import Forbidden, NotFound
from chassis.schooltime import remember_zone
from chassis.tenancy import Tenant
from contracts.roster import SchoolRegistered
from roster.domain.calendar import known_timezone
from roster.models import School

router = APIRouter(prefix="/schools", tags=["schools"])


class SchoolIn(BaseModel):
    name: str = Field(min_length=3, max_length=500)
    short_name: str = Field(min_length=1, max_length=200)
    municipality: str = Field(min_length=1, max_length=200)
    #: The school's time zone (IANA): its "today", deadlines and edit windows are local dates.
    timezone: Annotated[str, AfterValidator(known_timezone)] = "Europe/Moscow"


class SchoolOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    name: str
    short_name: str
    municipality: str
    timezone: str
    days_per_week: int


@router.post("", status_code=201)
async def register_school(body: SchoolIn, caller: CallerDep, request: Request) -> SchoolOut:
    if "region_admin" not in caller.region_roles:
        raise Forbidden("Регистрировать школы может только администратор региона.")
    school_id = uuid4()
    async with database(request).transaction(Tenant(school_id=school_id)) as session:
        school = School(id=school_id, school_id=school_id, **body.model_dump())
        session.add(school)
        await remember_zone(session, school_id, body.timezone, 0)
        await emit_event(session, SchoolRegistered(school_id=school_id, **body.model_dump()), school_id=school_id)
    return SchoolOut.model_validate(school)


@router.get("/{school_id}")
async def get_school(school_id: UUID, session: SchoolSession) -> SchoolOut:
    school = await session.get(School, school_id)
    if school is None:
        raise NotFound("Школа не найдена.")
    return SchoolOut.model_validate(school)
