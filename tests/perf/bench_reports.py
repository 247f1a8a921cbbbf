"""Benchmark: a school's quarter summary sheets (1,000 students, ~180,000 marks) and the region's indicators.

Runs reporting in-process against its own database (``journal_perf_reports_reporting``), writes a
school's read model straight into it (40 classes of 25 students, 10 subjects, about 180 marks and a
few absences per student in one quarter), then measures:

- ``JSON, one class``: ``GET …/classes/{id}/reports/summary-sheet`` p50/p99 over the 40 classes;
- ``JSON, the school, class by class``: the 40 classes' sheets requested one after another;
- ``JSON, the school's 40 sheets``: read as the report job reads them (the whole school's marks summed in
  one query), tables built and serialised to JSON;
- ``XLSX`` / ``PDF``: the school's sheets as one workbook / one PDF, as the report job writes them;
- ``region``: the indicators (R-66) of 500 schools' quarter marks (a million period marks in the read
  model) over HTTP as the inspector reads them — by municipality, every school, one municipality's
  schools — and where the time goes (the periods, PostgreSQL's counting, the formulas in Python).

Usage: ``uv run python tests/perf/bench_reports.py [--region-only] [--schools 500]`` (``--region-only`` skips the
school's sheets; ``--schools`` sizes the region, 2,000 period marks a school); figures in ``docs/performance.md``.
"""

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import aio_pika
import asyncpg
from sqlalchemy import insert

from chassis.auth import TokenSigner
from chassis.tenancy import Tenant
from chassis.testing import (
    auth_headers,
    delete_queues,
    drop_database,
    person,
    running_app,
    test_settings,
    verifier_for,
)
from reporting.domain.region import drill, level_figures
from reporting.domain.report_periods import dates_period
from reporting.domain.sheets import by_class, summary_sheet
from reporting.main import build_app
from reporting.models import Absence, Lesson, Mark, PeriodMark, Person, SchoolClass, Student
from reporting.region_counts import add_counts
from reporting.reports import queries
from reporting.reports.exports import to_pdf, to_pdf_many, to_xlsx_book
from reporting.reports.models import ClassGrade, School
from reporting.reports.tables import summary_sheet_table
from reporting.settings import ReportingSettings

CLASSES, STUDENTS, SUBJECTS = 40, 25, 10
MARKS_PER_STUDENT = 180
QUARTER = (date(2026, 9, 1), date(2026, 10, 25))
REGION_SCHOOLS, REGION_STUDENTS, REGION_SUBJECTS = 500, 200, 10


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def analyze(settings: ReportingSettings) -> None:
    """What autovacuum would do after such a load: the planner needs the tables' statistics. As the owner: the
    runtime role's ANALYZE skips every table it does not own (all of them) with a mere warning, and without
    statistics row-level security's filters make the planner expect a row or two everywhere."""
    connection = await asyncpg.connect(settings.owner_database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def load_school(app, school_id) -> list:
    """The read model of one school, written in bulk: classes, students, lessons, marks, absences."""
    rng = random.Random(1)
    days = [QUARTER[0] + timedelta(days=n) for n in range((QUARTER[1] - QUARTER[0]).days + 1)]
    school_days = [d for d in days if d.weekday() < 5]
    subjects = [(uuid4(), f"Предмет {n + 1}") for n in range(SUBJECTS)]
    classes, people, students, lessons, marks, absences = [], [], [], [], [], []
    for c in range(CLASSES):
        class_id = uuid4()
        name = f"{5 + c % 7}{'АБВГДЕ'[c // 7]}"
        classes.append({"school_id": school_id, "id": class_id, "name": name})
        class_lessons = []
        for subject_id, subject in subjects:
            for day in school_days[:: 2 if subject != "Предмет 1" else 1]:
                lesson = {"school_id": school_id, "id": uuid4(), "version": 1, "class_id": class_id}
                lesson |= {"subject_id": subject_id, "subject_name": subject, "date": day, "topic": "Тема"}
                lesson |= {"homework": "§ 1", "scheduled_lesson_id": None}
                lessons.append(lesson)
                class_lessons.append(lesson)
        for s in range(STUDENTS):
            student_id = uuid4()
            people.append({"school_id": school_id, "id": student_id, "last_name": f"Ученик{s:02d}", "first_name": name})
            students.append(
                {"school_id": school_id, "id": student_id, "class_id": class_id, "class_name": name}
                | {"enrolled_on": QUARTER[0]}
            )
            for lesson in rng.sample(class_lessons, MARKS_PER_STUDENT):
                marks.append(
                    {"school_id": school_id, "id": uuid4(), "version": 1, "student_id": student_id}
                    | {"lesson_id": lesson["id"], "subject_name": lesson["subject_name"], "date": lesson["date"]}
                    | {"value": rng.choice("5544332"), "work_type": "answer", "work_type_title": "Ответ"}
                    | {"weight": rng.choice([1.0, 1.0, 2.0])}
                )
            for lesson in rng.sample(class_lessons, 6):
                absences.append(
                    {"school_id": school_id, "id": uuid4(), "student_id": student_id, "lesson_id": lesson["id"]}
                    | {"subject_name": lesson["subject_name"], "date": lesson["date"]}
                    | {"reason": rng.choice(["ill", "excused", "unexcused", "late"]), "withdrawn": False}
                    | {"changed_at": datetime.now(UTC), "version": 1}
                )
    started = time.perf_counter()
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        for model, rows in [
            (SchoolClass, classes),
            (Person, people),
            (Student, students),
            (Lesson, lessons),
            (Mark, marks),
            (Absence, absences),
        ]:
            for at in range(0, len(rows), 5000):
                await session.execute(insert(model), rows[at : at + 5000])
    await analyze(app.state.settings)
    print(
        f"loaded {len(students)} students, {len(lessons)} lessons, {len(marks)} marks, {len(absences)} absences"
        f" in {time.perf_counter() - started:.1f} s"
    )
    return classes


async def school_tables(app, school_id, classes) -> list:
    """The school's 40 sheets as the report job reads them: the whole school's marks summed in one query."""
    period = dates_period(*QUARTER)
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        members = await queries.school_students(session, school_id, period.dates)
        ids = [s.student_id for group in members.values() for s in group]
        totals = await queries.mark_totals(session, school_id, ids, period.dates)
        absences = await queries.class_absences(session, school_id, ids, period.dates)
        subjects = await queries.school_subjects(session, school_id, period.dates)
    class_totals, class_absences = by_class(members, totals), by_class(members, absences)
    return [
        summary_sheet_table(
            summary_sheet(members[c["id"]], class_totals[c["id"]], class_absences[c["id"]], subjects=subjects[c["id"]]),
            "Школа",
            c["name"],
            period,
        )
        for c in classes
    ]


async def load_region(app, schools: int) -> None:
    """500 schools' quarter marks in the read model: 200 students each in grades 5–11, 10 subjects, one
    period mark per student and subject — a million rows, written school by school as their events would."""
    rng = random.Random(2)
    for n in range(schools):
        school_id = uuid4()
        classes = {grade: uuid4() for grade in range(5, 12)}
        students, grades, marks = [], [], []
        for grade, class_id in classes.items():
            grades.append({"school_id": school_id, "class_id": class_id, "grade": grade, "academic_year": "2026/2027"})
        for s in range(REGION_STUDENTS):
            grade = 5 + s % 7
            student_id = uuid4()
            students.append(
                {"school_id": school_id, "id": student_id, "class_id": classes[grade], "class_name": f"{grade}А"}
                | {"enrolled_on": QUARTER[0]}
            )
            for k in range(REGION_SUBJECTS):
                value = rng.choice(MARKS)
                marks.append(
                    {"school_id": school_id, "id": uuid4(), "version": 1, "student_id": student_id}
                    | {"subject_name": f"Предмет {k + 1}", "period_kind": "quarter", "period_name": "1 четверть"}
                    | {"starts": QUARTER[0], "ends": QUARTER[1], "visible_from": QUARTER[1], "extended_to": None}
                    | {"value": None if value == "н/а" else value}
                    | {"not_attested_reason": "пропущено более половины уроков" if value == "н/а" else None}
                )
        school = {"school_id": school_id, "name": f"Школа {n + 1}", "short_name": f"Школа {n + 1}"}
        school |= {"municipality": f"Муниципалитет {n % 30 + 1}"}
        async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
            await session.execute(insert(School), [school])
            await session.execute(insert(ClassGrade), grades)
            await session.execute(insert(Student), students)
            for at in range(0, len(marks), 5000):
                await session.execute(insert(PeriodMark), marks[at : at + 5000])
            # What the diary's consumer keeps as these marks arrive: the region's counts.
            await add_counts(session, 1, PeriodMark.school_id == school_id)
    await analyze(app.state.settings)


MARKS = ["5", "5", "4", "4", "4", "3", "3", "2", "н/а"]


async def clean_up(settings: ReportingSettings, app) -> None:
    """Leave no database, queue or exchange of the benchmark behind."""
    await drop_database(settings)
    await delete_queues(settings, [c.name for c in app.state.consumers])
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in ("school.delay.100ms", "school.delay.200ms", "school.events.unrouted"):
            await channel.queue_delete(settings.queue_prefix + queue)
        for exchange in (
            settings.exchange,
            settings.exchange + ".unrouted",
            settings.public_exchange,
            settings.queue_prefix + "school.delay.100ms",
            settings.queue_prefix + "school.delay.200ms",
        ):
            await channel.exchange_delete(exchange)


async def main(region_only: bool, schools: int) -> None:
    settings = test_settings(
        ReportingSettings,
        database_url=f"postgresql+asyncpg://journal@{ReportingSettings().db_server}/journal_perf_reports_reporting",
        queue_prefix="perf.reports.",
        exchange="perf.reports.school.events",
        public_exchange="perf.reports.public.events",
        run_relay=False,
        run_consumers=False,
    )
    signer = TokenSigner.generate(issuer=settings.token_issuer, audience=settings.token_audience)
    app = build_app(settings, verifier_for(signer))
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    try:
        await measure(app, settings, signer, region_only=region_only, schools=schools)
    finally:
        await clean_up(settings, app)


async def measure(app, settings: ReportingSettings, signer: TokenSigner, *, region_only: bool, schools: int) -> None:
    async with running_app(app, settings) as client:
        if not region_only:
            await measure_school(app, client, signer)
        await measure_region(app, client, signer, schools)


async def measure_school(app, client, signer: TokenSigner) -> None:
    school_id = uuid4()
    deputy = person(school_id, "deputy")
    classes = await load_school(app, school_id)
    headers = auth_headers(signer, deputy)
    params = {"start": QUARTER[0].isoformat(), "end": QUARTER[1].isoformat()}
    for school_class in classes[:2]:  # warm the pool and the plans
        await client.get(f"/schools/{school_id}/classes/{school_class['id']}/reports/summary-sheet", params=params)
    times = []
    school_started = time.perf_counter()
    for school_class in classes:
        started = time.perf_counter()
        response = await client.get(
            f"/schools/{school_id}/classes/{school_class['id']}/reports/summary-sheet",
            params=params,
            headers=headers,
        )
        assert response.status_code == 200, response.text
        times.append(time.perf_counter() - started)
    school_seconds = time.perf_counter() - school_started
    print(
        f"JSON, one class (25 students, ~4,500 marks): p50 {statistics.median(times) * 1000:.0f} ms,"
        f" p99 {percentile(times, 0.99) * 1000:.0f} ms"
    )
    print(
        f"JSON, the school (40 classes, 1,000 students, {CLASSES * STUDENTS * MARKS_PER_STUDENT} marks):"
        f" {school_seconds:.2f} s"
    )
    started = time.perf_counter()
    tables = await school_tables(app, school_id, classes)
    json.dumps([t.as_json() for t in tables], ensure_ascii=False)
    print(f"JSON, the school's 40 sheets read as the job reads them: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    xlsx = to_xlsx_book(tables, [t.subtitle[1] for t in tables])
    print(f"XLSX, the school: {time.perf_counter() - started:.2f} s ({len(xlsx) // 1024} KiB)")
    started = time.perf_counter()
    one = to_pdf(tables[0])
    print(f"PDF, one class (a direct download): {time.perf_counter() - started:.2f} s ({len(one) // 1024} KiB)")
    started = time.perf_counter()
    pdf = to_pdf_many(tables)
    print(f"PDF, the school: {time.perf_counter() - started:.2f} s ({len(pdf) // 1024} KiB)")


async def measure_region(app, client, signer: TokenSigner, schools: int) -> None:
    started = time.perf_counter()
    await load_region(app, schools)
    print(
        f"loaded {schools} schools' {schools * REGION_STUDENTS * REGION_SUBJECTS} quarter marks"
        f" in {time.perf_counter() - started:.1f} s"
    )
    inspector = person(None, region_roles=("inspector",))
    for name, params in [
        ("by municipality", {}),
        ("every school", {"by_school": "true"}),
        ("one municipality's schools", {"municipality": "Муниципалитет 1"}),
    ]:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            headers = auth_headers(signer, inspector)  # fresh: a loaded machine's run outlives one token
            response = await client.get("/region/indicators", params=params, headers=headers)
            assert response.status_code == 200, response.text
            times.append(time.perf_counter() - started)
        print(
            f"region over HTTP, {name} ({len(response.json()['rows'])} rows):"
            f" p50 {statistics.median(times):.2f} s, max {max(times):.2f} s"
        )
    async with app.state.db.transaction(Tenant(region_read=True)) as session:
        started = time.perf_counter()
        (year, period, _), *_ = await queries.region_periods(session, None)
        periods_seconds = time.perf_counter() - started
        started = time.perf_counter()
        counts = await queries.region_counts(session, year, period, None, drill(None, None, None))
        counts_seconds = time.perf_counter() - started
    started = time.perf_counter()
    level_figures("municipality", counts)
    print(
        f"  of which: the periods {periods_seconds:.2f} s, the marks counted by PostgreSQL {counts_seconds:.2f} s"
        f" ({len(counts)} rows), the indicators in Python {time.perf_counter() - started:.3f} s"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region-only", action="store_true", help="skip the school's summary sheets")
    parser.add_argument("--schools", type=int, default=REGION_SCHOOLS, help="the region's schools")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.region_only, arguments.schools))
