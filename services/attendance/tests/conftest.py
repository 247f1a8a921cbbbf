from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from attendance.main import build_app
from attendance.models import ClassMember, Lesson, Person
from attendance.settings import AttendanceSettings
from chassis.auth import Caller, TokenSigner
from chassis.tenancy import Tenant
from chassis.testing import eventually, person, publish_event, running_app, test_settings, verifier_for
from contracts.gradebook import LessonRecorded
from contracts.roster import PersonRegistered, StudentEnrolled


@pytest.fixture(scope="session")
def settings() -> AttendanceSettings:
    return test_settings(AttendanceSettings)


@pytest.fixture(scope="session")
def app(settings: AttendanceSettings, token_signer: TokenSigner) -> FastAPI:
    return build_app(settings, verifier_for(token_signer))


@pytest.fixture(scope="session")
async def client(app: FastAPI, settings: AttendanceSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app, settings) as client:
        yield client


@pytest.fixture
def today(settings: AttendanceSettings) -> date:
    """The school's today, as the service computes it."""
    return datetime.now(ZoneInfo(settings.timezone)).date()


async def rows(app: FastAPI, school_id: UUID, model: type) -> int:
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        return await session.scalar(select(func.count()).select_from(model))


@dataclass
class SchoolClass:
    """A class as roster announced it: two students with names, and the teacher of its lessons."""

    school_id: UUID
    class_id: UUID
    teacher: Caller
    #: Абрамова Анна, Яковлев Борис.
    students: list[UUID]

    def lesson(self, day: date, version: int = 1, subject_name: str = "Математика") -> LessonRecorded:
        return LessonRecorded(
            lesson_id=uuid4(),
            version=version,
            assignment_id=uuid4(),
            class_id=self.class_id,
            subject_id=uuid4(),
            subject_name=subject_name,
            teacher_id=self.teacher.person_id,
            date=day,
            topic="Дроби",
        )


@pytest.fixture
def make_class(
    settings: AttendanceSettings, app: FastAPI, client: httpx.AsyncClient
) -> Callable[[], Awaitable[SchoolClass]]:
    async def make() -> SchoolClass:
        school_id, class_id = uuid4(), uuid4()
        anna, boris = uuid4(), uuid4()
        for student, last, first in [(anna, "Абрамова", "Анна"), (boris, "Яковлев", "Борис")]:
            await publish_event(
                settings, PersonRegistered(person_id=student, last_name=last, first_name=first), school_id=school_id
            )
            enrolled = StudentEnrolled(
                student_id=student, class_id=class_id, class_name="6А", enrolled_on=date(2026, 9, 1)
            )
            await publish_event(settings, enrolled, school_id=school_id)

        async def replicated() -> bool:
            return await rows(app, school_id, ClassMember) == 2 and await rows(app, school_id, Person) == 2

        await eventually(replicated)
        return SchoolClass(school_id, class_id, person(school_id, "teacher", name="Петрова Ирина"), [anna, boris])

    return make


@pytest.fixture
def give_lesson(settings: AttendanceSettings, app: FastAPI) -> Callable[[SchoolClass, date], Awaitable[UUID]]:
    """Publish the gradebook's record of a lesson and wait until attendance has it."""

    async def give(school_class: SchoolClass, day: date) -> UUID:
        event = school_class.lesson(day)
        await publish_event(settings, event, school_id=school_class.school_id)

        async def known() -> bool:
            async with app.state.db.transaction(Tenant(school_id=school_class.school_id)) as session:
                return await session.get(Lesson, event.lesson_id) is not None

        await eventually(known)
        return event.lesson_id

    return give
