"""Announcements (R-53) over HTTP: who may publish, who reads them, how they go out, and the diary's event."""

from datetime import date, timedelta
from uuid import uuid4

from chassis.testing import eventually, person, publish_event
from contracts.roster import ClassTeacherAssigned, GuardianshipLinked, StudentEnrolled


async def school_with_two_classes(settings, client, as_):
    school = uuid4()
    class_5a, class_6b = uuid4(), uuid4()
    class_teacher = person(school, "teacher")
    pupil_5a, pupil_6b = person(school, "student"), person(school, "student")
    parent_5a, parent_6b = person(school, "guardian"), person(school, "guardian")
    email = f"parent-{uuid4().hex[:8]}@mail.ru"
    saved = await client.put(
        f"/schools/{school}/notification-preferences",
        json={"email_address": email, "channels": {"announcement": ["email"]}},
        headers=as_(parent_5a),
    )
    assert saved.status_code == 200
    for event in (
        StudentEnrolled(
            student_id=pupil_5a.person_id, class_id=class_5a, class_name="5А", enrolled_on=date(2026, 9, 1)
        ),
        StudentEnrolled(
            student_id=pupil_6b.person_id, class_id=class_6b, class_name="6Б", enrolled_on=date(2026, 9, 1)
        ),
        GuardianshipLinked(guardian_id=parent_5a.person_id, student_id=pupil_5a.person_id, relation="мать"),
        GuardianshipLinked(guardian_id=parent_6b.person_id, student_id=pupil_6b.person_id, relation="отец"),
        ClassTeacherAssigned(class_id=class_5a, class_name="5А", teacher_id=class_teacher.person_id),
    ):
        await publish_event(settings, event, school_id=school)
    return locals()


async def test_a_class_teacher_announces_to_their_class_by_email_and_the_diary_gets_the_event(
    settings, client, as_, today, sandbox, outbox_events
):
    s = await school_with_two_classes(settings, client, as_)
    url = f"/schools/{s['school']}/announcements"
    body = {
        "title": "Экскурсия в музей",
        "text": "В пятницу 5А едет в краеведческий музей. Сбор в 9:00 у школы.",
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=2)),
        "class_id": str(s["class_5a"]),
        "channels": ["email"],
    }

    async def published():
        response = await client.post(url, json=body, headers=as_(s["class_teacher"]))
        return response if response.status_code == 201 else None

    # The replicas (the class teacher, the class's students) arrive by events.
    created = (await eventually(published)).json()
    assert created["notified"] == 2  # the 5А student and their parent

    letter = (await eventually(lambda: _now(sandbox.mail.to(s["email"]))))[0]
    assert letter.parsed()["Subject"] == "Объявление: Экскурсия в музей"
    assert "Сбор в 9:00 у школы." in letter.text()

    [event] = [e for e in await outbox_events(s["school"]) if e["type"] == "notifications.announcement.published.v1"]
    assert event["data"]["class_id"] == str(s["class_5a"]) and event["data"]["title"] == "Экскурсия в музей"

    shown_5a = (await client.get(url, headers=as_(s["parent_5a"]))).json()
    assert [a["title"] for a in shown_5a] == ["Экскурсия в музей"]
    assert (await client.get(url, headers=as_(s["parent_6b"]))).json() == []

    inbox = (await client.get(f"/schools/{s['school']}/notifications", headers=as_(s["pupil_5a"]))).json()
    assert [n["kind"] for n in inbox] == ["announcement"]


async def _now(value):
    return value


async def test_only_the_administration_announces_to_the_school_and_bad_input_is_refused(
    settings, client, as_, today, outbox_events
):
    s = await school_with_two_classes(settings, client, as_)
    url = f"/schools/{s['school']}/announcements"
    body = {
        "title": "Родительское собрание",
        "text": "Собрание в актовом зале.",
        "starts_on": str(today),
        "ends_on": str(today),
    }

    refused = await client.post(url, json=body, headers=as_(s["class_teacher"]))
    assert refused.status_code == 403 and "администрация" in refused.json()["detail"]
    to_other_class = await client.post(
        url, json={**body, "class_id": str(s["class_6b"])}, headers=as_(s["class_teacher"])
    )
    assert to_other_class.status_code == 403 and "классный руководитель" in to_other_class.json()["detail"]
    director = person(s["school"], "director")
    refused = await client.post(url, json=body, headers=as_(director))
    assert refused.status_code == 403 and "только читает и утверждает" in refused.json()["detail"]
    deputy = person(s["school"], "deputy")
    for bad, why in (
        ({**body, "ends_on": str(today - timedelta(days=1))}, "раньше даты начала"),
        ({**body, "title": ""}, ""),
        ({**body, "text": "я" * 4001}, ""),
        ({**body, "channels": ["pigeon"]}, ""),
    ):
        response = await client.post(url, json=bad, headers=as_(deputy))
        assert response.status_code == 422, bad
        assert why in response.json()["detail"]
    assert [e for e in await outbox_events(s["school"]) if e["type"].startswith("notifications.")] == []

    published = await client.post(url, json=body, headers=as_(deputy))
    assert published.status_code == 201, published.text
    titles = [a["title"] for a in (await client.get(url, headers=as_(s["parent_6b"]))).json()]
    assert titles == ["Родительское собрание"]
