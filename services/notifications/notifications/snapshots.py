"""Notifications' aggregates as snapshot events (``chassis.snapshots``): each announcement as published.

Announcements do not change once published, so the event that published one is its whole state; the
diary's copy (reporting) is rebuilt from these.
"""

from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.snapshots import Snapshot, Snapshots
from contracts.notifications import AnnouncementPublished
from notifications.models import Announcement

snapshots = Snapshots("notifications")


@snapshots.aggregate("announcement", AnnouncementPublished)
async def announcements(session: AsyncSession) -> AsyncIterator[Snapshot]:
    rows = await session.stream_scalars(select(Announcement).execution_options(yield_per=500))
    async for announcement in rows:
        yield Snapshot(
            announcement.school_id,
            AnnouncementPublished(
                announcement_id=announcement.id,
                class_id=announcement.class_id,
                title=announcement.title,
                text=announcement.text,
                starts_on=announcement.starts_on,
                ends_on=announcement.ends_on,
                author_id=announcement.author_id,
            ),
        )
