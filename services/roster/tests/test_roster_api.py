"""Roster over HTTP against real PostgreSQL: set-up of a school, its events, tenancy, bad input."""

from uuid import UUID, uuid4

import asyncpg
from sqlalchemy import select

from chassis.tables import outbox
from chassis.tenancy import SYSTEM
from chassis.testing import person


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
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_another_schools_staff_sees_nothing(client, as_, region_admin):
    school_a = await register_school(client, as_, region_admin, "Школа А")
    school_b = await register_school(client, as_, region_admin, "Школа Б")
    admin_a = person(school_a, "school_admin")
    await client.post(f"/schools/{school_a}/classes", json={"grade": 7, "letter": "В"}, headers=as_(admin_a))
    admin_b = person(school_b, "school_admin")
    assert (await client.get(f"/schools/{school_a}/classes", headers=as_(admin_b))).status_code == 404
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
    assert malformed.status_code == 400
    assert malformed.json()["title"] == "Некорректный JSON"

    wrong_type = await client.post(
        f"/schools/{school_id}/classes", json={"grade": "пятый", "letter": "А"}, headers=as_(admin)
    )
    assert wrong_type.status_code == 422
    assert "grade" in wrong_type.json()["detail"]

    no_consent = await client.post(
        f"/schools/{school_id}/people",
        headers=as_(admin),
        json={"last_name": "Петров", "first_name": "Пётр", "consent": False},
    )
    assert no_consent.status_code == 422

    bad_snils = await client.post(
        f"/schools/{school_id}/people",
        headers=as_(admin),
        json={"last_name": "Петров", "first_name": "Пётр", "snils": "112-233-445 96", "consent": True},
    )
    assert bad_snils.status_code == 422

    unknown = await client.post(
        f"/schools/{school_id}/enrolments",
        headers=as_(admin),
        json={"student_id": str(uuid4()), "class_id": str(uuid4())},
    )
    assert unknown.status_code == 422
    assert "не найден" in unknown.json()["detail"]

    assert await outbox_types(app) == before


async def test_missing_or_forged_token_is_401(client, region_admin):
    assert (await client.get(f"/schools/{uuid4()}/classes")).status_code == 401
    forged = await client.get(f"/schools/{uuid4()}/classes", headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401


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
    assert other_body.status_code == 422
    subjects = (await client.get(f"/schools/{school_id}/subjects", headers=as_(admin))).json()
    assert [s["name"] for s in subjects] == ["Физика"]
