"""The journal over HTTP against real PostgreSQL, with roster's data replicated from its events."""

from datetime import timedelta
from uuid import uuid4

from chassis.testing import person, refused


async def record_lesson(client, as_, journal, day, topic="Дроби", homework=None):
    body = {"course_id": str(journal.course_id), "date": day.isoformat(), "topic": topic}
    if homework is not None:
        body["homework"] = homework
    return await client.post(f"/schools/{journal.school_id}/lessons", json=body, headers=as_(journal.teacher))


async def test_teachers_see_their_courses_and_the_administration_sees_all(client, as_, make_journal):
    journal = await make_journal()
    school = journal.school_id
    mine = (await client.get(f"/schools/{school}/courses", headers=as_(journal.teacher))).json()
    assert [(c["id"], c["subject_name"], c["class_name"]) for c in mine] == [
        (str(journal.course_id), "Математика", "5А")
    ]
    other_teacher = person(school, "teacher")
    assert (await client.get(f"/schools/{school}/courses", headers=as_(other_teacher))).json() == []
    deputy = (await client.get(f"/schools/{school}/courses", headers=as_(person(school, "deputy")))).json()
    assert [c["id"] for c in deputy] == [str(journal.course_id)]
    guardian = await client.get(f"/schools/{school}/courses", headers=as_(person(school, "guardian")))
    refused(guardian, 403)
    strangers = await client.get(f"/schools/{school}/courses/{journal.course_id}/students", headers=as_(other_teacher))
    refused(strangers, 403)


async def test_work_types_carry_russian_titles_and_weights(client, as_):
    school = uuid4()
    response = await client.get(f"/schools/{school}/work-types", headers=as_(person(school, "teacher")))
    kinds = {w["code"]: w for w in response.json()}
    assert kinds["test"] == {"code": "test", "title": "Контрольная работа", "weight": 2.0, "pass_fail": False}
    assert kinds["credit"]["pass_fail"] is True
    other = await client.get(f"/schools/{school}/work-types", headers=as_(person(uuid4(), "teacher")))
    refused(other, 404)


async def test_the_teacher_records_and_edits_a_lesson(client, as_, make_journal, outbox_events, today):
    journal = await make_journal()
    created = await record_lesson(client, as_, journal, today, homework="№ 12, 14")
    assert created.status_code == 201, created.text
    lesson = created.json()
    assert lesson["topic"] == "Дроби" and lesson["homework"] == "№ 12, 14" and lesson["version"] == 1

    edited = await client.patch(
        f"/schools/{journal.school_id}/lessons/{lesson['id']}",
        json={"topic": "Сложение дробей", "homework": None},
        headers=as_(journal.teacher),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and edited.json()["homework"] is None

    recorded = [e for e in await outbox_events(journal.school_id) if e["type"] == "gradebook.lesson.recorded.v1"]
    assert [e["data"]["version"] for e in recorded] == [1, 2]
    assert recorded[1]["subject"] == lesson["id"]
    assert recorded[1]["data"] | {"lesson_id": None} == {
        "lesson_id": None,
        "version": 2,
        "assignment_id": str(journal.course_id),
        "class_id": str(journal.class_id),
        "subject_id": str(journal.subject_id),
        "subject_name": "Математика",
        "teacher_id": str(journal.teacher.person_id),
        "date": today.isoformat(),
        "topic": "Сложение дробей",
        "homework": None,
        "scheduled_lesson_id": None,
        "number": None,
        "substitute_teacher_id": None,
    }
    listed = await client.get(
        f"/schools/{journal.school_id}/courses/{journal.course_id}/lessons",
        params={"start": today.isoformat(), "end": today.isoformat()},
        headers=as_(person(journal.school_id, "director")),
    )
    assert [(lsn["topic"], lsn["version"]) for lsn in listed.json()] == [("Сложение дробей", 2)]


async def test_homework_may_be_posted_on_a_future_lesson_but_no_mark(client, as_, make_journal, today):
    journal = await make_journal()
    tomorrow = today + timedelta(days=1)
    refused(await record_lesson(client, as_, journal, tomorrow), 422)
    lesson = (await record_lesson(client, as_, journal, tomorrow, homework="Параграф 5")).json()
    mark = await client.post(
        f"/schools/{journal.school_id}/lessons/{lesson['id']}/marks",
        json={"student_id": str(journal.students[0]), "value": "5", "work_type": "answer"},
        headers=as_(journal.teacher),
    )
    refused(mark, 422)
    assert "ещё не прошёл" in mark.json()["detail"]


async def test_only_the_assigned_teacher_writes(client, as_, make_journal, outbox_events, today):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today)).json()
    before = await outbox_events(school)
    body = {"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Чужой урок"}
    mark = {"student_id": str(journal.students[0]), "value": "5", "work_type": "answer"}
    for caller, status in [
        (person(school, "teacher"), 403),
        (person(school, "guardian"), 403),
        (person(school, "director"), 403),
        (person(uuid4(), "teacher"), 404),
    ]:
        assert (await client.post(f"/schools/{school}/lessons", json=body, headers=as_(caller))).status_code == status
        posted = await client.post(f"/schools/{school}/lessons/{lesson['id']}/marks", json=mark, headers=as_(caller))
        assert posted.status_code == status
        patched = await client.patch(
            f"/schools/{school}/lessons/{lesson['id']}", json={"topic": "Иначе"}, headers=as_(caller)
        )
        assert patched.status_code == status
    assert await outbox_events(school) == before
    lessons = (
        await client.get(f"/schools/{school}/courses/{journal.course_id}/lessons", headers=as_(journal.teacher))
    ).json()
    assert [(lsn["topic"], lsn["marks"]) for lsn in lessons] == [("Дроби", [])]


async def test_a_mark_is_posted_with_its_weight_and_counted(client, as_, make_journal, outbox_events, today):
    journal = await make_journal()
    school = journal.school_id
    anna, boris = journal.students
    lesson = (await record_lesson(client, as_, journal, today - timedelta(days=1))).json()
    url = f"/schools/{school}/lessons/{lesson['id']}/marks"
    posted = await client.post(
        url, json={"student_id": str(anna), "value": "5", "work_type": "test"}, headers=as_(journal.teacher)
    )
    assert posted.status_code == 201, posted.text
    assert posted.json() | {"id": None} == {
        "id": None,
        "lesson_id": lesson["id"],
        "student_id": str(anna),
        "value": "5",
        "work_type": "test",
        "weight": 2.0,
    }
    for value, kind in [("3", "answer"), ("зач", "credit")]:
        response = await client.post(
            url, json={"student_id": str(anna), "value": value, "work_type": kind}, headers=as_(journal.teacher)
        )
        assert response.status_code == 201, response.text

    event = next(e for e in await outbox_events(school) if e["type"] == "gradebook.mark.posted.v1")
    assert event["subject"] == posted.json()["id"]
    assert event["data"]["class_id"] == str(journal.class_id)
    assert event["data"]["teacher_id"] == str(journal.teacher.person_id)
    assert (event["data"]["value"], event["data"]["weight"], event["data"]["date"]) == (
        "5",
        2.0,
        lesson["date"],
    )
    # The consumers show the work type by the name gradebook's table gives it.
    assert (event["data"]["work_type"], event["data"]["work_type_title"]) == ("test", "Контрольная работа")

    lessons = (
        await client.get(f"/schools/{school}/courses/{journal.course_id}/lessons", headers=as_(journal.teacher))
    ).json()
    assert sorted(m["value"] for m in lessons[0]["marks"]) == ["3", "5", "зач"]
    averages = (
        await client.get(f"/schools/{school}/courses/{journal.course_id}/averages", headers=as_(journal.teacher))
    ).json()
    # (5·2 + 3·1) / 3; the credit is left out.
    assert averages[0] | {"student_id": None} == {
        "student_id": None,
        "name": "Абрамова Анна",
        "marks": 3,
        "average": 4.0,
        "weighted_average": 4.33,
    }
    assert averages[1]["student_id"] == str(boris) and averages[1]["average"] is None


async def test_bad_input_gets_problems_and_writes_nothing(client, as_, make_journal, outbox_events, today):
    journal = await make_journal()
    school, teacher = journal.school_id, journal.teacher
    lesson = (await record_lesson(client, as_, journal, today)).json()
    marks_url = f"/schools/{school}/lessons/{lesson['id']}/marks"
    anna = str(journal.students[0])
    before = await outbox_events(school)

    malformed = await client.post(
        f"/schools/{school}/lessons",
        content=b'{"course_id": ',
        headers={**as_(teacher), "content-type": "application/json"},
    )
    assert malformed.status_code == 400 and malformed.json()["title"] == "Некорректный JSON"

    cases = [
        (
            "post",
            f"/schools/{school}/lessons",
            {"course_id": str(uuid4()), "date": today.isoformat(), "topic": "Т"},
            404,
        ),
        (
            "post",
            f"/schools/{school}/lessons",
            {"course_id": str(journal.course_id), "date": "вчера", "topic": "Т"},
            422,
        ),
        (
            "post",
            f"/schools/{school}/lessons",
            {"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "   "},
            422,
        ),
        (
            "post",
            f"/schools/{school}/lessons",
            {"course_id": str(journal.course_id), "date": (today - timedelta(days=15)).isoformat(), "topic": "Т"},
            422,
        ),
        (
            "post",
            f"/schools/{school}/lessons/{uuid4()}/marks",
            {"student_id": anna, "value": "5", "work_type": "answer"},
            404,
        ),
        ("post", marks_url, {"student_id": anna, "value": "6", "work_type": "answer"}, 422),
        ("post", marks_url, {"student_id": anna, "value": 5, "work_type": "answer"}, 422),
        ("post", marks_url, {"student_id": anna, "value": "зач", "work_type": "answer"}, 422),
        ("post", marks_url, {"student_id": anna, "value": "5", "work_type": "essay"}, 422),
        ("post", marks_url, {"student_id": "not-a-uuid", "value": "5", "work_type": "answer"}, 422),
        ("post", marks_url, {"student_id": str(uuid4()), "value": "5", "work_type": "answer"}, 422),
        ("patch", f"/schools/{school}/lessons/{lesson['id']}", {"topic": None}, 422),
        ("patch", f"/schools/{school}/lessons/{lesson['id']}", {}, 422),
        ("patch", f"/schools/{school}/marks/{uuid4()}", {"value": "4"}, 404),
    ]
    for method, url, body, status in cases:
        response = await client.request(method, url, json=body, headers=as_(teacher))
        assert response.status_code == status, (url, body, response.text)
        assert response.headers["content-type"] == "application/problem+json"

    stranger = await client.post(
        marks_url, json={"student_id": str(uuid4()), "value": "5", "work_type": "answer"}, headers=as_(teacher)
    )
    assert "не числится в классе 5А" in stranger.json()["detail"]
    assert await outbox_events(school) == before
    lessons = (await client.get(f"/schools/{school}/courses/{journal.course_id}/lessons", headers=as_(teacher))).json()
    assert [(lsn["topic"], lsn["version"], lsn["marks"]) for lsn in lessons] == [("Дроби", 1, [])]


async def test_a_second_mark_of_the_same_work_type_is_a_conflict(client, as_, make_journal, today):
    journal = await make_journal()
    lesson = (await record_lesson(client, as_, journal, today)).json()
    url = f"/schools/{journal.school_id}/lessons/{lesson['id']}/marks"
    body = {"student_id": str(journal.students[0]), "value": "4", "work_type": "answer"}
    assert (await client.post(url, json=body, headers=as_(journal.teacher))).status_code == 201
    again = await client.post(url, json={**body, "value": "5"}, headers=as_(journal.teacher))
    refused(again, 409)


async def test_no_marks_in_the_first_grade(client, as_, make_journal, today):
    journal = await make_journal(grade=1)
    lesson = (await record_lesson(client, as_, journal, today)).json()
    response = await client.post(
        f"/schools/{journal.school_id}/lessons/{lesson['id']}/marks",
        json={"student_id": str(journal.students[0]), "value": "5", "work_type": "answer"},
        headers=as_(journal.teacher),
    )
    refused(response, 422)
    assert "первом классе" in response.json()["detail"]


async def test_a_changed_mark_is_logged_and_announced(client, as_, make_journal, outbox_events, today):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today)).json()
    mark = (
        await client.post(
            f"/schools/{school}/lessons/{lesson['id']}/marks",
            json={"student_id": str(journal.students[1]), "value": "3", "work_type": "dictation"},
            headers=as_(journal.teacher),
        )
    ).json()

    other_teacher = person(school, "teacher")
    refusal = await client.patch(
        f"/schools/{school}/marks/{mark['id']}", json={"value": "5"}, headers=as_(other_teacher)
    )
    refused(refusal, 403)
    bad = await client.patch(
        f"/schools/{school}/marks/{mark['id']}", json={"value": "10"}, headers=as_(journal.teacher)
    )
    refused(bad, 422)

    changed = await client.patch(
        f"/schools/{school}/marks/{mark['id']}", json={"value": "4"}, headers=as_(journal.teacher)
    )
    assert changed.status_code == 200 and changed.json()["value"] == "4"

    history_url = f"/schools/{school}/marks/{mark['id']}/history"
    history = (await client.get(history_url, headers=as_(person(school, "school_admin")))).json()
    assert [(h["old_value"], h["new_value"], h["changed_by"], h["changed_by_name"]) for h in history] == [
        ("3", "4", str(journal.teacher.person_id), "Иванова Мария")
    ]
    assert (await client.get(history_url, headers=as_(journal.teacher))).status_code == 200
    refused(await client.get(history_url, headers=as_(other_teacher)), 403)
    refused(await client.get(history_url, headers=as_(person(school, "guardian"))), 403)

    event = next(e for e in await outbox_events(school) if e["type"] == "gradebook.mark.changed.v1")
    assert event["subject"] == mark["id"]
    fields = ("value", "old_value", "version", "weight", "work_type", "work_type_title", "changed_by")
    assert {k: event["data"][k] for k in fields} == {
        "value": "4",
        "old_value": "3",
        "version": 2,
        "weight": 2.0,
        "work_type": "dictation",
        "work_type_title": "Диктант",
        "changed_by": str(journal.teacher.person_id),
    }
