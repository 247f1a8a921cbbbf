"""The region's municipalities and schools (R-10): registered by the region administrator."""

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession, database
from chassis.events import emit_event
from chassis.problems import Conflict, Forbidden, Invalid, NotFound
from chassis.schooltime import remember_zone
from chassis.tenancy import SYSTEM, Tenant
from contracts.roster import SchoolRegistered
from roster.calendars import announce_settings
from roster.domain.calendar import known_timezone
from roster.models import Municipality, School

router = APIRouter(tags=["schools"])

MunicipalityName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class MunicipalityIn(BaseModel):
    name: MunicipalityName


class MunicipalityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    name: str


class SchoolIn(BaseModel):
    name: str = Field(min_length=3, max_length=500)
    short_name: str = Field(min_length=1, max_length=200)
    #: The municipality's record; or its name, which finds the record (made at the first school named so).
    municipality_id: UUID | None = None
    municipality: MunicipalityName | None = None
    #: The school's time zone (IANA): its "today", deadlines and edit windows are local dates.
    timezone: Annotated[str, AfterValidator(known_timezone)] = "Europe/Moscow"

    @model_validator(mode="after")
    def one_municipality(self) -> "SchoolIn":
        if (self.municipality_id is None) == (self.municipality is None):
            raise ValueError("Укажите муниципалитет школы: его запись (municipality_id) или название.")
        return self


class SchoolOut(BaseModel):
    id: UUID
    name: str
    short_name: str
    municipality_id: UUID
    municipality: str
    timezone: str
    days_per_week: int


def school_out(school: School, municipality: Municipality) -> SchoolOut:
    return SchoolOut(
        id=school.id,
        name=school.name,
        short_name=school.short_name,
        municipality_id=municipality.id,
        municipality=municipality.name,
        timezone=school.timezone,
        days_per_week=school.days_per_week,
    )


def require_region_admin(caller: Caller, action: str) -> None:
    if "region_admin" not in caller.region_roles:
        raise Forbidden(f"{action} может только администратор региона.")


async def municipality_of(session: AsyncSession, body: SchoolIn) -> Municipality:
    if body.municipality_id is not None:
        found = await session.get(Municipality, body.municipality_id)
        if found is None:
            raise Invalid("Муниципалитет не найден: сначала зарегистрируйте его.")
        return found
    await session.execute(
        insert(Municipality).values(id=uuid4(), name=body.municipality).on_conflict_do_nothing(index_elements=["name"])
    )
    return await session.scalar(select(Municipality).where(Municipality.name == body.municipality))


@router.post("/municipalities", status_code=201)
async def register_municipality(body: MunicipalityIn, caller: CallerDep, request: Request) -> MunicipalityOut:
    require_region_admin(caller, "Регистрировать муниципалитеты")
    async with database(request).transaction(SYSTEM) as session:
        if await session.scalar(select(Municipality.id).where(Municipality.name == body.name)):
            raise Conflict(f"Муниципалитет «{body.name}» уже зарегистрирован.")
        municipality = Municipality(id=uuid4(), name=body.name)
        session.add(municipality)
    return MunicipalityOut.model_validate(municipality)


@router.patch("/municipalities/{municipality_id}")
async def rename_municipality(
    municipality_id: UUID, body: MunicipalityIn, caller: CallerDep, request: Request
) -> MunicipalityOut:
    """A new name for a municipality (R-10): each of its schools announces it, all in one transaction."""
    require_region_admin(caller, "Переименовывать муниципалитеты")
    db = database(request)
    async with db.enclosing():
        async with db.transaction(SYSTEM) as session:
            municipality = await session.get(Municipality, municipality_id, with_for_update=True)
            if municipality is None:
                raise NotFound("Муниципалитет не найден.")
            if municipality.name == body.name:
                return MunicipalityOut.model_validate(municipality)
            if await session.scalar(select(Municipality.id).where(Municipality.name == body.name)):
                raise Conflict(f"Муниципалитет «{body.name}» уже зарегистрирован.")
            municipality.name = body.name
        async with db.transaction(Tenant(region_read=True)) as session:
            schools = list(await session.scalars(select(School.id).where(School.municipality_id == municipality_id)))
        for school_id in schools:
            async with db.transaction(Tenant(school_id=school_id)) as session:
                await announce_settings(session, await session.get(School, school_id, with_for_update=True))
    return MunicipalityOut.model_validate(municipality)


class SchoolMunicipalityIn(BaseModel):
    municipality_id: UUID


@router.put("/schools/{school_id}/municipality")
async def move_school(school_id: UUID, body: SchoolMunicipalityIn, caller: CallerDep, request: Request) -> SchoolOut:
    """The school belongs to another municipality from now on (R-10): its municipal administrator reads it."""
    require_region_admin(caller, "Относить школу к муниципалитету")
    async with database(request).transaction(Tenant(school_id=school_id)) as session:
        school = await session.get(School, school_id, with_for_update=True)
        if school is None:
            raise NotFound("Школа не найдена.")
        municipality = await session.get(Municipality, body.municipality_id)
        if municipality is None:
            raise Invalid("Муниципалитет не найден: сначала зарегистрируйте его.")
        if school.municipality_id != municipality.id:
            school.municipality_id = municipality.id
            await announce_settings(session, school)
        return school_out(school, municipality)


@router.get("/municipalities")
async def list_municipalities(caller: CallerDep, request: Request) -> list[MunicipalityOut]:
    """The region's municipalities for its roles; a municipal administrator's own only."""
    query = select(Municipality).order_by(Municipality.name)
    if not caller.region_roles & {"region_admin", "inspector"}:
        if caller.municipality_id is None:
            raise Forbidden("Список муниципалитетов доступен только ролям региона и муниципалитета.")
        query = query.where(Municipality.id == caller.municipality_id)
    async with database(request).transaction(SYSTEM) as session:
        return [MunicipalityOut.model_validate(m) for m in await session.scalars(query)]


@router.get("/municipalities/{municipality_id}/schools")
async def municipality_schools(municipality_id: UUID, caller: CallerDep, request: Request) -> list[SchoolOut]:
    """The schools of a municipality: for the region's roles and that municipality's administrator."""
    if not (caller.region_roles & {"region_admin", "inspector"} or caller.municipality_id == municipality_id):
        raise NotFound("Муниципалитет не найден или недоступен.")
    # The schools of several tenants in one read: the region's read-only policy, confined here by the query.
    async with database(request).transaction(Tenant(region_read=True)) as session:
        municipality = await session.get(Municipality, municipality_id)
        if municipality is None:
            raise NotFound("Муниципалитет не найден или недоступен.")
        schools = await session.scalars(
            select(School).where(School.municipality_id == municipality_id).order_by(School.short_name)
        )
        return [school_out(school, municipality) for school in schools]


@router.post("/schools", status_code=201)
async def register_school(body: SchoolIn, caller: CallerDep, request: Request) -> SchoolOut:
    require_region_admin(caller, "Регистрировать школы")
    school_id = uuid4()
    async with database(request).transaction(Tenant(school_id=school_id)) as session:
        municipality = await municipality_of(session, body)
        school = School(
            id=school_id,
            school_id=school_id,
            name=body.name,
            short_name=body.short_name,
            municipality_id=municipality.id,
            timezone=body.timezone,
        )
        session.add(school)
        await remember_zone(session, school_id, body.timezone, 0)
        registered = SchoolRegistered(
            school_id=school_id,
            name=body.name,
            short_name=body.short_name,
            municipality=municipality.name,
            municipality_id=municipality.id,
            timezone=body.timezone,
        )
        await emit_event(session, registered, school_id=school_id)
    return school_out(school, municipality)


@router.get("/schools/{school_id}")
async def get_school(school_id: UUID, session: SchoolSession) -> SchoolOut:
    school = await session.get(School, school_id)
    if school is None:
        raise NotFound("Школа не найдена.")
    return school_out(school, await session.get(Municipality, school.municipality_id))
