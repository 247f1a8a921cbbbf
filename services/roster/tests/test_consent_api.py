"""Consents as records (R-5): recorded by the office from papers, withdrawn by the family, never edited."""

from uuid import UUID

from sqlalchemy import select

from chassis.auth import Caller
from chassis.tables import outbox
from chassis.tenancy import SYSTEM
from chassis.testing import person, refused


def caller(school_id: UUID, person_id: str, *roles: str) -> Caller:
    return Caller(
        person_id=UUID(person_id),
        name="Тестовый Пользователь",
        school_roles=frozenset((school_id, r) for r in roles),
        region_roles=frozenset(),
    )


async def test_consents_are_recorded_withdrawn_by_the_family_and_refused_to_others(app, client, as_, region_admin):
    school = await client.post(
        "/schools",
        json={"name": "СОШ согласий", "short_name": "СОШ", "municipality": "Город"},
        headers=as_(region_admin),
    )
    school_id = UUID(school.json()["id"])
    base = f"/schools/{school_id}"
    admin = as_(person(school_id, "school_admin"))

    async def post(path: str, body: dict) -> str:
        response = await client.post(f"{base}{path}", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return response.json().get("id", "")

    async def someone(last_name: str, birth_date: str | None = None) -> str:
        return await post(
            "/people", {"last_name": last_name, "first_name": "Тест", "birth_date": birth_date, "consent": True}
        )

    klass = await post("/classes", {"grade": 7, "letter": "А"})
    child = await someone("Малышев", "2013-03-01")  # 13 on the test day
    mother, father, stranger = await someone("Малышева"), await someone("Малышев-старший"), await someone("Чужая")
    other_child = await someone("Другой", "2013-05-05")
    for pupil in (child, other_child):
        await post("/enrolments", {"student_id": pupil, "class_id": klass, "enrolled_on": "2026-09-01"})
    for guardian, pupil in ((mother, child), (father, child), (stranger, other_child)):
        await post("/guardianships", {"guardian_id": guardian, "student_id": pupil, "relation": "родитель"})
    url = f"{base}/people/{child}/consents"

    # Entered with the box ticked: every purpose given, no paper yet.
    entered = (await client.get(url, headers=admin)).json()
    assert [p["granted"] for p in entered["purposes"]] == [True] * 6
    assert entered["who_signs"].startswith("младше 14 лет")
    assert len(entered["history"]) == 6 and entered["history"][0]["signer"] is None

    paper = {"document_kind": "согласие", "document_number": "17", "document_date": "2026-09-01"}
    recorded = await client.post(
        url, json={"purpose": "portal", "action": "given", "signer_id": mother, **paper}, headers=admin
    )
    assert recorded.status_code == 201, recorded.text
    portal = next(p for p in recorded.json()["purposes"] if p["purpose"] == "portal")
    assert portal["record"]["signer"]["name"] == "Малышева Тест" and portal["record"]["document_number"] == "17"

    # The office cannot write a child's own signature under 14; the family cannot give consent online.
    refused(
        await client.post(
            url, json={"purpose": "diary", "action": "given", "signer_id": child, **paper}, headers=admin
        ),
        422,
        "родитель",
    )
    as_mother = as_(caller(school_id, mother, "guardian"))
    refused(
        await client.post(url, json={"purpose": "diary", "action": "given"}, headers=as_mother), 403, "только отозвать"
    )
    # The child under 14 may not withdraw; a parent of another child does not even see the card.
    as_child = as_(caller(school_id, child, "student"))
    refused(
        await client.post(url, json={"purpose": "portal", "action": "withdrawn"}, headers=as_child),
        403,
        "тот, кто его дал",
    )
    as_stranger = as_(caller(school_id, stranger, "guardian"))
    refused(await client.post(url, json={"purpose": "portal", "action": "withdrawn"}, headers=as_stranger), 404)
    refused(await client.post(url, json={"purpose": "marketing", "action": "withdrawn"}, headers=as_mother), 422)

    # The father did not sign, but a parent of a child under 14 is entitled: his withdrawal stands.
    withdrawn = await client.post(
        url,
        json={"purpose": "notifications_email", "action": "withdrawn"},
        headers=as_(caller(school_id, father, "guardian")),
    )
    assert withdrawn.status_code == 201, withdrawn.text
    email = next(p for p in withdrawn.json()["purposes"] if p["purpose"] == "notifications_email")
    assert email["granted"] is False
    assert email["record"]["document_kind"] == "заявление в электронном дневнике"
    refused(
        await client.post(url, json={"purpose": "notifications_email", "action": "withdrawn"}, headers=as_mother),
        409,
        "отзывать нечего",
    )

    mine = (await client.get(url, headers=as_mother)).json()
    # History only grows: 6 entry rows, the paper, the withdrawal; the refusals left nothing.
    assert [r["version"] for r in mine["history"]] == [8, 7, 6, 5, 4, 3, 2, 1]
    assert {p["purpose"]: p["may_withdraw"] for p in mine["purposes"]}["portal"] is True
    async with app.state.db.transaction(SYSTEM) as session:
        events = list(
            await session.scalars(
                select(outbox.c.envelope).where(
                    outbox.c.school_id == school_id, outbox.c.type == "roster.consent.changed.v1"
                )
            )
        )
    assert sorted((e["data"] for e in events), key=lambda data: data["version"]) == [
        {"person_id": child, "purpose": "portal", "granted": True, "version": 7},
        {"person_id": child, "purpose": "notifications_email", "granted": False, "version": 8},
    ]


async def test_withdrawing_the_diary_is_refusing_the_electronic_service_and_giving_it_back_ends_that(
    app, client, as_, region_admin
):
    school = await client.post(
        "/schools",
        json={"name": "СОШ дневника", "short_name": "СОШ", "municipality": "Город"},
        headers=as_(region_admin),
    )
    school_id = UUID(school.json()["id"])
    base = f"/schools/{school_id}"
    admin = as_(person(school_id, "school_admin"))

    async def post(path: str, body: dict) -> str:
        response = await client.post(f"{base}{path}", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return response.json().get("id", "")

    klass = await post("/classes", {"grade": 3, "letter": "Б"})
    child = await post(
        "/people", {"last_name": "Бумажный", "first_name": "Тест", "birth_date": "2018-02-02", "consent": True}
    )
    mother = await post("/people", {"last_name": "Бумажная", "first_name": "Тест", "consent": True})
    await post("/enrolments", {"student_id": child, "class_id": klass, "enrolled_on": "2026-09-01"})
    await post("/guardianships", {"guardian_id": mother, "student_id": child, "relation": "родитель"})
    url = f"{base}/people/{child}/consents"

    async def refusal_events() -> list[dict]:
        async with app.state.db.transaction(SYSTEM) as session:
            rows = await session.scalars(
                select(outbox.c.envelope).where(
                    outbox.c.school_id == school_id, outbox.c.type == "roster.e_service_refusal.changed.v1"
                )
            )
            return sorted((e["data"] for e in rows), key=lambda data: data["version"])

    # Another purpose withdrawn leaves the electronic service in use.
    as_mother = as_(caller(school_id, mother, "guardian"))
    email = await client.post(url, json={"purpose": "notifications_email", "action": "withdrawn"}, headers=as_mother)
    assert email.status_code == 201, email.text
    assert await refusal_events() == []

    diary = await client.post(url, json={"purpose": "diary", "action": "withdrawn"}, headers=as_mother)
    assert diary.status_code == 201, diary.text
    card = (await client.get(f"{base}/people/{child}", headers=admin)).json()
    assert card["e_service_refused_on"] == "2026-10-14"
    [refusal] = await refusal_events()
    assert refusal["student_id"] == child and refusal["refused_on"] == "2026-10-14"

    paper = {"document_kind": "согласие", "document_date": "2026-10-14", "signer_id": mother}
    given = await client.post(url, json={"purpose": "diary", "action": "given", **paper}, headers=admin)
    assert given.status_code == 201, given.text
    card = (await client.get(f"{base}/people/{child}", headers=admin)).json()
    assert card["e_service_refused_on"] is None
    assert [e["refused_on"] for e in await refusal_events()] == ["2026-10-14", None]
