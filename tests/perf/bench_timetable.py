"""Benchmark: a school of 40 classes — generating a year's timetable lessons, and reading the whole school's timetable.

Runs roster in-process against its own database (``journal_perf_timetable_roster``), sets up a
school through the HTTP API (40 classes in grades 1–10, 10 subjects, 80 teachers, a room per
class, six bells, quarters and holidays) and a weekly template of 30 lessons per class, then measures:

- ``generate (pure)``: the domain's generation of the whole year's dated lessons, no I/O;
- ``roll``: the two-week horizon written with its events, as saving the template does;
- ``generate year``: every lesson of the year written with its events in one transaction (what
  the rolling horizon avoids doing on 1 September, measured to know its cost);
- ``read week`` / ``read day``: ``GET /schools/{id}/timetable`` for the whole school, p50/p99.

Usage: ``uv run python tests/perf/bench_timetable.py [--reads 30]``; figures in ``docs/performance.md``.
"""

import argparse
import asyncio
import os
import platform
import statistics
import time
from datetime import date, timedelta
from uuid import UUID, uuid4

import httpx
from sqlalchemy import func, select

from chassis.auth import Caller, TokenSigner
from chassis.tenancy import Tenant
from chassis.testing import auth_headers, running_app, test_settings, verifier_for
from roster.calendars import calendar_of, year_of
from roster.domain.timetable import TemplatePeriod, generate
from roster.main import build_app
from roster.models import TimetableLesson
from roster.settings import RosterSettings
from roster.timetabling import bells_by_day, default_bells, slots_by_period, sync_timetable

CLASSES = 40
SUBJECTS = 10
LESSONS_A_DAY = 6
TODAY = date(2026, 9, 1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class School:
    def __init__(self, client: httpx.AsyncClient, signer: TokenSigner) -> None:
        self.client, self.signer = client, signer
        self.id: UUID | None = None
        self.admin: Caller | None = None

    async def post(self, path: str, body: dict, method: str = "POST") -> dict:
        response = await self.client.request(
            method, f"/schools/{self.id}{path}", json=body, headers=auth_headers(self.signer, self.admin)
        )
        if response.status_code >= 300:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
        return response.json()

    async def set_up(self) -> tuple[str, list[str]]:
        region = Caller(uuid4(), "Регион", region_roles=frozenset({"region_admin"}))
        registered = await self.client.post(
            "/schools",
            json={"name": "МБОУ СОШ № 40 (бенчмарк)", "short_name": "СОШ 40", "municipality": "Город"},
            headers=auth_headers(self.signer, region),
        )
        self.id = UUID(registered.json()["id"])
        self.admin = Caller(uuid4(), "Администратор", school_roles=frozenset({(self.id, "school_admin")}))
        classes = [
            await self.post("/classes", {"grade": 1 + n // 4, "letter": "АБВГ"[n % 4], "academic_year": "2026/2027"})
            for n in range(CLASSES)
        ]
        subjects = [(await self.post("/subjects", {"name": f"Предмет {n + 1}"}))["id"] for n in range(SUBJECTS)]
        teachers = []
        for n in range(SUBJECTS * 8):
            teacher = await self.post("/people", {"last_name": f"Учитель{n}", "first_name": "Анна", "consent": True})
            await self.post("/staff-roles", {"person_id": teacher["id"], "role": "teacher"})
            teachers.append(teacher["id"])
        rooms = [(await self.post("/rooms", {"name": str(100 + n)}))["id"] for n in range(CLASSES)]
        bells = [
            {"number": n + 1, "starts": f"{8 + n:02d}:30", "ends": f"{9 + n:02d}:15"} for n in range(LESSONS_A_DAY)
        ]
        await self.post("/bell-schedules", {"name": "Основное", "is_default": True, "bells": bells})
        year = await self.post("/years", {"starts": "2026-09-01", "ends": "2027-05-31"})
        for name, starts, ends in [
            ("Осенние", "2026-10-26", "2026-11-03"),
            ("Зимние", "2026-12-29", "2027-01-10"),
            ("Весенние", "2027-03-22", "2027-03-29"),
        ]:
            await self.post(f"/years/{year['id']}/holidays", {"name": name, "starts": starts, "ends": ends})
        scheme = await self.post(
            f"/years/{year['id']}/schemes",
            {
                "kind": "quarters",
                "grades": list(range(1, 11)),
                "periods": [
                    {"starts": "2026-09-01", "ends": "2026-10-25"},
                    {"starts": "2026-11-04", "ends": "2026-12-28"},
                    {"starts": "2027-01-11", "ends": "2027-03-21"},
                    {"starts": "2027-03-30", "ends": "2027-05-31"},
                ],
            },
        )
        # Subject s of class c goes to teacher s·8 + c mod 8, and on day d lesson n the class has
        # subject (c + d + n) mod 10: no teacher and no room is ever in two places at once.
        courses = {}
        for c, klass in enumerate(classes):
            for s, subject in enumerate(subjects):
                course = await self.post(
                    "/assignments",
                    {"teacher_id": teachers[s * 8 + c % 8], "subject_id": subject, "class_id": klass["id"]},
                )
                courses[(c, s)] = course["id"]
        slots = [
            {
                "weekday": d,
                "number": n + 1,
                "assignment_id": courses[(c, (c + d + n) % SUBJECTS)],
                "room_id": rooms[c],
            }
            for c in range(CLASSES)
            for d in range(5)
            for n in range(LESSONS_A_DAY)
        ]
        return year["id"], [p["id"] for p in scheme["periods"]], slots


async def main(reads: int) -> None:
    settings = test_settings(
        RosterSettings,
        database_url=f"postgresql+asyncpg://journal@{RosterSettings().db_server}/journal_perf_timetable_roster",
        queue_prefix="perf.timetable.",
        exchange="perf.timetable.school.events",
        public_exchange="perf.timetable.public.events",
        test_clock=None,
        run_relay=False,
    )
    signer = TokenSigner.generate(issuer=settings.token_issuer, audience=settings.token_audience)
    app = build_app(settings, verifier_for(signer))
    async with running_app(app, settings) as client:
        school = School(client, signer)
        started = time.perf_counter()
        year_id, periods, slots = await school.set_up()
        print(f"set-up through the API: {time.perf_counter() - started:.1f} s ({len(slots)} template lines)")

        for period in periods:
            started = time.perf_counter()
            saved = await school.post(f"/periods/{period}/template", {"slots": slots}, method="PUT")
            if saved["added"]:
                print(
                    f"save a period's template with its two-week roll: {time.perf_counter() - started:.2f} s"
                    f" ({len(saved['added'])} lessons written, each with its event)"
                )

        async with app.state.db.transaction(Tenant(school_id=school.id)) as session:
            year = await year_of(session, school.id, UUID(year_id))
            calendar = await calendar_of(session, year)
            templates = [TemplatePeriod(span, s) for span, s in (await slots_by_period(session, year.id)).values()]
            bells = await default_bells(session, school.id)
            by_day = await bells_by_day(session, school.id, calendar.year)
        started = time.perf_counter()
        lessons = generate(calendar, templates, calendar.year, by_day, bells)
        print(f"generate (pure) a year: {len(lessons)} lessons in {time.perf_counter() - started:.2f} s")

        started = time.perf_counter()
        async with app.state.db.transaction(Tenant(school_id=school.id)) as session:
            year = await year_of(session, school.id, UUID(year_id), for_update=True)
            change = await sync_timetable(session, year, TODAY - timedelta(days=1), apply=True, until=year.ends)
        year_seconds = time.perf_counter() - started
        async with app.state.db.transaction(Tenant(school_id=school.id)) as session:
            stored = await session.scalar(select(func.count()).select_from(TimetableLesson))
        print(
            f"generate year (written with events): {len(change.added)} added in {year_seconds:.1f} s"
            f" ({len(change.added) / year_seconds:.0f} lessons/s); {stored} lessons stored"
        )

        headers = auth_headers(signer, school.admin)
        for label, days in (("week", 7), ("day", 1)):
            timings = []
            start = date(2026, 10, 12)
            for n in range(reads):
                first = start + timedelta(days=7 * (n % 4))
                t0 = time.perf_counter()
                response = await client.get(
                    f"/schools/{school.id}/timetable",
                    params={"start": first.isoformat(), "end": (first + timedelta(days=days - 1)).isoformat()},
                    headers=headers,
                )
                timings.append(time.perf_counter() - t0)
                assert response.status_code == 200, response.text
            print(
                f"read {label} of the whole school ({len(response.json())} lessons): "
                f"p50 {percentile(timings, 0.5) * 1000:.0f} ms, p99 {percentile(timings, 0.99) * 1000:.0f} ms, "
                f"mean {statistics.mean(timings) * 1000:.0f} ms"
            )
    machine = platform.processor() or platform.machine()
    print(f"machine: {machine}, {os.cpu_count()} CPUs, Python {platform.python_version()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=30)
    asyncio.run(main(parser.parse_args().reads))
