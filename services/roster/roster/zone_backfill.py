"""Schools registered before roster announced time zones: the other services never heard their zone and keep
the region's for them until their settings change. On start roster announces each such school's settings once
(a new settings version, so every replica takes it); the flag is cleared in the same transaction as the event,
so a restart or a second instance announces nothing twice.

``uv run python -m roster.zone_backfill`` does the same by hand.
"""

import asyncio

import structlog
from sqlalchemy import select

from chassis.db import Database
from chassis.tenancy import Tenant
from roster.calendars import announce_settings
from roster.models import School
from roster.settings import RosterSettings

log = structlog.get_logger()


async def announce_unheard_zones(db: Database) -> int:
    """Announce the settings of every school whose zone was never announced; how many were."""
    async with db.transaction(Tenant(region_read=True)) as session:
        unheard = list(await session.scalars(select(School.id).where(School.zone_announced.is_(False))))
    announced = 0
    for school_id in unheard:
        async with db.transaction(Tenant(school_id=school_id)) as session:
            # Locked and checked again: another instance starting at the same time may have announced it.
            school = await session.scalar(
                select(School).where(School.id == school_id, School.zone_announced.is_(False)).with_for_update()
            )
            if school is None:
                continue
            await announce_settings(session, school)
            announced += 1
    if announced:
        log.info("school_zones_announced", schools=announced)
    return announced


async def main() -> None:
    settings = RosterSettings()
    db = Database(settings.database_url, source=f"/{settings.service_name}", pool_size=1, max_overflow=0)
    try:
        print(f"Объявлены настройки школ: {await announce_unheard_zones(db)}")
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
