"""The state portal feed's consumer (``gateway.portal.publish_about_students``) alone: CPU per mark, this checkout's
handler against another checkout's, in one run.

Runs on a gateway database that has the demo school (``make run``'s, or a benchmark stack's, still running): its
students with ESIA oids. No broker: each mark is the handler's transaction as the consumer runs it (BEGIN with the
school, the inbox row, the handler, COMMIT), one mark alone and, separately, runs of 25 (a lesson column). The
figure is ``time.process_time`` of this process per mark (the driver's own work, the same for both, included).

``uv run python tests/perf/bench_portal_consumer.py --database journal_perf123_gateway --baseline /tmp/base``
"""

import argparse
import asyncio
import importlib.util
import statistics
import time
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import insert, select

from chassis.db import Database
from chassis.events import envelope_for
from chassis.settings import ServiceSettings
from chassis.tables import inbox
from chassis.tenancy import Tenant
from contracts.gradebook import MarkPosted
from gateway import portal
from gateway.models import Person, SchoolRole


def baseline_handler(checkout: Path):
    """``publish_about_students`` of the other checkout's ``gateway/portal.py``, beside this one's."""
    spec = importlib.util.spec_from_file_location("baseline_portal", checkout / "gateway" / "gateway" / "portal.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.publish_about_students


async def students_of_a_school(db: Database) -> tuple[UUID, list[UUID]]:
    async with db.transaction(Tenant(school_id=None)) as session:
        rows = (
            await session.execute(
                select(SchoolRole.school_id, Person.person_id)
                .join(Person, Person.person_id == SchoolRole.person_id)
                .where(SchoolRole.role == "student", portal.portal_oid().is_not(None))
            )
        ).all()
    school = rows[0][0]
    return school, [person for school_id, person in rows if school_id == school]


async def marks_cpu(db: Database, handler, school: UUID, students: list[UUID], marks: int, run: int) -> float:
    """CPU ms per mark: ``marks`` marks, ``run`` to a transaction."""
    lesson, subject, teacher, klass = uuid4(), uuid4(), uuid4(), uuid4()
    started = time.process_time()
    for first in range(0, marks, run):
        events = [
            MarkPosted(
                mark_id=uuid4(),
                lesson_id=lesson,
                student_id=students[i % len(students)],
                class_id=klass,
                subject_id=subject,
                subject_name="Русский язык",
                teacher_id=teacher,
                date=date(2026, 10, 14),
                value="5",
                work_type="answer",
                weight=1.0,
            )
            for i in range(first, first + run)
        ]
        batch = [(event, envelope_for(event, source="/gradebook", school_id=school)) for event in events]
        async with db.transaction(Tenant(school_id=school)) as session:
            rows = [{"consumer": "bench.portal", "event_id": envelope.id} for _, envelope in batch]
            await session.execute(insert(inbox), rows)
            await handler(session, batch)
    return 1000 * (time.process_time() - started) / marks


async def main(database: str, baseline: Path, marks: int, rounds: int) -> None:
    server = ServiceSettings().admin_database_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    db = Database(f"{server}/{database}", source="/gateway")
    try:
        school, students = await students_of_a_school(db)
        handlers = {"baseline": baseline_handler(baseline), "this": portal.publish_about_students}
        for handler in handlers.values():  # warm: statements prepared, caches filled
            await marks_cpu(db, handler, school, students, 50, 1)
            await marks_cpu(db, handler, school, students, 50, 25)
        figures: dict[tuple[str, int], list[float]] = {}
        for _ in range(rounds):
            for run in (1, 25):
                for name, handler in handlers.items():
                    figures.setdefault((name, run), []).append(
                        await marks_cpu(db, handler, school, students, marks, run)
                    )
    finally:
        await db.dispose()
    print(f"# the portal feed's consumer, CPU ms per mark, {rounds} alternating rounds of {marks} marks")
    for (name, run), values in figures.items():
        print(
            f"{name:<9} run of {run:>2}: median {statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a gateway database with the demo school")
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout")
    parser.add_argument("--marks", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.database, args.baseline.resolve(), args.marks, args.rounds))
