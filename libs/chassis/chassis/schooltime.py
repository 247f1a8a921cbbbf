"""The school's own time: every "today", deadline and edit window is the school's local date.

Russia spans eleven time zones: at 01:00 in Владивосток it is still yesterday in Калининград.
Roster owns a school's zone; every other service keeps a replica in the chassis table
``school_zones``, fed by roster's ``school.registered`` and ``school.settings_changed`` events
(``follow_school_zones`` adds the two handlers to one of the service's consumers). Roster
writes the same table in the transaction that changes the zone (``remember_zone``). A school the
service has not heard of yet is in the service's configured zone (the region's).
``chassis.deps.SchoolToday`` reads it for every route under ``/schools/{school_id}``.
"""

from uuid import UUID

from sqlalchemy import ColumnElement, ScalarSelect, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.tables import school_zones
from contracts.roster import SchoolRegistered, SchoolSettingsChanged


async def remember_zone(session: AsyncSession, school_id: UUID, timezone: str, version: int) -> None:
    """Keep ``timezone`` as the school's zone unless a later version is kept already."""
    statement = insert(school_zones).values(school_id=school_id, timezone=timezone, version=version)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[school_zones.c.school_id],
            set_={"timezone": timezone, "version": version},
            where=school_zones.c.version < statement.excluded.version,
        )
    )


def school_zone(school_id: UUID | ColumnElement[UUID]) -> ScalarSelect[str]:
    """The school's stored zone as a column of another statement (NULL when unknown): a hot path's one read."""
    return select(school_zones.c.timezone).where(school_zones.c.school_id == school_id).scalar_subquery()


async def zone_of(session: AsyncSession, school_id: UUID, default: str) -> str:
    """The school's IANA time zone, or ``default`` when the service has not heard of the school."""
    stored = await session.scalar(select(school_zone(school_id)))
    return stored or default


def follow_school_zones(consumer: Consumer) -> None:
    """Add to ``consumer`` the handlers that keep ``school_zones`` as roster announces the zones."""
    taken = {SchoolRegistered, SchoolSettingsChanged} & set(consumer.handlers)
    if taken:
        raise ValueError(f"{consumer.name} handles {taken} already: follow the zones on another consumer")

    @consumer.on(SchoolRegistered)
    async def registered(session: AsyncSession, event: SchoolRegistered, envelope: Envelope) -> None:
        await remember_zone(session, event.school_id, event.timezone, 0)

    @consumer.on(SchoolSettingsChanged)
    async def changed(session: AsyncSession, event: SchoolSettingsChanged, envelope: Envelope) -> None:
        await remember_zone(session, event.school_id, event.timezone, event.version)
