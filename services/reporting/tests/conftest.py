from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from chassis.auth import Caller, TokenSigner
from chassis.testing import eventually, person, publish_event, running_app, test_settings, verifier_for
from contracts import Event
from contracts.roster import ClassCreated, ClassTeacherAssigned, GuardianshipLinked, PersonRegistered, StudentEnrolled
from reporting.main import build_app
from reporting.settings import ReportingSettings


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> ReportingSettings:
    # One delivery at a time: the diary consumer then handles its queue in order, so a marker event
    # seen in the diary proves every event published before it handled (``marker_seen``), no sleep.
    return test_settings(
        ReportingSettings,
        prefetch=1,
        files_dir=str(tmp_path_factory.mktemp("files")),
        archive_mirror_dir=str(tmp_path_factory.mktemp("mirror")),
        archive_keys_dir=str(tmp_path_factory.mktemp("archive-keys")),
        archive_poll_seconds=0.5,
    )


@pytest.fixture(scope="session")
def app(settings: ReportingSettings, token_signer: TokenSigner) -> FastAPI:
    return build_app(settings, verifier_for(token_signer))


@pytest.fixture(scope="session")
async def client(app: FastAPI, settings: ReportingSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app, settings) as client:
        yield client


@dataclass
class Family:
    """One school as roster announced it: class 5А with its class teacher and two students, each with a parent."""

    school_id: UUID
    class_id: UUID
    #: Абрамова Анна and Яковлев Борис.
    anna: Caller
    boris: Caller
    anna_parent: Caller
    boris_parent: Caller
    #: Классный руководитель of 5А.
    class_teacher: Caller


@pytest.fixture
def make_family(
    settings: ReportingSettings, client: httpx.AsyncClient, as_: Callable[[Caller], dict[str, str]]
) -> Callable[[], Awaitable[Family]]:
    async def make() -> Family:
        school_id, class_id = uuid4(), uuid4()
        anna = person(school_id, "student", name="Абрамова Анна")
        boris = person(school_id, "student", name="Яковлев Борис")
        anna_parent = person(school_id, "guardian", name="Абрамова Ольга")
        boris_parent = person(school_id, "guardian", name="Яковлев Пётр")
        class_teacher = person(school_id, "teacher", "class_teacher", name="Смирнова Елена")
        events: list[Event] = [
            # Roster may announce the class teacher before the class and its students (any order).
            ClassTeacherAssigned(class_id=class_id, class_name="5А", teacher_id=class_teacher.person_id),
            ClassCreated(class_id=class_id, grade=5, letter="А", name="5А", academic_year="2026/2027"),
            PersonRegistered(person_id=anna.person_id, last_name="Абрамова", first_name="Анна"),
            PersonRegistered(person_id=boris.person_id, last_name="Яковлев", first_name="Борис"),
            StudentEnrolled(
                student_id=anna.person_id, class_id=class_id, class_name="5А", enrolled_on=date(2026, 9, 1)
            ),
            StudentEnrolled(
                student_id=boris.person_id, class_id=class_id, class_name="5А", enrolled_on=date(2026, 9, 1)
            ),
            GuardianshipLinked(guardian_id=anna_parent.person_id, student_id=anna.person_id, relation="мать"),
            GuardianshipLinked(guardian_id=boris_parent.person_id, student_id=boris.person_id, relation="отец"),
        ]
        for event in events:
            await publish_event(settings, event, school_id=school_id)

        async def known(parent: Caller, name: str) -> bool:
            response = await client.get(f"/schools/{school_id}/my/students", headers=as_(parent))
            return response.status_code == 200 and [(s["name"], s["class_name"]) for s in response.json()] == [
                (name, "5А")
            ]

        await eventually(lambda: known(anna_parent, "Абрамова Анна"))
        await eventually(lambda: known(boris_parent, "Яковлев Борис"))

        async def class_teacher_known() -> bool:
            url = f"/schools/{school_id}/students/{anna.person_id}/diary"
            return (await client.get(url, headers=as_(class_teacher))).status_code == 200

        await eventually(class_teacher_known)
        return Family(school_id, class_id, anna, boris, anna_parent, boris_parent, class_teacher)

    return make
