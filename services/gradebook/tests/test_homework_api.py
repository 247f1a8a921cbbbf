"""Homework over HTTP (R-21): general or individual, and flagged when posted after the school's deadline."""

from datetime import time, timedelta
from uuid import uuid4

from chassis.testing import eventually, person, publish_event, refused
from contracts.roster import TimetableLessonScheduled


async def lesson_of(client, as_, journal, day):
    body = {"course_id": str(journal.course_id), "date": day.isoformat(), "topic": "Дроби", "reason": "доп. занятие"}
    response = await client.post(f"/schools/{journal.school_id}/lessons", json=body, headers=as_(journal.teacher))
    assert response.status_code == 201, response.text
    return response.json()


async def test_homework_general_or_individual_and_on_time_without_a_timetable(
    client, as_, make_journal, outbox_events, today
):
    journal = await make_journal()
    school = journal.school_id
    lesson = await lesson_of(client, as_, journal, today)
    url = f"/schools/{school}/lessons/{lesson['id']}/homework"
    tomorrow = (today + timedelta(days=1)).isoformat()
    before = await outbox_events(school)

    refused(
        await client.post(url, json={"due_on": tomorrow}, headers=as_(journal.teacher)), 422, "Домашнее задание пустое"
    )
    same_day = {"text": "№ 5", "due_on": today.isoformat()}
    refused(await client.post(url, json=same_day, headers=as_(journal.teacher)), 422, "сдаётся на одном из следующих")
    stranger = {"text": "№ 5", "due_on": tomorrow, "student_ids": [str(uuid4())]}
    refused(await client.post(url, json=stranger, headers=as_(journal.teacher)), 422, "только обучающимся класса 5А")
    refused(
        await client.post(url, json={"text": "№ 5", "due_on": tomorrow}, headers=as_(person(school, "teacher"))), 403
    )
    assert await outbox_events(school) == before

    general = await client.post(
        url,
        json={
            "text": "Правило",
            "pages": "с. 40",
            "exercises": "№ 101",
            "links": ["https://resh.edu.ru/"],
            "due_on": tomorrow,
        },
        headers=as_(journal.teacher),
    )
    assert general.status_code == 201, general.text
    assert (general.json()["posted_late"], general.json()["student_ids"]) == (False, [])
    boris = str(journal.students[1])
    individual = await client.post(
        url,
        json={"text": "Работа над ошибками", "due_on": tomorrow, "student_ids": [boris]},
        headers=as_(journal.teacher),
    )
    assert individual.json()["student_ids"] == [boris]

    listed = await client.get(f"/schools/{school}/courses/{journal.course_id}/homework", headers=as_(journal.teacher))
    assert [h["text"] for h in listed.json()] == ["Правило", "Работа над ошибками"]
    events = [e for e in await outbox_events(school) if e["type"] == "gradebook.homework.assigned.v1"]
    assert [(e["data"]["pages"], e["data"]["student_ids"], e["data"]["due_on"]) for e in events] == [
        ("с. 40", [], tomorrow),
        (None, [boris], tomorrow),
    ]


async def test_homework_after_the_schools_hours_past_the_last_lesson_is_flagged_late(
    settings, client, as_, make_journal, today
):
    journal = await make_journal()
    school = journal.school_id
    # The class's last lesson today ends at 09:15; it is noon now: past 2 hours, within 3.
    timetable = TimetableLessonScheduled(
        lesson_id=uuid4(),
        version=1,
        date=today,
        number=1,
        starts=time(8, 30),
        ends=time(9, 15),
        assignment_id=journal.course_id,
        class_id=journal.class_id,
        class_name="5А",
        subject_id=journal.subject_id,
        subject_name="Математика",
        teacher_id=journal.teacher.person_id,
    )
    await publish_event(settings, timetable, school_id=school)
    journal_url = f"/schools/{school}/courses/{journal.course_id}/journal"
    params = {"start": today.isoformat(), "end": today.isoformat()}

    async def scheduled():
        return (await client.get(journal_url, params=params, headers=as_(journal.teacher))).json()

    await eventually(scheduled)
    lesson = await lesson_of(client, as_, journal, today)
    url = f"/schools/{school}/lessons/{lesson['id']}/homework"
    body = {"text": "№ 7", "due_on": (today + timedelta(days=2)).isoformat()}
    late = await client.post(url, json=body, headers=as_(journal.teacher))
    assert late.json()["posted_late"] is True
    deputy = person(school, "deputy")
    assert [h["id"] for h in (await client.get(f"/schools/{school}/homework/late", headers=as_(deputy))).json()] == [
        late.json()["id"]
    ]
    refused(await client.get(f"/schools/{school}/homework/late", headers=as_(journal.teacher)), 403)

    admin = person(school, "school_admin")
    deadline_url = f"/schools/{school}/policy/homework-deadline"
    refused(await client.put(deadline_url, json={"hours": 8}, headers=as_(admin)), 422, "1, 2, 3, 4 ч")
    refused(await client.put(deadline_url, json={"hours": 3}, headers=as_(journal.teacher)), 403)
    assert (await client.put(deadline_url, json={"hours": 3}, headers=as_(admin))).status_code == 200
    on_time = await client.post(url, json=body, headers=as_(journal.teacher))
    assert on_time.json()["posted_late"] is False
    assert (await client.get(f"/schools/{school}/policy", headers=as_(admin))).json()["edit_window"] == "14d"
