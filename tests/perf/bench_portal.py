"""The state portal's pull (R-70) under load, beside the bare floor, in one run.

Starts the bare floor and the whole journal (demo school, own ports and databases), registers a
portal client, then prints:

- **a family's week by ESIA id**: ``GET /portal/v1/Schedule/{esia_id}`` through the gateway with a
  bearer token, closed loop (``wrk -t1 -c16``), beside the floor's diary week — the same database
  work without token checks, the access log, the call to reporting or the translation;
- **a school's day on the change feed**: a day of marks (whole lesson columns) is posted, and once
  the portal consumer has numbered every change, a client pages through them
  (``/portal/v1/changes?limit=1000``): changes/s and the time for the whole day.

``make bench-portal`` or ``uv run python tests/perf/bench_portal.py [--seconds 10]``.
"""

import argparse
import asyncio
import logging
import os
import secrets
import shutil
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
from bench_load import WORK_TYPES, bench_stack, drop_run_leftovers, mark_slots, start_floor, wrk

from chassis.settings import ServiceSettings
from devstack.browser import Browser
from devstack.demo import PARENT, TEACHER, ensure_demo
from devstack.stack import free_base_port
from gateway.domain.portal_pull import secret_digest


async def register_client(dsn: str) -> tuple[str, str]:
    client_id, secret = f"portal-bench-{secrets.token_hex(4)}", secrets.token_urlsafe(32)
    connection = await asyncpg.connect(dsn)
    await connection.execute(
        "INSERT INTO portal_clients (client_id, name, secret_digest, scopes, calls_per_minute)"
        " VALUES ($1, 'Нагрузочный тест', $2, ARRAY['schedule', 'changes'], 10000000)",
        client_id,
        secret_digest(secret),
    )
    await connection.close()
    return client_id, secret


async def feed_day(gateway: str, dsn: str, headers: dict, teacher: Browser, school: str, lessons, students) -> dict:
    """A day of columns posted, then the whole day read from the feed once every change is numbered."""
    connection = await asyncpg.connect(dsn)
    before = await connection.fetchval("SELECT coalesce(max(version), 0) FROM portal_changes")
    for lesson in lessons:
        for kind in WORK_TYPES[:2]:
            body = {"work_type": kind, "marks": [{"student_id": s, "value": "4"} for s in students]}
            answer = await teacher.api("PUT", f"/gradebook/schools/{school}/lessons/{lesson}/marks", json=body)
            answer.raise_for_status()
    # Only students with an ESIA oid have public events: the day's feed is complete once it stops growing.
    count, steady = -1, 0
    while steady < 20:
        now = await connection.fetchval("SELECT count(*) FROM portal_changes WHERE version > $1", before)
        steady = steady + 1 if now == count else 0
        count = now
        await asyncio.sleep(0.05)
    await connection.close()
    read, since, start = 0, before, time.monotonic()
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=60) as http:
        while True:
            page = (await http.get("/portal/v1/changes", params={"since": since, "limit": 1000})).json()
            read += len(page["changes"])
            since = page["last_version"]
            if not page["has_more"]:
                break
    elapsed = time.monotonic() - start
    return {"changes": read, "seconds": elapsed, "per_s": read / elapsed}


async def main(seconds: int) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make bench-portal`, which installs it")
    # Names of this run only: another benchmark on the same machine must not drop our databases.
    run = f"perf{os.getpid()}"
    floor_port = free_base_port()
    floor, floor_students = await start_floor(floor_port, f"journal_{run}_floor")
    stack = bench_stack(run)
    await stack.drop_databases()
    try:
        await stack.start()
        await ensure_demo(stack)
        # The parent's first ESIA login binds their oid, as at the portal's side they are an ESIA user.
        parent = Browser(stack.url("gateway"))
        await parent.login(PARENT.esia_oid or "")
        await parent.close()
        gateway_dsn = f"postgresql://postgres@{ServiceSettings().db_server}/{stack.db_prefix}gateway"
        client = await register_client(gateway_dsn)
        async with httpx.AsyncClient(base_url=stack.url("gateway")) as http:
            token = await http.post("/portal/v1/token", data={"grant_type": "client_credentials"}, auth=client)
            token.raise_for_status()
        bearer = f"Bearer {token.json()['access_token']}"
        today = stack.today()
        monday = today - timedelta(days=today.weekday())
        week = f"start={monday.isoformat()}&end={(monday + timedelta(days=6)).isoformat()}"
        rows = {
            "floor diary": wrk(
                f"http://127.0.0.1:{floor_port}",
                [f"/diary/{s}?start=2026-09-07&end=2026-09-13" for s in floor_students],
                method="GET",
                seconds=seconds,
                env={},
            ),
            "portal week": wrk(
                stack.url("gateway"),
                [f"/portal/v1/Schedule/{PARENT.esia_oid}?{week}"],
                method="GET",
                seconds=seconds,
                env={"BENCH_AUTHORIZATION": bearer},
            ),
        }
        teacher = Browser(stack.url("gateway"))
        await teacher.login(TEACHER.esia_oid or "")
        school = teacher.school_of("teacher")
        courses = (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
        course = next(c for c in courses if c["subject_name"] == "Русский язык")
        lessons, students = await mark_slots(teacher, school, course, 6, today)
        day = await feed_day(
            stack.url("gateway"), gateway_dsn, {"Authorization": bearer}, teacher, school, lessons, students
        )
        await teacher.close()
    finally:
        await stack.stop()
        floor.terminate()
        await floor.wait()
        await stack.drop_databases()
        await drop_run_leftovers(run)
    print(f"# portal pull benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    print(f"{'path':<14} {'req/s':>8} {'p50':>9} {'p99':>9} {'failed':>7} {'÷ floor':>8}")
    for name in ("floor diary", "portal week"):
        r = rows[name]
        ratio = "" if name == "floor diary" else f"{r['rps'] / rows['floor diary']['rps']:.3f}"
        print(f"{name:<14} {r['rps']:>8.1f} {r['p50']:>7.1f}ms {r['p99']:>7.1f}ms {r['failed']:>6.1%} {ratio:>8}")
    print(
        f"# a school's day on the change feed: {day['changes']} changes in {day['seconds']:.2f} s, {day['per_s']:.0f}/s"
    )


if __name__ == "__main__":
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    asyncio.run(main(parser.parse_args().seconds))
