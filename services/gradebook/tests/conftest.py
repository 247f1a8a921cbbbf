from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from chassis.auth import Caller, TokenSigner
from chassis.testing import eventually, person, publish_event, running_app, test_settings, verifier_for
from contracts.roster import (
    AcademicYearChanged,
    AssignmentCreated,
    ClassCreated,
    PersonRegistered,
    ReportingPeriod,
    StudentEnrolled,
)
from contracts.roster import ReportingPeriodsSet as PeriodsSet
from gradebook.main import build_app
from gradebook.settings import GradebookSettings


@pytest.fixture(scope="session")
def settings() -> GradebookSettings:
    return test_settings(GradebookSettings)


@pytest.fixture(scope="session")
def app(settings: GradebookSettings, token_signer: TokenSigner) -> FastAPI:
    return build_app(settings, verifier_for(token_signer))


@pytest.fixture(scope="session")
async def client(app: FastAPI, settings: GradebookSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app, settings) as client:
        yield client


@dataclass
class Journal:
    """One school's course as roster announced it: a teacher, a class with two students."""

    school_id: UUID
    teacher: Caller
    course_id: UUID
    class_id: UUID
    subject_id: UUID
    #: Sorted by name: Абрамова Анна, Яковлев Борис.
    students: list[UUID]


@pytest.fixture
def make_journal(
    settings: GradebookSettings, client: httpx.AsyncClient, as_: Callable[[Caller], dict[str, str]]
) -> Callable[..., Awaitable[Journal]]:
    async def make(grade: int = 5) -> Journal:
        school_id = uuid4()
        teacher = person(school_id, "teacher", name="Иванова Мария")
        class_id, subject_id, course_id = uuid4(), uuid4(), uuid4()
        boris, anna = uuid4(), uuid4()
        events = [
            ClassCreated(class_id=class_id, grade=grade, letter="А", name=f"{grade}А", academic_year="2026/2027"),
            PersonRegistered(person_id=boris, last_name="Яковлев", first_name="Борис"),
            PersonRegistered(person_id=anna, last_name="Абрамова", first_name="Анна"),
            StudentEnrolled(student_id=boris, class_id=class_id, class_name=f"{grade}А", enrolled_on=date(2026, 9, 1)),
            StudentEnrolled(student_id=anna, class_id=class_id, class_name=f"{grade}А", enrolled_on=date(2026, 9, 1)),
            AssignmentCreated(
                assignment_id=course_id,
                teacher_id=teacher.person_id,
                subject_id=subject_id,
                subject_name="Математика",
                class_id=class_id,
                class_name=f"{grade}А",
            ),
        ]
        for event in events:
            await publish_event(settings, event, school_id=school_id)

        async def class_list_known() -> bool:
            response = await client.get(f"/schools/{school_id}/courses/{course_id}/students", headers=as_(teacher))
            return response.status_code == 200 and [s["name"] for s in response.json()] == [
                "Абрамова Анна",
                "Яковлев Борис",
            ]

        await eventually(class_list_known)
        return Journal(school_id, teacher, course_id, class_id, subject_id, [anna, boris])

    return make


Q1 = (date(2026, 9, 1), date(2026, 10, 25))
Q2 = (date(2026, 11, 5), date(2026, 12, 28))


@pytest.fixture
def school_year(settings, client, as_):
    """Roster's year 2026/2027 with quarters for the journal's grade; returns the periods as the journal lists them."""

    async def announce(journal, grade=5):
        year_id, q1, q2 = uuid4(), uuid4(), uuid4()
        events = [
            AcademicYearChanged(
                year_id=year_id,
                version=2,
                name="2026/2027",
                starts=date(2026, 9, 1),
                ends=date(2027, 5, 31),
                status="active",
            ),
            PeriodsSet(
                scheme_id=uuid4(),
                version=1,
                year_id=year_id,
                kind="quarters",
                grades=[grade],
                periods=[
                    ReportingPeriod(period_id=q1, number=1, name="1 четверть", starts=Q1[0], ends=Q1[1]),
                    ReportingPeriod(period_id=q2, number=2, name="2 четверть", starts=Q2[0], ends=Q2[1]),
                ],
            ),
        ]
        for event in events:
            await publish_event(settings, event, school_id=journal.school_id)

        async def listed():
            response = await client.get(
                f"/schools/{journal.school_id}/courses/{journal.course_id}/periods", headers=as_(journal.teacher)
            )
            return response.status_code == 200 and len(response.json()) == 5 and response.json()

        periods = await eventually(listed)
        return {p["name"]: p for p in periods}

    return announce
