"""The year-end archive made by itself (R-65): roster's «archived» event through the broker queues the school's
year; the service builds, signs and stores it in both stores once — a repeated event or a later version of
the year builds nothing again — and a school without its certificate waits, saying why."""

import asyncio
import shutil
from datetime import date
from pathlib import Path
from uuid import uuid4

from sqlalchemy import select

from chassis.files import DirectoryStore
from chassis.tenancy import Tenant
from chassis.testing import eventually, publish_event
from contracts.roster import AcademicYearChanged
from reporting.archive.store import archive_prefix, verify_archive
from reporting.domain.archive import MANIFEST
from reporting.reports.models import YearArchive

FIXTURES = Path(__file__).parent / "fixtures"


def year(year_id, status: str, version: int) -> AcademicYearChanged:
    return AcademicYearChanged(
        year_id=year_id,
        version=version,
        name="2026/2027",
        starts=date(2026, 9, 1),
        ends=date(2027, 6, 30),
        status=status,
    )


async def archived_row(app, school_id, year_id) -> YearArchive | None:
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        return await session.scalar(select(YearArchive).filter_by(school_id=school_id, year_id=year_id))


async def test_an_archived_year_is_signed_into_both_stores_once(app, client, settings, make_family):
    school, year_id = (await make_family()).school_id, uuid4()
    keys = Path(settings.archive_keys_dir)
    shutil.copy(FIXTURES / "school-gost-cert.pem", keys / f"{school}.pem")
    shutil.copy(FIXTURES / "school-gost-key.pem", keys / f"{school}.key")
    # Closing is not yet archived: nothing is queued.
    await publish_event(settings, year(year_id, "closing", 3), school_id=school)
    await publish_event(settings, year(year_id, "archived", 4), school_id=school)

    async def built() -> YearArchive | None:
        row = await archived_row(app, school, year_id)
        return row if row is not None and row.status == "done" else None

    row = await eventually(built, timeout=60)
    assert row.error is None and row.built_at is not None
    prefix = archive_prefix(str(school), "2026/2027")
    for folder in (settings.files_dir, settings.archive_mirror_dir):
        verdict = await verify_archive(DirectoryStore(folder), prefix)
        assert verdict.intact, verdict.problems
    manifest = Path(settings.files_dir) / prefix / MANIFEST
    first = manifest.read_bytes()

    # The same event again, and the year's next version: the archive stays the one that was signed.
    await publish_event(settings, year(year_id, "archived", 4), school_id=school)
    await publish_event(settings, year(year_id, "archived", 5), school_id=school)
    # Nothing to wait for but the chance to go wrong: a few rounds of the builder.
    await asyncio.sleep(2)
    again = await archived_row(app, school, year_id)
    assert again is not None and again.built_at == row.built_at
    assert manifest.read_bytes() == first


async def test_a_school_without_its_certificate_waits_and_says_why(app, client, settings, make_family):
    school, year_id = (await make_family()).school_id, uuid4()
    await publish_event(settings, year(year_id, "archived", 1), school_id=school)

    async def waiting() -> YearArchive | None:
        row = await archived_row(app, school, year_id)
        return row if row is not None and row.error else None

    row = await eventually(waiting, timeout=30)
    assert row.status == "queued" and "Нет сертификата школы" in row.error
    assert not (Path(settings.files_dir) / archive_prefix(str(school), "2026/2027") / MANIFEST).exists()
