"""FastAPI dependencies every router uses: the caller, a transaction as the caller's tenant, today.

Routes under ``/schools/{school_id}/...`` take ``SchoolSession``: the caller must belong to
that school (or read the region), and PostgreSQL row-level security then confines every
query to it. The transaction commits when the route returns, before the response is sent,
so a client never sees success for a write that did not commit.
"""

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller, current_caller
from chassis.db import Database
from chassis.schooltime import zone_of

CallerDep = Annotated[Caller, Depends(current_caller)]


def database(request: Request) -> Database:
    return request.app.state.db


async def school_session(school_id: UUID, caller: CallerDep, request: Request) -> AsyncIterator[AsyncSession]:
    async with database(request).transaction(caller.tenant_for(school_id)) as session:
        yield session


SchoolSession = Annotated[AsyncSession, Depends(school_session, scope="function")]


async def school_today(school_id: UUID, session: SchoolSession, request: Request) -> date:
    """The school's today by the service's clock (``chassis.clock``) in the school's own time zone."""
    return today_in(request, await zone_of(session, school_id, request.app.state.settings.timezone))


def today_in(request: Request, zone: str | None) -> date:
    """Today by the service's clock in ``zone`` (``chassis.schooltime.school_zone`` read with a route's other facts),
    or in the service's configured zone when the school's is not known."""
    return request.app.state.clock.today(zone or request.app.state.settings.timezone)


SchoolToday = Annotated[date, Depends(school_today)]
