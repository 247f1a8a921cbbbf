"""The year-end archive built by itself when roster archives a school year (R-65).

The consumer queues the year (``year_archives``, one row per school and year, so a repeated or reordered
event queues nothing new); a task of the service builds what is queued off the consumer — the PDFs take a
while — under a lock per school and year (one builder among the instances). The signed manifest already in
the first store means the archive was made (by a builder stopped before it could say so, or by the
command): it is not made twice. A school without its signing certificate stays queued with the reason,
and is tried again on the next round once the certificate is in place.
"""

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path
from uuid import UUID

import structlog
from sqlalchemy import func, select

from chassis.db import Database
from chassis.files import DirectoryStore, FileStore
from chassis.signing import CommandSigner, GostSigner, Signer
from chassis.tenancy import Tenant
from reporting.archive.cms import load_certificate
from reporting.archive.collect import archive_files
from reporting.archive.store import archive_prefix, write_archive
from reporting.domain.archive import MANIFEST, Manifest
from reporting.domain.periods import DateRange
from reporting.reports.models import YearArchive
from reporting.settings import ReportingSettings

log = structlog.get_logger()


class NoCertificate(Exception):
    pass


async def build_archive(
    db: Database,
    stores: list[FileStore],
    school_id: UUID,
    year_name: str,
    year: DateRange,
    signer: Signer,
    certificate,
    made_at: datetime,
) -> tuple[str, int]:
    """Freeze the school's year into both stores, signed; the archive's prefix and how many files it holds."""
    async with db.transaction(Tenant(school_id=school_id)) as session:
        school, files = await archive_files(session, school_id, year, year_name, made_at)
    manifest = Manifest(str(school_id), school, year_name, year.end, made_at, [])
    return await write_archive(stores, manifest, files, signer, certificate), len(files)


def school_signer(settings: ReportingSettings, school_id: UUID) -> tuple[Signer, object]:
    """The school's certificate and its signer: ``<archive_keys_dir>/<school>.pem`` with the certified
    ``archive_sign_command`` in production, or the development key ``<school>.key`` beside it."""
    folder = Path(settings.archive_keys_dir)
    certificate = folder / f"{school_id}.pem"
    if not certificate.exists():
        raise NoCertificate(f"Нет сертификата школы для подписи архива: {certificate}")
    if settings.archive_sign_command:
        signer: Signer = CommandSigner(settings.archive_sign_command.format(school_id=school_id))
    else:
        key = folder / f"{school_id}.key"
        if not key.exists():
            raise NoCertificate(f"Нет ключа подписи школы: {key}")
        signer = GostSigner.from_pem(key.read_bytes())
    return signer, load_certificate(certificate.read_bytes())


def stores_of(settings: ReportingSettings) -> list[FileStore]:
    return [DirectoryStore(settings.files_dir), DirectoryStore(settings.archive_mirror_dir)]


async def build_queued(db: Database, settings: ReportingSettings, now: datetime) -> int:
    """Builds every queued year's archive it can; how many it built."""
    async with db.transaction(Tenant(region_read=True)) as session:
        queued = (
            await session.execute(select(YearArchive.school_id, YearArchive.year_id).filter_by(status="queued"))
        ).all()
    built = 0
    for school_id, year_id in queued:
        built += await _build_one(db, settings, school_id, year_id, now)
    return built


async def _build_one(db: Database, settings: ReportingSettings, school_id: UUID, year_id: UUID, now: datetime) -> int:
    async with db.transaction(Tenant(school_id=school_id)) as session:
        lock = func.pg_try_advisory_xact_lock(func.hashtextextended(f"year-archive:{school_id}:{year_id}", 0))
        if not await session.scalar(select(lock)):
            return 0
        row = await session.get(YearArchive, (school_id, year_id))
        if row is None or row.status != "queued":
            return 0
        stores = stores_of(settings)
        prefix = archive_prefix(str(school_id), row.name)
        made = any(f.key == f"{prefix}/{MANIFEST}" for f in await stores[0].list(prefix))
        if not made:
            try:
                signer, certificate = school_signer(settings, school_id)
            except NoCertificate as missing:
                row.error = str(missing)
                return 0
            year = DateRange(row.starts, row.ends)
            _, count = await build_archive(db, stores, school_id, row.name, year, signer, certificate, now)
            log.info("year_archive_built", school_id=str(school_id), year=row.name, files=count)
        row.status, row.error, row.built_at = "done", None, now
        return 0 if made else 1


async def build_forever(db: Database, settings: ReportingSettings, clock, interval: float) -> None:
    while True:
        with contextlib.suppress(Exception):
            await build_queued(db, settings, clock.now())
        await asyncio.sleep(interval)
