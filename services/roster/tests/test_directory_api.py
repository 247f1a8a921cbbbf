"""The administration's directory over HTTP against real PostgreSQL: who reads it and what it lists."""

from uuid import UUID, uuid4

from chassis.testing import person, refused


async def register_school(client, as_, region_admin, name: str) -> UUID:
    response = await client.post(
        "/schools", json={"name": name, "short_name": name, "municipality": "Город"}, headers=as_(region_admin)
    )
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def post(client, headers, path: str, body: dict) -> dict:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def a_school(client, as_, region_admin) -> dict:
    """A school with a class, two students (one with ESIA and СНИЛС), a parent and a teacher."""
    school_id = await register_school(client, as_, region_admin, "Школа справочника")
    admin = as_(person(school_id, "school_admin"))
    base = f"/schools/{school_id}"
    klass = await post(client, admin, f"{base}/classes", {"grade": 3, "letter": "б"})
    other_class = await post(client, admin, f"{base}/classes", {"grade": 4, "letter": "а"})
    yakovlev = await post(
        client,
        admin,
        f"{base}/people",
        {
            "last_name": "Яковлев",
            "first_name": "Пётр",
            "snils": "112-233-445 95",
            "esia_oid": "777001",
            "birth_date": "2016-03-01",
            "consent": True,
        },
    )
    antonova = await post(
        client, admin, f"{base}/people", {"last_name": "Антонова", "first_name": "Вера", "consent": True}
    )
    parent = await post(
        client,
        admin,
        f"{base}/people",
        {"last_name": "Антонов", "first_name": "Игорь", "middle_name": "Сергеевич", "consent": True},
    )
    teacher = await post(
        client, admin, f"{base}/people", {"last_name": "Борисова", "first_name": "Нина", "consent": True}
    )
    await post(client, admin, f"{base}/staff-roles", {"person_id": teacher["id"], "role": "teacher"})
    await post(client, admin, f"{base}/staff-roles", {"person_id": teacher["id"], "role": "class_teacher"})
    for student in (yakovlev, antonova):
        await post(
            client,
            admin,
            f"{base}/enrolments",
            {"student_id": student["id"], "class_id": klass["id"], "enrolled_on": "2025-09-01"},
        )
    await post(
        client,
        admin,
        f"{base}/guardianships",
        {"guardian_id": parent["id"], "student_id": antonova["id"], "relation": "отец"},
    )
    return {
        "school_id": school_id,
        "base": base,
        "class": klass,
        "other_class": other_class,
        "yakovlev": yakovlev,
        "antonova": antonova,
        "parent": parent,
        "teacher": teacher,
    }


async def test_people_are_listed_by_name_with_roles_classes_and_esia_but_no_snils(client, as_, region_admin):
    school = await a_school(client, as_, region_admin)
    admin = as_(person(school["school_id"], "school_admin"))
    response = await client.get(f"{school['base']}/people", headers=admin)
    assert response.status_code == 200, response.text
    people = response.json()
    assert [p["name"] for p in people] == ["Антонов Игорь Сергеевич", "Антонова Вера", "Борисова Нина", "Яковлев Пётр"]
    by_name = {p["last_name"]: p for p in people}
    assert by_name["Борисова"]["roles"] == ["class_teacher", "teacher"]
    assert by_name["Яковлев"]["classes"] == ["3Б"] and by_name["Яковлев"]["has_esia"] is True
    assert by_name["Антонов"]["has_esia"] is False and by_name["Антонов"]["roles"] == []
    assert "snils" not in response.text and "112-233-445 95" not in response.text
    assert "777001" not in response.text


async def test_people_are_filtered_by_role_and_searched_by_name(client, as_, region_admin):
    school = await a_school(client, as_, region_admin)
    admin = as_(person(school["school_id"], "school_admin"))
    people = f"{school['base']}/people"

    async def names(params: dict) -> list[str]:
        response = await client.get(people, params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [p["name"] for p in response.json()]

    assert await names({"role": "teacher"}) == ["Борисова Нина"]
    assert await names({"role": "student"}) == ["Антонова Вера", "Яковлев Пётр"]
    assert await names({"role": "guardian"}) == ["Антонов Игорь Сергеевич"]
    assert await names({"role": "director"}) == []
    assert await names({"q": "антонов"}) == ["Антонов Игорь Сергеевич", "Антонова Вера"]
    assert await names({"q": "Антонов сергеевич"}) == ["Антонов Игорь Сергеевич"]
    assert await names({"q": "50%"}) == []
    assert await names({"q": "вера", "role": "student"}) == ["Антонова Вера"]
    unknown_role = await client.get(people, params={"role": "wizard"}, headers=admin)
    refused(unknown_role, 422)


async def test_a_class_lists_its_enrolled_students_by_name(client, as_, region_admin):
    school = await a_school(client, as_, region_admin)
    deputy = as_(person(school["school_id"], "deputy"))
    response = await client.get(f"{school['base']}/classes/{school['class']['id']}/students", headers=deputy)
    assert response.status_code == 200, response.text
    students = response.json()
    assert [s["name"] for s in students] == ["Антонова Вера", "Яковлев Пётр"]
    assert students[0]["student_id"] == school["antonova"]["id"] and students[0]["enrolled_on"] == "2025-09-01"
    assert [s["has_esia"] for s in students] == [False, True]
    empty = await client.get(f"{school['base']}/classes/{school['other_class']['id']}/students", headers=deputy)
    assert empty.json() == []
    missing = await client.get(f"{school['base']}/classes/{uuid4()}/students", headers=deputy)
    refused(missing, 404)


async def test_guardians_of_a_student_are_listed_with_names(client, as_, region_admin):
    school = await a_school(client, as_, region_admin)
    secretary = as_(person(school["school_id"], "secretary"))
    guardianships = f"{school['base']}/guardianships"
    response = await client.get(guardianships, params={"student_id": school["antonova"]["id"]}, headers=secretary)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "guardian_id": school["parent"]["id"],
            "guardian_name": "Антонов Игорь Сергеевич",
            "guardian_has_esia": False,
            "student_id": school["antonova"]["id"],
            "student_name": "Антонова Вера",
            "relation": "отец",
        }
    ]
    none = await client.get(guardianships, params={"student_id": school["yakovlev"]["id"]}, headers=secretary)
    assert none.json() == []


async def test_staff_are_listed_with_their_roles(client, as_, region_admin):
    school = await a_school(client, as_, region_admin)
    director = as_(person(school["school_id"], "director"))
    response = await client.get(f"{school['base']}/staff", headers=director)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "person_id": school["teacher"]["id"],
            "name": "Борисова Нина",
            "has_esia": False,
            "roles": ["class_teacher", "teacher"],
        }
    ]


async def test_the_region_inspector_reads_the_directory_of_one_school_only(client, as_, region_admin):
    school = await a_school(client, as_, region_admin)
    other = await register_school(client, as_, region_admin, "Другая школа")
    await post(
        client,
        as_(person(other, "school_admin")),
        f"/schools/{other}/people",
        {"last_name": "Чужой", "first_name": "Человек", "consent": True},
    )
    inspector = as_(person(region_roles=("inspector",)))
    response = await client.get(f"{school['base']}/people", headers=inspector)
    assert response.status_code == 200, response.text
    assert "Чужой" not in response.text and len(response.json()) == 4
    assert [s["name"] for s in (await client.get(f"{school['base']}/staff", headers=inspector)).json()] == [
        "Борисова Нина"
    ]


async def test_a_teacher_is_refused_and_another_schools_admin_finds_nothing(client, as_, region_admin):
    school = await a_school(client, as_, region_admin)
    other = await register_school(client, as_, region_admin, "Соседняя школа")
    teacher = as_(person(school["school_id"], "teacher"))
    stranger = as_(person(other, "school_admin"))
    paths = [
        "/people",
        f"/classes/{school['class']['id']}/students",
        f"/guardianships?student_id={school['antonova']['id']}",
        "/staff",
    ]
    for path in paths:
        refusal = await client.get(school["base"] + path, headers=teacher)
        # A class's list is open to its own teachers (tests/security), not to this one.
        why = "Список учеников этого класса" if path.endswith("/students") else "Действие недоступно для вашей роли"
        refused(refusal, 403, why)
        refused(await client.get(school["base"] + path, headers=stranger), 404, "Школа не найдена")
