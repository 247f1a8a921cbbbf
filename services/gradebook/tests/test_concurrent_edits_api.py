"""Two edits of one lesson at once take their turns (``get_in_school(…, for_update=True)``, a column's facts locking the
lesson's row); a read never waits.

The race is made, not hoped for: the test's own transaction holds the lesson's row while both edits start, and
lets go only when PostgreSQL shows both waiting behind it. Without the edits' row lock each would have read the
lesson before the other wrote, and both would have told version 2, each without the other's change.
"""

import asyncio

from sqlalchemy import select, text

from chassis.tenancy import Tenant
from chassis.testing import eventually
from gradebook.models import Course, Lesson

from .test_gradebook_api import record_lesson

#: How many backends of this database wait for a lock (the second edit of a row waits behind the first).
WAITING = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0"
)


async def waiting(app) -> int:
    async with app.state.db.engine.connect() as connection:
        return await connection.scalar(WAITING)


async def test_two_racing_edits_of_a_lesson_both_stay_and_tell_versions_in_turn(
    app, client, as_, make_journal, outbox_events, today
):
    journal = await make_journal()
    created = await record_lesson(client, as_, journal, today, topic="Дроби", homework="№ 1")
    assert created.status_code == 201, created.text
    lesson_id = created.json()["id"]
    url = f"/schools/{journal.school_id}/lessons/{lesson_id}"
    teacher = as_(journal.teacher)

    async with app.state.db.transaction(Tenant(school_id=journal.school_id)) as holding:
        await holding.execute(select(Lesson.id).filter_by(id=lesson_id).with_for_update())
        topic = asyncio.create_task(client.patch(url, json={"topic": "Сложение дробей"}, headers=teacher))
        homework = asyncio.create_task(client.patch(url, json={"homework": "№ 2, 3"}, headers=teacher))

        async def both_waiting() -> bool:
            return await waiting(app) == 2

        await eventually(both_waiting, timeout=30)
    answers = await asyncio.gather(topic, homework)
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert sorted(a.json()["version"] for a in answers) == [2, 3]

    recorded = [
        e["data"] for e in await outbox_events(journal.school_id) if e["type"] == "gradebook.lesson.recorded.v1"
    ]
    assert [e["version"] for e in recorded] == [1, 2, 3]
    # The later edit was made on the earlier one's result: the last event carries both changes.
    assert (recorded[2]["topic"], recorded[2]["homework"]) == ("Сложение дробей", "№ 2, 3")


async def test_a_read_of_the_journal_does_not_wait_for_an_edit_in_progress(app, client, as_, make_journal, today):
    journal = await make_journal()
    created = await record_lesson(client, as_, journal, today, topic="Дроби")
    assert created.status_code == 201, created.text
    async with app.state.db.transaction(Tenant(school_id=journal.school_id)) as editing:
        # An edit of the course (its thematic plan) holds the course's row until it commits.
        await editing.execute(select(Course.id).filter_by(id=journal.course_id).with_for_update())
        listed = await asyncio.wait_for(
            client.get(
                f"/schools/{journal.school_id}/courses/{journal.course_id}/lessons", headers=as_(journal.teacher)
            ),
            timeout=60,
        )
    assert listed.status_code == 200, listed.text
    assert [lesson["topic"] for lesson in listed.json()] == ["Дроби"]


async def test_two_racing_saves_of_one_column_take_their_turns_and_the_later_changes_the_earlier(
    app, client, as_, make_journal, outbox_events, today
):
    journal = await make_journal()
    anna, boris = journal.students
    lesson = (await record_lesson(client, as_, journal, today)).json()
    url = f"/schools/{journal.school_id}/lessons/{lesson['id']}/marks"
    teacher = as_(journal.teacher)

    def column(anna_value: str) -> dict:
        marks = [{"student_id": str(anna), "value": anna_value}, {"student_id": str(boris), "value": "3"}]
        return {"work_type": "test", "marks": marks}

    async with app.state.db.transaction(Tenant(school_id=journal.school_id)) as holding:
        await holding.execute(select(Lesson.id).filter_by(id=lesson["id"]).with_for_update())
        fives = asyncio.create_task(client.put(url, json=column("5"), headers=teacher))
        fours = asyncio.create_task(client.put(url, json=column("4"), headers=teacher))

        async def both_waiting() -> bool:
            return await waiting(app) == 2

        await eventually(both_waiting, timeout=30)
    answers = await asyncio.gather(fives, fours)
    # The later save read the marks the earlier one wrote (not a snapshot from before its wait): no second mark.
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    events = [e["data"] | {"type": e["type"]} for e in await outbox_events(journal.school_id) if ".mark." in e["type"]]
    posted = [e for e in events if e["type"] == "gradebook.mark.posted.v1"]
    changed = [e for e in events if e["type"] == "gradebook.mark.changed.v1"]
    assert sorted(e["student_id"] for e in posted) == sorted([str(anna), str(boris)])
    assert [(e["student_id"], e["version"]) for e in changed] == [(str(anna), 2)]
    first = next(e for e in posted if e["student_id"] == str(anna))
    assert changed[0]["old_value"] == first["value"] != changed[0]["value"]
    assert changed[0]["mark_id"] == first["mark_id"]
