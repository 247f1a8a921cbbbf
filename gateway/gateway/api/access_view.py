"""``/api/v1/schools/{school_id}/access-log``: the school administrator's view of the access log (R-5).

Who of the school read or changed what through the gateway, and whose data it was, filterable by the
person who acted, the person it was about and the dates, a page at a time. The log itself (its writing,
chain and retention) is ``gateway.access_log``; this only reads it. Each look is logged as well.
"""

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import exists, func, select

from chassis.problems import NotFound
from chassis.tenancy import SYSTEM
from gateway.deps import SignedInDep
from gateway.domain.access_view import PAGE_SIZE, action, named_ids, outcome, section, span
from gateway.models import AccessLogEntry, Person, SchoolRole
from gateway.upstream import record_access

router = APIRouter(prefix="/api/v1/schools/{school_id}/access-log", tags=["access log"])

#: R-5: the school's administrator (администратор ЭЖ) answers for its personal data.
VIEWERS = ("school_admin",)


class Named(BaseModel):
    person_id: UUID
    name: str


class AccessOut(BaseModel):
    at: datetime
    who: Named
    action: str
    section: str
    #: The people of the request's path: whose diary, card or marks it was.
    about: list[Named]
    outcome: str
    method: str
    path: str


class AccessPage(BaseModel):
    page: int
    pages: int
    total: int
    entries: list[AccessOut]


@router.get("")
async def access_log(
    school_id: UUID,
    current: SignedInDep,
    request: Request,
    person_id: UUID | None = None,
    about_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    page: int = Query(1, ge=1),
) -> AccessPage:
    caller = current.caller
    if not caller.has_role(school_id, *VIEWERS):
        raise NotFound("Журнал доступа не найден.")
    settings = request.app.state.settings
    zone = ZoneInfo(settings.timezone)
    when = span(start, end, request.app.state.clock.today(settings.timezone), zone)
    of_school = exists().where(SchoolRole.person_id == AccessLogEntry.person_id, SchoolRole.school_id == school_id)
    where = [AccessLogEntry.at >= when.since, AccessLogEntry.at < when.until, of_school]
    if person_id is not None:
        where.append(AccessLogEntry.person_id == person_id)
    if about_id is not None:
        where.append(AccessLogEntry.path.contains(str(about_id)))
    async with request.app.state.db.transaction(SYSTEM) as session:
        total = await session.scalar(select(func.count()).select_from(AccessLogEntry).where(*where)) or 0
        rows = list(
            await session.scalars(
                select(AccessLogEntry)
                .where(*where)
                .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        )
        ids = {row.person_id for row in rows} | {i for row in rows for i in named_ids(row.path)}
        names = {
            p.person_id: f"{p.last_name} {p.first_name}" + (f" {p.middle_name}" if p.middle_name else "")
            for p in await session.scalars(select(Person).where(Person.person_id.in_(ids)))
        }
    await record_access(request.app.state.access_log, caller.person_id, "GET", request.url.path, 200)
    entries = [
        AccessOut(
            at=row.at,
            who=Named(person_id=row.person_id, name=names.get(row.person_id, "неизвестный пользователь")),
            action=action(row.method),
            section=section(row.path),
            about=[Named(person_id=i, name=names[i]) for i in named_ids(row.path) if i in names and i != row.person_id],
            outcome=outcome(row.status),
            method=row.method,
            path=row.path,
        )
        for row in rows
    ]
    return AccessPage(page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total, entries=entries)
