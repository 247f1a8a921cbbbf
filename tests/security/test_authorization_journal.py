"""The authorization matrix run against the journal: every gradebook and attendance route (object reads and
writes) × 12 roles × (own / same school, another's / another school), answered as DOMAIN.md §1 expects.

One app per service for the module; the world is built once from roster's and gradebook's events and
the services' own API. A case that spends its object (a new lesson, a withdrawn absence) gets a fresh one.
"""

from collections.abc import AsyncIterator
from datetime import date, time, timedelta
from itertools import count
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from attendance.main import build_app as build_attendance
from attendance.models import ClassTeacher, Lesson
from attendance.settings import AttendanceSettings
from chassis import testing
from chassis.auth import Caller, TokenSigner
from chassis.tenancy import Tenant
from chassis.testing import TEST_TODAY, auth_headers, eventually, publish_event, running_app, verifier_for
from contracts.gradebook import LessonRecorded
from contracts.roster import (
    AssignmentCreated,
    ClassCreated,
    ClassTeacherAssigned,
    CurriculumHoursSet,
    GuardianshipLinked,
    PersonRegistered,
    StudentEnrolled,
    TimetableLessonSubstituted,
)
from gradebook.domain.thematic_plan import Topic
from gradebook.main import build_app as build_gradebook
from gradebook.plan_xlsx import write_plan
from gradebook.settings import GradebookSettings
from reporting.main import build_app as build_reporting
from reporting.settings import ReportingSettings

from .authorization_matrix import ROLES, ROWS, Row, Scope
from .matrix_runner import Objects, World, caller, row_id, run_row, uses

TODAY = TEST_TODAY
_numbers = count(1)


class Home:
    """One school's journal: class 5А (course A, its teacher, its class teacher, a student and her parent)
    and class 5Б (course B of another teacher, another student)."""

    def __init__(self) -> None:
        self.school_id = uuid4()
        self.class_a, self.class_b = uuid4(), uuid4()
        self.course_a, self.course_b = uuid4(), uuid4()
        self.subject = uuid4()
        self.student_a, self.student_b = uuid4(), uuid4()
        self.teacher_a, self.teacher_b = uuid4(), uuid4()
        self.class_teacher, self.substitute = uuid4(), uuid4()
        self.parent_a, self.parent_b = uuid4(), uuid4()

    def roster_events(self) -> list:
        events: list = []
        for class_id, name in ((self.class_a, "5А"), (self.class_b, "5Б")):
            events.append(
                ClassCreated(class_id=class_id, grade=5, letter=name[-1], name=name, academic_year="2026/2027")
            )
        for student, class_id, name, last in (
            (self.student_a, self.class_a, "5А", "Абрамова"),
            (self.student_b, self.class_b, "5Б", "Яковлев"),
        ):
            events.append(PersonRegistered(person_id=student, last_name=last, first_name="Анна"))
            events.append(
                StudentEnrolled(student_id=student, class_id=class_id, class_name=name, enrolled_on=date(2026, 9, 1))
            )
        for course, teacher, class_id, name in (
            (self.course_a, self.teacher_a, self.class_a, "5А"),
            (self.course_b, self.teacher_b, self.class_b, "5Б"),
        ):
            events.append(
                AssignmentCreated(
                    assignment_id=course,
                    teacher_id=teacher,
                    subject_id=self.subject,
                    subject_name="Математика",
                    class_id=class_id,
                    class_name=name,
                )
            )
        events.append(
            CurriculumHoursSet(year_id=uuid4(), year_name="2026/2027", grade=5, subject_id=self.subject, hours=2)
        )
        events.append(ClassTeacherAssigned(class_id=self.class_a, class_name="5А", teacher_id=self.class_teacher))
        return events

    def callers(self) -> dict[str, Caller]:
        own = {
            "teacher": self.teacher_a,
            "substitute": self.substitute,
            "class_teacher": self.class_teacher,
            "student": self.student_a,
            "parent": self.parent_a,
        }
        return {role: caller(role, self.school_id, own.get(role)) for role in ROLES}

    def substituted(self, course: UUID, teacher: UUID, class_id: UUID) -> TimetableLessonSubstituted:
        number = next(_numbers)
        return TimetableLessonSubstituted(
            lesson_id=uuid4(),
            version=1,
            date=TODAY,
            number=number % 8 + 1,
            starts=time(8),
            ends=time(8, 45),
            assignment_id=course,
            class_id=class_id,
            class_name="5А",
            subject_id=self.subject,
            subject_name="Математика",
            teacher_id=teacher,
            substitute_teacher_id=self.substitute,
            substitute_name="Замена",
        )


async def _apps(token_signer: TokenSigner, name: str, settings_class, build):
    settings = testing.test_settings(
        settings_class,
        database_url=testing.test_database_url(f"matrix_{name}"),
        queue_prefix=testing.test_queue_prefix(f"matrix_{name}"),
    )
    app: FastAPI = build(settings, verifier_for(token_signer))
    return settings, app


# --- gradebook -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def gradebook(token_signer: TokenSigner) -> AsyncIterator[tuple[httpx.AsyncClient, World]]:
    settings, app = await _apps(token_signer, "gradebook", GradebookSettings, build_gradebook)
    async with running_app(app, settings) as client:
        home, away = Home(), Home()
        for school in (home, away):
            for event in school.roster_events():
                await publish_event(settings, event, school_id=school.school_id)

        async def known(school: Home) -> bool:
            teacher = caller("teacher", school.school_id, school.teacher_b)
            listed = await client.get(
                f"/schools/{school.school_id}/courses/{school.course_b}/students",
                headers=auth_headers(token_signer, teacher),
            )
            return listed.status_code == 200 and len(listed.json()) == 1

        for school in (home, away):
            await eventually(lambda school=school: known(school))

        async def as_teacher(school: Home, teacher: UUID) -> dict[str, str]:
            return auth_headers(token_signer, caller("teacher", school.school_id, teacher))

        async def lesson(school: Home, course: UUID, teacher: UUID) -> str:
            body = {"course_id": str(course), "date": TODAY.isoformat(), "topic": "Дроби", "reason": "Доп. занятие"}
            made = await client.post(
                f"/schools/{school.school_id}/lessons", json=body, headers=await as_teacher(school, teacher)
            )
            assert made.status_code == 201, made.text
            return made.json()["id"]

        async def mark(school: Home, lesson_id: str, student: UUID, teacher: UUID) -> str:
            body = {"student_id": str(student), "value": "5", "work_type": "answer"}
            made = await client.post(
                f"/schools/{school.school_id}/lessons/{lesson_id}/marks",
                json=body,
                headers=await as_teacher(school, teacher),
            )
            assert made.status_code == 201, made.text
            return made.json()["id"]

        async def substituted_slot(school: Home) -> str:
            """A timetable lesson of course A that the substitute gives today, known to gradebook."""
            event = school.substituted(school.course_a, school.teacher_a, school.class_a)
            await publish_event(settings, event, school_id=school.school_id)

            async def arrived() -> bool:
                day = await client.get(
                    f"/schools/{school.school_id}/teacher-day",
                    headers=auth_headers(token_signer, caller("substitute", school.school_id, school.substitute)),
                )
                return any(e.get("scheduled_lesson_id") == str(event.lesson_id) for e in day.json())

            await eventually(arrived)
            return str(event.lesson_id)

        async def substitute_lesson(school: Home) -> str:
            body = {"course_id": str(school.course_a), "scheduled_lesson_id": await substituted_slot(school)}
            made = await client.post(
                f"/schools/{school.school_id}/lessons",
                json=body | {"topic": "Дроби"},
                headers=auth_headers(token_signer, caller("substitute", school.school_id, school.substitute)),
            )
            assert made.status_code == 201, made.text
            return made.json()["id"]

        def objects(school: Home, course: UUID, teacher: UUID, student: UUID) -> Objects:
            async def a_lesson() -> str:
                return await lesson(school, course, teacher)

            async def a_mark() -> str:
                return await mark(school, await a_lesson(), student, teacher)

            return Objects(
                school.school_id,
                {"course_id": course, "lesson_id": a_lesson, "mark_id": a_mark, "student": student},
            )

        world = World(
            callers=home.callers(),
            scopes={
                Scope.OWN: objects(home, home.course_a, home.teacher_a, home.student_a),
                Scope.SAME_SCHOOL_OTHER: objects(home, home.course_b, home.teacher_b, home.student_b),
                Scope.OTHER_SCHOOL: objects(away, away.course_a, away.teacher_a, away.student_a),
            },
            requests=GRADEBOOK_REQUESTS,
            # A column replaces the lesson's marks of its work type.
            fresh={"PUT /schools/{school_id}/lessons/{lesson_id}/marks": frozenset({"lesson_id"})},
        )

        async def substitute_mark() -> str:
            return await mark(home, await substitute_lesson(home), home.student_a, home.substitute)

        # The substitute's own is the lesson they gave (and its marks), a fresh timetable slot to record.
        world.own_of["substitute"] = Objects(
            home.school_id,
            {
                "course_id": home.course_a,
                "lesson_id": lambda: substitute_lesson(home),
                "mark_id": substitute_mark,
                "student": home.student_a,
                "slot": lambda: substituted_slot(home),
            },
        )
        yield client, world


@uses("course_id", "slot")
def _new_lesson(values):
    body = {"course_id": str(values["course_id"]), "topic": "Дроби"}
    if "slot" in values:  # the substitute records the timetable lesson they give
        return {"json": body | {"scheduled_lesson_id": values["slot"]}}
    return {"json": body | {"date": TODAY.isoformat(), "reason": "Дополнительное занятие"}}


@uses("student")
def _new_mark(values):
    return {"json": {"student_id": str(values["student"]), "value": "4", "work_type": "answer"}}


@uses("student")
def _column(values):
    return {"json": {"work_type": "homework", "marks": [{"student_id": str(values["student"]), "value": "3"}]}}


def _period(_values):
    return {"params": {"start": (TODAY - timedelta(days=7)).isoformat(), "end": TODAY.isoformat()}}


GRADEBOOK_REQUESTS = {
    "POST /schools/{school_id}/lessons": _new_lesson,
    "PATCH /schools/{school_id}/lessons/{lesson_id}": lambda _: {"json": {"topic": "Сложение дробей"}},
    "POST /schools/{school_id}/lessons/{lesson_id}/marks": _new_mark,
    "PUT /schools/{school_id}/lessons/{lesson_id}/marks": _column,
    "PATCH /schools/{school_id}/marks/{mark_id}": lambda _: {"json": {"value": "4"}},
    "PUT /schools/{school_id}/courses/{course_id}/plan": lambda _: {
        "json": {"topics": [{"title": "Дроби", "hours": 2}]}
    },
    "POST /schools/{school_id}/courses/{course_id}/plan/xlsx": lambda _: {
        "content": write_plan([Topic("Дроби", 2)], "План"),
        "params": {"mode": "valid"},
    },
    "PUT /schools/{school_id}/policy": lambda _: {"json": {"edit_window": "14d"}},
    "GET /schools/{school_id}/courses/{course_id}/journal": _period,
    "GET /schools/{school_id}/mark-changes": _period,
}


def _lesson_level(row: Row) -> bool:
    return "{lesson_id}" in row.path or "{mark_id}" in row.path or row.path == "/schools/{school_id}/lessons"


def gradebook_skip(row: Row, role: str, scope: Scope) -> str | None:
    if role == "substitute" and scope is Scope.OWN and not _lesson_level(row):
        return "a substitute's own is a lesson they gave, not a course"
    return None


#: Routes whose rows are kept here (and held to DOMAIN.md's roles table by test_authorization_matrix.py) but not
#: yet run by this module: they arrived with the corrections, the period marks and the reports after this runner,
#: and its world has none of their objects or request bodies yet (disputes, homework, periods and their closes,
#: exemptions, report periods and jobs). Their own API tests assert their refusals; a route here that no longer
#: exists fails below.
NOT_YET_RUN = {
    "GET /schools/{school_id}/reports/journal-reads",
    "GET /schools/{school_id}/classes/{class_id}/reports/family-summary",
    "POST /schools/{school_id}/report-jobs",
    "GET /schools/{school_id}/classes/{class_id}/journal",
    "GET /schools/{school_id}/classes/{class_id}/reports/attendance",
    "GET /schools/{school_id}/report-jobs/{job_id}/file",
    "GET /schools/{school_id}/classes/{class_id}/reports/summary-sheet",
    "GET /schools/{school_id}/reports/journal-fill",
    "GET /schools/{school_id}/report-jobs/{job_id}",
    "GET /schools/{school_id}/classes/{class_id}/reports/paper-copy",
    "PUT /schools/{school_id}/work-types",
    "PUT /schools/{school_id}/pass-fail-subjects",
    "DELETE /schools/{school_id}/marks/{mark_id}",
    "PATCH /schools/{school_id}/marks/{mark_id}/work-type",
    "DELETE /schools/{school_id}/lessons/{lesson_id}",
    "POST /schools/{school_id}/lessons/{lesson_id}/move",
    "POST /schools/{school_id}/lessons/{lesson_id}/homework",
    "PUT /schools/{school_id}/policy/homework-deadline",
    "POST /schools/{school_id}/marks/{mark_id}/disputes",
    "POST /schools/{school_id}/disputes/{dispute_id}/answer",
    "GET /schools/{school_id}/students/{student_id}/disputes",
    "PUT /schools/{school_id}/period-policy",
    "POST /schools/{school_id}/courses/{course_id}/exemptions",
    "DELETE /schools/{school_id}/exemptions/{exemption_id}",
    "GET /schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}",
    "PUT /schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/marks/{student_id}",
    "PUT /schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/marks",
    "POST /schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/close",
    "POST /schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/reopen",
    "GET /schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/log",
    "GET /schools/{school_id}/attestation-risks",
    "GET /schools/{school_id}/students/{student_id}/forecast",
    "GET /schools/{school_id}/classes/{class_id}/forecast",
    "PATCH /schools/{school_id}/absences/{absence_id}/lesson",
    "POST /schools/{school_id}/classes/{class_id}/absence-reasons",
    "GET /schools/{school_id}/classes/{class_id}/attendance",
    "GET /schools/{school_id}/students/{student_id}/period-marks",
    # Its world has no transfer between schools (gradebook and attendance): test_transcripts_api.py and
    # test_attendance_transcripts.py assert their refusals.
    "GET /schools/{school_id}/students/{student_id}/transcript",
}


def runnable(service: str) -> list[Row]:
    return [r for r in ROWS if r.service == service and f"{r.method} {r.path}" not in NOT_YET_RUN]


def test_every_route_not_run_here_is_still_a_route():
    assert {f"{r.method} {r.path}" for r in ROWS} >= NOT_YET_RUN


#: Found by the matrix and not fixed here: gradebook does not know class teachers (roster's
#: ClassTeacherAssigned is not replicated to it), so a class teacher cannot read the other subjects'
#: journals of their class (DOMAIN §1: «their class, all subjects»); they read them in reporting.
GRADEBOOK_GAPS = {
    (f"GET {r.path}", "class_teacher", Scope.OWN)
    for r in ROWS
    if r.service == "gradebook" and r.method == "GET" and ("{course_id}" in r.path or "{mark_id}" in r.path)
}


@pytest.mark.parametrize("row", runnable("gradebook"), ids=row_id)
async def test_gradebook_answers_as_the_domain_says(gradebook, token_signer, row):
    client, world = gradebook
    await run_row(client, token_signer, world, row, gradebook_skip, GRADEBOOK_GAPS)


# --- attendance ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def attendance(token_signer: TokenSigner) -> AsyncIterator[tuple[httpx.AsyncClient, World]]:
    settings, app = await _apps(token_signer, "attendance", AttendanceSettings, build_attendance)
    async with running_app(app, settings) as client:
        home, away = Home(), Home()
        for school in (home, away):
            for event in school.roster_events():
                if isinstance(event, (ClassTeacherAssigned, PersonRegistered, StudentEnrolled)):
                    await publish_event(settings, event, school_id=school.school_id)

        async def replicated(school: Home) -> bool:
            async with app.state.db.transaction(Tenant(school_id=school.school_id)) as session:
                return await session.get(ClassTeacher, school.class_a) is not None

        for school in (home, away):
            await eventually(lambda school=school: replicated(school))

        async def lesson(school: Home, class_id: UUID, teacher: UUID, substitute: UUID | None = None) -> UUID:
            event = LessonRecorded(
                lesson_id=uuid4(),
                version=1,
                assignment_id=uuid4(),
                class_id=class_id,
                subject_id=school.subject,
                subject_name="Математика",
                teacher_id=teacher,
                date=TODAY,
                topic="Дроби",
                substitute_teacher_id=substitute,
            )
            await publish_event(settings, event, school_id=school.school_id)

            async def known() -> bool:
                async with app.state.db.transaction(Tenant(school_id=school.school_id)) as session:
                    return await session.get(Lesson, event.lesson_id) is not None

            await eventually(known)
            return event.lesson_id

        async def absence(school: Home, lesson_id: UUID, student: UUID, teacher: UUID) -> str:
            made = await client.post(
                f"/schools/{school.school_id}/lessons/{lesson_id}/absences",
                json={"student_id": str(student), "reason": "Н"},
                headers=auth_headers(token_signer, caller("teacher", school.school_id, teacher)),
            )
            assert made.status_code == 201, made.text
            return made.json()["id"]

        def objects(school: Home, class_id: UUID, teacher: UUID, student: UUID, substitute=None) -> Objects:
            writer = substitute or teacher

            async def a_lesson() -> UUID:
                return await lesson(school, class_id, teacher, substitute)

            async def an_absence() -> str:
                return await absence(school, await a_lesson(), student, writer)

            return Objects(
                school.school_id,
                {"lesson_id": a_lesson, "absence_id": an_absence, "student_id": student, "student": student},
            )

        world = World(
            callers=home.callers(),
            scopes={
                Scope.OWN: objects(home, home.class_a, home.teacher_a, home.student_a),
                Scope.SAME_SCHOOL_OTHER: objects(home, home.class_b, home.teacher_b, home.student_b),
                Scope.OTHER_SCHOOL: objects(away, away.class_a, away.teacher_a, away.student_a),
            },
            requests={
                "POST /schools/{school_id}/lessons/{lesson_id}/absences": uses("student")(
                    lambda values: {"json": {"student_id": str(values["student"]), "reason": "Б"}}
                ),
                "PATCH /schools/{school_id}/absences/{absence_id}": lambda _: {"json": {"reason": "У"}},
            },
            fresh={
                "POST /schools/{school_id}/lessons/{lesson_id}/absences": frozenset({"lesson_id"}),
                "DELETE /schools/{school_id}/absences/{absence_id}": frozenset({"absence_id"}),
            },
            # The substitute's own: the lesson they gave in the teacher's place.
            own_of={"substitute": objects(home, home.class_a, home.teacher_a, home.student_a, home.substitute)},
        )
        # Each teacher has given a lesson in their class before any case runs: «the classes they teach».
        for school, class_id, teacher in ((home, home.class_a, home.teacher_a), (home, home.class_b, home.teacher_b)):
            await lesson(school, class_id, teacher)
        await lesson(away, away.class_a, away.teacher_a)
        yield client, world


def attendance_skip(row: Row, role: str, scope: Scope) -> str | None:
    if role == "substitute" and scope is Scope.OWN and "{student_id}" in row.path:
        return "a substitute's own is a lesson they gave, not a student"
    return None


#: Found by the matrix and not fixed here: attendance does not know guardianships, so a parent cannot read
#: their child's attendance summary from it (they read the absences in the diary, through reporting).
ATTENDANCE_GAPS = {("GET /schools/{school_id}/students/{student_id}/summary", "parent", Scope.OWN)}


@pytest.mark.parametrize("row", runnable("attendance"), ids=row_id)
async def test_attendance_answers_as_the_domain_says(attendance, token_signer, row):
    client, world = attendance
    await run_row(client, token_signer, world, row, attendance_skip, ATTENDANCE_GAPS)


# --- reporting -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def reporting(token_signer: TokenSigner, gradebook) -> AsyncIterator[tuple[httpx.AsyncClient, World]]:
    settings, app = await _apps(token_signer, "reporting", ReportingSettings, build_reporting)
    async with running_app(app, settings) as client:
        # The year's mark-change report reads gradebook's log with the caller's token: the gradebook under test.
        app.state.gradebook = gradebook[0]
        home, away = Home(), Home()
        for school in (home, away):
            wanted = (ClassCreated, ClassTeacherAssigned, PersonRegistered, StudentEnrolled)
            for event in [e for e in school.roster_events() if isinstance(e, wanted)]:
                await publish_event(settings, event, school_id=school.school_id)
            for student, parent in ((school.student_a, school.parent_a), (school.student_b, school.parent_b)):
                linked = GuardianshipLinked(guardian_id=parent, student_id=student, relation="мать")
                await publish_event(settings, linked, school_id=school.school_id)
            # The teacher of course A gives lessons in 5А: «the classes they teach» (§1).
            given = LessonRecorded(
                lesson_id=uuid4(),
                version=1,
                assignment_id=school.course_a,
                class_id=school.class_a,
                subject_id=school.subject,
                subject_name="Математика",
                teacher_id=school.teacher_a,
                date=TODAY,
                topic="Дроби",
            )
            await publish_event(settings, given, school_id=school.school_id)

        async def known(school: Home) -> bool:
            headers = auth_headers(token_signer, caller("parent", school.school_id, school.parent_b))
            mine = await client.get(f"/schools/{school.school_id}/my/students", headers=headers)
            lead = caller("class_teacher", school.school_id, school.class_teacher)
            diary = await client.get(
                f"/schools/{school.school_id}/students/{school.student_a}/diary",
                headers=auth_headers(token_signer, lead),
            )
            return mine.status_code == 200 and len(mine.json()) == 1 and diary.status_code == 200

        for school in (home, away):
            await eventually(lambda school=school: known(school))

        def objects(school: Home, class_id: UUID, student: UUID) -> Objects:
            return Objects(school.school_id, {"class_id": class_id, "student_id": student})

        world = World(
            callers=home.callers(),
            scopes={
                Scope.OWN: objects(home, home.class_a, home.student_a),
                Scope.SAME_SCHOOL_OTHER: objects(home, home.class_b, home.student_b),
                Scope.OTHER_SCHOOL: objects(away, away.class_a, away.student_a),
            },
        )
        yield client, world


def reporting_skip(row: Row, role: str, scope: Scope) -> str | None:
    if role == "substitute" and scope is Scope.OWN:
        return "a substitute's own is a lesson they gave, not a student or a class"
    return None


#: Found by the matrix and not fixed here: reporting lets a subject teacher read no diary, not even of
#: the students of the classes they teach (DOMAIN §1: «only the classes/groups they teach»); they read
#: those students in their course's journal (gradebook).
REPORTING_GAPS = {
    ("GET /schools/{school_id}/students/{student_id}/diary", "teacher", Scope.OWN),
    ("GET /schools/{school_id}/students/{student_id}/summary", "teacher", Scope.OWN),
}


@pytest.mark.parametrize("row", runnable("reporting"), ids=row_id)
async def test_reporting_answers_as_the_domain_says(reporting, token_signer, row):
    client, world = reporting
    await run_row(client, token_signer, world, row, reporting_skip, REPORTING_GAPS)
