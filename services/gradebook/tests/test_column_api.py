"""Column mode: a whole lesson column of one work type in one request, saved whole or not at all."""

from datetime import timedelta
from uuid import uuid4

from chassis.clock import Clock
from chassis.testing import TEST_NOW, person, refused

from .test_gradebook_api import record_lesson


async def test_a_column_posts_new_marks_and_changes_old_ones_with_an_event_each(
    client, as_, make_journal, outbox_events, today
):
    journal = await make_journal()
    anna, boris = journal.students
    lesson = (await record_lesson(client, as_, journal, today - timedelta(days=1))).json()
    url = f"/schools/{journal.school_id}/lessons/{lesson['id']}/marks"
    first = await client.put(
        url,
        json={"work_type": "test", "marks": [{"student_id": str(anna), "value": "5"}]},
        headers=as_(journal.teacher),
    )
    assert first.status_code == 200, first.text
    assert [(m["value"], m["weight"]) for m in first.json()] == [("5", 2.0)]

    column = {
        "work_type": "test",
        "marks": [{"student_id": str(anna), "value": "4"}, {"student_id": str(boris), "value": "3"}],
    }
    second = await client.put(url, json=column, headers=as_(journal.teacher))
    assert second.status_code == 200, second.text
    assert sorted((m["student_id"], m["value"]) for m in second.json()) == sorted([(str(anna), "4"), (str(boris), "3")])
    # The same column again changes nothing and announces nothing.
    assert (await client.put(url, json=column, headers=as_(journal.teacher))).status_code == 200

    events = await outbox_events(journal.school_id)
    marks = [(e["type"], e["data"]["student_id"], e["data"]["value"]) for e in events if ".mark." in e["type"]]
    assert marks == [
        ("gradebook.mark.posted.v1", str(anna), "5"),
        ("gradebook.mark.changed.v1", str(anna), "4"),
        ("gradebook.mark.posted.v1", str(boris), "3"),
    ]
    anna_mark = next(m for m in second.json() if m["student_id"] == str(anna))
    history = await client.get(
        f"/schools/{journal.school_id}/marks/{anna_mark['id']}/history", headers=as_(journal.teacher)
    )
    assert [(h["old_value"], h["new_value"]) for h in history.json()] == [("5", "4")]


async def test_a_column_with_a_bad_row_saves_nothing_and_names_every_bad_row(
    client, as_, make_journal, outbox_events, today
):
    journal = await make_journal()
    anna, boris = journal.students
    stranger = uuid4()
    lesson = (await record_lesson(client, as_, journal, today)).json()
    before = len(await outbox_events(journal.school_id))
    response = await client.put(
        f"/schools/{journal.school_id}/lessons/{lesson['id']}/marks",
        json={
            "work_type": "answer",
            "marks": [
                {"student_id": str(anna), "value": "5"},
                {"student_id": str(boris), "value": "7"},
                {"student_id": str(stranger), "value": "4"},
                {"student_id": str(anna), "value": "3"},
            ],
        },
        headers=as_(journal.teacher),
    )
    refused(response, 422)
    problem = response.json()
    assert problem["type"].endswith("/invalid")
    assert problem["detail"] == "Столбец не сохранён: исправьте отмеченные строки."
    assert [(e["row"], e["student_id"]) for e in problem["errors"]] == [
        (1, str(boris)),
        (2, str(stranger)),
        (3, str(anna)),
    ]
    assert "пятибалльной" in problem["errors"][0]["detail"]
    assert "не числится в классе 5А" in problem["errors"][1]["detail"]
    assert "дважды" in problem["errors"][2]["detail"]
    assert len(await outbox_events(journal.school_id)) == before
    lessons = await client.get(
        f"/schools/{journal.school_id}/courses/{journal.course_id}/lessons", headers=as_(journal.teacher)
    )
    assert [lesson["marks"] for lesson in lessons.json()] == [[]]


async def test_only_the_courses_teacher_saves_a_column_and_only_inside_the_window(
    client, app, as_, make_journal, today
):
    journal = await make_journal()
    anna, _ = journal.students
    lesson = (await record_lesson(client, as_, journal, today)).json()
    url = f"/schools/{journal.school_id}/lessons/{lesson['id']}/marks"
    body = {"work_type": "answer", "marks": [{"student_id": str(anna), "value": "5"}]}
    other = await client.put(url, json=body, headers=as_(person(journal.school_id, "teacher")))
    refused(other, 403)
    assert "только его учитель" in other.json()["detail"]
    unknown_kind = await client.put(url, json={**body, "work_type": "essay"}, headers=as_(journal.teacher))
    refused(unknown_kind, 422)
    assert "Неизвестный вид работы" in unknown_kind.json()["detail"]
    empty = await client.put(url, json={"work_type": "answer", "marks": []}, headers=as_(journal.teacher))
    refused(empty, 422)

    # Fifteen days later the default two-week window has closed on this lesson.
    real_clock = app.state.clock
    app.state.clock = Clock.starting_at(TEST_NOW + timedelta(days=15))
    try:
        closed = await client.put(url, json=body, headers=as_(journal.teacher))
    finally:
        app.state.clock = real_clock
    refused(closed, 422)
    assert "Окно редактирования закрыто" in closed.json()["detail"]


async def test_a_column_of_no_lesson_is_not_found_after_its_work_type_is_checked(client, as_, make_journal):
    journal = await make_journal()
    anna, _ = journal.students
    url = f"/schools/{journal.school_id}/lessons/{uuid4()}/marks"
    body = {"work_type": "answer", "marks": [{"student_id": str(anna), "value": "5"}]}
    missing = await client.put(url, json=body, headers=as_(journal.teacher))
    refused(missing, 404)
    assert missing.json()["detail"] == "Урок не найден."
    unknown_kind = await client.put(url, json={**body, "work_type": "essay"}, headers=as_(journal.teacher))
    refused(unknown_kind, 422)
    assert "Неизвестный вид работы" in unknown_kind.json()["detail"]
