"""What one mark costs across the services: transactions, statements and CPU from the teacher's request to the last
consumer, counted in one process.

Load-independent figures for a shared machine. Gradebook (with its outbox relay), reporting and notifications run
in-process with their consumers on databases of their own (``journal_perf_flow_<pid>_*``, dropped at the end) and
a run-specific exchange on the real broker; a class of 25 with two guardians each (their e-mail chosen for marks,
as a daily digest, so the sender sends nothing) is filled straight into them. Three ways of marking:

- **alone**: one mark, then wait until every consumer has it (a quiet hour: each event is a batch of one);
- **16 at once**: 16 teachers' sessions posting single marks concurrently (the relay and the consumers batch what
  arrives together);
- **column**: a lesson's column of 25 marks in one request (column mode).

Per mark it prints each service's transactions (SQLAlchemy's commits and rollbacks on its engine) and statements
(each one round trip; a transaction adds two: BEGIN with the tenant, COMMIT), PostgreSQL's own count of
transactions in the run's databases (``pg_stat_database``), and the process's CPU time (every service, the client
and the broker's client together: compare it only with itself). The state portal's feed (gateway) is not in it.

``uv run python tests/perf/bench_mark_flow.py [--marks 100]``.
"""

import argparse
import asyncio
import logging
import os
import platform
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import httpx
from bench_round_trips import Counter, forget_broker
from bench_round_trips import journal as journal_rows
from fastapi import FastAPI

from chassis.auth import Caller, TokenSigner
from chassis.settings import ServiceSettings
from chassis.tenancy import Tenant
from chassis.testing import TEST_NOW, auth_headers, drop_database, events_handled, verifier_for
from gradebook import main as gradebook_main
from gradebook.settings import GradebookSettings
from notifications import main as notifications_main
from notifications import models as nt
from notifications.settings import NotificationsSettings
from reporting import main as reporting_main
from reporting.settings import ReportingSettings

RUN = f"journal_perf_flow_{os.getpid()}_"
TODAY = TEST_NOW.date()
CLASS_SIZE = 25
#: Every mark event reaches these consumers (the gateway's portal feed, the fourth, is not in this run).
CONSUMERS = {"reporting": ["reporting.diary", "reporting.reports"], "notifications": ["notifications.family"]}


def settings_for(kind: type[ServiceSettings], name: str, **extra) -> ServiceSettings:
    defaults = ServiceSettings()
    values = {
        "database_url": f"postgresql+asyncpg://{defaults.db_role}@{defaults.db_server}/{RUN}{name}",
        "exchange": f"perf.flow{os.getpid()}.school.events",
        "public_exchange": f"perf.flow{os.getpid()}.public.events",
        "queue_prefix": f"perf.flow{os.getpid()}.",
        "keys_dir": Path(tempfile.mkdtemp(prefix="bench-flow-")),
        "profile": "test",
        "test_clock": TEST_NOW,
        "log_level": "WARNING",
    }
    return kind(**(values | extra))


async def postgres_transactions(settings: ServiceSettings) -> int:
    """Commits and rollbacks PostgreSQL counted in the run's databases (its statistics lag up to a second)."""
    connection = await asyncpg.connect(settings.admin_database_url)
    try:
        await asyncio.sleep(1.2)
        return await connection.fetchval(
            "SELECT sum(xact_commit + xact_rollback) FROM pg_stat_database WHERE datname LIKE $1", f"{RUN}%"
        )
    finally:
        await connection.close()


class Flow:
    def __init__(self, apps: dict[str, FastAPI]) -> None:
        self.apps = apps
        self.counters = {name: Counter(app) for name, app in apps.items()}

    def handled(self) -> int:
        """Deliveries the slowest consumer has finished with."""
        return min(
            events_handled(self.apps[service], consumer) for service, names in CONSUMERS.items() for consumer in names
        )

    async def until_handled(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while self.handled() < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.handled()} of {count} events handled")
            await asyncio.sleep(0.002)

    async def measure(self, label: str, marks: int, work: Callable[[], Awaitable[None]], settings) -> None:
        start = {name: (c.statements, c.transactions) for name, c in self.counters.items()}
        pg_before = await postgres_transactions(settings)
        handled = self.handled()
        cpu, wall = time.process_time(), time.perf_counter()
        await work()
        await self.until_handled(handled + marks)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        pg = await postgres_transactions(settings) - pg_before
        parts = []
        total_tx = total_rt = 0.0
        for name, counter in self.counters.items():
            statements = (counter.statements - start[name][0]) / marks
            tx = (counter.transactions - start[name][1]) / marks
            total_tx, total_rt = total_tx + tx, total_rt + statements + 2 * tx
            parts.append(f"{name} {tx:.2f} tx / {statements + 2 * tx:.1f} rt")
        print(
            f"{label:<12} per mark: {'; '.join(parts)}; all {total_tx:.2f} tx / {total_rt:.1f} round trips; "
            f"PostgreSQL {pg / marks:.2f} tx; CPU {cpu / marks * 1000:.2f} ms ({wall / marks * 1000:.1f} ms wall)"
        )


def family_rows(school: UUID, class_id: UUID, teacher: UUID, students: list[UUID]) -> list:
    """Notifications' replicas of a class: its pupils, two guardians each reading marks by a daily e-mail digest
    (so the sender sends nothing), and its class teacher."""
    family: list = []
    for number, student in enumerate(students):
        family.append(nt.Person(school_id=school, id=student, last_name=f"Ученик{number}", first_name="Иван"))
        family.append(nt.Enrolment(school_id=school, student_id=student, class_id=class_id, enrolled_on=TODAY))
        for guardian in (uuid4(), uuid4()):
            family.append(nt.Guardianship(school_id=school, student_id=student, guardian_id=guardian))
            family.append(
                nt.NotificationPreference(
                    school_id=school,
                    person_id=guardian,
                    email_address=f"{guardian.hex[:8]}@example.ru",
                    channels={"mark": ["email"], "alert": ["email"]},
                    digest=True,
                )
            )
    family.append(nt.ClassTeacher(school_id=school, class_id=class_id, teacher_id=teacher, version=1))
    return family


async def fill(apps: dict[str, FastAPI], school: UUID, teacher: UUID, students: list[UUID], lessons: int) -> list:
    journal, lesson_ids = journal_rows(school, teacher, students, lessons)
    family = family_rows(school, journal[0].id, teacher, students)
    for name, rows in (("gradebook", journal), ("notifications", family)):
        async with apps[name].state.db.transaction(Tenant(school_id=school)) as session:
            session.add_all(rows)
    return lesson_ids


async def run(marks: int) -> None:
    signer = TokenSigner.generate(issuer=ServiceSettings().token_issuer, audience=ServiceSettings().token_audience)
    school, teacher = uuid4(), uuid4()
    students = [uuid4() for _ in range(CLASS_SIZE)]
    every = {
        "gradebook": settings_for(GradebookSettings, "gradebook", run_consumers=False),
        "reporting": settings_for(ReportingSettings, "reporting", run_relay=False, files_dir=tempfile.mkdtemp()),
        "notifications": settings_for(
            NotificationsSettings, "notifications", run_relay=False, delivery_poll_seconds=3600.0
        ),
    }
    builders = {"gradebook": gradebook_main, "reporting": reporting_main, "notifications": notifications_main}
    for settings in every.values():
        await drop_database(settings)
    apps = {name: builders[name].build_app(every[name], verifier_for(signer)) for name in every}
    try:
        async with (
            apps["gradebook"].router.lifespan_context(apps["gradebook"]),
            apps["reporting"].router.lifespan_context(apps["reporting"]),
            apps["notifications"].router.lifespan_context(apps["notifications"]),
        ):
            # Every single mark in its own lesson's column of "answer"; a column per lesson after them.
            singles = 2 * marks
            lessons = await fill(apps, school, teacher, students, singles // CLASS_SIZE + marks // CLASS_SIZE + 4)
            headers = auth_headers(signer, Caller(teacher, "Иванова Мария", frozenset({(school, "teacher")})))
            transport = httpx.ASGITransport(app=apps["gradebook"])
            async with httpx.AsyncClient(transport=transport, base_url="http://flow") as client:
                flow = Flow(apps)
                posted = 0

                async def post(i: int) -> None:
                    # One "2" in ten: a failing mark also alerts the class teacher and the parents.
                    value = "2" if i % 10 == 0 else "4"
                    body = {"student_id": str(students[i % CLASS_SIZE]), "value": value, "work_type": "answer"}
                    url = f"/schools/{school}/lessons/{lessons[i // CLASS_SIZE]}/marks"
                    response = await client.post(url, json=body, headers=headers)
                    assert response.status_code == 201, response.text

                async def warm() -> None:
                    nonlocal posted
                    for _ in range(CLASS_SIZE):
                        await post(posted)
                        posted += 1

                await warm()  # compiled statements cached, pools open, topology declared
                await flow.until_handled(CLASS_SIZE)

                async def alone() -> None:
                    nonlocal posted
                    for _ in range(marks):
                        before = flow.handled()
                        await post(posted)
                        posted += 1
                        await flow.until_handled(before + 1)

                async def concurrently() -> None:
                    nonlocal posted
                    first, posted = posted, posted + marks
                    queue = list(range(first, first + marks))

                    async def session() -> None:
                        while queue:
                            await post(queue.pop())

                    await asyncio.gather(*(session() for _ in range(16)))

                columns = marks // CLASS_SIZE
                column_lessons = lessons[-columns - 1 : -1]

                async def column() -> None:
                    for lesson in column_lessons:
                        cells = [{"student_id": str(s), "value": "5"} for s in students]
                        response = await client.put(
                            f"/schools/{school}/lessons/{lesson}/marks",
                            json={"work_type": "test", "marks": cells},
                            headers=headers,
                        )
                        assert response.status_code == 200, response.text

                await flow.measure("alone", marks, alone, every["gradebook"])
                await flow.measure("16 at once", marks, concurrently, every["gradebook"])
                await flow.measure("column", columns * CLASS_SIZE, column, every["gradebook"])
    finally:
        for settings in every.values():
            await drop_database(settings)
        consumers = [c for name in every for c in builders[name].app.state.consumers]
        await forget_broker(every["gradebook"], consumers)
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--marks", type=int, default=100)
    asyncio.run(run(parser.parse_args().marks))


if __name__ == "__main__":
    main()
