"""Round trips and CPU per request of the two hot reads and writes: a family's diary week, a single mark.

Load-independent figures for a shared machine: runs reporting and gradebook in-process (no consumers,
no relay) on databases of their own (``journal_perf_rt_<pid>_*``, dropped at the end), fills a school's
week straight into them, then sends the same requests one after another and counts, per request, the
statements SQLAlchemy sends (each one round trip), the transactions (each adds two more: BEGIN with the
tenant, COMMIT) and the process's CPU time (``time.process_time``: the service and the in-process
client together, so compare it only with itself between versions).

Gradebook also saves whole lesson columns (``PUT /lessons/{id}/marks``, 25 pupils of one work type on a lesson
without marks of it): the figures are then per mark. ``--only gradebook`` skips the diary (to compare two checkouts'
gradebook one right after the other: ``PYTHONPATH=<old>/services/gradebook:<old>/libs/chassis`` runs the old one).

``uv run python tests/perf/bench_round_trips.py [--requests 200] [--only gradebook]``.
"""

import argparse
import asyncio
import logging
import os
import platform
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from datetime import time as clock_time
from pathlib import Path
from uuid import UUID, uuid4

import aio_pika
import httpx
from fastapi import FastAPI
from sqlalchemy import event

from chassis.auth import Caller, TokenSigner
from chassis.settings import ServiceSettings
from chassis.tenancy import Tenant
from chassis.testing import TEST_NOW, auth_headers, drop_database, verifier_for
from chassis.topology import topology_for
from gradebook import main as gradebook_main
from gradebook import models as gb
from gradebook.settings import GradebookSettings
from reporting import main as reporting_main
from reporting import models as rp
from reporting.settings import ReportingSettings

RUN = f"journal_perf_rt_{os.getpid()}_"
TODAY = TEST_NOW.date()
WEEK_START = TODAY - timedelta(days=TODAY.weekday())
SUBJECTS = ["Математика", "Русский язык", "Литература", "История", "Биология", "Физкультура"]


def settings_for(kind: type[ServiceSettings], name: str, **extra) -> ServiceSettings:
    defaults = ServiceSettings()
    return kind(
        database_url=f"postgresql+asyncpg://{defaults.db_role}@{defaults.db_server}/{RUN}{name}",
        exchange=f"perf.rt{os.getpid()}.school.events",
        public_exchange=f"perf.rt{os.getpid()}.public.events",
        queue_prefix=f"perf.rt{os.getpid()}.",
        keys_dir=Path(tempfile.mkdtemp(prefix="bench-rt-")),
        profile="test",
        test_clock=TEST_NOW,
        run_consumers=False,
        run_relay=False,
        log_level="WARNING",
        **extra,
    )


def diary_week(school: UUID, student: UUID, parent: UUID, class_id: UUID) -> list:
    """A 5А pupil's week as the events leave it: 6 days × 6 timetable lessons, 30 recorded, marks, absences."""
    rows: list = [
        rp.Person(school_id=school, id=student, last_name="Петров", first_name="Алексей"),
        rp.Student(school_id=school, id=student, class_id=class_id, class_name="5А", enrolled_on=date(2026, 9, 1)),
        rp.SchoolClass(school_id=school, id=class_id, name="5А"),
        rp.ClassTeacher(school_id=school, class_id=class_id, teacher_id=uuid4(), assigned_at=TEST_NOW),
        rp.Guardianship(school_id=school, guardian_id=parent, student_id=student, relation="отец"),
        rp.Announcement(
            school_id=school,
            id=uuid4(),
            class_id=None,
            title="Собрание",
            text="В пятницу в 18:00.",
            starts_on=WEEK_START,
            ends_on=WEEK_START + timedelta(days=6),
        ),
    ]
    for day in range(6):
        on = WEEK_START + timedelta(days=day)
        for number, subject in enumerate(SUBJECTS, start=1):
            scheduled = uuid4()
            rows.append(
                rp.TimetableLesson(
                    school_id=school,
                    id=scheduled,
                    version=1,
                    class_id=class_id,
                    group_id=None,
                    subject_name=subject,
                    date=on,
                    number=number,
                    starts=clock_time(8 + number),
                    ends=clock_time(8 + number, 45),
                    room_name=f"Кабинет {number}",
                    status="scheduled",
                    substitute_name=None,
                    change_note=None,
                )
            )
            if day == 5:
                continue
            lesson = uuid4()
            rows.append(
                rp.Lesson(
                    school_id=school,
                    id=lesson,
                    version=1,
                    class_id=class_id,
                    subject_id=uuid4(),
                    subject_name=subject,
                    date=on,
                    topic=f"Тема {number}",
                    homework="§ 3",
                    scheduled_lesson_id=scheduled,
                )
            )
            if (day + number) % 4 == 0:
                rows.append(
                    rp.Mark(
                        school_id=school,
                        id=uuid4(),
                        version=1,
                        student_id=student,
                        lesson_id=lesson,
                        subject_name=subject,
                        date=on,
                        value="5",
                        work_type="answer",
                        work_type_title="Ответ на уроке",
                        weight=1.0,
                    )
                )
            if (day, number) in ((1, 2), (3, 5)):
                rows.append(
                    rp.Absence(
                        school_id=school,
                        id=uuid4(),
                        student_id=student,
                        lesson_id=lesson,
                        subject_name=subject,
                        date=on,
                        reason="ill",
                        changed_at=TEST_NOW,
                    )
                )
            if number <= 2:
                rows.append(
                    rp.Homework(
                        school_id=school,
                        id=uuid4(),
                        class_id=class_id,
                        lesson_id=lesson,
                        subject_name=subject,
                        given_on=on,
                        due_on=on + timedelta(days=1),
                        text="Упражнения",
                        pages="12–13",
                        exercises=None,
                        links=[],
                        student_ids=[],
                    )
                )
    return rows


def journal(school: UUID, teacher: UUID, students: list[UUID], lessons: int) -> tuple[list, list[UUID]]:
    class_id, course_id = uuid4(), uuid4()
    rows: list = [
        gb.SchoolClass(id=class_id, school_id=school, grade=5, name="5А", academic_year="2026/2027"),
        gb.Course(
            id=course_id,
            school_id=school,
            teacher_id=teacher,
            subject_id=uuid4(),
            subject_name="Математика",
            class_id=class_id,
            class_name="5А",
        ),
    ]
    rows += [gb.ClassMember(class_id=class_id, student_id=s, school_id=school) for s in students]
    lesson_ids = [uuid4() for _ in range(lessons)]
    rows += [
        gb.Lesson(id=i, school_id=school, course_id=course_id, date=TODAY, topic="Тема", recorded_by=teacher)
        for i in lesson_ids
    ]
    return rows, lesson_ids


class Counter:
    """Statements sent on an app's engine, and its commits and rollbacks.

    A statement goes through SQLAlchemy or straight to asyncpg (the diary week's, and the chassis' BEGIN and
    COMMIT): the driver's query log counts the latter, less the two queries of each transaction.
    """

    def __init__(self, app: FastAPI) -> None:
        self.transactions = self._through_sqlalchemy = self._driver_queries = 0
        engine = app.state.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._transaction)
        event.listen(engine, "rollback", self._transaction)
        event.listen(engine, "checkout", self._watch)

    @property
    def statements(self) -> int:
        return self._through_sqlalchemy + self._driver_queries - 2 * self.transactions

    def _statement(self, *_args) -> None:
        self._through_sqlalchemy += 1

    def _transaction(self, *_args) -> None:
        self.transactions += 1

    def _watch(self, connection, *_args) -> None:
        connection.driver_connection.add_query_logger(self._driver_query)

    def _driver_query(self, _query) -> None:
        self._driver_queries += 1


async def measure(
    label: str, app: FastAPI, requests: int, send: Callable[[int], Awaitable[None]], *, per: int = 1
) -> None:
    """``per``: the figures per mark of a request that saves that many (a column)."""
    await send(0)  # warm: compiled statements cached, pool open
    counter = Counter(app)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(1, requests + 1):
        await send(i)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    units = requests * per
    statements, tx = counter.statements / units, counter.transactions / units
    print(
        f"{label}: {statements:.2f} statements + {tx:.2f} transactions "
        f"= {statements + 2 * tx:.2f} round trips per {'mark' if per > 1 else 'request'}; "
        f"CPU {cpu / units * 1000:.2f} ms per {'mark' if per > 1 else 'request'} ({wall / requests * 1000:.1f} ms wall"
        " per request)"
    )


async def forget_broker(settings: ServiceSettings, consumers: list) -> None:
    """The run's exchanges and queues (``perf.rt<pid>.…``), which the services declare when they start."""
    topology = topology_for(settings, consumers)
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in topology.queues:
            if queue.name.startswith(settings.queue_prefix):
                await channel.queue_delete(queue.name)
        for exchange in topology.exchanges:
            if exchange.name.startswith(settings.queue_prefix):
                await channel.exchange_delete(exchange.name)


WORK_TYPES = ["answer", "homework", "independent", "test", "dictation", "practical", "lab"]


async def diary(signer: TokenSigner, requests: int) -> None:
    school, student, parent = uuid4(), uuid4(), uuid4()
    reporting_settings = settings_for(ReportingSettings, "reporting", files_dir=tempfile.mkdtemp(prefix="bench-rt-"))
    await drop_database(reporting_settings)
    try:
        reporting = reporting_main.build_app(reporting_settings, verifier_for(signer))
        async with reporting.router.lifespan_context(reporting):
            async with reporting.state.db.transaction(Tenant(school_id=school)) as session:
                session.add_all(diary_week(school, student, parent, uuid4()))
            family = Caller(parent, "Петров Сергей", frozenset({(school, "guardian")}))
            headers = auth_headers(signer, family)
            week = {"start": WEEK_START.isoformat(), "end": (WEEK_START + timedelta(days=6)).isoformat()}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=reporting), base_url="http://rt") as c:

                async def read(_: int) -> None:
                    response = await c.get(f"/schools/{school}/students/{student}/diary", params=week, headers=headers)
                    assert response.status_code == 200, response.text

                await measure("a family's diary week", reporting, requests, read)
    finally:
        await drop_database(reporting_settings)
        await forget_broker(reporting_settings, reporting_main.app.state.consumers)


async def marks(signer: TokenSigner, requests: int) -> None:
    school, teacher = uuid4(), uuid4()
    gradebook_settings = settings_for(GradebookSettings, "gradebook")
    await drop_database(gradebook_settings)
    try:
        gradebook = gradebook_main.build_app(gradebook_settings, verifier_for(signer))
        async with gradebook.router.lifespan_context(gradebook):
            students = [uuid4() for _ in range(25)]
            single_lessons = requests // 25 + 2
            rows, lessons = journal(school, teacher, students, single_lessons + requests // len(WORK_TYPES) + 2)
            async with gradebook.state.db.transaction(Tenant(school_id=school)) as session:
                session.add_all(rows)
            headers = auth_headers(signer, Caller(teacher, "Иванова Мария", frozenset({(school, "teacher")})))
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gradebook), base_url="http://rt") as c:

                async def mark(i: int) -> None:
                    body = {"student_id": str(students[i % 25]), "value": "4", "work_type": "answer"}
                    response = await c.post(
                        f"/schools/{school}/lessons/{lessons[i // 25]}/marks", json=body, headers=headers
                    )
                    assert response.status_code == 201, response.text

                await measure("a single mark (gradebook)", gradebook, requests, mark)

                async def column(i: int) -> None:
                    cells = [{"student_id": str(s), "value": "4"} for s in students]
                    body = {"work_type": WORK_TYPES[i % len(WORK_TYPES)], "marks": cells}
                    lesson = lessons[single_lessons + i // len(WORK_TYPES)]
                    response = await c.put(f"/schools/{school}/lessons/{lesson}/marks", json=body, headers=headers)
                    assert response.status_code == 200, response.text

                await measure("a column of 25 (gradebook)", gradebook, requests // 5, column, per=len(students))
    finally:
        await drop_database(gradebook_settings)
        await forget_broker(gradebook_settings, gradebook_main.app.state.consumers)


async def run(requests: int, only: str | None) -> None:
    signer = TokenSigner.generate(issuer=ServiceSettings().token_issuer, audience=ServiceSettings().token_audience)
    if only in (None, "reporting"):
        await diary(signer, requests)
    if only in (None, "gradebook"):
        await marks(signer, requests)
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", choices=["reporting", "gradebook"])
    args = parser.parse_args()
    asyncio.run(run(args.requests, args.only))


if __name__ == "__main__":
    main()
