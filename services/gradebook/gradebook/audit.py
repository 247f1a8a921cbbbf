"""Sealing the mark-change log into a chain per school (R-25), off the hot path, and verifying it.

Writers only insert ``mark_changes`` rows (``api/marks.py``, ``api/corrections.py``); a background task
seals each school's unsealed entries in the order they were written, under a transaction lock per school
(one sealer among all gradebook instances), stopping short of entries younger than ``SETTLE``: a writer's
transaction still open may hold an older entry, and the chain should follow the time of writing. An entry
that commits later than that is sealed after the others; its place is its ``seal_no``.
"""

import asyncio
import contextlib
from datetime import timedelta
from uuid import UUID

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis import chain
from chassis.db import Database
from chassis.tenancy import Tenant
from gradebook.domain.audit_chain import ChangeEntry, first_broken, seal
from gradebook.models import MarkChange
from gradebook.settings import GradebookSettings

log = structlog.get_logger()
SETTLE = timedelta(seconds=10)
BATCH = 1000


def entry(row: MarkChange) -> ChangeEntry:
    assert row.seal_no is not None
    return ChangeEntry(
        id=row.id,
        school_id=row.school_id,
        seal_no=row.seal_no,
        mark_id=row.mark_id,
        lesson_id=row.lesson_id,
        action=row.action,
        changed_by=row.changed_by,
        changed_by_name=row.changed_by_name,
        changed_at=row.changed_at,
        old_value=row.old_value,
        new_value=row.new_value,
        reason=row.reason,
    )


async def seal_pending(session: AsyncSession, school_id: UUID, settle: timedelta = SETTLE) -> int:
    """Seals the school's settled unsealed entries in the order they were written; how many."""
    locked = select(func.pg_try_advisory_xact_lock(func.hashtextextended(f"mark_changes:{school_id}", 0)))
    if not await session.scalar(locked):
        return 0
    head = (
        await session.execute(
            select(MarkChange.seal_no, MarkChange.seal)
            .where(MarkChange.school_id == school_id, MarkChange.seal_no.is_not(None))
            .order_by(MarkChange.seal_no.desc())
            .limit(1)
        )
    ).first()
    number, previous = head if head else (0, chain.GENESIS)
    pending = await session.scalars(
        select(MarkChange)
        .where(
            MarkChange.school_id == school_id,
            MarkChange.seal.is_(None),
            MarkChange.changed_at < func.now() - settle,
        )
        .order_by(MarkChange.changed_at, MarkChange.id)
        .limit(BATCH)
    )
    sealed = 0
    for row in pending:
        number += 1
        row.seal_no = number
        row.seal = previous = seal(previous, entry(row))
        sealed += 1
    return sealed


async def verify(session: AsyncSession, school_id: UUID) -> tuple[int, ChangeEntry | None]:
    """How many of the school's entries are sealed, and the first one changed, removed or moved since; None: intact."""
    rows = list(
        await session.scalars(
            select(MarkChange)
            .where(MarkChange.school_id == school_id, MarkChange.seal_no.is_not(None))
            .order_by(MarkChange.seal_no)
        )
    )
    return len(rows), first_broken((entry(row), row.seal or "") for row in rows)


async def verify_all(db: Database) -> dict[UUID, tuple[int, ChangeEntry | None]]:
    """Every school's chain checked, read only: how many entries are sealed and the first broken, per school."""
    async with db.transaction(Tenant(region_read=True)) as session:
        schools = list(await session.scalars(select(MarkChange.school_id).distinct()))
        return {school_id: await verify(session, school_id) for school_id in schools}


def main() -> int:
    """``python -m gradebook.audit``: checks every school's mark-change chain; exit 1 names the first broken entry."""

    async def run() -> int:
        db = Database(GradebookSettings().database_url, source="/audit", pool_size=1, max_overflow=0)
        try:
            found = await verify_all(db)
        finally:
            await db.dispose()
        broken = {school: b for school, (_, b) in found.items() if b is not None}
        for school, (sealed, entry) in sorted(found.items()):
            state = "цепочка цела" if entry is None else f"нарушена запись № {entry.seal_no} (id {entry.id})"
            print(f"Школа {school}: опечатано записей — {sealed}, {state}.")
        return 1 if broken else 0

    return asyncio.run(run())


async def schools_to_seal(db: Database) -> list[UUID]:
    # Every school's rows are visible only to a region-wide read: it finds them, and writes nothing.
    async with db.transaction(Tenant(region_read=True)) as session:
        return list(await session.scalars(select(MarkChange.school_id).where(MarkChange.seal.is_(None)).distinct()))


async def seal_forever(db: Database, interval: float) -> None:
    while True:
        with contextlib.suppress(Exception):
            for school_id in await schools_to_seal(db):
                async with db.transaction(Tenant(school_id=school_id)) as session:
                    sealed = await seal_pending(session, school_id)
                if sealed:
                    log.debug("mark_changes_sealed", school_id=str(school_id), entries=sealed)
        await asyncio.sleep(interval)


if __name__ == "__main__":
    raise SystemExit(main())
