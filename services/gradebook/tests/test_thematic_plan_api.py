"""R-30 over HTTP: a plan checked against roster's curriculum, imported and exported as XLSX, its coverage."""

from io import BytesIO

from openpyxl import Workbook, load_workbook

from chassis.testing import eventually, person, publish_event
from contracts.roster import CurriculumHoursSet
from gradebook.plan_xlsx import XLSX

TOPICS = [{"title": "Натуральные числа", "hours": 3}, {"title": "Дроби", "hours": 2}]


def workbook(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


async def with_curriculum(settings, client, as_, journal, hours: int) -> str:
    url = f"/schools/{journal.school_id}/courses/{journal.course_id}/plan"
    event = CurriculumHoursSet(
        year_id=journal.class_id, year_name="2026/2027", grade=5, subject_id=journal.subject_id, hours=hours
    )
    await publish_event(settings, event, school_id=journal.school_id)

    async def known() -> bool:
        return (await client.get(url, headers=as_(journal.teacher))).json()["curriculum_hours"] == hours

    await eventually(known)
    return url


async def test_a_plan_must_add_up_to_the_curriculum(settings, client, as_, make_journal, today):
    journal = await make_journal()
    url = await with_curriculum(settings, client, as_, journal, 6)
    short = await client.put(url, json={"topics": TOPICS}, headers=as_(journal.teacher))
    assert short.status_code == 422
    assert short.json()["detail"] == "В плане 5 часов, а по учебному плану 6 часов: не хватает 1 час."
    assert short.json()["difference"] == -1
    assert (await client.get(url, headers=as_(journal.teacher))).json()["topics"] == []

    saved = await client.put(
        url, json={"topics": [*TOPICS, {"title": "Проценты", "hours": 1}]}, headers=as_(journal.teacher)
    )
    assert saved.status_code == 200, saved.text
    for n in range(4):
        await client.post(
            f"/schools/{journal.school_id}/lessons",
            json={"course_id": str(journal.course_id), "date": today.isoformat(), "topic": f"Урок {n}"},
            headers=as_(journal.teacher),
        )
    plan = (await client.get(url, headers=as_(journal.teacher))).json()
    assert (plan["planned_hours"], plan["given_hours"], plan["next_topic"]) == (6, 4, "Дроби")
    assert [(t["title"], t["hours"], t["given"]) for t in plan["topics"]] == [
        ("Натуральные числа", 3, 3),
        ("Дроби", 2, 1),
        ("Проценты", 1, 0),
    ]
    other = await client.put(url, json={"topics": TOPICS}, headers=as_(person(journal.school_id, "teacher")))
    assert other.status_code == 403


async def test_an_xlsx_with_broken_rows_imports_nothing_unless_asked(settings, client, as_, make_journal):
    journal = await make_journal()
    url = await with_curriculum(settings, client, as_, journal, 5)
    headers = as_(journal.teacher) | {"Content-Type": XLSX}
    broken = workbook(("№", "Тема", "Часы"), (1, "Натуральные числа", 3), (2, "", 1), (3, "Дроби", 2))
    refused = await client.post(f"{url}/xlsx", content=broken, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "В файле строк с ошибками: 1; ничего не загружено."
    assert refused.json()["errors"] == [{"row": 3, "message": "нет названия темы"}]
    assert (await client.get(url, headers=as_(journal.teacher))).json()["topics"] == []

    taken = await client.post(f"{url}/xlsx", params={"mode": "valid"}, content=broken, headers=headers)
    assert taken.status_code == 200, taken.text
    assert [t["title"] for t in taken.json()["topics"]] == ["Натуральные числа", "Дроби"]

    exported = await client.get(f"{url}/xlsx", headers=as_(journal.teacher))
    assert exported.headers["content-type"] == XLSX
    rows = list(load_workbook(BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows == [("№", "Тема", "Часы"), (1, "Натуральные числа", 3), (2, "Дроби", 2)]

    garbage = await client.post(f"{url}/xlsx", content=b"PK not really", headers=headers)
    assert garbage.status_code == 422
    assert "не читается как книга Excel" in garbage.json()["detail"]
