"""The gateway's CPU per proxied request, this code against a baseline's, in one run.

Starts the whole journal (demo school, one worker per part) and beside it two more gateway processes on
the same databases and key: one of this checkout, one of ``--baseline``'s, another checkout with its own
environment (``git archive main | tar -x -C DIR && cd DIR && uv sync --frozen``: its code and its locked
packages, each side run by its own ``.venv/bin/python``). Both serve the same sessions and run neither
consumers nor relay (the stack's own gateway does), so what they spend is the proxying. In alternating
rounds ``wrk -t1 -c16`` loads each with a teacher's single marks (POST, CSRF) and a family's diary week
(GET); the figure is the process's CPU time (``/proc/PID/stat`` utime + stime) over the requests it
answered, less what it spends idle in as long (its background jobs). It does not depend on how busy the
machine is, as requests/s would on a shared one; the services' CPU per request is printed beside it to show
both gateways drove the same work. Each round also makes ``--logins`` ESIA logins through each gateway (the
sandbox's form, the callback with the token exchange and both signature checks, ``/api/v1/me``; four at a
time, each a browser without cookies, as ``bench_peaks.py``'s storm makes them): the gateway's CPU per login.

``uv run python tests/perf/bench_gateway_cpu.py --baseline /tmp/base [--seconds 8 --rounds 3 --logins 40]``
"""

import argparse
import asyncio
import json
import logging
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path

import aiohttp
import httpx
from bench_load import WORK_TYPES, bench_stack, demo_teacher_and_parent, drop_run_leftovers, mark_slots, wrk
from bench_peaks import esia_login

from devstack.demo import REGION_ACCOUNTS, SCHOOL_PEOPLE, ensure_demo
from devstack.stack import Stack, free_base_port

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (fields 14 and 15 of /proc/PID/stat, after the command's parentheses)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def start_gateway(stack: Stack, port: int, checkout: Path) -> asyncio.subprocess.Process:
    """A gateway of ``checkout``'s code and environment on ``port``, on the stack's database, key and services."""
    env = {
        **stack.env_for("gateway"),
        "JOURNAL_PORT": str(port),
        "JOURNAL_MIGRATE_ON_START": "false",
        "JOURNAL_RUN_CONSUMERS": "false",
        "JOURNAL_RUN_RELAY": "false",
    }
    python = checkout / ".venv" / "bin" / "python"
    argv = [str(python), "-m", "uvicorn", "gateway.main:app", "--host", "127.0.0.1", "--port", str(port)]
    log = (stack.var_dir / "logs" / f"gateway-{port}.log").open("ab")
    process = await asyncio.create_subprocess_exec(
        *argv, "--no-access-log", env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
    )
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(300):
            if process.returncode is not None:
                break
            try:
                if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return process
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError(f"the gateway of {checkout} did not start; see gateway-{port}.log")


async def idle_cpu(pid: int, seconds: float) -> float:
    """CPU seconds per second the process spends with no request."""
    before = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


async def measure(gateways: dict[str, tuple[str, int]], services: dict[str, int], loads: dict, seconds: int) -> dict:
    """One wrk run per gateway and path: CPU ms per request of the gateway (less its idle) and of the service."""
    figures: dict = {}
    for path, (service, make_requests, method, env) in loads.items():
        for name, (url, pid) in gateways.items():
            idle = await idle_cpu(pid, 2.0)
            before, service_before = cpu_seconds(pid), cpu_seconds(services[service])
            result = await asyncio.to_thread(wrk, url, make_requests(), method=method, seconds=seconds, env=env)
            requests = max(result["requests"], 1)
            busy = cpu_seconds(pid) - before - idle * seconds
            figures[(path, name)] = {
                "gateway_ms": 1000 * busy / requests,
                "service_ms": 1000 * (cpu_seconds(services[service]) - service_before) / requests,
                "rps": result["rps"],
                "failed": result["failed"],
            }
    return figures


async def log_in_many(url: str, public: str, oids: list[str], logins: int) -> list[str]:
    """``logins`` ESIA logins through the gateway at ``url``, four at a time, each a browser without cookies; what
    failed."""
    failed: list[str] = []
    connections = aiohttp.TCPConnector(limit=0)
    slots = asyncio.Semaphore(4)

    async def one(i: int) -> None:
        async with (
            slots,
            aiohttp.ClientSession(
                connector=connections, connector_owner=False, cookie_jar=aiohttp.CookieJar(unsafe=True)
            ) as http,
        ):
            try:
                await esia_login(http, url, oids[i % len(oids)], public=public)
            except Exception as failure:
                failed.append(f"{type(failure).__name__}: {str(failure)[:200]}")

    await asyncio.gather(*(one(i) for i in range(logins)))
    await connections.close()
    return failed


async def logins_cpu(gateways: dict[str, tuple[str, int]], public: str, logins: int) -> dict:
    """ESIA logins through each gateway: its CPU ms per login (less its idle)."""
    oids = [p.esia_oid for p in SCHOOL_PEOPLE if p.esia_oid] + [oid for oid, *_ in REGION_ACCOUNTS]
    figures: dict = {}
    for name, (url, pid) in gateways.items():
        idle = await idle_cpu(pid, 2.0)
        started, before = time.monotonic(), cpu_seconds(pid)
        failed = await log_in_many(url, public, oids, logins)
        took = time.monotonic() - started
        if failed:
            print(f"# {name}: {len(failed)} logins failed, e.g. {failed[0]}")
        figures[("ESIA login", name)] = {
            "gateway_ms": 1000 * (cpu_seconds(pid) - before - idle * took) / logins,
            "service_ms": 0.0,
            "rps": logins / took,
            "failed": len(failed) / logins,
        }
    return figures


async def main(baseline: Path, this: Path, seconds: int, rounds: int, logins: int) -> None:
    run = f"perfgw{os.getpid()}"
    stack = bench_stack(run)
    await stack.drop_databases()
    gateway_processes: list[asyncio.subprocess.Process] = []
    try:
        await stack.start()
        await ensure_demo(stack)
        base_port = free_base_port()
        ports = {"baseline": base_port, "this": base_port + 1}
        sources = {"baseline": baseline, "this": this}
        gateways = {}
        for name, port in ports.items():
            gateway_processes.append(await start_gateway(stack, port, sources[name]))
            gateways[name] = (f"http://127.0.0.1:{port}", gateway_processes[-1].pid)
        teacher, parent, school, course = await demo_teacher_and_parent(stack)
        today = stack.today()
        lessons, students = await mark_slots(teacher, school, course, 320, today)
        # Every single-mark request a new (lesson, pupil, work type): each run (the warm-up's too) takes the next
        # slice, and the slots last for every run.
        every_slot = [
            f"/api/v1/gradebook/schools/{school}/lessons/{lesson}/marks "
            + json.dumps({"student_id": s, "value": "5", "work_type": k})
            for k in WORK_TYPES
            for lesson in lessons
            for s in students
        ]
        per_run = len(every_slot) // (len(ports) * (rounds + 1))
        slots = iter(every_slot)
        child = (await parent.api("GET", "/diary")).json()[0]["student_id"]
        monday = today - timedelta(days=today.weekday())
        week = f"?start={monday.isoformat()}&end={(monday + timedelta(days=6)).isoformat()}"
        cookie = lambda b: "; ".join(f"{c.name}={c.value}" for c in b.http.cookies.jar)  # noqa: E731
        loads = {
            "mark POST": (
                "gradebook",
                lambda: [next(slots) for _ in range(per_run)],
                "POST",
                {"BENCH_COOKIE": cookie(teacher), "BENCH_CSRF": teacher.me["csrf_token"]},
            ),
            "diary week GET": (
                "reporting",
                lambda: [f"/api/v1/diary/{child}{week}"],
                "GET",
                {"BENCH_COOKIE": cookie(parent)},
            ),
        }
        services = {name: stack.processes[name].pid for name in ("gradebook", "reporting")}
        public = stack.url("gateway")
        # Warm both (imports, connection pools, the caller cache, ESIA's certificate) before anything is counted.
        await measure(gateways, services, loads, 2)
        await logins_cpu(gateways, public, 4)
        runs = []
        for _ in range(rounds):
            figures = await measure(gateways, services, loads, seconds)
            if logins:
                figures |= await logins_cpu(gateways, public, logins)
            runs.append(figures)
        await teacher.close()
        await parent.close()
    finally:
        for process in gateway_processes:
            if process.returncode is None:
                process.terminate()
                await process.wait()
        await stack.stop()
        await stack.drop_databases()
        await drop_run_leftovers(run)
    report(runs, os.getloadavg())


def report(runs: list[dict], load: tuple[float, float, float]) -> None:
    print(f"# gateway CPU per proxied request; wrk -t1 -c16, {len(runs)} alternating rounds; load average {load}")
    print(f"{'path':<16} {'gateway':<9} {'gw CPU ms/req':>14} {'service ms/req':>15} {'req/s':>8} {'failed':>7}")
    for key in runs[0]:
        gateway_ms = [r[key]["gateway_ms"] for r in runs]
        service_ms = statistics.median(r[key]["service_ms"] for r in runs)
        rps = statistics.median(r[key]["rps"] for r in runs)
        failed = max(r[key]["failed"] for r in runs)
        spread = f"{statistics.median(gateway_ms):.2f} ({min(gateway_ms):.2f}–{max(gateway_ms):.2f})"
        print(f"{key[0]:<16} {key[1]:<9} {spread:>14} {service_ms:>15.2f} {rps:>8.1f} {failed:>6.1%}")
    for path in dict.fromkeys(p for p, _ in runs[0]):
        ratio = statistics.median(r[(path, "baseline")]["gateway_ms"] / r[(path, "this")]["gateway_ms"] for r in runs)
        print(f"# {path}: the gateway's CPU per request, baseline ÷ this = {ratio:.2f}")


if __name__ == "__main__":
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout, synced (uv sync --frozen)")
    parser.add_argument(
        "--this", type=Path, default=Path(__file__).resolve().parents[2], help="(default: this checkout)"
    )
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--logins", type=int, default=40, help="ESIA logins per gateway and round (0: none)")
    args = parser.parse_args()
    asyncio.run(main(args.baseline.resolve(), args.this.resolve(), args.seconds, args.rounds, args.logins))
