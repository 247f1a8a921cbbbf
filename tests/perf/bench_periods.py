"""Benchmark: closing a quarter for a school of 1,000 students, and a class's forecast (R-27, R-29).

Runs the gradebook in-process on its own ``journal_perf_gradebook`` database (its relay publishing to a
``perf.<pid>`` exchange, no consumers) and fills it directly: 40 classes of 25 students, ``--subjects`` courses
per class, 16 lessons each in the first quarter with 6 current marks per student per course. Then, through the
HTTP API as the teachers do it, ``--workers`` at a time: every course's teacher reads the period's sheet (averages,
forecast, flags), sets a period mark for every student (a column per course, or with ``--single`` one request per
mark; one event per mark either way) and closes the period.
Prints the time and period marks/s, and the class teacher's forecast for one class (every course of it).
Usage: ``uv run python tests/perf/bench_periods.py [--students 1000] [--subjects 10] [--workers 4] [--single]``.
"""

import argparse
import asyncio
import logging
import os
import platform
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import aio_pika
import httpx

from chassis.auth import Caller, TokenSigner
from chassis.settings import ServiceSettings
from chassis.tenancy import Tenant
from chassis.testing import TEST_NOW, auth_headers, drop_database, verifier_for
from chassis.topology import topology_for
from gradebook.main import build_app
from gradebook.models import (
    AcademicYear,
    ClassMember,
    ClassTeacher,
    Course,
    Lesson,
    Mark,
    PeriodScheme,
    Person,
    SchoolClass,
)
from gradebook.settings import GradebookSettings

CLASS_SIZE = 25
QUARTER = (date(2026, 9, 1), date(2026, 10, 25))
#: The close runs the day after the quarter's end (TEST_NOW is 14 October: the clock is moved).
CLOSING_DAY = date(2026, 10, 26)


def seed(school: UUID, students: int, subjects: int) -> tuple[list, list[Course], UUID]:
    """The school's rows: year and quarters, classes, people, courses, lessons and marks."""
    rows: list = []
    year_id, quarter_id = uuid4(), uuid4()
    rows.append(
        AcademicYear(id=year_id, school_id=school, name="2026/2027", starts=date(2026, 9, 1), ends=date(2027, 5, 31))
    )
    rows[-1].version = 1
    rows.append(
        PeriodScheme(
            id=uuid4(),
            school_id=school,
            year_id=year_id,
            kind="quarters",
            grades=list(range(2, 12)),
            periods=[
                {
                    "period_id": str(quarter_id),
                    "number": 1,
                    "name": "1 четверть",
                    "starts": "2026-09-01",
                    "ends": "2026-10-25",
                }
            ],
            version=1,
        )
    )
    courses: list[Course] = []
    lesson_days = [QUARTER[0] + timedelta(days=3 * i) for i in range(16)]
    rng = random.Random(1)
    for number in range(students // CLASS_SIZE):
        class_id = uuid4()
        grade = 5 + number % 7
        rows.append(
            SchoolClass(id=class_id, school_id=school, grade=grade, name=f"{grade}-{number}", academic_year="2026/2027")
        )
        members = [uuid4() for _ in range(CLASS_SIZE)]
        for i, student in enumerate(members):
            rows.append(Person(id=student, school_id=school, last_name=f"Ученик{number}", first_name=f"Имя{i}"))
            rows.append(ClassMember(class_id=class_id, student_id=student, school_id=school))
        rows.append(ClassTeacher(class_id=class_id, school_id=school, teacher_id=uuid4(), version=1))
        for subject in range(subjects):
            course = Course(
                id=uuid4(),
                school_id=school,
                teacher_id=uuid4(),
                subject_id=uuid4(),
                subject_name=f"Предмет {subject + 1}",
                class_id=class_id,
                class_name=f"{grade}-{number}",
            )
            rows.append(course)
            courses.append(course)
            for day in lesson_days:
                lesson = Lesson(
                    id=uuid4(),
                    school_id=school,
                    course_id=course.id,
                    date=day,
                    topic="Тема",
                    recorded_by=course.teacher_id,
                )
                rows.append(lesson)
            # 6 marks per student, on 6 of the course's lessons.
            lesson_ids = [r.id for r in rows[-len(lesson_days) :]]
            for student in members:
                for lesson_id in rng.sample(lesson_ids, 6):
                    rows.append(
                        Mark(
                            school_id=school,
                            lesson_id=lesson_id,
                            student_id=student,
                            value=rng.choice("5443"),
                            work_type="answer",
                            weight=1.0,
                            posted_by=course.teacher_id,
                        )
                    )
    return rows, courses, quarter_id


async def forget_broker(settings: GradebookSettings) -> None:
    """Remove this run's exchanges and queues (all named ``perf.<pid>.…``); shared ones stay."""
    topology = topology_for(settings, [])
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in topology.queues:
            if queue.name.startswith(settings.queue_prefix):
                await channel.queue_delete(queue.name)
        for exchange in topology.exchanges:
            if exchange.name.startswith(settings.queue_prefix):
                await channel.exchange_delete(exchange.name)


async def run(students: int, subjects: int, workers: int, column: bool) -> None:
    defaults = ServiceSettings()
    settings = GradebookSettings(
        database_url=f"postgresql+asyncpg://{defaults.db_role}@{defaults.db_server}/journal_perf_gradebook",
        exchange=f"perf.{os.getpid()}.school.events",
        public_exchange=f"perf.{os.getpid()}.public.events",
        queue_prefix=f"perf.{os.getpid()}.",
        keys_dir=Path(tempfile.mkdtemp(prefix="bench-periods-")),
        profile="test",
        test_clock=TEST_NOW.replace(year=CLOSING_DAY.year, month=CLOSING_DAY.month, day=CLOSING_DAY.day),
        run_consumers=False,
        log_level="WARNING",
    )
    await drop_database(settings)
    signer = TokenSigner.generate(issuer=defaults.token_issuer, audience=defaults.token_audience)
    app = build_app(settings, verifier_for(signer))
    school = uuid4()
    async with app.router.lifespan_context(app):
        rows, courses, quarter = seed(school, students, subjects)
        started = time.perf_counter()
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            session.add_all(rows)
        seeded = time.perf_counter() - started
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as client:
            queue: asyncio.Queue = asyncio.Queue()
            for entry in courses:
                queue.put_nowait(entry)

            async def teacher_closes() -> None:
                while not queue.empty():
                    course = queue.get_nowait()
                    teacher = Caller(course.teacher_id, "Учитель", frozenset({(school, "teacher")}))
                    headers = auth_headers(signer, teacher)
                    base = f"/schools/{school}/courses/{course.id}/periods/quarter/{quarter}"
                    sheet = await client.get(base, headers=headers)
                    assert sheet.status_code == 200, sheet.text
                    # The teacher follows the forecast (a 3 where there is none).
                    rows = sheet.json()["rows"]
                    marks = [{"student_id": r["student_id"], "value": str(r["forecast"] or 3)} for r in rows]
                    if column:
                        put = await client.put(f"{base}/marks", json={"marks": marks}, headers=headers)
                        assert put.status_code == 200, put.text
                    for mark in [] if column else marks:
                        put = await client.put(f"{base}/marks/{mark['student_id']}", json=mark, headers=headers)
                        assert put.status_code == 200, put.text
                    closed = await client.post(f"{base}/close", headers=headers)
                    assert closed.status_code == 200, closed.text

            started = time.perf_counter()
            await asyncio.gather(*(teacher_closes() for _ in range(workers)))
            closing = time.perf_counter() - started
            course = courses[0]
            async with app.state.db.transaction(Tenant(school_id=school)) as session:
                class_teacher = await session.get(ClassTeacher, course.class_id)
            lead = Caller(class_teacher.teacher_id, "Классный руководитель", frozenset({(school, "class_teacher")}))
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                forecast = await client.get(
                    f"/schools/{school}/classes/{course.class_id}/forecast", headers=auth_headers(signer, lead)
                )
                timings.append(time.perf_counter() - started)
                assert forecast.status_code == 200, forecast.text
            assert all(len(s["courses"]) == subjects for s in forecast.json()["students"])
    await drop_database(settings)
    await forget_broker(settings)
    marks = len(courses) * CLASS_SIZE
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")
    print(f"school: {students} students, {len(courses)} courses, {sum(isinstance(r, Mark) for r in rows)} marks")
    print(f"seeded in {seeded:.1f} s")
    print(
        f"quarter closed: {marks} period marks and {len(courses)} closes in {closing:.1f} s "
        f"({marks / closing:.0f} period marks/s, {workers} teachers at a time, "
        f"{'a column per course' if column else 'one request per mark'})"
    )
    print(
        f"class forecast ({CLASS_SIZE} students × {subjects} courses): median {sorted(timings)[2] * 1000:.0f} ms "
        f"({CLASS_SIZE * subjects / sorted(timings)[2]:.0f} forecasts/s)"
    )


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--subjects", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--single", action="store_true", help="one request per period mark instead of a column")
    args = parser.parse_args()
    asyncio.run(run(args.students, args.subjects, args.workers, not args.single))


if __name__ == "__main__":
    main()
