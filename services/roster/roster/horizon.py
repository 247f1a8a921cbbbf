"""The rolling horizon (R-14): a daily job keeps every school's dated lessons two weeks ahead.

Dated lessons are not made for a whole year on 1 September: the template is unrolled day by day,
two weeks ahead, skipping holidays (``roster.timetabling.sync_timetable``). Each school's day
turns at its own midnight (Владивосток nine hours before Калининград), so the job looks every
``horizon_check_seconds`` and rolls each school once per local date. Rolling again adds nothing
(the year's row is locked and the lessons already there are kept), so several roster instances
and restarts are safe.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import structlog
from fastapi import FastAPI
from sqlalchemy import select

from chassis.clock import Clock
from chassis.db import Database
from chassis.tenancy import Tenant
from roster.calendars import status_of, year_on
from roster.domain.calendar import YearStatus
from roster.models import School
from roster.timetabling import sync_timetable

log = structlog.get_logger()


@dataclass
class HorizonRoller:
    db: Database
    #: The service's clock as it is now (tests move it).
    clock: Callable[[], Clock]
    #: The local date each school was last rolled on by this instance.
    rolled: dict[UUID, date] = field(default_factory=dict)

    async def roll_school(self, school_id: UUID, today: date) -> int:
        """Bring one school's lessons up to ``today`` + two weeks; how many were added."""
        async with self.db.transaction(Tenant(school_id=school_id)) as session:
            year = await year_on(session, school_id, today)
            if year is None or status_of(year) in (YearStatus.CLOSING, YearStatus.ARCHIVED):
                return 0
            await session.refresh(year, with_for_update=True)
            change = await sync_timetable(session, year, today, apply=True)
            return len(change.added)

    async def roll_due(self) -> dict[UUID, int]:
        """Roll every school whose local date changed since this instance last rolled it."""
        async with self.db.transaction(Tenant(region_read=True)) as session:
            schools = list(await session.execute(select(School.id, School.timezone)))
        added = {}
        for school_id, zone in schools:
            today = self.clock().today(zone)
            if self.rolled.get(school_id) == today:
                continue
            try:
                added[school_id] = await self.roll_school(school_id, today)
            except Exception:
                # One school's broken template must not stop the others; it is tried again next time.
                log.exception("horizon_roll_failed", school_id=str(school_id))
                continue
            self.rolled[school_id] = today
        return added

    async def run(self, every_seconds: float) -> None:
        while True:
            try:
                added = await self.roll_due()
                if any(added.values()):
                    log.info("horizon_rolled", lessons=sum(added.values()), schools=len(added))
            except Exception:
                log.exception("horizon_roll_error")
            await asyncio.sleep(every_seconds)


@contextlib.asynccontextmanager
async def horizon_job(app: FastAPI) -> AsyncIterator[None]:
    roller = HorizonRoller(app.state.db, lambda: app.state.clock)
    app.state.horizon = roller
    task = asyncio.create_task(roller.run(app.state.settings.horizon_check_seconds), name="timetable-horizon")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
