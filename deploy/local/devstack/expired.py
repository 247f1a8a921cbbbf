"""A student whose personal data are past every term, on a running stack: for the destruction tests.

Made as people make one — the administrator registers and enrols the student, the teacher gives a mark, the
student leaves by order — then the student's dated rows in every part are moved ``years`` back (the one thing
no API can do: time), and two access-log entries are written as of then and left to the sealer.
"""

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import asyncpg

from chassis.destruction import CURRENT
from chassis.settings import ServiceSettings
from chassis.testing import eventually
from devstack.browser import Browser
from devstack.stack import SERVICES, Stack

PARTS = [*SERVICES, "gateway"]


def holdings_of(part: str):
    module = "gateway.destruction.holdings" if part == "gateway" else f"{part}.retention"
    return importlib.import_module(module).HOLDINGS


def server() -> str:
    return ServiceSettings().admin_database_url.rsplit("/", 1)[0]


@asynccontextmanager
async def databases(stack: Stack) -> AsyncIterator[dict[str, asyncpg.Connection]]:
    """A superuser connection to each part's database: the tests look past row-level security."""
    opened = {part: await asyncpg.connect(f"{server()}/{stack.db_prefix}{part}") for part in PARTS}
    try:
        yield opened
    finally:
        for connection in opened.values():
            await connection.close()


@dataclass(frozen=True)
class Student:
    id: UUID
    surname: str
    #: The access-log entries of the student's reads, sealed into the chain.
    logged: list[int]


async def enrolled_student_with_a_mark(stack: Stack, admin: Browser, teacher: Browser, surname: str) -> UUID:
    school, today = admin.school_of("school_admin"), stack.today()
    created = await admin.api(
        "POST", f"/roster/schools/{school}/people", json={"last_name": surname, "first_name": "Пётр", "consent": True}
    )
    assert created.status_code == 201, created.text
    student = UUID(created.json()["id"])
    courses = (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
    maths = next(c for c in courses if c["subject_name"] == "Математика")
    enrolled = await admin.api(
        "POST",
        f"/roster/schools/{school}/enrolments",
        json={"student_id": str(student), "class_id": maths["class_id"], "enrolled_on": str(today - timedelta(30))},
    )
    assert enrolled.status_code == 201, enrolled.text
    lesson = await teacher.api(
        "POST",
        f"/gradebook/schools/{school}/lessons",
        json={"course_id": maths["id"], "date": today.isoformat(), "topic": "Проценты", "homework": "№ 5"},
    )
    assert lesson.status_code == 201, lesson.text

    async def marked():
        mark = await teacher.api(
            "POST",
            f"/gradebook/schools/{school}/lessons/{lesson.json()['id']}/marks",
            json={"student_id": str(student), "value": "4", "work_type": "test"},
        )
        return mark if mark.status_code == 201 else None

    await eventually(marked, timeout=30)
    return student


async def left_student(stack: Stack, admin: Browser, teacher: Browser, dbs: dict[str, asyncpg.Connection]) -> Student:
    """A student with a mark who left the school today, known to every part, with two old sealed reads."""
    school, surname = admin.school_of("school_admin"), f"Уничтожаемый{str(uuid4().int)[:6]}"
    student = await enrolled_student_with_a_mark(stack, admin, teacher, surname)
    left = await admin.api(
        "POST",
        f"/roster/schools/{school}/movements/leave",
        json={"student_id": str(student), "order_number": "15-у", "reason": "Переезд в другой регион"},
    )
    assert left.status_code == 201, left.text

    async def everywhere():
        """The mark reached reporting and the leaving reached the gateway (no student role is left)."""
        marks = await dbs["reporting"].fetchval("SELECT count(*) FROM marks WHERE student_id = $1", student)
        roles = await dbs["gateway"].fetchval("SELECT count(*) FROM school_roles WHERE person_id = $1", student)
        return marks == 1 and roles == 0

    await eventually(everywhere, timeout=30)
    logged = [
        await dbs["gateway"].fetchval(
            "INSERT INTO access_log (person_id, method, path, status, at)"
            " VALUES ($1, 'GET', '/api/v1/diary', 200, now() - interval '7 years') RETURNING id",
            student,
        )
        for _ in range(2)
    ]

    async def sealed():
        unsealed = await dbs["gateway"].fetchval(
            "SELECT count(*) FROM access_log WHERE id = ANY($1) AND seal IS NULL", logged
        )
        return unsealed == 0

    await eventually(sealed, timeout=60)
    return Student(student, surname, logged)


async def age(dbs: dict[str, asyncpg.Connection], person_id: UUID, years: int) -> None:
    """The time machine: the person's dated rows become ``years`` older in every part."""
    for part, connection in dbs.items():
        for holding in holdings_of(part):
            # The access log is sealed: its entries were written old, never moved (that would break the chain).
            if holding.via is not None or holding.dated in (None, CURRENT) or holding.table.name == "access_log":
                continue
            await connection.execute(
                f'UPDATE "{holding.table.name}" SET "{holding.dated}" = "{holding.dated}" - interval \'{years} years\''
                f' WHERE "{holding.person}" = $1',
                person_id,
            )
