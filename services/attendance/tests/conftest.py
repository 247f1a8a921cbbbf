from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from attendance.main import build_app
from attendance.models import ClassMember, ClassTeacher, Lesson, Person
from attendance.settings import AttendanceSettings
from chassis.auth import Caller, TokenSigner
from chassis.tenancy import Tenant
from chassis.testing import eventually, person, publish_event, running_app, test_settings, verifier_for
from contracts.gradebook import LessonRecorded
from contracts.roster import ClassTeacherAssigned, PersonRegistered, StudentEnrolled


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


@dataclass
class SchoolClass:
    """A class as roster announced it: its class teacher, two students with names, and the teacher of its lessons."""

    school_id: UUID
    class_id: UUID
    teacher: Caller
    #: Классный руководитель of this class (and of no other).
    class_teacher: Caller
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
) -> Callable[..., Awaitable[SchoolClass]]:
    """``make_class()`` in a new school, ``make_class(school_id, "6Б")`` another class of that school."""

    async def make(school_id: UUID | None = None, name: str = "6А") -> SchoolClass:
        school_id, class_id = school_id or uuid4(), uuid4()
        anna, boris = uuid4(), uuid4()
        class_teacher = person(school_id, "teacher", "class_teacher", name="Смирнова Елена")
        # Roster may announce the class teacher before the class has any students (any order).
        assigned = ClassTeacherAssigned(class_id=class_id, class_name=name, teacher_id=class_teacher.person_id)
        await publish_event(settings, assigned, school_id=school_id)
        for student, last, first in [(anna, "Абрамова", "Анна"), (boris, "Яковлев", "Борис")]:
            await publish_event(
                settings, PersonRegistered(person_id=student, last_name=last, first_name=first), school_id=school_id
            )
            enrolled = StudentEnrolled(
                student_id=student, class_id=class_id, class_name=name, enrolled_on=date(2026, 9, 1)
            )
            await publish_event(settings, enrolled, school_id=school_id)

        async def replicated() -> bool:
            async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
                members = await session.scalar(
                    select(func.count()).select_from(ClassMember).filter_by(class_id=class_id)
                )
                named = await session.scalar(select(func.count()).where(Person.id.in_([anna, boris])))
                return members == 2 and named == 2 and await session.get(ClassTeacher, class_id) is not None

        await eventually(replicated)
        teacher = person(school_id, "teacher", name="Петрова Ирина")
        return SchoolClass(school_id, class_id, teacher, class_teacher, [anna, boris])

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
