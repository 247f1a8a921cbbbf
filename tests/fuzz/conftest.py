"""The five services side by side on their own databases, with one school's data to aim bad input at.

The apps run in-process (httpx ASGI transport) against the real PostgreSQL and RabbitMQ, on
databases ``journal_test_fuzz_*`` and queues ``test.fuzz.*``, so the services' own suites are not
disturbed. The school's roster is published as roster would; gradebook's and attendance's
replicas are fed by it, and the lesson, mark and absence are made through the APIs.
"""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from attendance.main import build_app as build_attendance
from attendance.settings import AttendanceSettings
from chassis.auth import Caller, TokenSigner
from chassis.settings import ServiceSettings
from chassis.tables import outbox
from chassis.tenancy import SYSTEM
from chassis.testing import (
    auth_headers,
    eventually,
    publish_event,
    running_app,
    test_database_url,
    test_queue_prefix,
    test_settings,
    verifier_for,
)
from contracts.roster import (
    AssignmentCreated,
    ClassCreated,
    GuardianshipLinked,
    PersonRegistered,
    StudentEnrolled,
)
from gradebook.main import build_app as build_gradebook
from gradebook.settings import GradebookSettings
from notifications.main import build_app as build_notifications
from notifications.settings import NotificationsSettings
from reporting.main import build_app as build_reporting
from reporting.settings import ReportingSettings
from roster.main import build_app as build_roster
from roster.settings import RosterSettings

SERVICES: dict[str, tuple[type[ServiceSettings], Any]] = {
    "roster": (RosterSettings, build_roster),
    "gradebook": (GradebookSettings, build_gradebook),
    "attendance": (AttendanceSettings, build_attendance),
    "notifications": (NotificationsSettings, build_notifications),
    "reporting": (ReportingSettings, build_reporting),
}
#: Every school role at once, so that most requests get past the role checks to the data.
ROLES = ("school_admin", "director", "deputy", "teacher", "class_teacher", "secretary", "psychologist")


@dataclass
class Service:
    name: str
    settings: ServiceSettings
    app: FastAPI
    client: httpx.AsyncClient

    async def outbox_rows(self) -> int:
        async with self.app.state.db.transaction(SYSTEM) as session:
            return await session.scalar(select(func.count()).select_from(outbox))


@dataclass
class World:
    """Ids of existing things, by the name of the field or parameter that refers to them."""

    ids: dict[str, UUID]
    today: date
    caller: Caller
    headers: dict[str, str]


@pytest.fixture(scope="session")
async def services(token_signer: TokenSigner) -> AsyncIterator[dict[str, Service]]:
    async with AsyncExitStack() as stack:
        running: dict[str, Service] = {}
        for name, (settings_class, build) in SERVICES.items():
            settings = test_settings(
                settings_class, database_url=test_database_url(f"fuzz_{name}"), queue_prefix=test_queue_prefix("fuzz")
            )
            app = build(settings, verifier_for(token_signer))
            client = await stack.enter_async_context(running_app(app, settings))
            running[name] = Service(name, settings, app, client)
        yield running


@pytest.fixture(scope="session")
async def world(services: dict[str, Service], token_signer: TokenSigner) -> World:
    gradebook, attendance = services["gradebook"], services["attendance"]
    school_id, teacher_id, student_id, guardian_id = uuid4(), uuid4(), uuid4(), uuid4()
    class_id, subject_id, course_id = uuid4(), uuid4(), uuid4()
    today = gradebook.app.state.clock.today(gradebook.settings.timezone)

    region = Caller(person_id=uuid4(), name="Администратор Региона", region_roles=frozenset({"region_admin"}))
    created = await services["roster"].client.post(
        "/schools",
        json={"name": "Школа № 1", "short_name": "Школа 1", "municipality": "Город"},
        headers=auth_headers(token_signer, region),
    )
    assert created.status_code == 201, created.text
    roster_school = UUID(created.json()["id"])

    caller = Caller(
        person_id=teacher_id,
        name="Иванова Мария",
        school_roles=frozenset((s, r) for s in (school_id, roster_school) for r in ROLES),
        region_roles=frozenset({"region_admin"}),
    )
    headers = auth_headers(token_signer, caller)
    for event in [
        ClassCreated(class_id=class_id, grade=5, letter="А", name="5А", academic_year="2026/2027"),
        PersonRegistered(person_id=teacher_id, last_name="Иванова", first_name="Мария"),
        PersonRegistered(person_id=student_id, last_name="Абрамова", first_name="Анна"),
        PersonRegistered(person_id=guardian_id, last_name="Абрамова", first_name="Ольга"),
        StudentEnrolled(student_id=student_id, class_id=class_id, class_name="5А", enrolled_on=date(2026, 9, 1)),
        GuardianshipLinked(guardian_id=guardian_id, student_id=student_id, relation="мать"),
        AssignmentCreated(
            assignment_id=course_id,
            teacher_id=teacher_id,
            subject_id=subject_id,
            subject_name="Математика",
            class_id=class_id,
            class_name="5А",
        ),
    ]:
        await publish_event(gradebook.settings, event, school_id=school_id)

    async def class_list_known() -> bool:
        found = await gradebook.client.get(f"/schools/{school_id}/courses/{course_id}/students", headers=headers)
        return found.status_code == 200 and len(found.json()) == 1

    await eventually(class_list_known, timeout=10)
    lesson = await gradebook.client.post(
        f"/schools/{school_id}/lessons",
        json={"course_id": str(course_id), "date": today.isoformat(), "topic": "Дроби"},
        headers=headers,
    )
    assert lesson.status_code == 201, lesson.text
    lesson_id = UUID(lesson.json()["id"])
    mark = await gradebook.client.post(
        f"/schools/{school_id}/lessons/{lesson_id}/marks",
        json={"student_id": str(student_id), "value": "5", "work_type": "answer"},
        headers=headers,
    )
    assert mark.status_code == 201, mark.text

    async def absence_recorded() -> httpx.Response | None:
        # Attendance learns of the lesson from gradebook's event; until then the lesson is unknown.
        made = await attendance.client.post(
            f"/schools/{school_id}/lessons/{lesson_id}/absences",
            json={"student_id": str(student_id), "reason": "ill"},
            headers=headers,
        )
        return made if made.status_code == 201 else None

    absence = await eventually(absence_recorded, timeout=10)
    ids = {
        "school_id": school_id,
        "roster_school_id": roster_school,
        "teacher_id": teacher_id,
        "person_id": teacher_id,
        "student_id": student_id,
        "guardian_id": guardian_id,
        "class_id": class_id,
        "subject_id": subject_id,
        "course_id": course_id,
        "lesson_id": lesson_id,
        "mark_id": UUID(mark.json()["id"]),
        "absence_id": UUID(absence.json()["id"]),
    }
    return World(ids, today, caller, headers)
