"""Benchmark: a municipality loaded through the bulk import (R-15), from the region generator's people.

Generates a region (``devstack.region``, seed 1), writes each school's people as the import's own
CSV files (classes, students, parents, staff; UTF-8, ``;``), then runs roster in-process on its own
per-run database (dropped after) and, school by school, sends each file through the same HTTP
routes the secretary's screen uses: the dry run, then applying all rows, polling the job until it
is done. The events are written to the outbox in each chunk's transaction; the relay is off, and
the replicas of the other services are not run here. Prints the people loaded, the wall time from
the first file to the last row committed, rows a second, time per kind, and peak memory.

With ``--replicas`` roster's relay runs, and reporting, gradebook, attendance and notifications consume on databases
of their own, each in a process of its own as in production (one event loop for all of them would measure that loop):
the script then also times until roster's relay has published every event and until each service has applied
roster's last registration, enrolment and guardianship, and the CPU each process spent meanwhile.

Usage: ``uv run python tests/perf/bench_import.py [--schools 50] [--parallel 4] [--replicas]``; figures in
docs/performance.md.
"""

import argparse
import asyncio
import contextlib
import csv
import io
import logging
import multiprocessing
import os
import platform
import resource
import time
from collections import defaultdict
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from fastapi import FastAPI
from sqlalchemy import NullPool, event, func, select
from sqlalchemy.engine.interfaces import ExecuteStyle
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from attendance.main import build_app as attendance_app
from attendance.settings import AttendanceSettings
from chassis.auth import Caller, TokenSigner
from chassis.consumers import Consumer
from chassis.settings import ServiceSettings
from chassis.tables import inbox, outbox
from chassis.testing import (
    auth_headers,
    drop_database,
    running_app,
    test_database_url,
    test_settings,
    verifier_for,
)
from devstack.region import Region, RegionSpec, generate
from gradebook.main import build_app as gradebook_app
from gradebook.settings import GradebookSettings
from notifications.main import build_app as notifications_app
from notifications.settings import NotificationsSettings
from reporting.main import build_app as reporting_app
from reporting.settings import ReportingSettings
from roster.main import build_app
from roster.settings import RosterSettings

#: The services that keep replicas of roster's people and enrolments, run in-process with ``--replicas``.
REPLICAS = {
    "reporting": (reporting_app, ReportingSettings),
    "gradebook": (gradebook_app, GradebookSettings),
    "attendance": (attendance_app, AttendanceSettings),
    "notifications": (notifications_app, NotificationsSettings),
}
#: What "caught up" waits for: each replica has applied roster's last event of these types.
LAST_OF = ("roster.person.registered.v1", "roster.student.enrolled.v1", "roster.guardianship.linked.v1")


def table(header: list[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(
        ["" if v is None else (v.strftime("%d.%m.%Y") if hasattr(v, "strftime") else v) for v in r] for r in rows
    )
    return out.getvalue().encode()


def import_files(region: Region) -> dict[UUID, list[tuple[str, bytes]]]:
    """Each school's files in the order they load: a parent names a child already loaded."""
    people = {p.id: p for p in region.people}
    by_school: dict[UUID, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    classes = {c.id: c for c in region.classes}
    for c in region.classes:
        by_school[c.school_id]["classes"].append([c.name])
    for e in region.enrolments:
        s = people[e.student_id]
        by_school[e.school_id]["students"].append(
            [s.last_name, s.first_name, s.middle_name, s.birth_date, s.snils, classes[e.class_id].name, e.enrolled_on]
        )
    for g in region.guardianships:
        p = people[g.guardian_id]
        by_school[g.school_id]["parents"].append(
            [p.last_name, p.first_name, p.middle_name, p.snils, people[g.student_id].snils, g.relation]
        )
    leads = {c.class_teacher_id for c in region.classes}
    for p in region.people:
        if p.kind == "teacher":
            roles = "учитель, классный руководитель" if p.id in leads else "учитель"
            by_school[p.school_id]["staff"].append([p.last_name, p.first_name, p.middle_name, p.snils, roles])
    headers = {
        "classes": ["Класс"],
        "students": ["Фамилия", "Имя", "Отчество", "Дата рождения", "СНИЛС", "Класс", "Дата зачисления"],
        "parents": ["Фамилия", "Имя", "Отчество", "СНИЛС", "СНИЛС обучающегося", "Кем приходится"],
        "staff": ["Фамилия", "Имя", "Отчество", "СНИЛС", "Роли"],
    }
    return {
        school: [(kind, table(headers[kind], files[kind])) for kind in ("classes", "students", "parents", "staff")]
        for school, files in by_school.items()
    }


#: Seconds spent per kind of file: the dry run, and applying until done (summed over schools).
PHASES: dict[str, float] = defaultdict(float)


async def load_school(
    client: httpx.AsyncClient, signer: TokenSigner, files: list[tuple[str, bytes]], n: int
) -> tuple[UUID, int]:
    region = Caller(uuid4(), "Регион", region_roles=frozenset({"region_admin"}))
    body = {"name": f"МБОУ СОШ № {n} (бенчмарк)", "short_name": f"СОШ {n}", "municipality": "Город"}
    school_id = UUID((await client.post("/schools", json=body, headers=auth_headers(signer, region))).json()["id"])
    secretary = Caller(uuid4(), "Секретарь", school_roles=frozenset({(school_id, "secretary")}))
    headers = auth_headers(signer, secretary)
    rows = 0
    for kind, content in files:
        began = time.perf_counter()
        checked = await client.post(
            f"/schools/{school_id}/imports", params={"kind": kind}, content=content, headers=headers
        )
        job = checked.json()
        if checked.status_code != 201 or job["error_count"]:
            raise RuntimeError(f"{kind}: {checked.status_code} {str(job)[:500]}")
        applied = await client.post(
            f"/schools/{school_id}/imports/{job['id']}/apply", json={"mode": "all", "consent": True}, headers=headers
        )
        assert applied.status_code == 202, applied.text
        PHASES[f"{kind} dry run"] += time.perf_counter() - began
        began = time.perf_counter()
        while job["status"] not in ("done", "failed"):
            # Polled often: the time measured is the import's, not the poll's (each file waits for the last).
            await asyncio.sleep(0.1)
            job = (await client.get(f"/schools/{school_id}/imports/{job['id']}", headers=headers)).json()
        if job["status"] != "done":
            raise RuntimeError(f"{kind}: {job['message']}")
        PHASES[f"{kind} apply"] += time.perf_counter() - began
        rows += job["applied_rows"]
    return school_id, rows


async def promote(client: httpx.AsyncClient, signer: TokenSigner, school_id: UUID) -> tuple[int, float, float]:
    """The school's year closed and the next one planned, then the promotion previewed and run: (students, s, s)."""
    caller = Caller(uuid4(), "Администратор", school_roles=frozenset({(school_id, "school_admin")}))
    admin = auth_headers(signer, caller)
    base = f"/schools/{school_id}"
    year = (
        await client.post(f"{base}/years", json={"starts": "2026-09-01", "ends": "2027-05-31"}, headers=admin)
    ).json()
    for status in ("active", "closing"):
        await client.post(f"{base}/years/{year['id']}/status", json={"status": status}, headers=admin)
    await client.post(f"{base}/years", json={"starts": "2027-09-01", "ends": "2028-05-31"}, headers=admin)
    body = {"from_year": "2026/2027"}
    began = time.perf_counter()
    preview = await client.post(f"{base}/promotion/preview", json=body, headers=admin)
    previewed = time.perf_counter() - began
    began = time.perf_counter()
    done = await client.post(f"{base}/promotion", json=body, headers=admin)
    if done.status_code != 201:
        raise RuntimeError(f"promotion: {done.status_code} {done.text[:300]}")
    return len(preview.json()["students"]), previewed, time.perf_counter() - began


def cpu_seconds(pid: int) -> float:
    """User and system CPU a running process has spent (Linux's ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_replica(name: str, settings: ServiceSettings, ready: ProcessEvent, stop: ProcessEvent) -> None:
    """One replica service in a process of its own: migrated, consuming, until ``stop`` is set."""

    async def serve() -> None:
        build, _ = REPLICAS[name]
        defaults = ServiceSettings()
        signer = TokenSigner.generate(issuer=defaults.token_issuer, audience=defaults.token_audience)
        app = build(settings, verifier_for(signer))
        async with running_app(app, settings):
            ready.set()
            await asyncio.to_thread(stop.wait)

    asyncio.run(serve())


class Replica:
    """A replica service's process, its consumers and a connection pool to its database for the script's reads."""

    def __init__(self, name: str, signer: TokenSigner, context: Any, stop: ProcessEvent) -> None:
        build, settings_class = REPLICAS[name]
        self.settings = test_settings(
            settings_class, database_url=test_database_url(f"perf_import_{name}"), log_level="WARNING"
        )
        # Built here for its consumers' names and event types only; the process runs its own.
        self.consumers: list[Consumer] = build(self.settings, verifier_for(signer)).state.consumers
        self.engine: AsyncEngine = create_async_engine(self.settings.database_url, poolclass=NullPool)
        self.ready = context.Event()
        self.process = context.Process(
            target=serve_replica, args=(name, self.settings, self.ready, stop), name=f"replica-{name}", daemon=True
        )


async def caught_up(
    roster: FastAPI, replicas: dict[str, Replica], started: float, timeout: float
) -> dict[str, tuple[float, float]]:
    """Seconds from the first file sent until roster's relay published every event (``relay``) and until each
    replica's consumers applied roster's last event of ``LAST_OF``; with the CPU its process spent until then."""
    async with roster.state.db.engine.connect() as connection:
        last = {
            kind: await connection.scalar(
                select(outbox.c.event_id).where(outbox.c.type == kind).order_by(outbox.c.seq.desc()).limit(1)
            )
            for kind in LAST_OF
        }
    waiting = {
        (name, consumer.name, event_id)
        for name, replica in replicas.items()
        for consumer in replica.consumers
        for kind, event_id in last.items()
        if kind in consumer.event_types
    }
    done: dict[str, tuple[float, float]] = {}
    while (waiting or "relay" not in done) and time.perf_counter() - started < timeout:
        if "relay" not in done:
            async with roster.state.db.engine.connect() as connection:
                unsent = await connection.scalar(select(func.count()).where(outbox.c.sent_at.is_(None)))
            if not unsent:
                done["relay"] = (time.perf_counter() - started, time.process_time())
        for name, consumer, event_id in list(waiting):
            async with replicas[name].engine.connect() as connection:
                seen = await connection.scalar(
                    select(func.count()).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
                )
            if seen:
                waiting.discard((name, consumer, event_id))
                done[name] = (time.perf_counter() - started, cpu_seconds(replicas[name].process.pid))
        # Four times a second: the figure is read to a quarter of a second, and the reads cost little.
        await asyncio.sleep(0.25)
    for name in ["relay", *(name for name, _, _ in waiting)]:
        done.setdefault(name, (float("nan"), float("nan")))  # not caught up within the timeout
    return done


async def run(schools: int, parallel: int, with_replicas: bool) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    generated = time.perf_counter()
    region = generate(RegionSpec(seed=1, municipalities=1, schools_per_municipality=schools, weeks=0))
    files = import_files(region)
    kinds = defaultdict(int)
    for p in region.people:
        kinds[p.kind] += 1
    generated = time.perf_counter() - generated
    defaults = ServiceSettings()
    signer = TokenSigner.generate(issuer=defaults.token_issuer, audience=defaults.token_audience)
    settings = test_settings(
        RosterSettings,
        database_url=test_database_url("perf_import_roster"),
        run_consumers=False,
        # Without ``--replicas`` the outbox is only written: publishing is the relay's work, measured with them.
        run_relay=with_replicas,
        log_level="WARNING",
        db_pool_size=parallel + 4,
    )
    await drop_database(settings)
    app = build_app(settings, verifier_for(signer))
    gate = asyncio.Semaphore(parallel)

    async def one(n: int, school_files: list[tuple[str, bytes]]) -> tuple[UUID, int]:
        async with gate:
            return await load_school(client, signer, school_files, n)

    statements = 0

    def count(_conn: object, _cursor: object, _sql: str, parameters: Any, context: Any, _many: bool) -> None:
        # An executemany runs its statement once per parameter set on the server (asyncpg's executemany);
        # a multi-row insert (insertmanyvalues) is one statement.
        nonlocal statements
        many = context is not None and context.execute_style is ExecuteStyle.EXECUTEMANY
        statements += len(parameters) if many else 1

    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    replicas = {name: Replica(name, signer, context, stop) for name in REPLICAS} if with_replicas else {}
    async with contextlib.AsyncExitStack() as stack:
        # However the run ends, the replicas' processes end with it.
        stack.callback(stop.set)
        for replica in replicas.values():
            replica.process.start()
        for name, replica in replicas.items():
            if not await asyncio.to_thread(replica.ready.wait, 300):
                raise RuntimeError(f"replica {name} did not start")
        client = await stack.enter_async_context(running_app(app, settings))
        client.timeout = httpx.Timeout(300)
        event.listen(app.state.db.engine.sync_engine, "before_cursor_execute", count)
        started = time.perf_counter()
        cpu_before = time.process_time()
        replicas_cpu_before = {name: cpu_seconds(replica.process.pid) for name, replica in replicas.items()}
        loaded = await asyncio.gather(*(one(n, f) for n, f in enumerate(files.values(), start=1)))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
        imported_statements = statements
        rows = sum(r for _, r in loaded)
        lags = await caught_up(app, replicas, started, timeout=1800) if with_replicas else {}
        # The largest school goes on to the next year.
        largest = max(zip(loaded, files.values(), strict=True), key=lambda pair: len(pair[1][1][1]))[0][0]
        before = statements
        promoted, previewed, ran = await promote(client, signer, largest)
        promotion_statements = statements - before
    for replica in replicas.values():
        await asyncio.to_thread(replica.process.join)
        await replica.engine.dispose()
        await drop_database(replica.settings)
    await drop_database(settings)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    processor = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {processor}, Python {platform.python_version()}")
    print(
        f"region: {len(files)} schools, {kinds['student']} students, {kinds['parent']} parents, "
        f"{kinds['teacher']} staff, {len(region.classes)} classes (generated in {generated:.1f} s)"
    )
    print(
        f"import: {rows} rows committed in {elapsed:.1f} s ({rows / elapsed:.0f} rows/s), {parallel} schools at a time"
    )
    print(
        f"SQL statements run on the server while importing (requests, worker, polling): {imported_statements} "
        f"({imported_statements / rows:.3f} per row)"
    )
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"promotion of the largest school ({promoted} students): preview {previewed:.1f} s, run {ran:.1f} s; "
        f"{promotion_statements} statements on the server (year set-up, preview and run)"
    )
    print(
        f"CPU of this process (client and roster) while importing: {cpu:.1f} s ({rows / cpu:.0f} rows per CPU-second)"
    )
    print("per kind, summed over schools: " + ", ".join(f"{k} {v:.1f} s" for k, v in PHASES.items()))
    if lags:
        relay, roster_cpu = lags.pop("relay")
        print(
            f"roster's relay: every event published {relay:.1f} s after the first file "
            f"({relay - elapsed:.1f} s after the last commit); CPU of roster's process until then "
            f"{roster_cpu - cpu_before:.1f} s"
        )
    for name, (lag, replica_cpu) in lags.items():
        print(
            f"replica {name}: caught up {lag:.1f} s after the first file ({lag - elapsed:.1f} s after the last "
            f"commit); CPU of its process until then {replica_cpu - replicas_cpu_before[name]:.1f} s"
        )
    print(f"peak memory of the process (generator, files and roster together): {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument(
        "--replicas", action="store_true", help="run roster's relay and the other services' consumers, each a process"
    )
    args = parser.parse_args()
    asyncio.run(run(args.schools, args.parallel, args.replicas))


if __name__ == "__main__":
    main()
