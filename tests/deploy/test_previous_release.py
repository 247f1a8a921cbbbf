"""Expand, then contract (docs/operations.md): the previous release's tables and columns still fit this one's.

A release rolls out while its predecessor still serves, so each part's previous release — main as it stood
before the landing that added the part's newest migration — must still read and write this release's schema.
The cheap form of that check, run here: the previous release's models (its own code, from git, imported in a
process of their own) against this release's — every table and column they map is still there with its type,
and every column added since, or made NOT NULL since, takes a value the old code does not send (nullable, or a
server default). The full form, the previous release's API tests on the new migrations, is a CI job of its own
(docs/operations.md).
"""

import io
import json
import shutil
import subprocess
import sys
import tarfile

import pytest
from sqlalchemy import MetaData

import attendance.models
import chassis.tables
import gateway.models
import gradebook.models
import notifications.models
import reporting.models
import roster.models

from .conftest import REPO

PARTS = {
    "roster": ("services/roster", roster.models.Base.metadata),
    "gradebook": ("services/gradebook", gradebook.models.Base.metadata),
    "attendance": ("services/attendance", attendance.models.Base.metadata),
    "notifications": ("services/notifications", notifications.models.Base.metadata),
    "reporting": ("services/reporting", reporting.models.Base.metadata),
    "gateway": ("gateway", gateway.models.Base.metadata),
}
#: Our own packages: forgotten between two releases, so each release's are imported from its own code.
OURS = ["chassis", "contracts", *PARTS]
#: Run once, with ``{part: [its release's code directories]}``: each release's models (and the chassis' own
#: tables) as JSON; third-party packages are imported once for all.
DUMP = """
import importlib, json, sys
def columns(metadata):
    return {t.name: {c.name: [type(c.type).__name__, c.nullable] for c in t.columns} for t in metadata.tables.values()}
ours, found = set(sys.argv[2].split()), {}
for part, paths in json.loads(sys.argv[1]).items():
    for name in [m for m in sys.modules if m.split(".")[0] in ours]:
        del sys.modules[name]
    sys.path[:0] = paths
    importlib.invalidate_caches()
    models, tables = importlib.import_module(f"{part}.models"), importlib.import_module("chassis.tables")
    found[part] = {**columns(tables.metadata), **columns(models.Base.metadata)}
    del sys.path[: len(paths)]
print(json.dumps(found))
"""
#: What a previous release found and was let pass, with why; keyed by that release, so an entry stops applying
#: once the part lands a newer migration (then delete it).
KNOWN = {
    # roster's 0012_year8_buildings made buildings records and dropped rooms.building in the same release
    # (expand and contract at once): roster's pods of the release before cannot run beside it, so that upgrade
    # stops roster's old pods before the new ones start. Noted in docs/operations.md.
    "e93f7e13289dcea6a50df9832227f5e875d2c6a1^1": [
        "rooms.building: dropped or renamed, the previous release still maps it"
    ],
}


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


def previous_release(part_dir: str) -> str | None:
    """Main before the landing that added the part's newest migration (None: that migration is not committed)."""
    newest = sorted((REPO / part_dir / "migrations" / "versions").glob("0*.py"))[-1]
    added = git("log", "--first-parent", "--diff-filter=A", "-1", "--format=%H", "--", str(newest.relative_to(REPO)))
    return f"{added}^1" if added else None


def columns(metadata: MetaData) -> dict:
    return {t.name: t.columns for t in metadata.tables.values()}


def takes_no_value(column) -> bool:
    """A column the old code never sends is fine when PostgreSQL fills it."""
    return column.nullable or column.server_default is not None or column.identity is not None


def incompatible(old: dict[str, dict[str, list]], new: MetaData) -> list[str]:
    found = []
    tables = {**columns(chassis.tables.metadata), **columns(new)}
    for table, old_columns in old.items():
        if table not in tables:
            found.append(f"{table}: dropped, the previous release still maps it")
            continue
        now = tables[table]
        for name, (type_name, nullable) in old_columns.items():
            if name not in now:
                found.append(f"{table}.{name}: dropped or renamed, the previous release still maps it")
            elif type(now[name].type).__name__ != type_name:
                found.append(f"{table}.{name}: {type_name} became {type(now[name].type).__name__}")
            elif nullable and not takes_no_value(now[name]):
                found.append(f"{table}.{name}: became NOT NULL without a default, the previous release may send none")
        for column in now:
            if column.name not in old_columns and not takes_no_value(column):
                found.append(
                    f"{table}.{column.name}: added NOT NULL without a default, the previous release sends none"
                )
    return found


@pytest.fixture(scope="module")
def previous_tables(tmp_path_factory) -> dict[str, tuple[str, dict]]:
    """Each part's previous release and the tables its models map, read from its own code out of git."""
    if shutil.which("git") is None or git("rev-parse", "--is-shallow-repository") != "false":
        pytest.skip("needs the repository's history (git, not a shallow clone)")
    releases = {part: release for part, (part_dir, _) in PARTS.items() if (release := previous_release(part_dir))}
    paths: dict[str, list[str]] = {}
    for part, release in releases.items():
        tree = tmp_path_factory.mktemp("previous")
        archive = subprocess.run(
            ["git", "archive", release, "libs", "services", "gateway"], cwd=REPO, check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as code:
            code.extractall(tree, filter="data")
        paths[part] = [str(tree / "libs" / "chassis"), str(tree / "libs" / "contracts"), str(tree / PARTS[part][0])]
    dumped = subprocess.run(
        [sys.executable, "-c", DUMP, json.dumps(paths), " ".join(OURS)],
        cwd=tmp_path_factory.mktemp("dump"),
        check=True,
        capture_output=True,
        text=True,
    )
    return {part: (releases[part], tables) for part, tables in json.loads(dumped.stdout).items()}


@pytest.mark.parametrize("part", PARTS)
def test_the_previous_release_still_fits_the_schema(part, previous_tables):
    if part not in previous_tables:
        pytest.skip(f"{part}'s newest migration is not committed yet: there is no landing before it to compare")
    release, tables = previous_tables[part]
    assert incompatible(tables, PARTS[part][1]) == KNOWN.get(release, []), release
