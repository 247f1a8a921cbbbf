"""R-30 over HTTP: a plan checked against roster's curriculum, imported and exported as XLSX, its coverage."""

from datetime import date
from io import BytesIO
from uuid import uuid4

from openpyxl import Workbook, load_workbook

from chassis.testing import eventually, person, publish_event, refused
from contracts.roster import AcademicYearChanged, CurriculumHoursSet, ReportingPeriod, ReportingPeriodsSet
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
    lessons = f"/schools/{journal.school_id}/lessons"
    untitled = {"course_id": str(journal.course_id), "date": today.isoformat()}
    refused(
        await client.post(lessons, json=untitled, headers=as_(journal.teacher)),
        422,
        "Укажите тему урока: у курса нет тематического плана, из которого её взять.",
    )

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
    # a lesson recorded without a topic takes the plan's next; the teacher may still change it.
    taken = await client.post(lessons, json=untitled, headers=as_(journal.teacher))
    assert (taken.status_code, taken.json()["topic"]) == (201, "Дроби"), taken.text
    changed = await client.patch(
        f"{lessons}/{taken.json()['id']}", json={"topic": "Дроби: повторение"}, headers=as_(journal.teacher)
    )
    assert changed.json()["topic"] == "Дроби: повторение"
    assert (await client.get(url, headers=as_(journal.teacher))).json()["next_topic"] == "Проценты"
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


async def announce_quarters(settings, client, as_, journal) -> None:
    year_id = uuid4()
    events = [
        AcademicYearChanged(
            year_id=year_id,
            version=1,
            name="2026/2027",
            starts=date(2026, 9, 1),
            ends=date(2027, 5, 31),
            status="active",
        ),
        ReportingPeriodsSet(
            scheme_id=uuid4(),
            version=1,
            year_id=year_id,
            kind="quarters",
            grades=[5],
            periods=[
                ReportingPeriod(
                    period_id=uuid4(), number=1, name="1 четверть", starts=date(2026, 9, 1), ends=date(2026, 10, 25)
                ),
                ReportingPeriod(
                    period_id=uuid4(), number=2, name="2 четверть", starts=date(2026, 11, 5), ends=date(2026, 12, 28)
                ),
            ],
        ),
    ]
    for event in events:
        await publish_event(settings, event, school_id=journal.school_id)
    periods = f"/schools/{journal.school_id}/courses/{journal.course_id}/periods"

    async def known() -> bool:
        # Two quarters, the year, the exam and the final mark.
        return len((await client.get(periods, headers=as_(journal.teacher))).json()) == 5

    await eventually(known)


async def test_a_plan_entered_after_the_schools_deadline_is_flagged(settings, client, as_, make_journal, move_today):
    journal = await make_journal()
    url = await with_curriculum(settings, client, as_, journal, 5)
    await announce_quarters(settings, client, as_, journal)
    # Entered on 20 August, before the default deadline (7 days before 1 September): on time, and it stays so
    # when the teacher adjusts it later.
    move_today(date(2026, 8, 20))
    early = (await client.put(url, json={"topics": TOPICS}, headers=as_(journal.teacher))).json()
    assert (early["deadline"], early["entered_on"], early["late"]) == ("2026-08-25", "2026-08-20", False)
    move_today(date(2026, 10, 14))
    adjusted = (await client.put(url, json={"topics": TOPICS[::-1]}, headers=as_(journal.teacher))).json()
    assert (adjusted["entered_on"], adjusted["late"]) == ("2026-08-20", False)

    other = await make_journal()
    other_url = await with_curriculum(settings, client, as_, other, 5)
    await announce_quarters(settings, client, as_, other)
    admin = person(other.school_id, "school_admin")
    policy = f"/schools/{other.school_id}/period-policy"
    refused(await client.put(policy, json={"plan_days_before_period": 45}, headers=as_(admin)), 422, "от 0 до 30")
    assert (await client.put(policy, json={"plan_days_before_period": 14}, headers=as_(admin))).status_code == 200
    late = (await client.put(other_url, json={"topics": TOPICS}, headers=as_(other.teacher))).json()
    assert (late["deadline"], late["entered_on"], late["late"]) == ("2026-08-18", "2026-10-14", True)
    assert (await client.get(other_url, headers=as_(other.teacher))).json()["late"] is True
