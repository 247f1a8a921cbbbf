"""Correcting the journal over HTTP (R-24, R-25): every correction inside the window, logged and announced;
every refusal in Russian with nothing written."""

from datetime import time, timedelta
from uuid import uuid4

from chassis.testing import eventually, person, publish_event, refused
from contracts.roster import TimetableLessonScheduled


async def record_lesson(client, as_, journal, day, topic="Дроби"):
    body = {"course_id": str(journal.course_id), "date": day.isoformat(), "topic": topic}
    return await client.post(f"/schools/{journal.school_id}/lessons", json=body, headers=as_(journal.teacher))


async def record_timetable_lesson(settings, client, as_, journal, day):
    """A timetable lesson announced by roster and recorded by its teacher."""
    scheduled_id = uuid4()
    event = TimetableLessonScheduled(
        lesson_id=scheduled_id,
        version=1,
        date=day,
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
    await publish_event(settings, event, school_id=journal.school_id)
    body = {"course_id": str(journal.course_id), "scheduled_lesson_id": str(scheduled_id), "topic": "Дроби"}

    async def recorded():
        response = await client.post(f"/schools/{journal.school_id}/lessons", json=body, headers=as_(journal.teacher))
        return response.json() if response.status_code == 201 else None

    return await eventually(recorded)


async def post_mark(client, as_, journal, lesson_id, student, value="5", work_type="answer"):
    response = await client.post(
        f"/schools/{journal.school_id}/lessons/{lesson_id}/marks",
        json={"student_id": str(student), "value": value, "work_type": work_type},
        headers=as_(journal.teacher),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def delete_mark(client, as_, journal, mark_id, reason, caller=None):
    return await client.request(
        "DELETE",
        f"/schools/{journal.school_id}/marks/{mark_id}",
        json={"reason": reason},
        headers=as_(caller or journal.teacher),
    )


def of_type(events, kind):
    return [e for e in events if e["type"] == kind]


async def correction_log(client, as_, school):
    response = await client.get(f"/schools/{school}/corrections", headers=as_(person(school, "school_admin")))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_deleted_mark_is_gone_logged_with_its_reason_and_announced(
    client, as_, make_journal, outbox_events, today
):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today)).json()
    mark = await post_mark(client, as_, journal, lesson["id"], journal.students[0], "2", "test")
    before = await outbox_events(school)

    refused(await delete_mark(client, as_, journal, mark["id"], reason=""), 422, "Укажите причину удаления отметки")
    refused(await delete_mark(client, as_, journal, mark["id"], "ошибка", person(school, "teacher")), 403)
    assert await outbox_events(school) == before

    deleted = await delete_mark(client, as_, journal, mark["id"], "поставлена не тому ученику")
    assert deleted.status_code == 204, deleted.text
    lessons = await client.get(f"/schools/{school}/courses/{journal.course_id}/lessons", headers=as_(journal.teacher))
    assert lessons.json()[0]["marks"] == []
    refused(await delete_mark(client, as_, journal, mark["id"], "ещё раз"), 404, "Отметка не найдена.")

    log = await correction_log(client, as_, school)
    assert [
        (r["action"], r["mark_id"], r["old_value"], r["new_value"], r["reason"], r["changed_by_name"]) for r in log
    ] == [("mark_deleted", mark["id"], "2", "", "поставлена не тому ученику", "Иванова Мария")]
    [event] = of_type(await outbox_events(school), "gradebook.mark.deleted.v1")
    assert event["subject"] == mark["id"]
    data = event["data"]
    assert (data["version"], data["value"], data["work_type_title"], data["reason"], data["lesson_deleted"]) == (
        2,
        "2",
        "Контрольная работа",
        "поставлена не тому ученику",
        False,
    )
    assert data["student_id"] == str(journal.students[0]) and data["date"] == today.isoformat()


async def test_a_delete_outside_the_edit_window_is_refused_and_nothing_changes(
    client, as_, make_journal, outbox_events, today, move_today
):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today)).json()
    mark = await post_mark(client, as_, journal, lesson["id"], journal.students[1])
    before = await outbox_events(school)

    move_today(today + timedelta(days=15))
    refusal = await delete_mark(client, as_, journal, mark["id"], "ошибка ввода")
    refused(refusal, 422, f"Окно редактирования закрыто: запись урока {today:%d.%m.%Y}")
    retyped = await client.patch(
        f"/schools/{school}/marks/{mark['id']}/work-type", json={"work_type": "test"}, headers=as_(journal.teacher)
    )
    refused(retyped, 422, "Окно редактирования закрыто")
    assert await outbox_events(school) == before
    assert await correction_log(client, as_, school) == []
    move_today(today + timedelta(days=14))
    assert (await delete_mark(client, as_, journal, mark["id"], "ошибка ввода")).status_code == 204


async def test_a_marks_work_type_changes_with_its_weight_and_is_logged(client, as_, make_journal, outbox_events, today):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today)).json()
    mark = await post_mark(client, as_, journal, lesson["id"], journal.students[0], "4", "answer")
    other = await post_mark(client, as_, journal, lesson["id"], journal.students[0], "3", "homework")
    url = f"/schools/{school}/marks/{mark['id']}/work-type"

    refused(
        await client.patch(url, json={"work_type": "essay"}, headers=as_(journal.teacher)),
        422,
        "Неизвестный вид работы «essay»",
    )
    refused(
        await client.patch(url, json={"work_type": "credit"}, headers=as_(journal.teacher)), 422, "нельзя перевести"
    )
    refused(
        await client.patch(url, json={"work_type": "homework"}, headers=as_(journal.teacher)),
        409,
        "уже есть отметка за «Домашняя работа»",
    )

    changed = await client.patch(url, json={"work_type": "test"}, headers=as_(journal.teacher))
    assert changed.status_code == 200, changed.text
    assert (changed.json()["work_type"], changed.json()["weight"], changed.json()["value"]) == ("test", 2.0, "4")
    history = (await client.get(f"/schools/{school}/marks/{mark['id']}/history", headers=as_(journal.teacher))).json()
    assert [(h["action"], h["old_value"], h["new_value"]) for h in history] == [("work_type", "answer", "test")]
    [event] = of_type(await outbox_events(school), "gradebook.mark.changed.v1")
    assert {k: event["data"][k] for k in ("version", "work_type", "weight", "correction", "old_work_type")} == {
        "version": 2,
        "work_type": "test",
        "weight": 2.0,
        "correction": "work_type",
        "old_work_type": "answer",
    }
    assert other["work_type"] == "homework"


async def test_an_unscheduled_lesson_moves_with_its_marks(client, as_, make_journal, outbox_events, today):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today - timedelta(days=1))).json()
    mark = await post_mark(client, as_, journal, lesson["id"], journal.students[0])
    url = f"/schools/{school}/lessons/{lesson['id']}/move"

    refused(
        await client.post(url, json={"date": today.isoformat()}, headers=as_(journal.teacher)),
        422,
        "Укажите причину переноса урока",
    )
    future = {"date": (today + timedelta(days=1)).isoformat(), "reason": "перепутал день"}
    refused(await client.post(url, json=future, headers=as_(journal.teacher)), 422, "ещё не наступил")
    old = {"date": (today - timedelta(days=20)).isoformat(), "reason": "перепутал день"}
    refused(await client.post(url, json=old, headers=as_(journal.teacher)), 422, "Окно редактирования закрыто")

    two_days_ago = today - timedelta(days=2)
    moved = await client.post(
        url, json={"date": two_days_ago.isoformat(), "reason": "перепутал день"}, headers=as_(journal.teacher)
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["date"], moved.json()["version"]) == (two_days_ago.isoformat(), 2)

    events = await outbox_events(school)
    recorded = of_type(events, "gradebook.lesson.recorded.v1")[-1]["data"]
    assert (recorded["date"], recorded["version"]) == (two_days_ago.isoformat(), 2)
    [changed] = of_type(events, "gradebook.mark.changed.v1")
    assert {k: changed["data"][k] for k in ("mark_id", "date", "version", "value", "correction")} == {
        "mark_id": mark["id"],
        "date": two_days_ago.isoformat(),
        "version": 2,
        "value": "5",
        "correction": "moved",
    }
    log = await correction_log(client, as_, school)
    day = f"{today - timedelta(days=1):%d.%m.%Y}"
    assert sorted((r["action"], str(r["mark_id"]), r["old_value"], r["reason"]) for r in log) == sorted(
        [("lesson_moved", "None", day, "перепутал день"), ("lesson_moved", mark["id"], day, "перепутал день")]
    )


async def test_an_unscheduled_lesson_is_deleted_with_its_marks(client, as_, make_journal, outbox_events, today):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today)).json()
    marks = [await post_mark(client, as_, journal, lesson["id"], student) for student in journal.students]
    url = f"/schools/{school}/lessons/{lesson['id']}"

    refused(
        await client.request("DELETE", url, json={}, headers=as_(journal.teacher)),
        422,
        "Укажите причину удаления урока",
    )
    deleted = await client.request("DELETE", url, json={"reason": "урок записан дважды"}, headers=as_(journal.teacher))
    assert deleted.status_code == 204, deleted.text
    lessons = await client.get(f"/schools/{school}/courses/{journal.course_id}/lessons", headers=as_(journal.teacher))
    assert lessons.json() == []

    events = await outbox_events(school)
    gone = of_type(events, "gradebook.mark.deleted.v1")
    assert sorted(e["subject"] for e in gone) == sorted(m["id"] for m in marks)
    assert all(e["data"]["lesson_deleted"] for e in gone)
    [lesson_gone] = of_type(events, "gradebook.lesson.deleted.v1")
    assert (lesson_gone["data"]["version"], lesson_gone["data"]["reason"]) == (2, "урок записан дважды")
    # The lesson's event comes after its marks': a consumer that sees the lesson gone has seen its marks go.
    assert events.index(lesson_gone) > max(events.index(e) for e in gone)
    log = await correction_log(client, as_, school)
    assert sorted(r["action"] for r in log) == ["lesson_deleted", "mark_deleted", "mark_deleted"]


async def test_a_timetable_lesson_is_neither_moved_nor_deleted_by_the_journal(
    settings, client, as_, make_journal, outbox_events, today
):
    journal = await make_journal()
    school = journal.school_id
    lesson = await record_timetable_lesson(settings, client, as_, journal, today)
    before = await outbox_events(school)

    move = {"date": (today - timedelta(days=1)).isoformat(), "reason": "перепутал день"}
    refusal = await client.post(
        f"/schools/{school}/lessons/{lesson['id']}/move", json=move, headers=as_(journal.teacher)
    )
    refused(refusal, 409, "Урок по расписанию переносит только расписание")
    removal = await client.request(
        "DELETE", f"/schools/{school}/lessons/{lesson['id']}", json={"reason": "ошибка"}, headers=as_(journal.teacher)
    )
    refused(removal, 409, "Урок по расписанию удалить из журнала нельзя")
    assert await outbox_events(school) == before
    assert await correction_log(client, as_, school) == []


async def test_only_the_administration_reads_the_correction_log(client, as_, make_journal):
    journal = await make_journal()
    school = journal.school_id
    for caller in (journal.teacher, person(school, "guardian"), person(school, "class_teacher")):
        refused(await client.get(f"/schools/{school}/corrections", headers=as_(caller)), 403, "администрации школы")
    for caller in (person(school, "director"), person(school, "deputy")):
        assert (await client.get(f"/schools/{school}/corrections", headers=as_(caller))).status_code == 200
