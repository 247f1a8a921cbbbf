"""People through the years over HTTP against real PostgreSQL and RabbitMQ: transfers, leaving, between schools,
promotion, ended roles, corrected cards, the R-54 refusal and the monthly check.

The clock is pinned at Wednesday 14 October 2026, in the 2026/2027 school year.
"""

from dataclasses import dataclass, replace
from uuid import UUID

import pytest
from sqlalchemy import select

from chassis.auth import Caller
from chassis.tables import outbox
from chassis.tenancy import SYSTEM, Tenant
from chassis.testing import eventually, person, refused
from roster.snapshots import people


@dataclass
class School:
    id: UUID
    admin: Caller
    secretary: Caller

    def url(self, path: str) -> str:
        return f"/schools/{self.id}{path}"


async def post(client, as_, caller, url, body, status=201):
    response = await client.post(url, json=body, headers=as_(caller))
    assert response.status_code == status, response.text
    return response.json()


async def new_school(client, as_, region_admin, name="МБОУ СОШ № 3") -> School:
    created = await post(
        client, as_, region_admin, "/schools", {"name": name, "short_name": name, "municipality": "Город"}
    )
    school_id = UUID(created["id"])
    return School(school_id, person(school_id, "school_admin"), person(school_id, "secretary"))


async def a_person(client, as_, school, last_name, first_name="Иван", **extra) -> str:
    body = {"last_name": last_name, "first_name": first_name, "consent": True, **extra}
    return (await post(client, as_, school.admin, school.url("/people"), body))["id"]


async def a_class(client, as_, school, grade, letter, year=None) -> dict:
    body = {"grade": grade, "letter": letter} | ({"academic_year": year} if year else {})
    return await post(client, as_, school.admin, school.url("/classes"), body)


async def enrol(client, as_, school, student, class_id, on="2026-09-01"):
    body = {"student_id": student, "class_id": class_id, "enrolled_on": on}
    return await post(client, as_, school.secretary, school.url("/enrolments"), body)


async def events_of(app, school_id: UUID) -> list[tuple[str, dict]]:
    async with app.state.db.transaction(SYSTEM) as session:
        rows = await session.execute(
            select(outbox.c.type, outbox.c.envelope).where(outbox.c.school_id == school_id).order_by(outbox.c.seq)
        )
        return [(t, e["data"]) for t, e in rows]


@pytest.fixture
async def school(client, as_, region_admin) -> School:
    return await new_school(client, as_, region_admin)


async def test_transfer_between_classes_moves_the_student_and_their_subgroups(app, client, as_, school):
    a, b = await a_class(client, as_, school, 5, "А"), await a_class(client, as_, school, 5, "Б")
    student = await a_person(client, as_, school, "Смирнов")
    await enrol(client, as_, school, student, a["id"])
    subject = await post(client, as_, school.admin, school.url("/subjects"), {"name": "Английский язык"})
    group = await post(
        client,
        as_,
        school.admin,
        school.url("/groups"),
        {"class_id": a["id"], "subject_id": subject["id"], "name": "Группа 1"},
    )
    await post(
        client,
        as_,
        school.admin,
        school.url(f"/groups/{group['id']}/members"),
        {"student_id": student, "starts": "2026-09-01"},
    )

    moved = await post(
        client,
        as_,
        school.secretary,
        school.url("/movements/transfer"),
        {"student_id": student, "to_class_id": b["id"], "order_number": "45-у", "reason": "по заявлению родителей"},
    )
    assert moved["kind"] == "transferred" and moved["moved_on"] == "2026-10-14"
    members = (await client.get(school.url(f"/groups/{group['id']}/members"), headers=as_(school.admin))).json()
    assert members[0]["ends"] == "2026-10-13"
    history = (await client.get(school.url(f"/students/{student}/movements"), headers=as_(school.secretary))).json()
    assert [m["kind"] for m in history] == ["enrolled", "transferred"]
    types = [t for t, _ in await events_of(app, school.id)]
    assert types[-4:] == [
        "roster.student.left_class.v1",
        "roster.group_membership.changed.v1",
        "roster.student.enrolled.v1",
        "roster.student_movement.recorded.v1",
    ]

    again = await client.post(
        school.url("/enrolments"), json={"student_id": student, "class_id": a["id"]}, headers=as_(school.secretary)
    )
    refused(again, 409, "оформите перевод")


async def test_bad_movements_are_refused_in_russian_and_change_nothing(app, client, as_, school):
    a = await a_class(client, as_, school, 5, "А")
    next_year = await a_class(client, as_, school, 6, "А", "2027/2028")
    student = await a_person(client, as_, school, "Орлов")
    stranger = await a_person(client, as_, school, "Посторонний")
    await enrol(client, as_, school, student, a["id"])
    before = await events_of(app, school.id)

    other_year = await client.post(
        school.url("/movements/transfer"),
        json={"student_id": student, "to_class_id": next_year["id"]},
        headers=as_(school.secretary),
    )
    refused(other_year, 422, "того же года")
    early = await client.post(
        school.url("/movements/leave"),
        json={"student_id": student, "on": "2026-08-20", "order_number": "1-в", "reason": "переезд"},
        headers=as_(school.secretary),
    )
    refused(early, 422, "раньше даты зачисления")
    not_enrolled = await client.post(
        school.url("/movements/leave"),
        json={"student_id": stranger, "order_number": "1-в", "reason": "переезд"},
        headers=as_(school.secretary),
    )
    refused(not_enrolled, 409, "не зачислен")
    nowhere = await client.post(
        school.url("/movements/leave"),
        json={
            "student_id": student,
            "order_number": "1-в",
            "reason": "перевод",
            "destination_school_id": str(UUID(int=7)),
        },
        headers=as_(school.secretary),
    )
    refused(nowhere, 422, "не найдена в регионе")
    teacher = person(school.id, "teacher")
    refused(
        await client.post(
            school.url("/movements/leave"),
            json={"student_id": student, "order_number": "1", "reason": "x"},
            headers=as_(teacher),
        ),
        403,
    )
    assert await events_of(app, school.id) == before


async def test_leaving_ends_the_guardianships_and_tells_everyone(app, client, as_, school):
    a = await a_class(client, as_, school, 7, "В")
    student = await a_person(client, as_, school, "Лебедев")
    parent = await a_person(client, as_, school, "Лебедева", "Анна")
    await enrol(client, as_, school, student, a["id"])
    await post(client, as_, school.admin, school.url("/guardianships"), {"guardian_id": parent, "student_id": student})

    left = await post(
        client,
        as_,
        school.secretary,
        school.url("/movements/leave"),
        {"student_id": student, "order_number": "77-в", "reason": "переезд в другой регион"},
    )
    assert left["kind"] == "left" and left["order_number"] == "77-в"
    events = dict(await events_of(app, school.id))
    assert events["roster.student.left_school.v1"]["order_number"] == "77-в"
    assert events["roster.guardianship.ended.v1"]["guardian_id"] == parent
    ended = (await client.get(school.url(f"/people/{parent}/ended"), headers=as_(school.admin))).json()
    assert ended[0]["kind"] == "guardianship" and "77-в" in ended[0]["reason"]


async def test_transfer_between_schools_gives_the_receiving_school_its_own_copy(app, client, as_, region_admin, school):
    receiving = await new_school(client, as_, region_admin, "МБОУ Гимназия № 2")
    a = await a_class(client, as_, school, 8, "А")
    there = await a_class(client, as_, receiving, 8, "Б")
    student = await a_person(
        client, as_, school, "Козлов", snils="112-233-445 95", birth_date="2012-03-04", esia_oid="1000555001"
    )
    await enrol(client, as_, school, student, a["id"])

    await post(
        client,
        as_,
        school.secretary,
        school.url("/movements/leave"),
        {
            "student_id": student,
            "order_number": "90-в",
            "reason": "перевод",
            "destination_school_id": str(receiving.id),
        },
    )

    async def offered():
        rows = (await client.get(receiving.url("/incoming-transfers"), headers=as_(receiving.secretary))).json()
        return rows

    offer = (await eventually(offered))[0]
    assert offer["source_school_name"] == "МБОУ СОШ № 3" and offer["person"]["last_name"] == "Козлов"
    # The sending school's staff do not see the receiving school's list, nor the other way round.
    refused(await client.get(receiving.url("/incoming-transfers"), headers=as_(school.secretary)), 404)

    accepted = await post(
        client,
        as_,
        receiving.secretary,
        receiving.url(f"/incoming-transfers/{offer['id']}/accept"),
        {"class_id": there["id"], "order_number": "15-з"},
    )
    assert accepted["kind"] == "transferred_in" and accepted["other_school_id"] == str(school.id)
    new_id = accepted["student_id"]
    assert new_id != student
    history = (
        await client.get(receiving.url(f"/students/{new_id}/movements"), headers=as_(receiving.secretary))
    ).json()
    assert [(m["kind"], m["other_school_name"]) for m in history] == [
        ("enrolled", "МБОУ СОШ № 3"),
        ("transferred_out", "МБОУ СОШ № 3"),
        ("transferred_in", "МБОУ СОШ № 3"),
    ]
    card = (await client.get(receiving.url(f"/people/{new_id}"), headers=as_(receiving.admin))).json()
    assert card["snils"] == "112-233-445 95"
    # The gateway learns the ESIA oid with the new person: the student logs in at the new school as before.
    registered = [d for t, d in await events_of(app, receiving.id) if t == "roster.person.registered.v1"]
    assert [(d["person_id"], d["esia_oid"]) for d in registered] == [(new_id, "1000555001")]
    # The sending school hears of it, so its gradebook and attendance send the year's record over as a copy.
    told = [d for t, d in await events_of(app, school.id) if t == "roster.student_transfer.accepted.v1"]
    assert [(d["source_student_id"], d["student_id"], d["receiving_school_id"]) for d in told] == [
        (student, new_id, str(receiving.id))
    ]
    # The sending school keeps its own record, untouched.
    own = (await client.get(school.url(f"/students/{student}/movements"), headers=as_(school.secretary))).json()
    assert [m["kind"] for m in own] == ["enrolled", "transferred_out"]
    twice = await client.post(
        receiving.url(f"/incoming-transfers/{offer['id']}/accept"),
        json={"class_id": there["id"], "order_number": "15-з"},
        headers=as_(receiving.secretary),
    )
    refused(twice, 409, "уже зачислен")


async def closing_years(client, as_, school):
    old = await post(client, as_, school.admin, school.url("/years"), {"starts": "2025-09-01", "ends": "2026-05-31"})
    for status in ("active", "closing"):
        await post(client, as_, school.admin, school.url(f"/years/{old['id']}/status"), {"status": status}, status=200)
    await post(client, as_, school.admin, school.url("/years"), {"starts": "2026-09-01", "ends": "2027-05-31"})
    return old


async def test_promotion_preview_changes_nothing_and_the_run_does_what_it_showed(app, client, as_, school):
    year = "2025/2026"
    teacher = await a_person(client, as_, school, "Руководова", "Ольга")
    await post(client, as_, school.admin, school.url("/staff-roles"), {"person_id": teacher, "role": "class_teacher"})
    fifth = await a_class(client, as_, school, 5, "А", year)
    eleventh = await a_class(client, as_, school, 11, "А", year)
    await post(
        client, as_, school.admin, school.url(f"/classes/{fifth['id']}/class-teacher"), {"teacher_id": teacher}, 200
    )
    plain, repeater, debtor, graduate = [await a_person(client, as_, school, f"Ученик{n}") for n in range(4)]
    for student, klass in ((plain, fifth), (repeater, fifth), (debtor, fifth), (graduate, eleventh)):
        await enrol(client, as_, school, student, klass["id"], on="2025-09-01")
    body = {
        "from_year": year,
        "decisions": [
            {"student_id": repeater, "outcome": "repeating"},
            {
                "student_id": debtor,
                "outcome": "promoted_conditionally",
                "debt_subjects": ["Математика"],
                "debt_deadline": "2026-10-15",
            },
        ],
    }
    subject = await post(client, as_, school.admin, school.url("/subjects"), {"name": "Английский язык"})
    group = await post(
        client,
        as_,
        school.admin,
        school.url("/groups"),
        {"class_id": fifth["id"], "subject_id": subject["id"], "name": "Группа 1"},
    )
    members = school.url(f"/groups/{group['id']}/members")
    for student in (plain, repeater):
        await post(client, as_, school.admin, members, {"student_id": student, "starts": "2025-09-01"})
    await post(client, as_, school.admin, school.url("/staff-roles"), {"person_id": teacher, "role": "teacher"})
    load = {"teacher_id": teacher, "subject_id": subject["id"]}
    for klass in (fifth, eleventh):
        await post(client, as_, school.admin, school.url("/assignments"), load | {"class_id": klass["id"]})
    too_early = await client.post(school.url("/promotion/preview"), json=body, headers=as_(school.admin))
    refused(too_early, 422, "Учебного года 2025/2026 нет в календаре")
    await closing_years(client, as_, school)
    before = await events_of(app, school.id)

    preview = (await client.post(school.url("/promotion/preview"), json=body, headers=as_(school.secretary))).json()
    assert preview["starts_on"] == "2026-09-01" and preview["warnings"] == []
    # 6А takes 5А's subgroup with the pupil who moved on (not the repeater) and its load; 11А graduates with its load.
    carried = {
        (c["name"], c["from_class"], c["students"], c["subgroups"], c["members"], c["loads"])
        for c in preview["classes"]
    }
    assert carried == {("5А", None, 1, 0, 0, 0), ("6А", "5А", 2, 1, 1, 1)}
    assert preview["totals"]["promoted"] == 1 and preview["totals"]["graduated"] == 1
    assert await events_of(app, school.id) == before

    done = await post(client, as_, school.admin, school.url("/promotion"), body)
    assert done["classes"] == preview["classes"] and done["students"] == preview["students"]
    classes = (await client.get(school.url("/classes"), headers=as_(school.admin))).json()
    sixth = next(c for c in classes if c["name"] == "6А" and c["academic_year"] == "2026/2027")
    assert sixth["class_teacher_id"] == teacher
    # The old class's subgroup places end with the old year; the new class's subgroup starts on its first day.
    assert {m["ends"] for m in (await client.get(members, headers=as_(school.admin))).json()} == {"2026-08-31"}
    (new_group,) = (await client.get(school.url(f"/groups?class_id={sixth['id']}"), headers=as_(school.admin))).json()
    assert (new_group["subject_id"], new_group["name"]) == (subject["id"], "Группа 1")
    new_members = school.url(f"/groups/{new_group['id']}/members")
    placed = (await client.get(new_members, headers=as_(school.admin))).json()
    assert [(m["student_id"], m["starts"], m["ends"]) for m in placed] == [(plain, "2026-09-01", None)]
    loads = (await client.get(school.url(f"/assignments?teacher_id={teacher}"), headers=as_(school.admin))).json()
    assert {a["class_id"] for a in loads} == {fifth["id"], eleventh["id"], sixth["id"]}
    history = (await client.get(school.url(f"/students/{debtor}/movements"), headers=as_(school.admin))).json()
    assert history[-1]["kind"] == "promoted_conditionally" and history[-1]["debt_deadline"] == "2026-10-15"
    types = [t for t, _ in await events_of(app, school.id)][len(before) :]
    assert types.count("roster.student.left_class.v1") == 4
    assert types.count("roster.student.enrolled.v1") == 3
    assert types.count("roster.student.left_school.v1") == 1
    assert types.count("roster.assignment.created.v1") == types.count("roster.group.created.v1") == 1
    refused(await client.post(school.url("/promotion"), json=body, headers=as_(school.admin)), 409, "уже выполнен")


async def test_promotion_waits_for_the_year_to_close(client, as_, school):
    await post(client, as_, school.admin, school.url("/years"), {"starts": "2025-09-01", "ends": "2026-05-31"})
    await post(client, as_, school.admin, school.url("/years"), {"starts": "2026-09-01", "ends": "2027-05-31"})
    body = {"from_year": "2025/2026"}
    preview = (await client.post(school.url("/promotion/preview"), json=body, headers=as_(school.admin))).json()
    assert "когда год завершается" in preview["warnings"][0]
    refused(
        await client.post(school.url("/promotion"), json=body, headers=as_(school.admin)), 409, "когда год завершается"
    )


async def test_ending_roles_with_a_reason(app, client, as_, school):
    klass = await a_class(client, as_, school, 6, "Г")
    teacher = await a_person(client, as_, school, "Учителева", "Мария")
    for role in ("teacher", "class_teacher"):
        await post(client, as_, school.admin, school.url("/staff-roles"), {"person_id": teacher, "role": role})
    subject = await post(client, as_, school.admin, school.url("/subjects"), {"name": "История"})
    assignment = await post(
        client,
        as_,
        school.admin,
        school.url("/assignments"),
        {"teacher_id": teacher, "subject_id": subject["id"], "class_id": klass["id"]},
    )
    await post(
        client, as_, school.admin, school.url(f"/classes/{klass['id']}/class-teacher"), {"teacher_id": teacher}, 200
    )
    reason = {"reason": "увольнение по собственному желанию"}

    busy = await client.post(
        school.url("/staff-roles/end"),
        json={"person_id": teacher, "role": "teacher", **reason},
        headers=as_(school.admin),
    )
    refused(busy, 409, "есть нагрузка")
    future = await client.post(
        school.url(f"/assignments/{assignment['id']}/end"),
        json={"ended_on": "2026-12-01", **reason},
        headers=as_(school.admin),
    )
    refused(future, 422, "ещё не наступила")

    await post(client, as_, school.admin, school.url(f"/assignments/{assignment['id']}/end"), reason)
    assert (await client.get(school.url("/assignments"), headers=as_(school.admin))).json() == []
    await post(client, as_, school.admin, school.url(f"/classes/{klass['id']}/class-teacher/end"), reason)
    for role in ("teacher", "class_teacher"):
        await post(
            client, as_, school.admin, school.url("/staff-roles/end"), {"person_id": teacher, "role": role, **reason}
        )
    ended = (await client.get(school.url(f"/people/{teacher}/ended"), headers=as_(school.admin))).json()
    assert [e["kind"] for e in ended] == ["assignment", "class_teacher", "staff_role", "staff_role"]
    assert all(e["reason"] == reason["reason"] for e in ended)
    types = [t for t, _ in await events_of(app, school.id)]
    assert types[-4:] == [
        "roster.assignment.ended.v1",
        "roster.class_teacher.removed.v1",
        "roster.staff_role.ended.v1",
        "roster.staff_role.ended.v1",
    ]
    again = await client.post(
        school.url("/staff-roles/end"),
        json={"person_id": teacher, "role": "teacher", **reason},
        headers=as_(school.admin),
    )
    refused(again, 404, "нет этой роли")


async def test_a_corrected_card_keeps_its_history_and_tells_the_services(app, client, as_, school):
    klass = await a_class(client, as_, school, 3, "А")
    student = await a_person(client, as_, school, "Иванова", "Анна", snils="112-233-445 95")
    other = await a_person(client, as_, school, "Сидоров", snils="001-001-998 12")
    await enrol(client, as_, school, student, klass["id"])
    url = school.url(f"/people/{student}")
    patch = {"last_name": "Петрова", "phone": "+7 900 123-45-67", "reason": "смена фамилии, свидетельство о браке"}

    corrected = await client.patch(url, json=patch, headers=as_(school.secretary))
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["last_name"] == "Петрова" and corrected.json()["version"] == 2
    history = (await client.get(f"{url}/history", headers=as_(school.secretary))).json()
    assert {(h["title"], h["old"], h["new"]) for h in history} == {
        ("фамилия", "Иванова", "Петрова"),
        ("телефон", None, "+7 900 123-45-67"),
    }
    type_, data = (await events_of(app, school.id))[-1]
    assert type_ == "roster.person.changed.v1" and data["last_name"] == "Петрова" and data["version"] == 2
    registered = [d for t, d in await events_of(app, school.id) if t == "roster.person.registered.v1"]
    assert {d["version"] for d in registered if d["person_id"] == str(student)} == {1}
    # A snapshot tells the card as it is now with its version: a replayed older change cannot overwrite it.
    async with app.state.db.transaction(Tenant(school_id=school.id)) as session:
        told = [s.event for s in [s async for s in people(session)] if str(s.event.person_id) == str(student)]
    assert [(e.last_name, e.version) for e in told] == [("Петрова", 2)]

    wrong = await client.patch(
        url, json={"snils": "112-233-445 96", "reason": "исправление"}, headers=as_(school.admin)
    )
    refused(wrong, 422)
    taken = await client.patch(url, json={"snils": "00100199812", "reason": "исправление"}, headers=as_(school.admin))
    refused(taken, 409, "уже записан у другого человека")
    assert other
    refused(
        await client.patch(url, json={"first_name": None, "reason": "исправление"}, headers=as_(school.admin)),
        422,
        "не может быть пустым",
    )
    stranger = person(school.id, "class_teacher")
    refused(await client.patch(url, json=patch, headers=as_(stranger)), 403, "своего класса")


async def test_refusal_of_the_electronic_service_is_dated_and_told(app, client, as_, school):
    klass = await a_class(client, as_, school, 4, "Б")
    student = await a_person(client, as_, school, "Отказова", "Вера")
    parent = await a_person(client, as_, school, "Отказов", "Пётр")
    url = school.url(f"/people/{student}/e-service-refusal")
    refused(await client.put(url, json={"refused_on": "2026-10-01"}, headers=as_(school.admin)), 422, "зачисленного")
    await enrol(client, as_, school, student, klass["id"])
    refused(await client.put(url, json={"refused_on": "2026-11-01"}, headers=as_(school.admin)), 422, "в будущем")
    done = await client.put(url, json={"refused_on": "2026-10-01"}, headers=as_(school.admin))
    assert done.status_code == 200 and done.json()["e_service_refused_on"] == "2026-10-01"
    type_, data = (await events_of(app, school.id))[-1]
    assert type_ == "roster.e_service_refusal.changed.v1" and data["refused_on"] == "2026-10-01"
    assert parent


async def test_the_monthly_check_lists_what_changed_and_what_is_missing(client, as_, school):
    teacher = await a_person(client, as_, school, "Классная", "Ирина")
    await post(client, as_, school.admin, school.url("/staff-roles"), {"person_id": teacher, "role": "class_teacher"})
    klass = await a_class(client, as_, school, 2, "В")
    await post(
        client, as_, school.admin, school.url(f"/classes/{klass['id']}/class-teacher"), {"teacher_id": teacher}, 200
    )
    student = await a_person(client, as_, school, "Проверкин", "Антон", birth_date="2018-05-06")
    parent = await a_person(client, as_, school, "Проверкина", "Юлия")
    await enrol(client, as_, school, student, klass["id"])
    await post(client, as_, school.admin, school.url("/guardianships"), {"guardian_id": parent, "student_id": student})
    class_teacher = replace(person(school.id, "class_teacher"), person_id=UUID(teacher))
    fixed = await client.patch(
        school.url(f"/people/{parent}"),
        json={"phone": "+79001112233", "reason": "новый телефон"},
        headers=as_(class_teacher),
    )
    assert fixed.status_code == 200, fixed.text

    check = await client.get(school.url(f"/classes/{klass['id']}/personal-data-check"), headers=as_(class_teacher))
    assert check.status_code == 200, check.text
    lines = {line["name"]: line for line in check.json()["people"]}
    assert check.json()["month"] == "2026-10"
    assert lines["Проверкина Юлия"]["changed"] == ["телефон: — → +79001112233"]
    assert lines["Проверкина Юлия"]["missing"] == ["СНИЛС"]
    assert lines["Проверкин Антон"]["missing"] == ["СНИЛС", "вид документа", "серия и номер документа"]
    earlier = await client.get(
        school.url(f"/classes/{klass['id']}/personal-data-check"),
        params={"month": "2026-09"},
        headers=as_(class_teacher),
    )
    assert all(line["changed"] == [] for line in earlier.json()["people"])
    refused(
        await client.get(
            school.url(f"/classes/{klass['id']}/personal-data-check"), headers=as_(person(school.id, "class_teacher"))
        ),
        403,
        "своего класса",
    )
