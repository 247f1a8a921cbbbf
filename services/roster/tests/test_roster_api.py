"""Roster over HTTP against real PostgreSQL: set-up of a school, its events, tenancy, bad input, class teachers."""

from uuid import UUID, uuid4

import asyncpg
from sqlalchemy import select

from chassis.auth import Caller
from chassis.tables import outbox
from chassis.tenancy import SYSTEM
from chassis.testing import person, refused


async def register_school(client, as_, region_admin, name="МБОУ СОШ № 1") -> UUID:
    response = await client.post(
        "/schools", json={"name": name, "short_name": "СОШ 1", "municipality": "Город"}, headers=as_(region_admin)
    )
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def outbox_types(app) -> list[str]:
    """Event types in the whole outbox, oldest first (a school's own events: ``outbox_events``)."""
    async with app.state.db.transaction(SYSTEM) as session:
        return list(await session.scalars(select(outbox.c.type).order_by(outbox.c.seq)))


async def test_school_setup_emits_an_event_per_change(app, client, as_, region_admin):
    school_id = await register_school(client, as_, region_admin)
    admin = person(school_id, "school_admin")
    klass = (
        await client.post(f"/schools/{school_id}/classes", json={"grade": 5, "letter": "а"}, headers=as_(admin))
    ).json()
    assert klass["name"] == "5А"
    subject = (
        await client.post(f"/schools/{school_id}/subjects", json={"name": "Математика"}, headers=as_(admin))
    ).json()
    teacher = (
        await client.post(
            f"/schools/{school_id}/people",
            headers=as_(admin),
            json={"last_name": "Иванова", "first_name": "Мария", "consent": True},
        )
    ).json()
    assert (
        await client.post(
            f"/schools/{school_id}/staff-roles",
            headers=as_(admin),
            json={"person_id": teacher["id"], "role": "teacher"},
        )
    ).status_code == 201
    assignment = await client.post(
        f"/schools/{school_id}/assignments",
        headers=as_(admin),
        json={"teacher_id": teacher["id"], "subject_id": subject["id"], "class_id": klass["id"]},
    )
    assert assignment.status_code == 201, assignment.text

    types = await outbox_types(app)
    assert types[-6:] == [
        "roster.school.registered.v1",
        "roster.class.created.v1",
        "roster.subject.created.v1",
        "roster.person.registered.v1",
        "roster.staff_role.granted.v1",
        "roster.assignment.created.v1",
    ]


async def test_teacher_cannot_set_up_the_school(client, as_, region_admin):
    school_id = await register_school(client, as_, region_admin)
    teacher = person(school_id, "teacher")
    response = await client.post(
        f"/schools/{school_id}/classes", json={"grade": 5, "letter": "Б"}, headers=as_(teacher)
    )
    refused(response, 403, "Действие недоступно для вашей роли в этой школе.")


async def test_another_schools_staff_sees_nothing(client, as_, region_admin):
    school_a = await register_school(client, as_, region_admin, "Школа А")
    school_b = await register_school(client, as_, region_admin, "Школа Б")
    admin_a = person(school_a, "school_admin")
    await client.post(f"/schools/{school_a}/classes", json={"grade": 7, "letter": "В"}, headers=as_(admin_a))
    admin_b = person(school_b, "school_admin")
    refused(await client.get(f"/schools/{school_a}/classes", headers=as_(admin_b)), 404, "Школа не найдена")
    assert (await client.get(f"/schools/{school_b}/classes", headers=as_(admin_b))).json() == []


async def test_row_level_security_hides_other_schools_without_a_where(client, as_, region_admin, settings):
    school_a = await register_school(client, as_, region_admin, "Школа RLS А")
    school_b = await register_school(client, as_, region_admin, "Школа RLS Б")
    connection = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
    try:
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.school_id', $1, true)", str(school_a))
            visible = {r["id"] for r in await connection.fetch("SELECT id FROM schools")}
        assert school_a in visible and school_b not in visible
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.region_read', 'on', true)")
            visible = {r["id"] for r in await connection.fetch("SELECT id FROM schools")}
        assert {school_a, school_b} <= visible
    finally:
        await connection.close()


async def test_bad_input_gets_problems_and_writes_nothing(app, client, as_, region_admin):
    school_id = await register_school(client, as_, region_admin)
    admin = person(school_id, "school_admin")
    before = await outbox_types(app)

    malformed = await client.post(
        f"/schools/{school_id}/classes",
        content=b"{grade: 5",
        headers={**as_(admin), "content-type": "application/json"},
    )
    assert refused(malformed, 400)["title"] == "Некорректный JSON"

    wrong_type = await client.post(
        f"/schools/{school_id}/classes", json={"grade": "пятый", "letter": "А"}, headers=as_(admin)
    )
    refused(wrong_type, 422, "Проверьте поля: grade")

    no_consent = await client.post(
        f"/schools/{school_id}/people",
        headers=as_(admin),
        json={"last_name": "Петров", "first_name": "Пётр", "consent": False},
    )
    refused(no_consent, 422, "Проверьте поля: consent")

    bad_snils = await client.post(
        f"/schools/{school_id}/people",
        headers=as_(admin),
        json={"last_name": "Петров", "first_name": "Пётр", "snils": "112-233-445 96", "consent": True},
    )
    refused(bad_snils, 422, "Проверьте поля: snils")

    unknown = await client.post(
        f"/schools/{school_id}/enrolments",
        headers=as_(admin),
        json={"student_id": str(uuid4()), "class_id": str(uuid4())},
    )
    refused(unknown, 422, "не найден в этой школе")

    assert await outbox_types(app) == before


async def test_missing_or_forged_token_is_401(client, region_admin):
    refused(await client.get(f"/schools/{uuid4()}/classes"), 401)
    forged = await client.get(f"/schools/{uuid4()}/classes", headers={"Authorization": "Bearer abc.def.ghi"})
    refused(forged, 401)


async def test_retried_post_with_idempotency_key_writes_once(client, as_, region_admin):
    school_id = await register_school(client, as_, region_admin)
    admin = person(school_id, "school_admin")
    headers = {**as_(admin), "Idempotency-Key": f"k-{uuid4()}"}
    first = await client.post(f"/schools/{school_id}/subjects", json={"name": "Физика"}, headers=headers)
    again = await client.post(f"/schools/{school_id}/subjects", json={"name": "Физика"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other_body = await client.post(f"/schools/{school_id}/subjects", json={"name": "Химия"}, headers=headers)
    refused(other_body, 422, "уже использован для другого запроса", slug="idempotency-key-reused")
    subjects = (await client.get(f"/schools/{school_id}/subjects", headers=as_(admin))).json()
    assert [s["name"] for s in subjects] == ["Физика"]


async def staff_member(client, as_, school_id: UUID, admin, last_name: str, *roles: str) -> str:
    made = await client.post(
        f"/schools/{school_id}/people",
        headers=as_(admin),
        json={"last_name": last_name, "first_name": "Мария", "consent": True},
    )
    assert made.status_code == 201, made.text
    for role in roles:
        granted = await client.post(
            f"/schools/{school_id}/staff-roles", headers=as_(admin), json={"person_id": made.json()["id"], "role": role}
        )
        assert granted.status_code == 201, granted.text
    return made.json()["id"]


async def test_assigning_a_class_teacher_replaces_the_previous_one(client, as_, region_admin, outbox_events):
    school_id = await register_school(client, as_, region_admin)
    admin = person(school_id, "school_admin")
    klass = (
        await client.post(f"/schools/{school_id}/classes", json={"grade": 5, "letter": "А"}, headers=as_(admin))
    ).json()
    assert klass["class_teacher_id"] is None
    ivanova = await staff_member(client, as_, school_id, admin, "Иванова", "teacher", "class_teacher")
    petrova = await staff_member(client, as_, school_id, admin, "Петрова", "class_teacher")
    url = f"/schools/{school_id}/classes/{klass['id']}/class-teacher"

    first = await client.post(url, json={"teacher_id": ivanova}, headers=as_(admin))
    assert first.status_code == 200, first.text
    assert first.json() | {"id": None} == {
        "id": None,
        "grade": 5,
        "letter": "А",
        "name": "5А",
        "academic_year": klass["academic_year"],
        "class_teacher_id": ivanova,
    }
    again = await client.post(url, json={"teacher_id": ivanova}, headers=as_(admin))
    assert again.status_code == 200 and again.json()["class_teacher_id"] == ivanova
    deputy = person(school_id, "deputy")
    replaced = await client.post(url, json={"teacher_id": petrova}, headers=as_(deputy))
    assert replaced.status_code == 200 and replaced.json()["class_teacher_id"] == petrova

    shown = await client.get(f"/schools/{school_id}/classes/{klass['id']}", headers=as_(person(school_id, "teacher")))
    assert shown.status_code == 200 and shown.json()["class_teacher_id"] == petrova
    [listed] = (await client.get(f"/schools/{school_id}/classes", headers=as_(admin))).json()
    assert listed["class_teacher_id"] == petrova

    assigned = [e for e in await outbox_events(school_id) if e["type"] == "roster.class_teacher.assigned.v1"]
    assert [(e["subject"], e["data"]) for e in assigned] == [
        (
            klass["id"],
            {
                "class_id": klass["id"],
                "class_name": "5А",
                "teacher_id": ivanova,
                "previous_teacher_id": None,
                "version": 1,
            },
        ),
        (
            klass["id"],
            {
                "class_id": klass["id"],
                "class_name": "5А",
                "teacher_id": petrova,
                "previous_teacher_id": ivanova,
                "version": 2,
            },
        ),
    ]


async def test_only_the_administration_assigns_and_only_a_class_teacher_by_role(
    app, client, as_, region_admin, outbox_events
):
    school_id = await register_school(client, as_, region_admin)
    admin = person(school_id, "school_admin")
    klass = (
        await client.post(f"/schools/{school_id}/classes", json={"grade": 6, "letter": "Б"}, headers=as_(admin))
    ).json()
    subject_teacher = await staff_member(client, as_, school_id, admin, "Сидорова", "teacher")
    class_teacher = await staff_member(client, as_, school_id, admin, "Иванова", "class_teacher")
    url = f"/schools/{school_id}/classes/{klass['id']}/class-teacher"
    before = await outbox_events(school_id)

    for caller in (person(school_id, "teacher"), person(school_id, "class_teacher"), person(school_id, "director")):
        refusal = await client.post(url, json={"teacher_id": class_teacher}, headers=as_(caller))
        refused(refusal, 403)
    not_by_role = await client.post(url, json={"teacher_id": subject_teacher}, headers=as_(admin))
    refused(not_by_role, 422, "только сотрудника с ролью «классный руководитель»")
    nobody = await client.post(url, json={"teacher_id": str(uuid4())}, headers=as_(admin))
    refused(nobody, 422)
    unknown_class = await client.post(
        f"/schools/{school_id}/classes/{uuid4()}/class-teacher", json={"teacher_id": class_teacher}, headers=as_(admin)
    )
    refused(unknown_class, 404, "Класс не найден.")
    refused(await client.post(url, json={"teacher_id": "Иванова"}, headers=as_(admin)), 422)
    refused(await client.get(f"/schools/{school_id}/classes/{uuid4()}", headers=as_(admin)), 404, "Класс не найден.")

    other_school = await register_school(client, as_, region_admin, "Школа № 2")
    other_admin = person(other_school, "school_admin")
    elsewhere = await client.post(
        f"/schools/{other_school}/classes/{klass['id']}/class-teacher",
        json={"teacher_id": class_teacher},
        headers=as_(other_admin),
    )
    refused(elsewhere, 404)

    assert await outbox_events(school_id) == before
    shown = await client.get(f"/schools/{school_id}/classes/{klass['id']}", headers=as_(admin))
    assert shown.json()["class_teacher_id"] is None


async def test_a_class_teacher_links_parents_only_in_their_own_class(client, as_, region_admin):
    school_id = await register_school(client, as_, region_admin, "Школа классных руководителей")
    admin = person(school_id, "school_admin")
    base = f"/schools/{school_id}"

    async def new_person(last_name: str) -> str:
        response = await client.post(
            f"{base}/people", headers=as_(admin), json={"last_name": last_name, "first_name": "Тест", "consent": True}
        )
        return response.json()["id"]

    own_class = (await client.post(f"{base}/classes", json={"grade": 3, "letter": "А"}, headers=as_(admin))).json()
    other_class = (await client.post(f"{base}/classes", json={"grade": 3, "letter": "Б"}, headers=as_(admin))).json()
    leader, other_leader = await new_person("Руководитель"), await new_person("Другая")
    for teacher, school_class in ((leader, own_class), (other_leader, other_class)):
        await client.post(
            f"{base}/staff-roles", headers=as_(admin), json={"person_id": teacher, "role": "class_teacher"}
        )
        assigned = await client.post(
            f"{base}/classes/{school_class['id']}/class-teacher", headers=as_(admin), json={"teacher_id": teacher}
        )
        assert assigned.status_code == 200, assigned.text
    student, parent = await new_person("Ученик"), await new_person("Родитель")
    await client.post(
        f"{base}/enrolments", headers=as_(admin), json={"student_id": student, "class_id": own_class["id"]}
    )
    link = {"guardian_id": parent, "student_id": student}

    def leading(person_id: str) -> Caller:
        return Caller(UUID(person_id), "Классный руководитель", frozenset({(school_id, "class_teacher")}))

    refusal = await client.post(f"{base}/guardianships", json=link, headers=as_(leading(other_leader)))
    refused(refusal, 403)
    linked = await client.post(f"{base}/guardianships", json=link, headers=as_(leading(leader)))
    assert linked.status_code == 201, linked.text
