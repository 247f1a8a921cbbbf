"""The access log as the school's administrator reads it (R-5): who of the school read whose data and when,
filtered by the person who acted, the person it was about and the dates, a page at a time."""

from datetime import date, timedelta
from uuid import uuid4

from contracts.roster import StaffRoleGranted

from .test_local_login import esia_staff, surname
from .test_local_login import school as school


def days() -> dict[str, str]:
    # The log is written by the database's clock: the span is around its today, not the gateway's pinned one.
    return {
        "start": (date.today() - timedelta(days=1)).isoformat(),
        "end": (date.today() + timedelta(days=1)).isoformat(),
    }


async def test_the_administrator_sees_who_read_whose_data(school, stack, esia_person, publish):
    pupil = await school.person("student", surname(), "Алексей")
    teacher_id, teacher, _ = await esia_staff(stack, esia_person, publish, school.school_id, "teacher")
    school.exits.push_async_callback(teacher.aclose)
    # Whatever reporting answers (no reporting runs beside these tests), the request is in the log.
    await teacher.get(f"/api/v1/reporting/schools/{school.school_id}/students/{pupil}/summary")
    # Someone of another school: their reads are not this school's to see.
    other_school, outsider = uuid4(), uuid4()
    await publish(other_school, StaffRoleGranted(person_id=outsider, role="teacher"))

    url = f"/api/v1/schools/{school.school_id}/access-log"
    by_teacher = await school.admin.get(url, params={**days(), "person_id": str(teacher_id)})
    assert by_teacher.status_code == 200, by_teacher.text
    entries = by_teacher.json()["entries"]
    summary = next(e for e in entries if e["path"].endswith(f"/students/{pupil}/summary"))
    assert summary["who"]["name"] == "Кузнецова Ольга Петровна"
    assert summary["action"] == "просмотр" and summary["section"] == "дневник и отчёты"
    assert [a["person_id"] for a in summary["about"]] == [str(pupil)]
    assert summary["about"][0]["name"].endswith("Алексей Ивановна")
    assert {e["who"]["person_id"] for e in entries} == {str(teacher_id)}

    about = await school.admin.get(url, params={**days(), "about_id": str(pupil)})
    assert {e["who"]["person_id"] for e in about.json()["entries"]} >= {str(teacher_id)}
    assert all(str(pupil) in e["path"] for e in about.json()["entries"])

    # Paging: page 1 holds the newest; a page past the end is empty, not an error.
    everyone = (await school.admin.get(url, params=days())).json()
    assert everyone["total"] >= len(everyone["entries"]) >= 2 and everyone["page"] == 1
    beyond = (await school.admin.get(url, params={**days(), "page": everyone["pages"] + 1})).json()
    assert beyond["entries"] == []
    # The viewer's own looks are logged too.
    mine = (await school.admin.get(url, params={**days(), "person_id": str(school.admin_id)})).json()
    assert any(e["path"] == f"/api/v1/schools/{school.school_id}/access-log" for e in mine["entries"])


async def test_only_the_schools_administrator_reads_it_and_bad_dates_are_explained(school, stack, esia_person, publish):
    url = f"/api/v1/schools/{school.school_id}/access-log"
    _, teacher, _ = await esia_staff(stack, esia_person, publish, school.school_id, "teacher")
    school.exits.push_async_callback(teacher.aclose)
    refused = await teacher.get(url)
    assert refused.status_code == 404 and refused.headers["content-type"] == "application/problem+json"
    other = await school.admin.get(f"/api/v1/schools/{uuid4()}/access-log")
    assert other.status_code == 404
    reversed_ = await school.admin.get(url, params={"start": "2026-10-10", "end": "2026-10-01"})
    assert reversed_.status_code == 422 and "раньше его начала" in reversed_.json()["detail"]
    too_long = await school.admin.get(url, params={"start": "2026-01-01", "end": "2026-10-01"})
    assert too_long.status_code == 422 and "93" in too_long.json()["detail"]
    bad_page = await school.admin.get(url, params={"page": 0})
    assert bad_page.status_code == 422
