"""Electives and clubs over HTTP (R-14): a group of its own drawn from several classes, members kept by dates."""

from dataclasses import replace
from uuid import UUID

from chassis.testing import person, refused


async def post(client, as_, caller, url, body, status=201):
    response = await client.post(url, json=body, headers=as_(caller))
    assert response.status_code == status, response.text
    return response.json()


async def test_a_club_takes_students_of_several_classes_from_any_day(client, as_, region_admin, outbox_events):
    async def new_school(name: str) -> tuple[str, object]:
        body = {"name": f"МБОУ {name}", "short_name": name, "municipality": "Город"}
        school_id = (await post(client, as_, region_admin, "/schools", body))["id"]
        return f"/schools/{school_id}", person(UUID(school_id), "school_admin", name="Кузнецова Ольга")

    url, admin = await new_school("СОШ № 41")
    school_id = UUID(url.rsplit("/", 1)[1])
    year = await post(client, as_, admin, f"{url}/years", {"starts": "2026-09-01", "ends": "2027-05-31"})
    pupils = []
    for grade, letter, last_name in ((5, "А", "Петров"), (5, "Б", "Сидоров"), (6, "А", "Орлов")):
        klass = await post(client, as_, admin, f"{url}/classes", {"grade": grade, "letter": letter})
        pupil = await post(
            client, as_, admin, f"{url}/people", {"last_name": last_name, "first_name": "Иван", "consent": True}
        )
        enrolment = {"student_id": pupil["id"], "class_id": klass["id"], "enrolled_on": "2026-09-01"}
        await post(client, as_, admin, f"{url}/enrolments", enrolment)
        pupils.append(pupil["id"])
    teacher = await post(
        client, as_, admin, f"{url}/people", {"last_name": "Иванова", "first_name": "Мария", "consent": True}
    )
    await post(client, as_, admin, f"{url}/staff-roles", {"person_id": teacher["id"], "role": "teacher"})
    subject = await post(client, as_, admin, f"{url}/subjects", {"name": "Робототехника"})
    club = await post(
        client,
        as_,
        admin,
        f"{url}/electives",
        {
            "kind": "club",
            "name": "Робототехника",
            "subject_id": subject["id"],
            "teacher_id": teacher["id"],
            "year_id": year["id"],
        },
    )
    members = f"{url}/electives/{club['id']}/members"
    # Mid-period (a subgroup would have to wait for 04.11), by the club's own teacher.
    keeper = replace(person(school_id, "teacher"), person_id=UUID(teacher["id"]))
    for pupil in pupils:
        await post(client, as_, keeper, members, {"student_id": pupil, "starts": "2026-10-15"})
    refused(
        await client.post(members, json={"student_id": pupils[0], "starts": "2026-11-01"}, headers=as_(admin)),
        409,
        "Ученик уже занимается в этой группе с 15.10.2026.",
    )
    refused(
        await client.post(
            f"{url}/electives/{club['id']}/leave",
            json={"student_id": pupils[1], "left_on": "2026-10-10"},
            headers=as_(admin),
        ),
        422,
        "выйти из неё он может не раньше следующего дня",
    )
    other_url, other_admin = await new_school("СОШ № 42")
    stranger = await post(
        client, as_, other_admin, f"{other_url}/people", {"last_name": "Чужой", "first_name": "Пётр", "consent": True}
    )
    refused(
        await client.post(members, json={"student_id": stranger["id"], "starts": "2026-10-15"}, headers=as_(admin)),
        422,
        "Ученик не учится в классах этой школы в 2026/2027 учебном году",
    )
    left = await post(
        client,
        as_,
        admin,
        f"{url}/electives/{club['id']}/leave",
        {"student_id": pupils[1], "left_on": "2026-12-01"},
        200,
    )
    assert (left["class_name"], left["ends"]) == ("5Б", "2026-11-30")
    listed = (await client.get(members, headers=as_(admin))).json()
    assert [(m["name"], m["class_name"], m["ends"]) for m in listed] == [
        ("Орлов Иван", "6А", None),
        ("Петров Иван", "5А", None),
        ("Сидоров Иван", "5Б", "2026-11-30"),
    ]
    refused(await client.get(members, headers=as_(person(school_id, "teacher"))), 403)
    assert (await client.get(f"{url}/groups", headers=as_(admin))).json() == []
    events = [e for e in await outbox_events(school_id) if e["subject"] == club["id"]]
    assert events[0]["type"] == "roster.elective.created.v1"
    assert events[0]["data"]["academic_year"] == "2026/2027"
    places = [(e["data"]["student_id"], e["data"]["ends"], e["data"]["version"]) for e in events[1:]]
    assert places == [(p, None, 1) for p in pupils] + [(pupils[1], "2026-11-30", 2)]
