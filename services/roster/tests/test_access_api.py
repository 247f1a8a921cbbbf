"""Who reads what in roster (R-1, DOMAIN §1): the inspector's lists and a person's card, by role."""

from dataclasses import dataclass
from uuid import UUID

import pytest

from chassis.auth import Caller
from chassis.testing import auth_headers, person, refused


@dataclass
class School:
    """One school's set-up as its administrator entered it."""

    id: UUID
    base: str
    class_id: str
    other_class_id: str
    subject_id: str
    assignment_id: str
    #: Person ids: a student and their parent, a classmate and theirs, the class's subject teacher and
    #: class teacher, a student of another class, and a teacher of the other class only.
    student: str
    parent: str
    classmate: str
    classmate_parent: str
    teacher: str
    class_teacher: str
    stranger_student: str
    other_teacher: str

    def caller(self, person_id: str, *roles: str) -> Caller:
        return Caller(
            person_id=UUID(person_id),
            name="Тестовый Пользователь",
            school_roles=frozenset((self.id, role) for role in roles),
            region_roles=frozenset(),
        )


async def set_up_school(client, as_, region_admin, name: str) -> School:
    registered = await client.post(
        "/schools", json={"name": name, "short_name": name, "municipality": "Город"}, headers=as_(region_admin)
    )
    assert registered.status_code == 201, registered.text
    school_id = UUID(registered.json()["id"])
    base = f"/schools/{school_id}"
    admin = as_(person(school_id, "school_admin"))

    async def post(path: str, body: dict) -> str:
        response = await client.post(f"{base}{path}", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return response.json().get("id", "")

    async def a_person(last_name: str, first_name: str, *roles: str) -> str:
        person_id = await post(
            "/people",
            {
                "last_name": last_name,
                "first_name": first_name,
                "birth_date": "1990-05-17",
                "snils": None,
                "consent": True,
            },
        )
        for role in roles:
            await post("/staff-roles", {"person_id": person_id, "role": role})
        return person_id

    class_id = await post("/classes", {"grade": 5, "letter": "А"})
    other_class_id = await post("/classes", {"grade": 6, "letter": "Б"})
    subject_id = await post("/subjects", {"name": f"Математика ({name})"})
    teacher = await a_person("Борисова", "Нина", "teacher")
    class_teacher = await a_person("Орлова", "Анна", "class_teacher")
    other_teacher = await a_person("Лебедев", "Олег", "teacher")
    assignment_id = await post("/assignments", {"teacher_id": teacher, "subject_id": subject_id, "class_id": class_id})
    await post("/assignments", {"teacher_id": other_teacher, "subject_id": subject_id, "class_id": other_class_id})
    assigned = await client.post(
        f"{base}/classes/{class_id}/class-teacher", json={"teacher_id": class_teacher}, headers=admin
    )
    assert assigned.status_code == 200, assigned.text
    student, classmate = await a_person("Петров", "Алексей"), await a_person("Сидоров", "Иван")
    stranger_student = await a_person("Кузнецов", "Глеб")
    parent, classmate_parent = await a_person("Петров", "Сергей"), await a_person("Сидорова", "Анна")
    for pupil, klass in ((student, class_id), (classmate, class_id), (stranger_student, other_class_id)):
        await post("/enrolments", {"student_id": pupil, "class_id": klass, "enrolled_on": "2026-09-01"})
    for guardian, child in ((parent, student), (classmate_parent, classmate)):
        await post("/guardianships", {"guardian_id": guardian, "student_id": child, "relation": "родитель"})
    return School(
        school_id,
        base,
        class_id,
        other_class_id,
        subject_id,
        assignment_id,
        student,
        parent,
        classmate,
        classmate_parent,
        teacher,
        class_teacher,
        stranger_student,
        other_teacher,
    )


@pytest.fixture(scope="module")
async def two_schools(client, token_signer, region_admin) -> tuple[School, School]:
    """Two schools the module's tests only read."""

    def as_(caller: Caller) -> dict[str, str]:
        return auth_headers(token_signer, caller)

    return (
        await set_up_school(client, as_, region_admin, "Школа А"),
        await set_up_school(client, as_, region_admin, "Школа Б"),
    )


async def test_the_inspector_lists_only_the_school_asked_for(client, as_, two_schools):
    """DOMAIN §1: the control body reads every school, but a list of school A is school A's."""
    a, b = two_schools
    inspector = as_(person(region_roles=("inspector",)))
    for school, other in ((a, b), (b, a)):
        classes = (await client.get(f"{school.base}/classes", headers=inspector)).json()
        assert sorted(c["id"] for c in classes) == sorted([school.class_id, school.other_class_id])
        subjects = (await client.get(f"{school.base}/subjects", headers=inspector)).json()
        assert [s["id"] for s in subjects] == [school.subject_id]
        assignments = (await client.get(f"{school.base}/assignments", headers=inspector)).json()
        assert school.assignment_id in [x["id"] for x in assignments]
        assert {x["class_id"] for x in assignments} == {school.class_id, school.other_class_id}
        # Another school's class or person is not found under this school's address.
        for path in (f"/classes/{other.class_id}", f"/people/{other.student}"):
            elsewhere = await client.get(f"{school.base}{path}", headers=inspector)
            refused(elsewhere, 404)


async def test_a_family_lists_only_its_own_class(client, as_, two_schools):
    """R-1: a parent or student lists the class of their own, as its card answers them (``/classes/{id}``); the
    school's staff list every class."""
    school, _ = two_schools
    for caller in (school.caller(school.parent, "guardian"), school.caller(school.student, "student")):
        classes = (await client.get(f"{school.base}/classes", headers=as_(caller))).json()
        assert [c["id"] for c in classes] == [school.class_id], caller.school_roles
    teacher = as_(school.caller(school.other_teacher, "teacher"))
    classes = (await client.get(f"{school.base}/classes", headers=teacher)).json()
    assert sorted(c["id"] for c in classes) == sorted([school.class_id, school.other_class_id])


FULL = "full"
NAME = "name"


def expected_cards(s: School) -> list[tuple[str, Caller, dict[str, str | None]]]:
    """(who, caller, {person id: "full" | "name" | None (not found)}) for every card of the school."""
    everyone = [
        s.student,
        s.parent,
        s.classmate,
        s.classmate_parent,
        s.teacher,
        s.class_teacher,
        s.stranger_student,
        s.other_teacher,
    ]
    nothing = dict.fromkeys(everyone)
    return [
        (
            "parent: self and own child in full; the child's teachers by name; nobody else",
            s.caller(s.parent, "guardian"),
            nothing | {s.parent: FULL, s.student: FULL, s.teacher: NAME, s.class_teacher: NAME},
        ),
        (
            "student: self in full; own teachers by name; not a classmate or the classmate's parent",
            s.caller(s.student, "student"),
            nothing | {s.student: FULL, s.teacher: NAME, s.class_teacher: NAME},
        ),
        (
            "subject teacher: self; the students of the classes taught, by name",
            s.caller(s.teacher, "teacher"),
            nothing | {s.teacher: FULL, s.student: NAME, s.classmate: NAME},
        ),
        (
            "class teacher: the students of the class led and their parents in full (R-15)",
            s.caller(s.class_teacher, "class_teacher"),
            nothing
            | {s.class_teacher: FULL, s.student: FULL, s.classmate: FULL, s.parent: FULL, s.classmate_parent: FULL},
        ),
        *[
            (f"{role}: everyone of the school in full", person(s.id, role), dict.fromkeys(everyone, FULL))
            for role in ("school_admin", "director", "deputy", "secretary")
        ],
        ("inspector: everyone in full", person(region_roles=("inspector",)), dict.fromkeys(everyone, FULL)),
    ]


async def test_a_persons_card_is_read_by_role(client, as_, two_schools):
    """R-1: a parent or student reads only themselves, their children and (by name) their teachers."""
    school, other = two_schools
    for who, caller, cards in expected_cards(school):
        for person_id, view in cards.items():
            response = await client.get(f"{school.base}/people/{person_id}", headers=as_(caller))
            if view is None:
                assert refused(response, 404)["detail"] == "Человек не найден.", (who, person_id)
                continue
            assert response.status_code == 200, (who, person_id, response.text)
            card = response.json()
            assert card["id"] == person_id and card["last_name"], who
            if view == FULL:
                assert card["birth_date"] == "1990-05-17", who
            else:
                assert "birth_date" not in card and "snils" not in card, (who, card)
    # The same parent under another school's address is a stranger there: not even their own child.
    parent = school.caller(school.parent, "guardian")
    elsewhere = await client.get(f"{other.base}/people/{school.student}", headers=as_(parent))
    refused(elsewhere, 404, "Школа не найдена или недоступна.")


async def test_a_teacher_whose_assignment_ended_is_no_longer_the_familys_teacher(client, as_, region_admin):
    """R-1, R-4: a family reads its child's teachers by name, and a teacher their pupils, only while the teacher
    teaches the class."""
    school = await set_up_school(client, as_, region_admin, "Школа В")
    parent = as_(school.caller(school.parent, "guardian"))
    teacher = as_(school.caller(school.teacher, "teacher"))
    teacher_card, pupil_card = f"{school.base}/people/{school.teacher}", f"{school.base}/people/{school.student}"
    assert (await client.get(teacher_card, headers=parent)).status_code == 200
    assert (await client.get(pupil_card, headers=teacher)).status_code == 200
    ended = await client.post(
        f"{school.base}/assignments/{school.assignment_id}/end",
        json={"reason": "уволился по собственному желанию"},
        headers=as_(person(school.id, "school_admin")),
    )
    assert ended.status_code == 201, ended.text
    assert refused(await client.get(teacher_card, headers=parent), 404)["detail"] == "Человек не найден."
    assert refused(await client.get(pupil_card, headers=teacher), 404)["detail"] == "Человек не найден."
