"""Undoing a compromised account's marks over HTTP (R-3): only with the gateway's grant, past the edit window,
through the corrections' log (R-25) and events; a second run writes nothing."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from chassis.auth import REVERT_REASON, Reverting
from chassis.testing import person, refused

from .test_corrections_api import correction_log, of_type, post_mark, record_lesson


async def test_the_administrator_undoes_the_accounts_marks_past_the_window_once(
    client, as_, make_journal, outbox_events, today, move_today
):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today)).json()
    kept = await post_mark(client, as_, journal, lesson["id"], journal.students[1], "5")
    await asyncio.sleep(0.01)
    since = datetime.now(UTC)
    posted = await post_mark(client, as_, journal, lesson["id"], journal.students[0], "2")
    changed = await client.patch(
        f"/schools/{school}/marks/{kept['id']}", json={"value": "2"}, headers=as_(journal.teacher)
    )
    assert changed.status_code == 200, changed.text
    admin = person(school, "school_admin", name="Кузнецова Ольга")
    grant = dataclasses.replace(admin, reverting=Reverting(journal.teacher.person_id, since))
    url = f"/schools/{school}/compromise-reverts"
    body = {"lesson_id": lesson["id"]}
    move_today(today + timedelta(days=30))
    before = await outbox_events(school)

    refused(await client.post(url, json=body, headers=as_(admin)), 403, "администратор школы из списка")
    teacher_grant = dataclasses.replace(journal.teacher, reverting=grant.reverting)
    refused(await client.post(url, json=body, headers=as_(teacher_grant)), 403)
    refused(await client.post(url, json={}, headers=as_(grant)), 422, "Укажите урок или отметку")
    assert await outbox_events(school) == before

    reverted = await client.post(url, json=body, headers=as_(grant))
    assert reverted.status_code == 200, reverted.text
    assert sorted((m["id"], m["outcome"]) for m in reverted.json()) == sorted(
        [(posted["id"], "reverted"), (kept["id"], "reverted")]
    )
    lessons = await client.get(f"/schools/{school}/courses/{journal.course_id}/lessons", headers=as_(admin))
    assert [(m["id"], m["value"]) for m in lessons.json()[0]["marks"]] == [(kept["id"], "5")]
    log = await correction_log(client, as_, school)
    assert sorted((r["action"], r["old_value"], r["new_value"], r["reason"], r["changed_by_name"]) for r in log) == [
        ("mark_deleted", "2", "", REVERT_REASON, "Кузнецова Ольга"),
        ("value", "2", "5", REVERT_REASON, "Кузнецова Ольга"),
        ("value", "5", "2", None, "Иванова Мария"),
    ]
    events = await outbox_events(school)
    assert len(of_type(events, "gradebook.mark.deleted.v1")) == 1
    assert [e["data"]["value"] for e in of_type(events, "gradebook.mark.changed.v1")] == ["2", "5"]

    again = await client.post(url, json=body, headers=as_(grant))
    assert [(m["id"], m["outcome"]) for m in again.json()] == [(kept["id"], "already_reverted")]
    by_mark = await client.post(url, json={"mark_id": posted["id"]}, headers=as_(grant))
    refused(by_mark, 404, "Отметки больше нет в журнале.")
    assert await outbox_events(school) == events


async def test_the_administrator_gives_a_lesson_back_its_topic_and_homework_from_before_the_accounts_edits(
    client, as_, make_journal, outbox_events, today, move_today
):
    journal = await make_journal()
    school = journal.school_id
    lesson = (await record_lesson(client, as_, journal, today)).json()
    await asyncio.sleep(0.01)
    since = datetime.now(UTC)
    edit_url = f"/schools/{school}/lessons/{lesson['id']}"
    for body in ({"topic": "Чужая тема", "homework": "Чужое задание"}, {"topic": "Ещё одна чужая тема"}):
        edited = await client.patch(edit_url, json=body, headers=as_(journal.teacher))
        assert edited.status_code == 200, edited.text
    admin = person(school, "school_admin", name="Кузнецова Ольга")
    grant = dataclasses.replace(admin, reverting=Reverting(journal.teacher.person_id, since))
    url = f"/schools/{school}/compromise-reverts"
    move_today(today + timedelta(days=30))
    before = await outbox_events(school)
    both = {"lesson_id": lesson["id"], "edited_lesson_id": lesson["id"]}
    refused(await client.post(url, json=both, headers=as_(grant)), 422, "Укажите урок или отметку")
    refused(await client.post(url, json={"edited_lesson_id": lesson["id"]}, headers=as_(admin)), 403)
    assert await outbox_events(school) == before

    reverted = await client.post(url, json={"edited_lesson_id": lesson["id"]}, headers=as_(grant))
    assert reverted.status_code == 200, reverted.text
    assert [(r["id"], r["outcome"], r["detail"]) for r in reverted.json()] == [
        (lesson["id"], "reverted", "Тема урока снова «Дроби»."),
        (lesson["id"], "reverted", "Домашнее задание снято: до изменений его не было."),
    ]
    lessons = await client.get(f"/schools/{school}/courses/{journal.course_id}/lessons", headers=as_(admin))
    assert [(x["topic"], x["homework"]) for x in lessons.json()] == [("Дроби", None)]
    recorded = of_type(await outbox_events(school), "gradebook.lesson.recorded.v1")
    assert [(e["data"]["topic"], e["data"]["homework"]) for e in recorded[-1:]] == [("Дроби", None)]
    assert len(recorded) == len(of_type(before, "gradebook.lesson.recorded.v1")) + 1
    events = await outbox_events(school)

    again = await client.post(url, json={"edited_lesson_id": lesson["id"]}, headers=as_(grant))
    assert [(r["outcome"], r["detail"]) for r in again.json()] == [
        ("already_reverted", "Тема урока: уже отменено."),
        ("already_reverted", "Домашнее задание: уже отменено."),
    ]
    assert await outbox_events(school) == events
