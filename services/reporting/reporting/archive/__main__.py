"""The year-end archive's commands (R-65): build and sign it, verify a store's copy, list what may be destroyed.

    python -m reporting.archive build --school ID --year 2026/2027 --start 2026-09-01 --end 2027-06-30 \\
        --certificate school.pem (--key school.key | --sign-command "openssl cms ...")
    python -m reporting.archive verify --store DIR --school ID --year 2026/2027
    python -m reporting.archive retention --store DIR [--today 2032-07-01]

``build`` reads the reporting database (``JOURNAL_DATABASE_URL``) and writes to both stores
(``JOURNAL_FILES_DIR`` and ``JOURNAL_ARCHIVE_MIRROR_DIR``). Production signs with the certified
``--sign-command``; ``--key`` (the pure-Python GOST signer) is for development and tests.
"""

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

from chassis.db import Database
from chassis.files import DirectoryStore
from chassis.problems import DomainError
from chassis.signing import CommandSigner, GostSigner, Signer
from reporting.archive.auto import build_archive, stores_of
from reporting.archive.cms import load_certificate
from reporting.archive.store import archive_prefix, verify_archive
from reporting.domain.archive import MANIFEST, Manifest, due_for_destruction
from reporting.domain.periods import checked_range
from reporting.settings import ReportingSettings


async def build(args: argparse.Namespace, settings: ReportingSettings) -> str:
    year = checked_range(args.start, args.end, 366)
    signer: Signer = (
        CommandSigner(args.sign_command) if args.sign_command else GostSigner.from_pem(args.key.read_bytes())
    )
    certificate = load_certificate(args.certificate.read_bytes())
    db = Database(settings.database_url, source="/archive", pool_size=1, max_overflow=0)
    try:
        prefix, count = await build_archive(
            db, stores_of(settings), args.school, args.year, year, signer, certificate, datetime.now(UTC)
        )
    finally:
        await db.dispose()
    return f"Архив {prefix}: {count} файлов, подписан, записан в два хранилища."


async def verify(args: argparse.Namespace) -> tuple[bool, str]:
    verdict = await verify_archive(DirectoryStore(args.store), archive_prefix(str(args.school), args.year))
    if verdict.intact:
        return True, f"Архив цел. Подписал: {verdict.signer}."
    return False, "\n".join(["Архив НЕ цел:", *verdict.problems])


async def retention(args: argparse.Namespace) -> str:
    store = DirectoryStore(args.store)
    lines = []
    for listed in await store.list("archive"):
        if listed.key.endswith(f"/{MANIFEST}"):
            manifest = Manifest.load(await store.get(listed.key))
            prefix = listed.key.rsplit("/", 1)[0]
            lines += [f"{prefix}/{entry.path}" for entry in due_for_destruction(manifest, args.today)]
    return "\n".join(lines) if lines else "Нечего уничтожать: сроки хранения не истекли."


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reporting.archive", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("build")
    made.add_argument("--school", type=UUID, required=True)
    made.add_argument("--year", required=True, help="e.g. 2026/2027")
    made.add_argument("--start", type=date.fromisoformat, required=True)
    made.add_argument("--end", type=date.fromisoformat, required=True)
    made.add_argument("--certificate", type=Path, required=True)
    signing = made.add_mutually_exclusive_group(required=True)
    signing.add_argument("--key", type=Path)
    signing.add_argument("--sign-command")
    checked = commands.add_parser("verify")
    checked.add_argument("--store", type=Path, required=True)
    checked.add_argument("--school", type=UUID, required=True)
    checked.add_argument("--year", required=True)
    kept = commands.add_parser("retention")
    kept.add_argument("--store", type=Path, required=True)
    kept.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            print(asyncio.run(build(args, ReportingSettings())))
        except DomainError as refused:
            print(refused.detail, file=sys.stderr)
            return 2
        return 0
    if args.command == "verify":
        intact, text = asyncio.run(verify(args))
        print(text)
        return 0 if intact else 1
    print(asyncio.run(retention(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
