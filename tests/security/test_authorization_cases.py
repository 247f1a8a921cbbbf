"""The authorization matrix run against a service: roster's school-level reads, every role, in its own
school and in another, answered as DOMAIN.md §1 expects (``authorization_matrix.py``).

The school-level reads first: there «own» and «same school, another's» are the same school, so a role
whose reach is ``ALL`` must get 200, ``NONE`` a refusal, and another school a refusal for every role but
the region's; a role that reaches only its own (``OWN``) may get a filtered list, so its answer is not
asserted there. Then every other roster row, through the runner (``devstack.matrix_runner``), on two schools
built through roster's API: classes, people, subgroups, the school year's calendar (years, their lifecycle,
holidays, transfers, periods, curriculum, bells, the timetable's roll, promotion), movement and transfers
between schools, the endings of R-4, cards and consents, files, the timetable's template and the day's changes
of its lessons, and the internal destruction routes.
"""

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import date, timedelta
from itertools import count
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from chassis import testing
from chassis.auth import Caller, TokenSigner
from chassis.testing import TEST_TODAY, auth_headers, eventually, running_app, verifier_for
from devstack.authorization_matrix import REGION_ROLES, ROWS, Reach, Row, Scope
from devstack.authorization_matrix import ROLES as MATRIX_ROLES
from devstack.matrix_runner import (
    RETENTION_REQUESTS,
    DatabaseState,
    Objects,
    Value,
    World,
    a_run_id,
    path_names,
    row_id,
    run_row,
    uses,
)
from devstack.matrix_runner import caller as runner_caller
from roster.main import build_app
from roster.settings import RosterSettings

#: How each role of the matrix is held in a school (roster knows no separate substitute role).
SCHOOL_ROLE = {
    "teacher": "teacher",
    "class_teacher": "class_teacher",
    "secretary": "secretary",
    "parent": "guardian",
    "student": "student",
    "school_admin": "school_admin",
    "director": "director",
    "deputy": "deputy",
}
#: A former parent holds no role in the school any more (R-4).
NO_ROLE = ("former_parent",)
SCHOOL_LEVEL = [r for r in ROWS if r.service == "roster" and r.method == "GET" and path_names(r.path) == {"school_id"}]
ROLES = [*SCHOOL_ROLE, *NO_ROLE, *sorted(REGION_ROLES), "municipal_admin"]


def caller(role: str, school_id: UUID) -> Caller:
    if role == "municipal_admin":
        return runner_caller(role, school_id)
    if role in REGION_ROLES:
        return Caller(person_id=uuid4(), name=role, school_roles=frozenset(), region_roles=frozenset({role}))
    roles = frozenset({(school_id, SCHOOL_ROLE[role])}) if role in SCHOOL_ROLE else frozenset()
    return Caller(person_id=uuid4(), name=role, school_roles=roles)


DATABASE_URL = testing.test_database_url("security_roster")


@pytest.fixture(scope="module")
async def roster(token_signer: TokenSigner) -> AsyncIterator[tuple[httpx.AsyncClient, UUID, UUID]]:
    """Roster with two schools: the callers' own and another."""
    # Queues of its own: roster's own suite may run its app in this process, and the offers of a transfer
    # between schools must reach this app's consumer, not be shared out between the two.
    settings = testing.test_settings(
        RosterSettings, database_url=DATABASE_URL, queue_prefix=testing.test_queue_prefix("security_roster")
    )
    app: FastAPI = build_app(settings, verifier_for(token_signer))
    async with running_app(app, settings) as client:
        region_admin = caller("region_admin", uuid4())
        schools = []
        # Two municipalities: «another school» is another municipality's for the municipal administrator.
        for name, municipality in (("Школа № 1", "Энск"), ("Школа № 2", "Другой район")):
            body = {"name": f"МБОУ «{name}»", "short_name": name, "municipality": municipality}
            created = await client.post("/schools", json=body, headers=auth_headers(token_signer, region_admin))
            assert created.status_code == 201, created.text
            schools.append(UUID(created.json()["id"]))
        yield client, schools[0], schools[1]


@pytest.mark.parametrize("row", SCHOOL_LEVEL, ids=lambda r: r.path)
@pytest.mark.parametrize("role", ROLES)
async def test_school_level_reads_answer_as_the_domain_says(roster, token_signer, row: Row, role: str):
    client, own_school, other_school = roster
    reach = row.reach.get(role, Reach.NONE)
    who = caller(role, own_school)
    for school_id, scope in ((own_school, Scope.OWN), (other_school, Scope.OTHER_SCHOOL)):
        if reach is Reach.OWN and scope is Scope.OWN:
            continue
        answer = await client.get(row.path.format(school_id=school_id), headers=auth_headers(token_signer, who))
        if row.expected(role, scope):
            assert answer.status_code == 200, (scope.value, answer.text)
        else:
            assert answer.status_code in (403, 404), (scope.value, answer.status_code)
            assert answer.headers["content-type"] == "application/problem+json"


# --- the rest of roster: reads of one object and the writes, with the objects of each scope ----------

#: The routes about one object (a class, a person, a subgroup, a school year, a lesson, a file) and the writes; a
#: refused write is checked to have written nothing.
_letters = iter("ВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ" * 4)
_names = count(1)
#: The first and last day of every school year made here (a year's writes name days inside it).
_years: dict[UUID, tuple[date, date]] = {}
#: The day and number of every dated lesson of the schools' timetables.
_lessons: dict[UUID, tuple[str, int]] = {}
#: This school year's quarters, one after another (no holidays between them to make gaps).
QUARTERS = [
    {"starts": "2026-09-01", "ends": "2026-10-31"},
    {"starts": "2026-11-01", "ends": "2026-12-31"},
    {"starts": "2027-01-01", "ends": "2027-03-31"},
    {"starts": "2027-04-01", "ends": "2027-05-31"},
]
#: Incoming transfers made together: each waits for roster's consumer of the offers once.
OFFERS_AT_ONCE = 4
#: A contingent file of one new pupil (R-15), as the secretary saves it from Excel.
PUPILS_FILE = "Фамилия;Имя\nСеменова;Вера\n".encode()


class RosterSchool:
    """One school set up through roster's API: 5А (its class teacher, a student and her parent, the teacher of
    mathematics) and 5Б (another teacher leading it and teaching it, another student and parent)."""

    #: The other school: its pupils transfer to this one (R-16).
    partner: "RosterSchool"

    def __init__(self, client: httpx.AsyncClient, signer: TokenSigner, school_id: UUID) -> None:
        self.client, self.signer, self.school_id = client, signer, school_id
        self.admin = runner_caller("school_admin", school_id)
        self._next_year = count()

    async def call(self, method: str, path: str, **request: Any) -> Any:
        """A call as the school's administrator that must succeed; its answer's JSON."""
        made = await self.client.request(
            method, f"/schools/{self.school_id}{path}", headers=auth_headers(self.signer, self.admin), **request
        )
        assert made.status_code in (200, 201), (path, made.text)
        return made.json()

    async def post(self, path: str, body: dict) -> dict:
        return await self.call("POST", path, json=body)

    async def person(self, last_name: str, **card: str) -> UUID:
        body = {"last_name": last_name, "first_name": "Анна", "consent": True, **card}
        return UUID((await self.post("/people", body))["id"])

    async def subject(self) -> UUID:
        return UUID((await self.post("/subjects", {"name": f"Предмет {next(_names)}"}))["id"])

    async def free_year(self) -> dict[str, str]:
        """The dates of the school's next free year: a school's years never overlap (R-11), so each is the
        September to May after the last one made, far past today's."""
        starts = date(2040 + next(self._next_year), 9, 1)
        return {"starts": starts.isoformat(), "ends": date(starts.year + 1, 5, 31).isoformat()}

    async def year(self, *steps: str) -> UUID:
        """A school year of the school's calendar, planned, then moved on through ``steps`` (``active``, …)."""
        dates = await self.free_year()
        year_id = UUID((await self.post("/years", dates))["id"])
        for status in steps:
            await self.post(f"/years/{year_id}/status", {"status": status})
        _years[year_id] = (date.fromisoformat(dates["starts"]), date.fromisoformat(dates["ends"]))
        return year_id

    async def bells(self) -> UUID:
        """A shortened day's bells (not the school's default: one per school)."""
        body = {
            "name": f"Сокращённый день {next(_names)}",
            "bells": [{"number": 1, "starts": "08:30", "ends": "09:00"}],
        }
        return UUID((await self.post("/bell-schedules", body))["id"])

    async def closing_year(self) -> str:
        """A closing year and the next one: what the promotion moves the classes from and to (R-16)."""
        closing = await self.year("active", "closing")
        await self.year()
        return f"{_years[closing][0].year}/{_years[closing][1].year}"

    async def build(self) -> None:
        self.class_a = UUID((await self.post("/classes", {"grade": 5, "letter": "А"}))["id"])
        self.class_b = UUID((await self.post("/classes", {"grade": 5, "letter": "Б"}))["id"])
        self.subject_id = await self.subject()
        for name in ("teacher_a", "teacher_b", "class_teacher", "substitute"):
            setattr(self, name, await self.person("Учитель"))
            await self.post("/staff-roles", {"person_id": str(getattr(self, name)), "role": "teacher"})
        for lead in (self.class_teacher, self.teacher_b):
            await self.post("/staff-roles", {"person_id": str(lead), "role": "class_teacher"})
        await self.post(f"/classes/{self.class_a}/class-teacher", {"teacher_id": str(self.class_teacher)})
        await self.post(f"/classes/{self.class_b}/class-teacher", {"teacher_id": str(self.teacher_b)})
        for name, class_id in (("a", self.class_a), ("b", self.class_b)):
            # Fifteen: she withdraws a consent herself, as her parent may (R-5, 152-ФЗ ст. 9, ГК РФ ст. 26).
            student = await self.person("Ученица", birth_date="2011-03-01")
            parent = await self.person("Родитель")
            setattr(self, f"student_{name}", student)
            setattr(self, f"parent_{name}", parent)
            await self.post("/enrolments", {"student_id": str(student), "class_id": str(class_id)})
            await self.post("/guardianships", {"guardian_id": str(parent), "student_id": str(student)})
        self.assignments = {}
        for side, teacher, class_id in (("a", self.teacher_a, self.class_a), ("b", self.teacher_b, self.class_b)):
            body = {"teacher_id": str(teacher), "subject_id": str(self.subject_id), "class_id": str(class_id)}
            self.assignments[side] = UUID((await self.post("/assignments", body))["id"])
        group = {"subject_id": str(self.subject_id), "name": "Группа 1"}
        for side in ("a", "b"):
            made = await self.post("/groups", group | {"class_id": str(getattr(self, f"class_{side}"))})
            setattr(self, f"group_{side}", UUID(made["id"]))
            member = {"student_id": str(getattr(self, f"student_{side}")), "starts": TEST_TODAY.isoformat()}
            await self.post(f"/groups/{made['id']}/members", member)
        await self.timetable()
        for side in ("a", "b"):
            elective = {
                "kind": "elective",
                "name": f"Факультатив {side}",
                "subject_id": str(self.subject_id),
                "teacher_id": str(getattr(self, f"teacher_{side}")),
                "year_id": str(self.this_year),
            }
            setattr(self, f"elective_{side}", UUID((await self.post("/electives", elective))["id"]))
        #: The incoming transfers made here so far, and those not handed out yet.
        self.offered: set[str] = set()
        self.offers: list[UUID] = []

    async def timetable(self) -> None:
        """This school year (2026/2027) in quarters, its bells, and the first quarter's template: 5А's course
        first and second, 5Б's third and fourth every weekday. Every dated lesson up to the horizon (R-14) then
        has a time of its own, so one moved four numbers on, given a room or a substitute clashes with nobody."""
        bells = [{"number": n, "starts": f"{7 + n:02d}:00", "ends": f"{7 + n:02d}:45"} for n in range(1, 9)]
        await self.post("/bell-schedules", {"name": "Основное", "is_default": True, "bells": bells})
        year = await self.post("/years", {"starts": "2026-09-01", "ends": "2027-05-31"})
        self.this_year = UUID(year["id"])
        scheme = await self.post(
            f"/years/{year['id']}/schemes", {"kind": "quarters", "grades": [5], "periods": QUARTERS}
        )
        first, _, self.later_quarter, _ = (UUID(period["id"]) for period in scheme["periods"])
        slots = [
            {"weekday": weekday, "number": number, "assignment_id": str(self.assignments[side])}
            for side, numbers in (("a", (1, 2)), ("b", (3, 4)))
            for weekday in range(5)
            for number in numbers
        ]
        await self.call("PUT", f"/periods/{first}/template", json={"slots": slots})
        self.lessons: dict[str, list[UUID]] = {}
        horizon = {
            "start": (TEST_TODAY + timedelta(days=1)).isoformat(),
            "end": (TEST_TODAY + timedelta(days=14)).isoformat(),
        }
        for side in ("a", "b"):
            class_id = getattr(self, f"class_{side}")
            dated = await self.call("GET", "/timetable", params=horizon | {"class_id": str(class_id)})
            for lesson in dated:
                _lessons[UUID(lesson["id"])] = (lesson["date"], lesson["number"])
            self.lessons[side] = [UUID(lesson["id"]) for lesson in dated]

    async def lesson(self, side: str) -> UUID:
        """A dated lesson of the side's class nobody has changed yet."""
        return self.lessons[side].pop()

    async def pupil(self, class_id: UUID) -> UUID:
        """A new pupil of the class since September, in no subgroup yet."""
        student = await self.person("Новикова")
        body = {"student_id": str(student), "class_id": str(class_id), "enrolled_on": "2026-09-01"}
        await self.post("/enrolments", body)
        return student

    async def staff_member(self) -> UUID:
        """A new teacher with no teaching load."""
        teacher = await self.person("Учитель")
        await self.post("/staff-roles", {"person_id": str(teacher), "role": "teacher"})
        return teacher

    async def guardian(self, student: UUID) -> UUID:
        """A new parent of the student."""
        parent = await self.person("Родитель")
        await self.post("/guardianships", {"guardian_id": str(parent), "student_id": str(student)})
        return parent

    async def assignment(self, class_id: UUID, teacher: UUID) -> UUID:
        """A new course of the class's teacher (teaching load), in no timetable."""
        body = {"teacher_id": str(teacher), "subject_id": str(await self.subject()), "class_id": str(class_id)}
        return UUID((await self.post("/assignments", body))["id"])

    async def led_class(self) -> UUID:
        """A new class with a class teacher of its own."""
        class_id = UUID((await self.post("/classes", {"grade": 7, "letter": next(_letters)}))["id"])
        lead = await self.staff_member()
        await self.post("/staff-roles", {"person_id": str(lead), "role": "class_teacher"})
        await self.post(f"/classes/{class_id}/class-teacher", {"teacher_id": str(lead)})
        return class_id

    async def elective_member(self, side: str) -> UUID:
        """A new pupil of the side's class in the side's elective since today."""
        pupil = await self.pupil(getattr(self, f"class_{side}"))
        joined = {"student_id": str(pupil), "starts": TEST_TODAY.isoformat()}
        await self.post(f"/electives/{getattr(self, f'elective_{side}')}/members", joined)
        return pupil

    async def room(self) -> UUID:
        return UUID((await self.post("/rooms", {"name": f"Кабинет {next(_names)}"}))["id"])

    async def import_job(self) -> UUID:
        """A checked file of one new pupil (R-15), not applied yet."""
        job = await self.call("POST", "/imports", params={"kind": "students"}, content=PUPILS_FILE)
        return UUID(job["id"])

    async def incoming(self) -> UUID:
        """A pupil of the partner school transferred to this one (R-16), filed here by roster's consumer of the
        offer; sent four at a time, so one wait for the consumer serves four cases."""
        if not self.offers:
            for _ in range(OFFERS_AT_ONCE):
                pupil = await self.partner.pupil(self.partner.class_a)
                leave = {"student_id": str(pupil), "order_number": "7-в", "reason": "перевод"}
                await self.partner.post("/movements/leave", leave | {"destination_school_id": str(self.school_id)})

            async def filed() -> set[str]:
                new = {offer["id"] for offer in await self.call("GET", "/incoming-transfers")} - self.offered
                return new if len(new) == OFFERS_AT_ONCE else set()

            made = await eventually(filed)
            self.offered |= made
            self.offers = [UUID(offer) for offer in sorted(made)]
        return self.offers.pop()

    def objects(self, side: str, municipality_id: UUID, **instead: Value) -> Objects:
        """The objects of class 5А (side «a»: the callers' own) or of 5Б (side «b»), and a municipality; ``instead``
        replaces some."""
        class_id, student = getattr(self, f"class_{side}"), getattr(self, f"student_{side}")
        other_class = self.class_b if side == "a" else self.class_a
        parent, teacher = getattr(self, f"parent_{side}"), getattr(self, f"teacher_{side}")
        return Objects(
            self.school_id,
            {
                "municipality_id": municipality_id,
                "class_id": class_id,
                "person_id": student,
                "group_id": getattr(self, f"group_{side}"),
                "elective_id": getattr(self, f"elective_{side}"),
                "elective_member": lambda: self.elective_member(side),
                "this_year": self.this_year,
                "student": student,
                "lead": self.class_teacher if side == "a" else self.teacher_b,
                "teacher": teacher,
                "new_person": lambda: self.person("Новиков"),
                "new_subject": self.subject,
                "new_pupil": lambda: self.pupil(class_id),
                "year_id": self.year,
                "year_dates": self.free_year,
                "closing_year": self.closing_year,
                "subject_id": self.subject_id,
                "bells": self.bells,
                "student_id": lambda: self.pupil(class_id),
                "other_class": other_class,
                "transfer_id": self.incoming,
                "new_staff": self.staff_member,
                "new_guardian": lambda: self.guardian(student),
                "assignment_id": lambda: self.assignment(class_id, teacher),
                "guardian": parent,
                "signer": parent,
                "run_id": a_run_id,
                "job_id": self.import_job,
                "kind": "classes",
                "period_id": self.later_quarter,
                "course": self.assignments[side],
                "lesson_id": lambda: self.lesson(side),
                "new_room": self.room,
                "substitute": self.substitute,
            }
            | instead,
        )

    def callers(self) -> dict[str, Caller]:
        own = {
            "teacher": self.teacher_a,
            "substitute": self.substitute,
            "class_teacher": self.class_teacher,
            "student": self.student_a,
            "parent": self.parent_a,
        }
        return {role: runner_caller(role, self.school_id, own.get(role)) for role in MATRIX_ROLES}


ROSTER_REQUESTS = {
    "POST /municipalities": lambda _: {"json": {"name": f"Район {next(_names)} {uuid4().hex[:6]}"}},
    "PATCH /municipalities/{municipality_id}": lambda _: {"json": {"name": f"Район {next(_names)} {uuid4().hex[:6]}"}},
    # The school's own municipality (``route_scopes``): a case let through moves no school the others rely on.
    "PUT /schools/{school_id}/municipality": uses("municipality_id")(
        lambda v: {"json": {"municipality_id": str(v["municipality_id"])}}
    ),
    "POST /schools": lambda _: {
        "json": {"name": "МБОУ «Школа № 3»", "short_name": "Школа № 3", "municipality": "Энск"}
    },
    "POST /schools/{school_id}/classes": lambda _: {"json": {"grade": 6, "letter": next(_letters)}},
    "POST /schools/{school_id}/classes/{class_id}/class-teacher": uses("lead")(
        lambda v: {"json": {"teacher_id": str(v["lead"])}}
    ),
    "POST /schools/{school_id}/subjects": lambda _: {"json": {"name": f"Предмет {next(_names)}"}},
    "POST /schools/{school_id}/people": lambda _: {
        "json": {"last_name": "Новикова", "first_name": "Ольга", "consent": True}
    },
    "POST /schools/{school_id}/staff-roles": uses("new_person")(
        lambda v: {"json": {"person_id": str(v["new_person"]), "role": "teacher"}}
    ),
    "POST /schools/{school_id}/enrolments": uses("new_person", "class_id")(
        lambda v: {"json": {"student_id": str(v["new_person"]), "class_id": str(v["class_id"])}}
    ),
    "POST /schools/{school_id}/guardianships": uses("new_person", "student")(
        lambda v: {"json": {"guardian_id": str(v["new_person"]), "student_id": str(v["student"])}}
    ),
    "POST /schools/{school_id}/assignments": uses("teacher", "new_subject", "class_id")(
        lambda v: {
            "json": {
                "teacher_id": str(v["teacher"]),
                "subject_id": str(v["new_subject"]),
                "class_id": str(v["class_id"]),
            }
        }
    ),
    "POST /schools/{school_id}/rooms": lambda _: {"json": {"name": f"Кабинет {next(_names)}"}},
    "POST /schools/{school_id}/buildings": lambda _: {"json": {"name": f"Корпус {next(_names)}"}},
    "POST /schools/{school_id}/groups": uses("new_subject", "class_id")(
        lambda v: {"json": {"class_id": str(v["class_id"]), "subject_id": str(v["new_subject"]), "name": "Группа 2"}}
    ),
    "POST /schools/{school_id}/groups/{group_id}/members": uses("new_pupil")(
        lambda v: {"json": {"student_id": str(v["new_pupil"]), "starts": TEST_TODAY.isoformat()}}
    ),
    "POST /schools/{school_id}/electives": uses("new_subject", "teacher", "this_year")(
        lambda v: {
            "json": {
                "kind": "club",
                "name": f"Кружок {next(_names)}",
                "subject_id": str(v["new_subject"]),
                "teacher_id": str(v["teacher"]),
                "year_id": str(v["this_year"]),
            }
        }
    ),
    "POST /schools/{school_id}/electives/{elective_id}/members": uses("new_pupil")(
        lambda v: {"json": {"student_id": str(v["new_pupil"]), "starts": TEST_TODAY.isoformat()}}
    ),
    "POST /schools/{school_id}/electives/{elective_id}/leave": uses("elective_member")(
        lambda v: {
            "json": {"student_id": str(v["elective_member"]), "left_on": (TEST_TODAY + timedelta(days=1)).isoformat()}
        }
    ),
}


def _day(year_id: UUID, days: int) -> str:
    return (_years[year_id][0] + timedelta(days=days)).isoformat()


def _first_sunday(year_id: UUID) -> str:
    starts = _years[year_id][0]
    return _day(year_id, (6 - starts.weekday()) % 7)


def _half_years(year_id: UUID) -> dict:
    """Two half-years covering the year without a gap (R-11), for the senior grades."""
    starts, ends = _years[year_id]
    return {
        "kind": "half_years",
        "grades": [10, 11],
        "periods": [
            {"starts": starts.isoformat(), "ends": date(starts.year, 12, 31).isoformat()},
            {"starts": date(ends.year, 1, 1).isoformat(), "ends": ends.isoformat()},
        ],
    }


#: The school year (R-11, R-14, R-16): its making, lifecycle, holidays and transfers, reporting periods, the
#: timetable's roll and the promotion to the next year, each on a year of the scope's school.
YEAR_REQUESTS = {
    "POST /schools/{school_id}/years": uses("year_dates")(lambda v: {"json": v["year_dates"]}),
    "POST /schools/{school_id}/years/{year_id}/status": lambda _: {"json": {"status": "active"}},
    "POST /schools/{school_id}/years/{year_id}/holidays": lambda v: {
        "json": {"name": "Осенние каникулы", "starts": _day(v["year_id"], 60), "ends": _day(v["year_id"], 66)}
    },
    "POST /schools/{school_id}/years/{year_id}/transfers": lambda v: {
        "json": {"day": _first_sunday(v["year_id"]), "works_as": 0}
    },
    "POST /schools/{school_id}/years/{year_id}/schemes": lambda v: {"json": _half_years(v["year_id"])},
    "POST /schools/{school_id}/years/{year_id}/timetable/roll": lambda _: {},
    "POST /schools/{school_id}/promotion/preview": uses("closing_year")(
        lambda v: {"json": {"from_year": v["closing_year"]}}
    ),
    "PUT /schools/{school_id}/years/{year_id}/curriculum": uses("subject_id")(
        lambda v: {"json": {"grade": 5, "subject_id": str(v["subject_id"]), "hours": 170}}
    ),
    "PATCH /schools/{school_id}/settings": lambda _: {"json": {"days_per_week": 5}},
    "POST /schools/{school_id}/bell-schedules": lambda _: {
        "json": {"name": f"Звонки {next(_names)}", "bells": [{"number": 1, "starts": "08:30", "ends": "09:10"}]}
    },
    "PUT /schools/{school_id}/bell-days": uses("bells", "year_id")(
        lambda v: {"json": {"day": _day(v["year_id"], 30), "schedule_id": str(v["bells"])}}
    ),
    "POST /schools/{school_id}/promotion": uses("closing_year")(lambda v: {"json": {"from_year": v["closing_year"]}}),
}
ROSTER_REQUESTS |= YEAR_REQUESTS


def _reason(text: str) -> Callable[[dict[str, Value]], dict[str, Any]]:
    return lambda _: {"json": {"reason": text}}


def _moved(lesson_id: UUID) -> dict[str, Any]:
    """The lesson four numbers later the same day: a time no dated lesson of the school has (``timetable``)."""
    day, number = _lessons[lesson_id]
    return {"date": day, "number": number + 4}


#: People through the years (R-4, R-15, R-16), a person's card and consents (R-5), files (R-15), the timetable's
#: template and the day's changes (R-14).
PEOPLE_REQUESTS = {
    "POST /schools/{school_id}/movements/transfer": uses("new_pupil", "other_class")(
        lambda v: {"json": {"student_id": str(v["new_pupil"]), "to_class_id": str(v["other_class"])}}
    ),
    "POST /schools/{school_id}/movements/leave": uses("new_pupil")(
        lambda v: {"json": {"student_id": str(v["new_pupil"]), "order_number": "12-в", "reason": "переезд"}}
    ),
    "POST /schools/{school_id}/incoming-transfers/{transfer_id}/accept": uses("class_id")(
        lambda v: {"json": {"class_id": str(v["class_id"]), "order_number": "3-з"}}
    ),
    "POST /schools/{school_id}/staff-roles/end": uses("new_staff")(
        lambda v: {"json": {"person_id": str(v["new_staff"]), "role": "teacher", "reason": "увольнение"}}
    ),
    "POST /schools/{school_id}/guardianships/end": uses("new_guardian", "student")(
        lambda v: {
            "json": {"guardian_id": str(v["new_guardian"]), "student_id": str(v["student"]), "reason": "решение суда"}
        }
    ),
    "POST /schools/{school_id}/assignments/{assignment_id}/end": _reason("смена нагрузки"),
    "POST /schools/{school_id}/classes/{class_id}/class-teacher/end": _reason("смена классного руководителя"),
    "PATCH /schools/{school_id}/people/{person_id}": lambda _: {
        "json": {"phone": f"+7 900 000-{next(_names):02d}-00", "reason": "новый номер телефона"}
    },
    # The office withdraws on the paper the parent signed; a family itself, signed by whoever sends it.
    "POST /schools/{school_id}/people/{person_id}/consents": uses("signer")(
        lambda v: {
            "json": {
                "purpose": "notifications_sms",
                "action": "withdrawn",
                "signer_id": str(v["signer"]),
                "document_kind": "заявление",
                "document_date": TEST_TODAY.isoformat(),
            }
        }
    ),
    "PUT /schools/{school_id}/people/{student_id}/e-service-refusal": lambda _: {
        "json": {"refused_on": TEST_TODAY.isoformat()}
    },
    "POST /schools/{school_id}/imports": lambda _: {"params": {"kind": "students"}, "content": PUPILS_FILE},
    "POST /schools/{school_id}/imports/{job_id}/apply": lambda _: {"json": {"mode": "valid", "consent": True}},
    # A later quarter's template: saving it changes no dated lesson (they reach two weeks ahead).
    "PUT /schools/{school_id}/periods/{period_id}/template": uses("course")(
        lambda v: {"json": {"slots": [{"weekday": 0, "number": 1, "assignment_id": str(v["course"])}]}}
    ),
    "POST /schools/{school_id}/timetable/lessons/{lesson_id}/cancel": _reason("болезнь учителя"),
    "POST /schools/{school_id}/timetable/lessons/{lesson_id}/move": lambda v: {"json": _moved(v["lesson_id"])},
    "POST /schools/{school_id}/timetable/lessons/{lesson_id}/room": uses("new_room")(
        lambda v: {"json": {"room_id": str(v["new_room"])}}
    ),
    "POST /schools/{school_id}/timetable/lessons/{lesson_id}/substitute": uses("substitute")(
        lambda v: {"json": {"teacher_id": str(v["substitute"])}}
    ),
}
ROSTER_REQUESTS |= PEOPLE_REQUESTS | RETENTION_REQUESTS
CONSENTS = "POST /schools/{school_id}/people/{person_id}/consents"
#: An applied file is the import worker's until it is done (``roster.imports``).
IMPORTS_SETTLED = "SELECT NOT EXISTS (SELECT 1 FROM import_jobs WHERE status = 'applying')"
#: Per route, what a call let through spends: a new person or subject, a year moved on, given its
#: transfer or its scheme, a year's dates, a year promoted from, a link ended, a pupil's refusal, an offer
#: accepted, a file applied, a destruction run, a dated lesson changed, a member who left an elective.
FRESH = {route: frozenset({"new_person", "new_subject", "new_pupil"}) for route in ROSTER_REQUESTS} | {
    "POST /schools/{school_id}/years": frozenset({"year_dates"}),
    "POST /schools/{school_id}/years/{year_id}/status": frozenset({"year_id"}),
    "POST /schools/{school_id}/years/{year_id}/transfers": frozenset({"year_id"}),
    "POST /schools/{school_id}/years/{year_id}/schemes": frozenset({"year_id"}),
    "POST /schools/{school_id}/promotion": frozenset({"closing_year"}),
    "POST /schools/{school_id}/staff-roles/end": frozenset({"new_staff"}),
    "POST /schools/{school_id}/guardianships/end": frozenset({"new_guardian"}),
    "POST /schools/{school_id}/assignments/{assignment_id}/end": frozenset({"assignment_id"}),
    "POST /schools/{school_id}/classes/{class_id}/class-teacher/end": frozenset({"class_id"}),
    "PUT /schools/{school_id}/people/{student_id}/e-service-refusal": frozenset({"student_id"}),
    "POST /schools/{school_id}/incoming-transfers/{transfer_id}/accept": frozenset({"transfer_id"}),
    "POST /schools/{school_id}/imports/{job_id}/apply": frozenset({"job_id"}),
    "PUT /internal/retention/schools/{school_id}/destructions/{run_id}": frozenset({"run_id"}),
    "POST /schools/{school_id}/electives/{elective_id}/leave": frozenset({"elective_member"}),
    **{
        f"POST /schools/{{school_id}}/timetable/lessons/{{lesson_id}}/{change}": frozenset({"lesson_id"})
        for change in ("cancel", "move", "room", "substitute")
    },
}
#: Every roster row but the school-level reads above: a new route, which must have a row
#: (``test_authorization_matrix.py``), runs here too and fails until its objects and request are built.
OBJECT_ROUTES = [r for r in ROWS if r.service == "roster" and r not in SCHOOL_LEVEL]


@pytest.fixture(scope="module")
async def roster_world(roster, token_signer: TokenSigner) -> AsyncIterator[World]:
    client, own_school, other_school = roster
    home, away = RosterSchool(client, token_signer, own_school), RosterSchool(client, token_signer, other_school)
    for school in (home, away):
        await school.build()
    home.partner, away.partner = away, home
    schools = {school.school_id: school for school in (home, away)}

    @uses("person_id", "guardian")
    async def consent_given(values: dict[str, Value]) -> None:
        """The consent stands before each withdrawal: signed by the student of fifteen with her parent (R-5)."""
        given = {
            "purpose": "notifications_sms",
            "action": "given",
            "signer_id": str(values["person_id"]),
            "co_signer_id": str(values["guardian"]),
            "document_kind": "согласие",
            "document_date": TEST_TODAY.isoformat(),
        }
        await schools[values["school_id"]].post(f"/people/{values['person_id']}/consents", given)

    ours, theirs = [
        UUID(
            (await client.get(f"/schools/{s.school_id}", headers=auth_headers(token_signer, s.admin))).json()[
                "municipality_id"
            ]
        )
        for s in (home, away)
    ]
    callers = home.callers()
    callers["municipal_admin"] = replace(callers["municipal_admin"], municipality_id=ours)
    # A refused write writes nothing: every table of roster's database is compared around it, once the import
    # worker has applied the files let through.
    async with DatabaseState(DATABASE_URL, settled=IMPORTS_SETTLED) as state:
        yield World(
            callers=callers,
            # A region-level route's «another's» is another municipality, as its «another school» is.
            scopes={
                Scope.OWN: home.objects("a", ours),
                Scope.SAME_SCHOOL_OTHER: home.objects("b", theirs),
                Scope.OTHER_SCHOOL: away.objects("a", theirs),
            },
            requests=ROSTER_REQUESTS,
            route_scopes={
                "PUT /schools/{school_id}/municipality": {
                    Scope.OWN: home.objects("a", ours),
                    Scope.SAME_SCHOOL_OTHER: home.objects("b", ours),
                    Scope.OTHER_SCHOOL: away.objects("a", theirs),
                },
                # Ending a class teacher's leadership on classes of its own: 5А and 5Б keep theirs.
                "POST /schools/{school_id}/classes/{class_id}/class-teacher/end": {
                    Scope.OWN: home.objects("a", ours, class_id=home.led_class),
                    Scope.SAME_SCHOOL_OTHER: home.objects("b", theirs, class_id=home.led_class),
                    Scope.OTHER_SCHOOL: away.objects("a", theirs, class_id=away.led_class),
                },
            },
            # A student withdraws her consent signing it herself (``PEOPLE_REQUESTS``).
            own_of={"student": home.objects("a", ours, signer=home.student_a)},
            fresh=FRESH,
            before={CONSENTS: consent_given},
            state=state,
        )


def roster_skip(row: Row, role: str, scope: Scope) -> str | None:
    if role == "substitute" and scope is Scope.OWN:
        return "roster knows no substitute of its own: a substitute is a teacher of the school"
    if row.path == "/municipalities" and scope is Scope.OTHER_SCHOOL:
        return "the region's list names no school: «another school» is the same request as «own»"
    if row.method == "GET" and "year_id" in path_names(row.path) and scope is Scope.SAME_SCHOOL_OTHER:
        return "a school's year is the whole school's (its calendar, curriculum, load): «another's» is «own»"
    if row.method == "GET" and "period_id" in path_names(row.path) and scope is Scope.SAME_SCHOOL_OTHER:
        return "a reporting period's template is the whole school's timetable: «another's» is «own»"
    return None


#: The answers that differ from the matrix and are findings documented in docs/security.md.
ROSTER_GAPS: set[tuple[str, str, Scope]] = set()


@pytest.mark.parametrize("row", OBJECT_ROUTES, ids=row_id)
async def test_object_reads_and_writes_answer_as_the_domain_says(roster, roster_world, token_signer, row: Row):
    client, _, _ = roster
    await run_row(client, token_signer, roster_world, row, roster_skip, ROSTER_GAPS)
