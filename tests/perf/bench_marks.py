"""Benchmark: marks posted per second with the full event flow, and how soon each is in the diary.

Starts the whole journal as local processes (its own ports and databases), loads the demo
school, then posts marks with a few concurrent teachers' requests in two ways, in one run:

- ``gateway``: as the teacher's browser does — session cookie, CSRF, the gateway's proxy and
  internal token, then gradebook;
- ``direct``: straight to gradebook with an internal token (the baseline: what the gateway costs).

For every mark it records when the teacher's request returned and when the mark appeared in the
reporting service's diary read model (polled in its database every 5 ms), and prints the
throughput and the p50/p99 of both. Usage: ``make bench`` or
``uv run python tests/perf/bench_marks.py [--marks 300] [--concurrency 8]``.
"""

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx

from chassis.auth import Caller
from chassis.settings import ServiceSettings
from devstack.browser import Browser
from devstack.demo import TEACHER, ensure_demo, signer_of
from devstack.stack import Stack

WORK_TYPES = ["answer", "homework", "independent", "test", "dictation", "practical", "lab"]
VALUES = ["5", "4", "3", "5", "4"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class DiaryWatcher:
    """Notes the first moment each awaited mark is visible in the diary read model."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.awaited: set[UUID] = set()
        self.seen_at: dict[UUID, float] = {}

    async def all_seen(self) -> None:
        while self.awaited - self.seen_at.keys():  # noqa: ASYNC110 (polling is what is measured here)
            await asyncio.sleep(0.01)

    async def run(self, stop: asyncio.Event) -> None:
        connection = await asyncpg.connect(self.dsn)
        try:
            while not stop.is_set() or self.awaited - self.seen_at.keys():
                pending = list(self.awaited - self.seen_at.keys())
                if pending:
                    rows = await connection.fetch("SELECT id FROM marks WHERE id = ANY($1::uuid[])", pending)
                    now = time.monotonic()
                    for row in rows:
                        self.seen_at[row["id"]] = now
                await asyncio.sleep(0.005)
        finally:
            await connection.close()


Post = Callable[[str, dict], Awaitable[httpx.Response]]


async def post_marks(
    post: Post,
    school: str,
    course_id: str,
    students: list[str],
    count: int,
    concurrency: int,
    first_day: date,
    watcher: DiaryWatcher,
) -> dict[str, float]:
    per_lesson = len(students) * len(WORK_TYPES)
    lessons = []
    for i in range(-(-count // per_lesson)):
        response = await post(
            f"/gradebook/schools/{school}/lessons",
            {
                "course_id": course_id,
                "date": (first_day + timedelta(days=i)).isoformat(),
                "topic": f"Нагрузочный урок {i + 1}",
            },
        )
        response.raise_for_status()
        lessons.append(response.json()["id"])
    jobs = [
        (
            lessons[n // per_lesson],
            students[n % len(students)],
            WORK_TYPES[(n // len(students)) % len(WORK_TYPES)],
            VALUES[n % len(VALUES)],
        )
        for n in range(count)
    ]
    returned_at: dict[UUID, float] = {}
    request_seconds: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(lesson: str, student: str, work_type: str, value: str) -> None:
        async with gate:
            started = time.monotonic()
            response = await post(
                f"/gradebook/schools/{school}/lessons/{lesson}/marks",
                {"student_id": student, "value": value, "work_type": work_type},
            )
            finished = time.monotonic()
        if response.status_code != 201:
            raise RuntimeError(f"mark refused: {response.status_code} {response.text}")
        mark_id = UUID(response.json()["id"])
        returned_at[mark_id] = finished
        request_seconds.append(finished - started)
        watcher.awaited.add(mark_id)

    began = time.monotonic()
    await asyncio.gather(*(one(*job) for job in jobs))
    wall = time.monotonic() - began
    await watcher.all_seen()
    delays = [max(0.0, watcher.seen_at[m] - returned_at[m]) for m in returned_at]
    return {
        "marks": count,
        "seconds": wall,
        "marks_per_s": count / wall,
        "request_p50_ms": 1000 * statistics.median(request_seconds),
        "request_p99_ms": 1000 * percentile(request_seconds, 0.99),
        "diary_p50_ms": 1000 * statistics.median(delays),
        "diary_p99_ms": 1000 * percentile(delays, 0.99),
    }


async def main(marks: int, concurrency: int) -> None:
    stack = Stack(
        var_dir=Path(tempfile.mkdtemp(prefix="journal-bench-")),
        base_port=38000,
        db_prefix="journal_perf_",
        exchange="perf.school.events",
        public_exchange="perf.public.events",
        queue_prefix="perf.",
        log_to_files=True,
        log_level="WARNING",
    )
    await stack.drop_databases()
    await stack.start()
    try:
        await ensure_demo(stack)
        teacher = Browser(stack.url("gateway"))
        await teacher.login(TEACHER.esia_oid or "")
        school = teacher.school_of("teacher")
        courses = (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
        course = next(c for c in courses if c["subject_name"] == "Русский язык")
        students = [
            s["student_id"]
            for s in (await teacher.api("GET", f"/gradebook/schools/{school}/courses/{course['id']}/students")).json()
        ]

        signer = await signer_of(stack)
        as_teacher = Caller(
            UUID(teacher.me["person_id"]), teacher.me["name"], school_roles=frozenset({(UUID(school), "teacher")})
        )
        direct = httpx.AsyncClient(
            base_url=stack.url("gradebook"),
            timeout=30,
            headers={"Authorization": f"Bearer {signer.issue(as_teacher, ttl_seconds=3600)}"},
        )

        async def via_gateway(path: str, body: dict) -> httpx.Response:
            return await teacher.api("POST", path, json=body)

        async def straight(path: str, body: dict) -> httpx.Response:
            return await direct.post(path.removeprefix("/gradebook"), json=body)

        dsn = f"postgresql://postgres@{ServiceSettings().db_server}/{stack.db_prefix}reporting"
        watcher, stop = DiaryWatcher(dsn), asyncio.Event()
        watching = asyncio.create_task(watcher.run(stop))
        today = date.today()
        # Each mode writes into lessons of its own days, so no two marks collide.
        modes = [
            ("gateway", via_gateway, 1, marks // 5, 13),
            ("gateway", via_gateway, concurrency, marks, 11),
            ("direct", straight, concurrency, marks, 6),
        ]
        results = {}
        for name, post, parallel, count, days_back in modes:
            first_day = today - timedelta(days=days_back)
            results[f"{name} x{parallel}"] = await post_marks(
                post, school, course["id"], students, count, parallel, first_day, watcher
            )
        stop.set()
        await watching
        await direct.aclose()
        await teacher.close()
    finally:
        await stack.stop()
    report(results, concurrency)


def report(results: dict[str, dict[str, float]], concurrency: int) -> None:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(f"# marks benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {cpu}")
    print("# 7 processes + PostgreSQL + RabbitMQ on this machine; xN = N requests in flight")
    print(f"{'mode':<12} {'marks':>5} {'marks/s':>8} {'req p50':>9} {'req p99':>9} {'diary p50':>10} {'diary p99':>10}")
    for mode, r in results.items():
        print(
            f"{mode:<12} {r['marks']:>5} {r['marks_per_s']:>8.1f} {r['request_p50_ms']:>7.1f}ms "
            f"{r['request_p99_ms']:>7.1f}ms {r['diary_p50_ms']:>8.1f}ms {r['diary_p99_ms']:>8.1f}ms"
        )
    ratio = results[f"direct x{concurrency}"]["marks_per_s"] / results[f"gateway x{concurrency}"]["marks_per_s"]
    print(f"throughput through the gateway = straight to gradebook / {ratio:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--marks", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.marks, arguments.concurrency))
