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
