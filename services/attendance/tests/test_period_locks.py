"""R-27 in attendance: a period the gradebook closed locks the teacher's absences; the class teacher still corrects."""

import asyncio
from datetime import date, timedelta
from uuid import uuid4

import pytest

from attendance.domain.locks import Lock, PeriodLocked, check_unlocked
from attendance.models import Lesson, PeriodLock
from chassis.tenancy import Tenant
from chassis.testing import events_handled, eventually, publish_event, refused, until_handled
from contracts.gradebook import PeriodClosed, PeriodReopened


def test_a_closed_span_is_locked_except_for_the_class_teacher():
    locks = [Lock("1 четверть", date(2026, 9, 1), date(2026, 10, 25))]
    check_unlocked(date(2026, 10, 26), locks)
    check_unlocked(date(2026, 10, 25), locks, leads_class=True)
    with pytest.raises(PeriodLocked, match="классный руководитель") as refusal:
        check_unlocked(date(2026, 10, 25), locks)
    assert refusal.value.slug == "period-closed"


async def test_closing_the_period_locks_absences_and_reopening_unlocks(client, as_, app, settings, make_class, today):
    school_class = await make_class()
    school = school_class.school_id
    lesson = school_class.lesson(today - timedelta(days=1))
    handled = events_handled(app, "attendance.events")
    await publish_event(settings, lesson, school_id=school)
    await until_handled(app, "attendance.events", handled + 1)
    period = {
        "assignment_id": lesson.assignment_id,
        "class_id": school_class.class_id,
        "subject_name": "Математика",
        "period_kind": "quarter",
        "period_id": uuid4(),
        "period_name": "1 четверть",
        "starts": date(2026, 9, 1),
        "ends": date(2026, 10, 25),
    }

    async def replicated(version: int, closed: bool):
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            lock = await session.get(PeriodLock, (lesson.assignment_id, "quarter", period["period_id"]))
            known = await session.get(Lesson, lesson.lesson_id)
            return known and lock and (lock.version, lock.closed) == (version, closed)

    anna, boris = (str(s) for s in school_class.students)
    url = f"/schools/{school}/lessons/{lesson.lesson_id}/absences"
    recorded = await client.post(url, json={"student_id": anna, "reason": "Н"}, headers=as_(school_class.teacher))
    assert recorded.status_code == 201, recorded.text
    closed = PeriodClosed(**period, version=1, closed_by=school_class.teacher.person_id)
    await publish_event(settings, closed, school_id=school)
    await eventually(lambda: replicated(1, True))

    refused(
        await client.post(url, json={"student_id": boris, "reason": "Н"}, headers=as_(school_class.teacher)),
        409,
        "закрыт",
        slug="period-closed",
    )
    absence = recorded.json()["id"]
    refused(
        await client.patch(
            f"/schools/{school}/absences/{absence}", json={"reason": "Б"}, headers=as_(school_class.teacher)
        ),
        409,
        slug="period-closed",
    )
    refused(
        await client.delete(f"/schools/{school}/absences/{absence}", headers=as_(school_class.teacher)),
        409,
        slug="period-closed",
    )
    corrected = await client.patch(
        f"/schools/{school}/absences/{absence}", json={"reason": "Б"}, headers=as_(school_class.class_teacher)
    )
    assert corrected.status_code == 200 and corrected.json()["code"] == "Б"

    # A late-arriving older close does not undo the reopening.
    reopened = PeriodReopened(**period, version=2, reopened_by=uuid4(), reason="Исправить пропуск")
    await publish_event(settings, reopened, school_id=school)
    await eventually(lambda: replicated(2, False))
    handled = events_handled(app, "attendance.events")
    await publish_event(settings, closed, school_id=school)
    await eventually(lambda: asyncio.sleep(0, events_handled(app, "attendance.events") > handled))
    assert await replicated(2, False)
    again = await client.post(url, json={"student_id": boris, "reason": "Н"}, headers=as_(school_class.teacher))
    assert again.status_code == 201, again.text
