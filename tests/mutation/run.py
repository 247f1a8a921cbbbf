"""Mutation testing of the rules and the access checks (mutmut 3), one package at a time.

    uv run python tests/mutation/run.py [TARGET ...] [--quick | --chassis]

Targets: every service's rules (``domain/``, against its unit tests), the access checks (against the
service's API tests), and the chassis' event flow and tenancy (``chassis-*``: a module each against
the integration tests that reach it, tens of minutes each on this machine, so only when named or
with ``--chassis``). For each target, the modules to mutate are copied into
``var/mutation/<target>/`` and mutmut runs there: it writes its mutants under that folder, never
into the working tree, so the code you edit is untouched even if a run is killed. The project's
tests are copied beside it and import the mutated copy (mutmut puts it first on ``sys.path``).
mutmut records which tests reach which function and runs only those for each mutant, in a
process forked from one that has imported everything, so a mutant costs a test, not a Python
start-up.

Prints per target: killed, survived, not reached by any test, the score (killed or timed out
over all mutants) and the surviving mutants by name (``mutmut show NAME`` in that folder shows
the diff). ``--quick`` mutates only the edit window, with its unit tests: a couple of minutes.

Integration tests share this run's databases (named by the process id of mutmut's parent), so
a target whose tests touch the database runs one mutant at a time; each such mutant costs a
fresh database and app (about ten seconds here).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("roster", "gradebook", "attendance", "notifications", "reporting", "gateway")
WORK = ROOT / "var" / "mutation"


@dataclass(frozen=True)
class Target:
    project: str  # the folder holding the importable package and its migrations, relative to the repository
    mutate: tuple[str, ...]  # relative to the project
    tests: tuple[str, ...]  # file patterns in the project's tests/
    parallel: int = 1


def _rules(service: str) -> Target:
    """A service's ``domain/`` against its unit tests (``test_*_rules.py``): no database, a second a mutant."""
    project = f"services/{service}" if service != "gateway" else "gateway"
    return Target(project, (f"{service}/domain/",), ("test_*rules.py",), parallel=2)


#: ``make mutation``: the rules of every service and the access checks (under an hour here).
TARGETS = {
    **{f"{service}-rules": _rules(service) for service in SERVICES},
    # The attestation and forecast rules gradebook and reporting share.
    "chassis-rules": Target(
        "libs/chassis", ("chassis/period_mark_rules.py",), ("test_period_mark_rules.py",), parallel=2
    ),
    # The access checks need the database: the service's tests run (those that reach the mutant), one at a time.
    "gradebook-access": Target("services/gradebook", ("gradebook/api/access.py",), ("test_*.py",)),
    "reporting-access": Target("services/reporting", ("reporting/api/access.py",), ("test_*.py",)),
    "roster-access": Target("services/roster", ("roster/api/access.py",), ("test_*.py",)),
}

#: ``make mutation-chassis``: the event flow and tenancy, each module against the integration tests that exercise it
#: (the probe service's database and broker, a fresh one per mutant), one target at a time.
CHASSIS = {
    # Typed handlers, the inbox, batches, retries, outages, dead letters and the publishers' check.
    "chassis-consumers": Target(
        "libs/chassis",
        ("chassis/consumers.py",),
        (
            "test_messaging.py",
            "test_batches.py",
            "test_retries.py",
            "test_dlq.py",
            "test_metrics.py",
            "test_publishers.py",
            "test_rebuild.py",
        ),
    ),
    # The outbox: envelopes and their rows written with the change, the relay publishing them confirmed.
    "chassis-outbox": Target(
        "libs/chassis",
        ("chassis/relay.py", "chassis/events.py"),
        ("test_messaging.py", "test_metrics.py", "test_topology.py", "test_replay.py", "test_public_exchange.py"),
    ),
    # The tenant a transaction runs as: the value and how ``chassis.db`` sets it (BEGIN, savepoints, read only).
    "chassis-tenancy": Target(
        "libs/chassis", ("chassis/tenancy.py", "chassis/db.py"), ("test_db.py", "test_idempotency.py")
    ),
    "chassis-replicas": Target("libs/chassis", ("chassis/replicas.py",), ("test_replicas.py",)),
}

#: ``make mutation-quick``: the edit window against its unit tests, a couple of minutes.
QUICK = {
    "gradebook-edit-window": Target(
        "services/gradebook",
        ("gradebook/domain/edit_window.py",),
        ("test_edit_window_rules.py",),
        parallel=2,
    ),
}


def _setup_cfg(target: Target, copied: list[str]) -> str:
    # Relative to the folder: mutmut names tests by their path there, and selects them by that name.
    tests = sorted(
        f"tests/{path.name}" for pattern in target.tests for path in (ROOT / target.project / "tests").glob(pattern)
    )

    def listing(values: list[str]) -> str:
        return "".join(f"\n    {v}" for v in values)

    return (
        "[mutmut]\n"
        f"source_paths ={listing(list(target.mutate))}\n"
        # The whole project, so the tests import every module of the package (and find its migrations) in the copy.
        f"also_copy ={listing(copied)}\n"
        f"pytest_add_cli_args_test_selection ={listing(tests)}\n"
        # A mutant is "timed out" only when it really hangs, not when the shared machine is slow.
        "timeout_constant = 30\n"
    )


def run(name: str, target: Target) -> dict:
    """Mutate one package in its own folder; return its counts and survivors."""
    folder = WORK / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    project = ROOT / target.project
    copied = []
    for entry in sorted(project.iterdir()):
        if entry.is_dir() and entry.name != "__pycache__":
            shutil.copytree(entry, folder / entry.name, ignore=shutil.ignore_patterns("__pycache__"))
            copied.append(entry.name + "/")
    (folder / "setup.cfg").write_text(_setup_cfg(target, copied))
    mutmut = [sys.executable, "-m", "mutmut"]
    started = time.monotonic()
    # The runs of the forked children leave the clean-up to the next suite run's sweep.
    env = {**os.environ, "JOURNAL_TEST_SWEEP": "0"}
    with (folder / "run.log").open("w") as log:
        subprocess.run(
            [*mutmut, "run", "--max-children", str(target.parallel)], cwd=folder, stdout=log, stderr=log, env=env
        )
    subprocess.run([*mutmut, "export-cicd-stats"], cwd=folder, capture_output=True, check=True)
    stats = json.loads((folder / "mutants" / "mutmut-cicd-stats.json").read_text())
    listed = subprocess.run([*mutmut, "results"], cwd=folder, capture_output=True, text=True, check=True).stdout
    survivors = [
        line.strip() for line in listed.splitlines() if line.strip() and not line.endswith((": killed", ": timeout"))
    ]
    total = stats["total"]
    caught = stats["killed"] + stats["timeout"]
    result = {
        "package": name,
        "total": total,
        "killed": stats["killed"],
        "timeout": stats["timeout"],
        "survived": stats["survived"],
        "no_tests": stats["no_tests"],
        "score": round(100 * caught / total, 1) if total else 100.0,
        "minutes": round((time.monotonic() - started) / 60, 1),
        "survivors": survivors,
    }
    (folder / "summary.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    every = TARGETS | CHASSIS | QUICK
    parser.add_argument("targets", nargs="*", help=f"some of {', '.join(every)} (default: all but chassis-*)")
    parser.add_argument("--quick", action="store_true", help="only the edit window, for CI")
    parser.add_argument("--chassis", action="store_true", help="the chassis' event flow and tenancy, one after another")
    args = parser.parse_args()
    targets = (
        QUICK if args.quick else CHASSIS if args.chassis else {name: every[name] for name in (args.targets or TARGETS)}
    )
    results = []
    for name, target in targets.items():
        result = run(name, target)
        results.append(result)
        print(
            f"{name}: {result['score']}% killed — {result['killed']} killed, {result['timeout']} timed out, "
            f"{result['survived']} survived, {result['no_tests']} not reached, of {result['total']} "
            f"({result['minutes']} min)",
            flush=True,
        )
        for survivor in result["survivors"]:
            print(f"    {survivor}", flush=True)
    total = sum(r["total"] for r in results)
    caught = sum(r["killed"] + r["timeout"] for r in results)
    print(f"mutation score: {100 * caught / total:.1f}% of {total} mutants killed" if total else "no mutants")
    # The quick subset is held at every mutant killed: a survivor there is a hole in the edit window's tests.
    return 1 if args.quick and any(r["survived"] or r["no_tests"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
