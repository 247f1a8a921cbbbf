"""Withdrawing a compromised account's absences (R-3): the rule, and the route under the gateway's grant — past the
teacher's window, logged with its reason (R-25), a class teacher's later correction kept."""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from attendance.domain.compromise import absence_revert
from chassis.auth import REVERT_REASON, Reverting
from chassis.testing import person, refused

from .test_corrections_api import change_log, mark_absent, of_type

SINCE = datetime(2026, 12, 1, 9, tzinfo=UTC)
THIEF, CLASS_TEACHER = uuid4(), uuid4()


def test_only_the_accounts_absences_since_the_moment_are_withdrawn_and_a_later_correction_wins():
    after = SINCE + timedelta(minutes=5)
    assert absence_revert(THIEF, SINCE, THIEF, after, []) == "withdraw"
    assert absence_revert(THIEF, SINCE, THIEF, after, [THIEF]) == "withdraw"
    assert absence_revert(THIEF, SINCE, THIEF, after, [CLASS_TEACHER]) == "changed_since"
    assert absence_revert(THIEF, SINCE, THIEF, SINCE - timedelta(minutes=5), []) is None
    assert absence_revert(THIEF, SINCE, CLASS_TEACHER, after, []) is None


async def test_the_administrator_withdraws_the_accounts_absences_once(
    app, client, as_, make_class, give_lesson, outbox_events, today, move_today
):
    school_class = await make_class()
    school = school_class.school_id
    lesson_id = await give_lesson(school_class, today)
    await asyncio.sleep(0.01)
    since = datetime.now(UTC)
    anna, boris = [await mark_absent(client, as_, school_class, lesson_id, s) for s in school_class.students]
    corrected = await client.patch(
        f"/schools/{school}/absences/{boris['id']}", json={"reason": "Б"}, headers=as_(school_class.class_teacher)
    )
    assert corrected.status_code == 200, corrected.text
    admin = person(school, "school_admin")
    grant = dataclasses.replace(admin, reverting=Reverting(school_class.teacher.person_id, since))
    url, body = f"/schools/{school}/compromise-reverts", {"lesson_id": str(lesson_id)}
    move_today(today + timedelta(days=30))
    before = await outbox_events(school)

    refused(await client.post(url, json=body, headers=as_(admin)), 403)
    assert await outbox_events(school) == before
    reverted = await client.post(url, json=body, headers=as_(grant))
    assert reverted.status_code == 200, reverted.text
    assert sorted((a["id"], a["outcome"]) for a in reverted.json()) == sorted(
        [(anna["id"], "reverted"), (boris["id"], "changed_since")]
    )
    [event] = of_type(await outbox_events(school), "attendance.absence.withdrawn.v1")
    assert (event["subject"], event["data"]["withdrawn_by"]) == (anna["id"], str(admin.person_id))
    assert ("withdrawn", "unexcused", "", REVERT_REASON) in await change_log(app, school)

    again = await client.post(url, json=body, headers=as_(grant))
    assert [(a["id"], a["outcome"]) for a in again.json()] == [(boris["id"], "changed_since")]
    assert len(of_type(await outbox_events(school), "attendance.absence.withdrawn.v1")) == 1
