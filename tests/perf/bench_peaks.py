"""Peaks: the first lesson's login storm and 19:00, on the whole journal in one run (issue 6, item 9).

- **The login storm**: ESIA logins through the sandbox at a constant arrival rate (10,000 in 5 minutes by
  default: 33 a second), each a browser that has no cookies going the whole way a person goes: the gateway's
  redirect with state and PKCE, the sandbox's form, the callback with the token exchange and the check of
  ESIA's GOST signature, the session, ``/api/v1/me``. Each login is timed from its *scheduled* start, so a
  backlog shows. Prints the logins that succeeded, how long the storm took, p50/p99, and the CPU each part of
  the machine spent per login; the sandbox stands in for ESIA, which in production is not on our machine.
  Password logins are not in the storm: the gateway admits 300 a minute in all (R-2), by design.
- **19:00**: a family's diary week at a fixed rate, first alone, then while the school's evening fan-out runs:
  a school-wide announcement to every pupil and parent of a generated school (its people loaded through the
  import), and the day's marks entered as whole columns, each mark a notice to its pupil and parents. Prints
  the diary's p50/p99 in both, the announcement's write, and when the last mark's notice was in its inbox.

``make bench-peaks`` or ``uv run python tests/perf/bench_peaks.py [--logins 10000] [--rate 33.3]``.
"""

import argparse
import asyncio
import logging
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import aiohttp
import asyncpg
import httpx
from bench_import import import_files, load_school
from bench_load import (
    SERVERS,
    WORK_TYPES,
    admin_dsn,
    bench_stack,
    column_mode,
    cpu_seconds,
    demo_teacher_and_parent,
    drop_run_leftovers,
    mark_slots,
    open_loop,
    percentile,
)

from chassis.auth import Caller
from chassis.testing import auth_headers
from devstack.browser import REQUEST_ID, LoginFailed
from devstack.demo import REGION_ACCOUNTS, SCHOOL_PEOPLE, ensure_demo, signer_of
from devstack.region import RegionSpec, generate
from devstack.stack import Stack, default_workers


def cpu_by_part(stack: Stack) -> dict[str, float]:
    """CPU seconds each part of the stack has spent so far, its workers included; and PostgreSQL's and RabbitMQ's."""
    parts = {name: process.pid for name, process in stack.processes.items()}
    return cpu_seconds(parts, SERVERS)


async def esia_login(http: aiohttp.ClientSession, gateway: str, oid: str, *, public: str | None = None) -> None:
    """Devstack's ``Browser.login`` through aiohttp: the same five requests at a tenth of httpx's CPU, so the
    storm's driver, on the same two cores, leaves them to the journal (with httpx it spent more than the gateway).
    ``public``: the gateway's public address ESIA sends the browser back to, when it is not ``gateway`` (another
    gateway process on the same databases): the callback then goes to ``gateway`` all the same."""

    async def step(method: str, url: str, expected: int, **options) -> aiohttp.ClientResponse:
        async with http.request(method, url, allow_redirects=False, **options) as response:
            await response.read()
        if response.status != expected:
            raise LoginFailed(f"{method} {url.split('?')[0]}: {response.status} {(await response.text())[:200]}")
        return response

    start = await step("GET", f"{gateway}/auth/esia", 302)
    async with http.get(start.headers["location"]) as form:
        page = await form.text()
    found = REQUEST_ID.search(page)
    if form.status != 200 or not found:
        raise LoginFailed(f"the ESIA login form did not open: {form.status} {page[:200]}")
    action = start.headers["location"].split("?")[0]
    chosen = await step("POST", action, 302, data={"request_id": found.group(1), "oid": oid})
    await step("GET", chosen.headers["location"].replace(public or gateway, gateway, 1), 303)
    await step("GET", f"{gateway}/api/v1/me", 200)


async def login_storm(stack: Stack, logins: int, rate: float) -> dict:
    """``logins`` ESIA logins arriving at ``rate`` a second, each by a browser without cookies."""
    oids = [p.esia_oid for p in SCHOOL_PEOPLE if p.esia_oid] + [oid for oid, *_ in REGION_ACCOUNTS]
    latencies: list[float] = []
    failures: list[str] = []
    cpu_before, driver_before = cpu_by_part(stack), time.process_time()
    connections = aiohttp.TCPConnector(limit=0)
    start = time.monotonic() + 0.2

    async def one(i: int) -> None:
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
        # A new person's browser: its own cookies (none at the gateway or at ESIA yet); IP hosts keep theirs.
        async with aiohttp.ClientSession(
            connector=connections,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=60),
        ) as http:
            try:
                await esia_login(http, stack.url("gateway"), oids[i % len(oids)])
                latencies.append(time.monotonic() - scheduled)
            except (LoginFailed, aiohttp.ClientError, TimeoutError) as failure:
                failures.append(f"{type(failure).__name__}: {str(failure)[:200]}")

    await asyncio.gather(*(one(i) for i in range(logins)))
    took = time.monotonic() - start
    await connections.close()
    cpu = {part: spent - cpu_before.get(part, 0.0) for part, spent in cpu_by_part(stack).items()}
    cpu["the driver (this process)"] = time.process_time() - driver_before
    return {
        "logins": logins,
        "rate": rate,
        "took": took,
        "ok": len(latencies),
        "failures": failures,
        "p50": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "p99": 1000 * percentile(latencies, 0.99) if latencies else float("nan"),
        "cpu_ms_per_login": {part: 1000 * spent / logins for part, spent in cpu.items() if spent > 0.05},
    }


async def evening_school(stack: Stack) -> tuple[str, int]:
    """A generated school's pupils and parents, loaded through the import, and in notifications' copy of roster
    (the announcement reaches whom notifications knows): its id and how many people the announcement reaches."""
    region = generate(RegionSpec(seed=19, schools_per_municipality=1))
    files = next(iter(import_files(region).values()))
    signer = await signer_of(stack)
    async with httpx.AsyncClient(base_url=stack.url("roster"), timeout=120) as roster:
        school_id, _ = await load_school(roster, signer, files, 1900)
    pupils, guardianships = len(region.enrolments), len(region.guardianships)
    parents = len({g.guardian_id for g in region.guardianships})
    notifications = await asyncpg.connect(admin_dsn(stack, "notifications"))
    try:
        counted = (
            "SELECT (SELECT count(*) FROM enrolments WHERE school_id = $1),"
            " (SELECT count(*) FROM guardianships WHERE school_id = $1)"
        )
        deadline = time.monotonic() + 600
        while tuple(await notifications.fetchrow(counted, school_id)) != (pupils, guardianships):
            if time.monotonic() > deadline:
                raise RuntimeError("notifications did not receive the generated school's people in 10 minutes")
            await asyncio.sleep(0.5)
    finally:
        await notifications.close()
    return str(school_id), pupils + parents


async def evening(stack: Stack, rate: float, seconds: int) -> dict:
    """The diary at ``rate`` alone, then during the evening's fan-out."""
    school_id, reached = await evening_school(stack)
    teacher, parent, school, course = await demo_teacher_and_parent(stack)
    lessons, students = await mark_slots(teacher, school, course, 6, stack.today())
    child = (await parent.api("GET", "/diary")).json()[0]["student_id"]
    monday = stack.today() - timedelta(days=stack.today().weekday())
    diary = [f"/api/v1/diary/{child}?start={monday}&end={monday + timedelta(days=6)}"]
    cookie = {"Cookie": "; ".join(f"{c.name}={c.value}" for c in parent.http.cookies.jar)}
    gateway = stack.url("gateway")
    alone = await asyncio.to_thread(open_loop, gateway, "GET", diary, cookie, rate, seconds)

    notifications = await asyncpg.connect(admin_dsn(stack, "notifications"))
    guardians = "SELECT student_id::text, count(*) FROM guardianships WHERE school_id = $1 GROUP BY student_id"
    family_size = {student: 1 + count for student, count in await notifications.fetch(guardians, school)}
    # Each mark's notice goes to the pupil and each parent; a column per work type.
    expected_notices = len(lessons) * len(WORK_TYPES) * sum(family_size.get(s, 1) for s in students)
    mark_notices = "SELECT count(*) FROM notifications WHERE kind = 'mark' AND school_id = $1 AND created_at > $2"
    signer = await signer_of(stack)
    admin = Caller(uuid4(), "Администратор", school_roles=frozenset({(school_id, "school_admin")}))
    today = stack.today()
    announcement = {
        "title": "Родительское собрание",
        "text": "Завтра в 18:00 общешкольное родительское собрание в актовом зале.",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=1)).isoformat(),
    }

    async def fan_out() -> dict:
        await asyncio.sleep(1)
        began, since = time.monotonic(), datetime.now(UTC)
        async with httpx.AsyncClient(base_url=stack.url("notifications"), timeout=120) as http:
            published = await http.post(
                f"/schools/{school_id}/announcements", json=announcement, headers=auth_headers(signer, admin)
            )
        published.raise_for_status()
        announced = time.monotonic() - began
        marks = await column_mode(stack, teacher, school, lessons, students)
        while await notifications.fetchval(mark_notices, school, since) < expected_notices:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        return {
            "announced": published.json()["notified"],
            "announce_s": announced,
            "marks": marks["marks"],
            "notices": expected_notices,
            "all_in_inboxes_s": time.monotonic() - began,
        }

    during, fanned = await asyncio.gather(
        asyncio.to_thread(open_loop, gateway, "GET", diary, cookie, rate, seconds), fan_out()
    )
    await notifications.close()
    await teacher.close()
    await parent.close()
    return {"rate": rate, "alone": alone, "during": during, "reached": reached, **fanned}


def report(storm: dict, evening_figures: dict) -> None:
    load = os.getloadavg()[0]
    print(f"# peaks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average {load:.1f}")
    s = storm
    print(
        f"login storm: {s['ok']} of {s['logins']} logins at {s['rate']:.1f}/s in {s['took']:.0f} s "
        f"(target: 10,000 in 300 s), p50 {s['p50']:.0f} ms, p99 {s['p99']:.0f} ms, failed {len(s['failures'])}"
    )
    for failure in sorted(set(s["failures"]))[:5]:
        print(f"  failed: {failure}")
    print("  CPU per login (ms): " + ", ".join(f"{p} {ms:.1f}" for p, ms in s["cpu_ms_per_login"].items()))
    e = evening_figures
    a, d = e["alone"], e["during"]
    print(f"19:00: diary weeks at {e['rate']:.0f}/s")
    print(f"  alone:           p50 {a['p50']:.1f} ms, p99 {a['p99']:.1f} ms, failed {a['failed']:.1%}")
    print(f"  during fan-out:  p50 {d['p50']:.1f} ms, p99 {d['p99']:.1f} ms, failed {d['failed']:.1%}")
    print(
        f"  fan-out: an announcement to {e['announced']} inboxes written in {e['announce_s']:.2f} s "
        f"({e['reached']} pupils and parents); {e['marks']} marks in columns, their {e['notices']} notices all "
        f"in inboxes {e['all_in_inboxes_s']:.1f} s after the announcement began"
    )


async def main(logins: int, rate: float, diary_rate: float, seconds: int) -> None:
    run = f"peaks{os.getpid()}"
    stack = bench_stack(run, workers=default_workers())
    await stack.drop_databases()
    try:
        await stack.start()
        await ensure_demo(stack)
        storm = await login_storm(stack, logins, rate)
        evening_figures = await evening(stack, diary_rate, seconds)
    finally:
        await stack.stop()
        await stack.drop_databases()
        await drop_run_leftovers(run)
    report(storm, evening_figures)


if __name__ == "__main__":
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=10_000 / 300, help="logins a second (default: 10,000 in 5 min)")
    parser.add_argument("--diary-rate", type=float, default=100)
    parser.add_argument("--seconds", type=int, default=10, help="of diary reads, alone and during the fan-out")
    args = parser.parse_args()
    print(f"# workers: {default_workers()}", flush=True)
    asyncio.run(main(args.logins, args.rate, args.diary_rate, args.seconds))
