"""The school's mark-change log over HTTP (R-25): the year's changes with who, when, old → new and why, sealed into
the school's chain by the job off the hot path; a row edited in the database is named by the chain's check."""

from datetime import date, timedelta

from sqlalchemy import text

from chassis.tenancy import Tenant
from chassis.testing import eventually, person, refused
from gradebook import audit


async def test_the_years_changes_are_chained_and_tampering_is_found(app, client, as_, make_journal, today):
    journal = await make_journal()
    school = journal.school_id
    body = {"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Дроби"}
    lesson = (await client.post(f"/schools/{school}/lessons", json=body, headers=as_(journal.teacher))).json()
    mark = (
        await client.post(
            f"/schools/{school}/lessons/{lesson['id']}/marks",
            json={"student_id": str(journal.students[0]), "value": "3", "work_type": "dictation"},
            headers=as_(journal.teacher),
        )
    ).json()
    for value in ("4", "5"):
        changed = await client.patch(
            f"/schools/{school}/marks/{mark['id']}", json={"value": value}, headers=as_(journal.teacher)
        )
        assert changed.status_code == 200
    # The database's clock writes the log: the span is around its today, not the journal's pinned one.
    span = {
        "start": (date.today() - timedelta(days=1)).isoformat(),
        "end": (date.today() + timedelta(days=1)).isoformat(),
    }
    url = f"/schools/{school}/mark-changes"
    admin = as_(person(school, "school_admin"))

    log = (await client.get(url, params=span, headers=admin)).json()
    assert [(c["old_value"], c["new_value"], c["changed_by_name"]) for c in log["changes"]] == [
        ("3", "4", "Иванова Мария"),
        ("4", "5", "Иванова Мария"),
    ]
    assert log["changes"][0]["subject_name"] and log["changes"][0]["lesson_date"] == today.isoformat()
    assert log["changes"][0]["student_name"]
    assert [c["seal_no"] for c in log["changes"]] == [None, None]

    db = app.state.db
    async with db.transaction(Tenant(school_id=school)) as session:
        assert await audit.seal_pending(session, school, settle=timedelta(0)) == 2

    async def sealed() -> dict | None:
        body = (await client.get(url, params=span, headers=admin)).json()
        return body if body["chain"]["sealed"] == 2 else None

    log = await eventually(sealed)
    assert log["chain"]["intact"] and [c["seal_no"] for c in log["changes"]] == [1, 2]

    # Someone with the database's keys rewrites the first change's old value: the chain names it.
    async with db.transaction(Tenant(school_id=school)) as session:
        await session.execute(
            text("UPDATE mark_changes SET old_value = '2' WHERE school_id = :school AND seal_no = 1"),
            {"school": school},
        )
    chain = (await client.get(url, params=span, headers=admin)).json()["chain"]
    assert chain["intact"] is False and chain["first_broken_no"] == 1
    # The one check of every school's chain (``python -m gradebook.audit``) names it too.
    sealed, broken = (await audit.verify_all(db))[school]
    assert sealed == 2 and broken is not None and broken.seal_no == 1


async def test_only_the_administration_reads_it_and_bad_dates_are_explained(client, as_, make_journal):
    journal = await make_journal()
    school = journal.school_id
    url = f"/schools/{school}/mark-changes"
    span = {"start": "2026-09-01", "end": "2027-06-30"}
    refused(await client.get(url, params=span, headers=as_(journal.teacher)), 404)
    refused(await client.get(url, params=span, headers=as_(person(school, "guardian"))), 404)
    assert (await client.get(url, params=span, headers=as_(person(school, "director")))).status_code == 200
    reversed_ = await client.get(
        url, params={"start": "2026-10-02", "end": "2026-10-01"}, headers=as_(person(school, "deputy"))
    )
    assert reversed_.status_code == 422 and "раньше его начала" in reversed_.json()["detail"]
    too_long = await client.get(
        url, params={"start": "2026-01-01", "end": "2027-06-30"}, headers=as_(person(school, "deputy"))
    )
    assert too_long.status_code == 422 and "366" in too_long.json()["detail"]
