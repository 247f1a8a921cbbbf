"""Load benchmark: the journal as its users load it, beside the bare floor, in one run.

Starts the bare floor (``../shared/bench/floor_app.py``: FastAPI + asyncpg doing the same database
work with no product logic) and the whole journal (demo school, own ports and databases), then:

- **throughput** with a closed loop: ``wrk -t1 -c16`` for 10 s against single-mark posts through
  the gateway (session cookie, CSRF, proxy, internal token, gradebook, outbox) and a family's diary
  week through the gateway, and the floor's two endpoints;
- **latency at a fixed rate** with an open loop: our own asyncio driver sends at a constant arrival
  rate and times each request from its *scheduled* send, so a slow server cannot slow the clock
  (the coordinated omission a closed loop hides); it runs in its own process, beside wrk's core;
- **column mode**: whole lesson columns of 5Б, the demo's class of thirty, each pupil with a parent
  (``PUT /lessons/{id}/marks``), until every consumer of the marks has applied the last one: the
  family's diary, the reports, the families' notifications and the state portal's feed;
- **mark → diary lag** at half the measured single-mark rate.

Prints one table with each figure's ratio to the floor. ``make bench-load`` or
``uv run python tests/perf/bench_load.py [--seconds 10]``.
"""

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import aio_pika
import asyncpg
import httpx

from chassis.publishers import USERS
from chassis.settings import ServiceSettings
from chassis.testing import delete_broker_users
from chassis.topology import service_consumers, topology_for
from contracts.gradebook import MarkPosted
from devstack.browser import Browser
from devstack.demo import CLASS_TEACHER, PARENT, TEACHER, ensure_demo, give_5b_parents
from devstack.stack import Stack, default_workers, free_base_port

FLOOR_DIR = Path(__file__).resolve().parents[3] / "shared" / "bench"
#: The servers beside our parts, by process name: their CPU is the machine's whole (whatever else uses them).
SERVERS = {"postgres": "postgres", "rabbitmq": "beam.smp"}
WORK_TYPES = ["answer", "homework", "independent", "test", "dictation", "practical", "lab"]
WRK_SCRIPT = """
local lines = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do table.insert(lines, line) end
local i = 0
wrk.method = os.getenv("BENCH_METHOD")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
wrk.headers["X-CSRF-Token"] = os.getenv("BENCH_CSRF") or ""
local authorization = os.getenv("BENCH_AUTHORIZATION")
if authorization then wrk.headers["Authorization"] = authorization end
request = function()
  i = i + 1
  local path, body = lines[(i - 1) % #lines + 1]:match("^(%S+) ?(.*)$")
  if body == "" then body = nil end
  return wrk.format(nil, path, nil, body)
end
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wrk(base_url: str, requests: list[str], *, method: str, seconds: int, env: dict[str, str]) -> dict[str, float]:
    """Closed loop: 16 connections on one thread; requests/s, p50/p99 and the share that failed."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "requests.txt").write_text("\n".join(requests) + "\n")
        (Path(tmp) / "script.lua").write_text(WRK_SCRIPT)
        out = subprocess.run(
            ["wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", "-s", f"{tmp}/script.lua", base_url],
            env={**os.environ, **env, "BENCH_REQUESTS": f"{tmp}/requests.txt", "BENCH_METHOD": method},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "failed": (int(failed.group(1)) if failed else 0) / max(total, 1),
    }


def _open_loop(url: str, method: str, bodies: list[str], headers: dict, rate: float, seconds: float, out) -> None:
    async def run() -> list[float]:
        latencies: list[float] = []
        async with httpx.AsyncClient(headers=headers, timeout=30, limits=httpx.Limits(max_connections=64)) as http:
            start = time.monotonic() + 0.2

            async def one(i: int) -> None:
                scheduled = start + i / rate
                await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
                path, _, body = bodies[i % len(bodies)].partition(" ")
                try:
                    response = await http.request(method, url + path, content=body or None)
                except httpx.HTTPError:
                    return  # a timeout or a refused connection counts as failed
                if response.status_code < 400:
                    latencies.append(time.monotonic() - scheduled)

            await asyncio.gather(*(one(i) for i in range(int(rate * seconds))))
        return latencies

    out.send(asyncio.run(run()))


def open_loop(url: str, method: str, bodies: list[str], headers: dict, rate: float, seconds: float) -> dict:
    """Constant arrival rate from its own process; latency measured from each request's scheduled send."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=_open_loop, args=(url, method, bodies, headers, rate, seconds, send))
    process.start()
    latencies = receive.recv()
    process.join()
    sent = int(rate * seconds)
    return {
        "rate": rate,
        "p50": 1000 * statistics.median(latencies),
        "p99": 1000 * percentile(latencies, 0.99),
        "failed": 1 - len(latencies) / sent,
    }


async def transactions(db_prefix: str) -> int:
    """Transactions committed or rolled back so far in the run's databases (PostgreSQL's statistics)."""
    connection = await asyncpg.connect(ServiceSettings().admin_database_url)
    try:
        return await connection.fetchval(
            "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database WHERE datname LIKE $1", f"{db_prefix}%"
        )
    finally:
        await connection.close()


def cpu_seconds(pids: dict[str, int], servers: dict[str, str] | None = None) -> dict[str, float]:
    """User + system CPU each part's process tree has spent (its workers included), from ``/proc``; and, by name,
    the whole of each server whose processes run ``servers[name]`` (PostgreSQL's, RabbitMQ's: shared with whatever
    else runs on the machine)."""
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    commands: dict[int, str] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        command, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        parents[pid], commands[pid] = int(fields[1]), command
        spent[pid] = (int(fields[11]) + int(fields[12])) / tick

    def tree(pid: int) -> float:
        return spent.get(pid, 0.0) + sum(tree(child) for child, parent in parents.items() if parent == pid)

    figures = {name: tree(pid) for name, pid in pids.items()}
    for name, command in (servers or {}).items():
        figures[name] = sum(spent[pid] for pid, run in commands.items() if run == command)
    return figures


def admin_dsn(stack: Stack, part: str) -> str:
    """A part's database as PostgreSQL's superuser: the benchmark reads across schools, past row-level security."""
    return f"postgresql://postgres@{ServiceSettings().db_server}/{stack.db_prefix}{part}"


async def per_request(db_prefix: str, pids: dict[str, int], load) -> tuple[dict, float]:
    """Run ``load`` (a wrk call); its figures, the transactions each request cost in all our databases and the
    CPU milliseconds each part spent per request (``figures["cpu"]``).

    The event flow goes on after the last answer: the counts wait for it to settle (and for the
    statistics, which PostgreSQL writes within a second).
    """
    before, cpu_before = await transactions(db_prefix), cpu_seconds(pids, SERVERS)
    figures = await asyncio.to_thread(load)
    await asyncio.sleep(5)
    requests = max(figures["requests"], 1)
    cpu_after = cpu_seconds(pids, SERVERS)
    figures["cpu"] = {name: 1000 * (cpu_after[name] - cpu_before[name]) / requests for name in cpu_after}
    return figures, (await transactions(db_prefix) - before) / requests


def bench_stack(run: str, **options) -> Stack:
    """The whole journal for a benchmark, on databases, exchanges and queues named after its run only: another
    engineer's benchmark on the same machine must not drop ours."""
    return Stack(
        var_dir=Path(tempfile.mkdtemp(prefix=f"journal-{run}-")),
        base_port=free_base_port(),
        db_prefix=f"journal_{run}_",
        exchange=f"{run}.school.events",
        public_exchange=f"{run}.public.events",
        queue_prefix=f"{run}.",
        log_to_files=True,
        log_level="WARNING",
        # The machine may be shared: starting every part can take minutes.
        ready_timeout=300.0,
        **options,
    )


async def start_floor(port: int, database: str) -> tuple[asyncio.subprocess.Process, list[str]]:
    """The bare floor on its own database, seeded with 300 students."""
    admin = ServiceSettings().admin_database_url
    server = admin.rsplit("/", 1)[0]
    connection = await asyncpg.connect(admin)
    await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    await connection.execute(f'CREATE DATABASE "{database}"')
    await connection.close()
    env = {**os.environ, "FLOOR_DSN": f"{server}/{database}"}
    seed = await asyncio.create_subprocess_exec(sys.executable, "seed_floor.py", "300", cwd=FLOOR_DIR, env=env)
    if await seed.wait() != 0:
        raise RuntimeError("the floor's seed failed")
    # From the database, not the seed's file in /tmp, which another run may be writing at the same time.
    seeded = await asyncpg.connect(env["FLOOR_DSN"])
    students = [str(r["student_id"]) for r in await seeded.fetch("SELECT DISTINCT student_id FROM lesson")]
    await seeded.close()
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "uvicorn", "floor_app:app", "--app-dir", str(FLOOR_DIR)],
        *["--port", str(port), "--no-access-log", "--log-level", "warning"],
        env=env,
    )
    async with httpx.AsyncClient() as http:
        for _ in range(100):
            try:
                await http.get(f"http://127.0.0.1:{port}/docs")
                break
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    return process, students


async def demo_teacher_and_parent(stack: Stack) -> tuple[Browser, Browser, str, dict]:
    """The demo's teacher and parent logged in, the teacher's school and her course of Russian (the marks' course)."""
    teacher, parent = Browser(stack.url("gateway")), Browser(stack.url("gateway"))
    await teacher.login(TEACHER.esia_oid or "")
    await parent.login(PARENT.esia_oid or "")
    school = teacher.school_of("teacher")
    courses = (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
    return teacher, parent, school, next(c for c in courses if c["subject_name"] == "Русский язык")


async def mark_slots(teacher: Browser, school: str, course: dict, lessons: int, today) -> tuple[list[str], list[str]]:
    """Lessons enough that no single-mark request repeats a (lesson, pupil, work type)."""
    students = [
        s["student_id"]
        for s in (await teacher.api("GET", f"/gradebook/schools/{school}/courses/{course['id']}/students")).json()
    ]
    lesson_ids = []
    for i in range(lessons):
        day = today - timedelta(days=1 + i % 10)
        body = {"course_id": course["id"], "date": day.isoformat(), "topic": f"Нагрузочный урок {i + 1}"}
        response = await teacher.api("POST", f"/gradebook/schools/{school}/lessons", json=body)
        response.raise_for_status()
        lesson_ids.append(response.json()["id"])
    return lesson_ids, students


async def class_of_thirty(stack: Stack, school: str, today) -> tuple[Browser, list[str], list[str]]:
    """5Б's literature teacher logged in, her class's thirty pupils (once every parent reached notifications) and
    160 lessons: 120 for single marks, 40 for columns."""
    literature = Browser(stack.url("gateway"))
    await literature.login(CLASS_TEACHER.esia_oid or "")
    courses = (await literature.api("GET", f"/gradebook/schools/{school}/courses")).json()
    course = next(c for c in courses if c["subject_name"] == "Литература")
    lessons, students = await mark_slots(literature, school, course, 160, today)
    connection = await asyncpg.connect(admin_dsn(stack, "notifications"))
    try:
        parents = "SELECT count(*) FROM guardianships WHERE student_id = ANY($1::uuid[])"
        while await connection.fetchval(parents, students) < len(students):  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    finally:
        await connection.close()
    return literature, students, lessons


async def a_week_of_lessons(teacher: Browser, school: str, child: str, monday) -> None:
    """The child's class's week as the floor's students have theirs: six lessons a school day with a topic and
    homework, and a mark for the child on three lessons in ten (the week the family reads in the benchmark)."""
    courses = [
        c
        for c in (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
        if c["subject_name"] in ("Математика", "Русский язык")
    ]
    for n in range(30):
        day = monday + timedelta(days=n // 6)
        body = {"course_id": courses[n % 2]["id"], "date": day.isoformat(), "topic": "Тема урока"}
        lesson = await teacher.api(
            "POST", f"/gradebook/schools/{school}/lessons", json=body | {"homework": "§12, упр. 3"}
        )
        lesson.raise_for_status()
        if n % 10 in (0, 3, 6):
            mark = {"student_id": child, "value": str(2 + n % 4), "work_type": WORK_TYPES[n % len(WORK_TYPES)]}
            posted = await teacher.api(
                "POST", f"/gradebook/schools/{school}/lessons/{lesson.json()['id']}/marks", json=mark
            )
            posted.raise_for_status()


async def diary_lag(dsn: str, teacher: Browser, school: str, lines: list[str], rate: float, seconds: float) -> dict:
    """Marks sent at a constant rate; for each, the delay from its answer until the diary read model has it."""
    connection = await asyncpg.connect(dsn)
    answered: dict[UUID, float] = {}
    seen: dict[UUID, float] = {}
    start = time.monotonic()

    async def one(i: int) -> None:
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        path, _, body = lines[i].partition(" ")
        headers = {"X-CSRF-Token": teacher.me["csrf_token"], "Content-Type": "application/json"}
        response = await teacher.http.post(path, content=body, headers=headers)
        if response.status_code == 201:
            answered[UUID(response.json()["id"])] = time.monotonic()

    sending = asyncio.gather(*(one(i) for i in range(int(rate * seconds))))
    while not sending.done() or answered.keys() - seen.keys():
        pending = list(answered.keys() - seen.keys())
        if pending:
            now = time.monotonic()
            for row in await connection.fetch("SELECT id FROM marks WHERE id = ANY($1::uuid[])", pending):
                seen[row["id"]] = now
        await asyncio.sleep(0.005)
    await sending
    await connection.close()
    lags = [seen[m] - answered[m] for m in answered]
    return {"rate": rate, "p50": 1000 * statistics.median(lags), "p99": 1000 * percentile(lags, 0.99)}


async def inbox_counts(stack: Stack, consumers: list[str]) -> dict[str, int]:
    """How many events each consumer has applied (its inbox rows, in its service's database)."""
    counts = {}
    for consumer in consumers:
        connection = await asyncpg.connect(admin_dsn(stack, consumer.split(".")[0]))
        try:
            counts[consumer] = await connection.fetchval("SELECT count(*) FROM inbox WHERE consumer = $1", consumer)
        finally:
            await connection.close()
    return counts


async def column_mode(stack: Stack, teacher: Browser, school: str, lessons: list[str], students: list[str]) -> dict:
    """Whole columns, 4 in flight, until every consumer of a posted mark has applied each one (its inbox row is
    written with its effect): the diary's first (the cheap check), then the rest."""
    consumers = [c.name for c in service_consumers() if MarkPosted.TYPE in c.event_types]
    before: dict[str, int] = {}
    while before != (now := await inbox_counts(stack, consumers)):  # the lag run's marks settled first
        before = now
        await asyncio.sleep(0.5)
    gate = asyncio.Semaphore(4)
    columns = [(lesson, kind) for lesson in lessons for kind in WORK_TYPES]
    start = time.monotonic()

    async def one(lesson: str, kind: str) -> int:
        body = {"work_type": kind, "marks": [{"student_id": s, "value": "4"} for s in students]}
        async with gate:
            response = await teacher.api("PUT", f"/gradebook/schools/{school}/lessons/{lesson}/marks", json=body)
        response.raise_for_status()
        return len(response.json())

    marks = sum(await asyncio.gather(*(one(*c) for c in columns)))
    connection = await asyncpg.connect(admin_dsn(stack, "reporting"))
    arrived = "SELECT count(*) FROM marks WHERE lesson_id = ANY($1::uuid[])"
    while await connection.fetchval(arrived, lessons) < marks:  # noqa: ASYNC110 (the wait is what is measured)
        await asyncio.sleep(0.01)
    await connection.close()
    while any(now - before[c] < marks for c, now in (await inbox_counts(stack, consumers)).items()):  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    return {"marks": marks, "marks_per_s": marks / (time.monotonic() - start)}


async def main(seconds: int, workers: dict[str, int]) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make bench-load`, which installs it")
    # Names of this run only: another engineer's benchmark on the same machine must not drop our databases.
    run = f"perf{os.getpid()}"
    floor_port = free_base_port()
    floor, floor_students = await start_floor(floor_port, f"journal_{run}_floor")
    floor_url = f"http://127.0.0.1:{floor_port}"
    stack = bench_stack(run, workers=workers)
    await stack.drop_databases()
    try:
        await stack.start()
        school_id = await ensure_demo(stack)
        await give_5b_parents(stack, school_id)
        teacher, parent, school, _ = await demo_teacher_and_parent(stack)
        today = stack.today()
        # Single marks and columns in 5Б, so the family's week in 5А is a school week, not the load's marks.
        literature, students, lessons = await class_of_thirty(stack, school, today)
        single = [
            f"/api/v1/gradebook/schools/{school}/lessons/{lesson}/marks "
            + json.dumps({"student_id": s, "value": "5", "work_type": k})
            for k in WORK_TYPES
            for lesson in lessons[:120]
            for s in students
        ]
        child = (await parent.api("GET", "/diary")).json()[0]["student_id"]
        monday = today - timedelta(days=today.weekday() + 7)  # last week: whole, whatever day it is today
        await a_week_of_lessons(teacher, school, child, monday)
        week = f"?start={monday.isoformat()}&end={(monday + timedelta(days=6)).isoformat()}"
        diary = [f"/api/v1/diary/{child}{week}"]
        cookie = lambda b: "; ".join(f"{c.name}={c.value}" for c in b.http.cookies.jar)  # noqa: E731
        floor_marks = [
            "/marks " + json.dumps({"lesson_id": s, "student_id": s, "value": 5, "work_type": "answer"})
            for s in floor_students
        ]
        floor_diary = [f"/diary/{s}?start=2026-09-07&end=2026-09-13" for s in floor_students]

        rows: dict[str, dict] = {}
        parts = {name: stack.processes[name].pid for name in ("gateway", "gradebook", "reporting", "notifications")}
        rows["floor marks"] = wrk(floor_url, floor_marks, method="POST", seconds=seconds, env={})
        rows["floor diary"] = wrk(floor_url, floor_diary, method="GET", seconds=seconds, env={})
        # The first half of the slots for the closed loop, the second for the lag run.
        rows["marks"], rows["marks"]["xacts"] = await per_request(
            stack.db_prefix,
            parts,
            lambda: wrk(
                stack.url("gateway"),
                single[: len(single) // 2],
                method="POST",
                seconds=seconds,
                env={"BENCH_COOKIE": cookie(literature), "BENCH_CSRF": literature.me["csrf_token"]},
            ),
        )
        rows["diary weeks"], rows["diary weeks"]["xacts"] = await per_request(
            stack.db_prefix,
            parts,
            lambda: wrk(
                stack.url("gateway"), diary, method="GET", seconds=seconds, env={"BENCH_COOKIE": cookie(parent)}
            ),
        )
        fixed = {
            "diary weeks @200/s": open_loop(
                stack.url("gateway"), "GET", diary, {"Cookie": cookie(parent)}, 200, seconds
            ),
            "floor diary @200/s": open_loop(floor_url, "GET", floor_diary, {}, 200, seconds),
        }
        reporting_dsn = admin_dsn(stack, "reporting")
        half = max(1.0, rows["marks"]["rps"] / 2)
        lag = await diary_lag(reporting_dsn, literature, school, single[len(single) // 2 :], half, seconds)
        cpu_before = cpu_seconds(parts, SERVERS)
        column = await column_mode(stack, literature, school, lessons[120:], students)
        column["class_size"] = len(students)
        cpu_after = cpu_seconds(parts, SERVERS)
        column["cpu"] = {name: 1000 * (cpu_after[name] - cpu_before[name]) / column["marks"] for name in cpu_after}
        await teacher.close()
        await parent.close()
        await literature.close()
    finally:
        await stack.stop()
        floor.terminate()
        await floor.wait()
        await stack.drop_databases()
        await drop_run_leftovers(run)
    report(rows, fixed, lag, column)


async def drop_run_leftovers(run: str) -> None:
    """The floor's database and the run's queues, exchanges and RabbitMQ users."""
    admin = await asyncpg.connect(ServiceSettings().admin_database_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "journal_{run}_floor" WITH (FORCE)')
    finally:
        await admin.close()
    settings = ServiceSettings(
        exchange=f"{run}.school.events", public_exchange=f"{run}.public.events", queue_prefix=f"{run}."
    )
    topology = topology_for(settings, service_consumers())
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        # The dead-letter exchange is every run's on this broker: only the run's own names go.
        for queue in topology.queues:
            if queue.name.startswith(f"{run}."):
                await channel.queue_delete(queue.name)
        for exchange in topology.exchanges:
            if exchange.name.startswith(f"{run}."):
                await channel.exchange_delete(exchange.name)
    # The stack's own users (``Stack.broker_user_template``).
    await asyncio.to_thread(delete_broker_users, settings, [f"{run}.journal_{user}" for user in USERS])


def report(rows: dict, fixed: dict, lag: dict, column: dict) -> None:
    print(f"# load benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    print("# closed loop: wrk -t1 -c16; ratio = ours / the floor's same path")
    print(f"{'path':<14} {'req/s':>8} {'p50':>9} {'p99':>9} {'failed':>7} {'÷ floor':>8} {'xact/req':>9}")
    pairs = (("floor marks", None), ("floor diary", None), ("marks", "floor marks"), ("diary weeks", "floor diary"))
    for name, floor_name in pairs:
        r = rows[name]
        ratio = f"{r['rps'] / rows[floor_name]['rps']:.3f}" if floor_name else ""
        xacts = f"{r['xacts']:.1f}" if "xacts" in r else ""
        latency = f"{r['p50']:>7.1f}ms {r['p99']:>7.1f}ms"
        print(f"{name:<14} {r['rps']:>8.1f} {latency} {r['failed']:>6.1%} {ratio:>8} {xacts:>9}")
    for name in ("marks", "diary weeks"):
        spent = ", ".join(f"{part} {ms:.1f}" for part, ms in rows[name]["cpu"].items())
        print(f"# CPU ms per request, {name} (each part's processes, its event flow included): {spent}")
    print("# open loop at a fixed rate, timed from each request's scheduled send")
    for name, r in fixed.items():
        print(f"{name:<20} p50 {r['p50']:>7.1f}ms  p99 {r['p99']:>7.1f}ms  failed {r['failed']:.1%}")
    print(f"# mark → diary lag at {lag['rate']:.0f} marks/s: p50 {lag['p50']:.1f}ms, p99 {lag['p99']:.1f}ms")
    print(
        f"# column mode ({column['class_size']} pupils a column, 4 in flight, until every consumer applied it): "
        f"{column['marks']} marks, {column['marks_per_s']:.0f} marks/s "
        f"(÷ floor marks {column['marks_per_s'] / rows['floor marks']['rps']:.3f})"
    )
    spent = ", ".join(f"{part} {ms:.2f}" for part, ms in column["cpu"].items())
    print(f"# CPU ms per mark in column mode (each part's processes, until every consumer applied it): {spent}")


if __name__ == "__main__":
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--workers", type=int, default=0, help="worker processes of the gateway and gradebook (default: as make run)"
    )
    args = parser.parse_args()
    chosen = {"gateway": args.workers, "gradebook": args.workers} if args.workers else default_workers()
    print(f"# workers: {chosen}", flush=True)
    asyncio.run(main(args.seconds, chosen))
