"""Destruction of a student's attendance at the end of its term (152-ФЗ ст. 21), over the internal routes."""

import asyncio
from datetime import date
from uuid import uuid4

from sqlalchemy import func, select

from attendance.models import Absence, ClassMember, Person
from chassis.tables import destructions
from chassis.tenancy import Tenant
from chassis.testing import person, publish_event, refused


async def test_a_students_absences_go_only_after_five_years_and_a_retry_removes_nothing_twice(
    client, as_, app, settings, make_class, today, move_today
):
    school_class = await make_class()
    school, (anna, boris) = school_class.school_id, school_class.students
    lesson = school_class.lesson(today)
    await publish_event(settings, lesson, school_id=school)
    url = f"/schools/{school}/lessons/{lesson.lesson_id}/absences"
    for student in (anna, boris):
        for _ in range(50):
            recorded = await client.post(
                url, json={"student_id": str(student), "reason": "Б"}, headers=as_(school_class.teacher)
            )
            if recorded.status_code == 201:
                break
        assert recorded.status_code == 201, recorded.text
    admin = as_(person(school, "school_admin"))
    base = f"/internal/retention/schools/{school}"

    held = await client.post(f"{base}/held", json={"person_ids": [str(anna)]}, headers=admin)
    assert held.status_code == 200, held.text
    [anna_held] = held.json()
    assert anna_held["rows"] == {"journal_record": 1, "person_card": 2}
    # An absence of this academic year goes five years after the year ends (000 §6.5).
    year_end = date(today.year if today.month <= 8 else today.year + 1, 8, 31)
    may_go = date(year_end.year + 5, 9, 1)
    assert anna_held["may_go_from"] == may_go.isoformat()

    run = uuid4()
    early = await client.put(
        f"{base}/destructions/{run}", json={"person_id": str(anna), "as_of": today.isoformat()}, headers=admin
    )
    refused(early, 409, f"уничтожить их можно с {may_go:%d.%m.%Y}")
    assert early.json()["may_go_from"] == may_go.isoformat()
    future = await client.put(
        f"{base}/destructions/{run}", json={"person_id": str(anna), "as_of": may_go.isoformat()}, headers=admin
    )
    refused(future, 409, "истёкшему на сегодня")

    teacher = await client.put(
        f"{base}/destructions/{run}",
        json={"person_id": str(anna), "as_of": today.isoformat()},
        headers=as_(school_class.teacher),
    )
    refused(teacher, 403)

    move_today(may_go)
    body = {"person_id": str(anna), "as_of": may_go.isoformat()}
    done = await client.put(f"{base}/destructions/{run}", json=body, headers=admin)
    assert done.status_code == 200, done.text
    assert done.json() == {"removed": {"journal_record": 1, "person_card": 2}}
    again = await client.put(f"{base}/destructions/{run}", json=body, headers=admin)
    assert again.json() == done.json(), "a retried run answers the same and removes nothing more"

    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        for model, column in (
            (Absence, Absence.student_id),
            (ClassMember, ClassMember.student_id),
            (Person, Person.id),
        ):
            left = await session.scalar(select(func.count()).select_from(model).where(column == anna))
            assert left == 0, model.__tablename__
        kept = await session.scalar(select(func.count()).select_from(Absence).where(Absence.student_id == boris))
        assert kept == 1, "another student's absence stays"
        ledger = await session.scalar(select(destructions.c.removed).where(destructions.c.run_id == run))
        assert ledger == {"journal_record": 1, "person_card": 2}


async def test_a_destruction_that_cannot_get_its_locks_answers_503_before_the_gateway_gives_up(
    client, as_, app, make_class, today
):
    school_class = await make_class()
    school, (anna, _) = school_class.school_id, school_class.students
    run = uuid4()
    url = f"/internal/retention/schools/{school}/destructions/{run}"
    body = {"person_id": str(anna), "as_of": today.isoformat()}
    admin = as_(person(school, "school_admin"))
    # A first call of the same run still holds the run's lock.
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(str(run), 0))))
        busy = await asyncio.wait_for(client.put(url, json=body, headers=admin), timeout=10)
    refused(busy, 503, "ничего не изменено")
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        ledger = await session.scalar(select(destructions.c.removed).where(destructions.c.run_id == run))
    assert ledger is None, "the refused call recorded nothing"
