"""R-24 over HTTP: the school administrator sets the edit window and the journal follows it."""

from datetime import timedelta
from uuid import uuid4

from chassis.testing import person, refused


async def set_window(client, as_, school_id, caller, code):
    return await client.put(f"/schools/{school_id}/policy", json={"edit_window": code}, headers=as_(caller))


async def test_the_administrator_sets_the_window_and_every_member_reads_it(client, as_, make_journal):
    journal = await make_journal()
    school = journal.school_id
    admin = person(school, "school_admin")
    default = await client.get(f"/schools/{school}/policy", headers=as_(journal.teacher))
    assert default.json() == {
        "edit_window": "14d",
        "title": "2 недели после урока",
        "updated_at": None,
        "updated_by": None,
    }

    chosen = await set_window(client, as_, school, admin, "1m")
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["edit_window"] == "1m" and chosen.json()["updated_by"] == str(admin.person_id)
    for reader in (journal.teacher, person(school, "guardian"), person(school, "director")):
        read = (await client.get(f"/schools/{school}/policy", headers=as_(reader))).json()
        assert (read["edit_window"], read["title"]) == ("1m", "1 месяц после урока")
        assert read["updated_at"] == chosen.json()["updated_at"]
    refused(await client.get(f"/schools/{school}/policy", headers=as_(person(uuid4(), "teacher"))), 404)

    choices = await client.get(f"/schools/{school}/policy/edit-windows", headers=as_(journal.teacher))
    assert [c["code"] for c in choices.json()] == ["never", "7d", "14d", "21d", "1m"]


async def test_only_the_school_administrator_sets_the_window(client, as_, make_journal):
    journal = await make_journal()
    school = journal.school_id
    for caller, status in [
        (journal.teacher, 403),
        (person(school, "director"), 403),
        (person(school, "guardian"), 403),
        (person(uuid4(), "school_admin"), 404),
    ]:
        assert (await set_window(client, as_, school, caller, "never")).status_code == status
    assert (await client.get(f"/schools/{school}/policy", headers=as_(journal.teacher))).json()["edit_window"] == "14d"


async def test_a_window_not_among_the_choices_is_refused_and_nothing_is_written(client, as_, make_journal):
    journal = await make_journal()
    school = journal.school_id
    admin = person(school, "school_admin")
    assert (await set_window(client, as_, school, admin, "21d")).status_code == 200
    for bad in ("10d", "", "1 месяц", "7d\x00"):
        refusal = await set_window(client, as_, school, admin, bad)
        refused(refusal, 422)
        assert refusal.headers["content-type"] == "application/problem+json"
        assert "Допустимые значения: «never» — никогда не закрывается" in refusal.json()["detail"]
        assert [a["code"] for a in refusal.json()["allowed"]] == ["never", "7d", "14d", "21d", "1m"]
    refused(await client.put(f"/schools/{school}/policy", json={}, headers=as_(admin)), 422)
    assert (await client.get(f"/schools/{school}/policy", headers=as_(admin))).json()["edit_window"] == "21d"


async def test_the_schools_window_decides_what_the_teacher_may_write(client, as_, make_journal, today):
    journal = await make_journal()
    other = await make_journal()
    school = journal.school_id
    admin = person(school, "school_admin")
    lessons_url = f"/schools/{school}/lessons"
    ten_days_ago = (today - timedelta(days=10)).isoformat()

    # Under the region's default of 14 days a lesson from 10 days ago is still open.
    lesson = await client.post(
        lessons_url,
        json={"course_id": str(journal.course_id), "date": ten_days_ago, "topic": "Дроби"},
        headers=as_(journal.teacher),
    )
    assert lesson.status_code == 201, lesson.text
    lesson_url = f"{lessons_url}/{lesson.json()['id']}"
    mark = await client.post(
        f"{lesson_url}/marks",
        json={"student_id": str(journal.students[0]), "value": "4", "work_type": "answer"},
        headers=as_(journal.teacher),
    )
    assert mark.status_code == 201, mark.text
    mark_url = f"/schools/{school}/marks/{mark.json()['id']}"

    # A week: the lesson of 10 days ago is closed for its record and its marks.
    assert (await set_window(client, as_, school, admin, "7d")).status_code == 200
    refusals = [
        await client.post(
            lessons_url,
            json={"course_id": str(journal.course_id), "date": ten_days_ago, "topic": "Ещё урок"},
            headers=as_(journal.teacher),
        ),
        await client.patch(lesson_url, json={"topic": "Сложение дробей"}, headers=as_(journal.teacher)),
        await client.post(
            f"{lesson_url}/marks",
            json={"student_id": str(journal.students[1]), "value": "5", "work_type": "answer"},
            headers=as_(journal.teacher),
        ),
        await client.patch(mark_url, json={"value": "5"}, headers=as_(journal.teacher)),
    ]
    for refusal in refusals:
        refused(refusal, 422, "Окно редактирования закрыто")

    # Another school keeps the region's default: 10 days ago is open there.
    elsewhere = await client.post(
        f"/schools/{other.school_id}/lessons",
        json={"course_id": str(other.course_id), "date": ten_days_ago, "topic": "Дроби"},
        headers=as_(other.teacher),
    )
    assert elsewhere.status_code == 201, elsewhere.text

    # «Никогда не закрывается»: a lesson from months ago may be recorded and fixed.
    assert (await set_window(client, as_, school, admin, "never")).status_code == 200
    months_ago = (today - timedelta(days=120)).isoformat()
    old = await client.post(
        lessons_url,
        json={"course_id": str(journal.course_id), "date": months_ago, "topic": "Повторение"},
        headers=as_(journal.teacher),
    )
    assert old.status_code == 201, old.text
    fixed = await client.patch(
        f"{lessons_url}/{old.json()['id']}", json={"topic": "Повторение дробей"}, headers=as_(journal.teacher)
    )
    assert fixed.status_code == 200 and fixed.json()["version"] == 2
    assert (await client.patch(mark_url, json={"value": "5"}, headers=as_(journal.teacher))).json()["value"] == "5"

    # The other school still refuses what is past its 14 days.
    stale = await client.post(
        f"/schools/{other.school_id}/lessons",
        json={"course_id": str(other.course_id), "date": months_ago, "topic": "Повторение"},
        headers=as_(other.teacher),
    )
    refused(stale, 422)


async def test_the_window_is_open_on_its_last_day_and_closed_the_day_after(
    client, as_, make_journal, today, move_today
):
    """R-24 at its boundary, through the API: «1 неделя» keeps a lesson open 7 days after it, that day included."""
    journal = await make_journal()
    school, teacher = journal.school_id, journal.teacher
    assert (await set_window(client, as_, school, person(school, "school_admin"), "7d")).status_code == 200
    lesson = await client.post(
        f"/schools/{school}/lessons",
        json={"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Дроби"},
        headers=as_(teacher),
    )
    assert lesson.status_code == 201, lesson.text
    lesson_url = f"/schools/{school}/lessons/{lesson.json()['id']}"
    mark = await client.post(
        f"{lesson_url}/marks",
        json={"student_id": str(journal.students[0]), "value": "4", "work_type": "answer"},
        headers=as_(teacher),
    )
    assert mark.status_code == 201, mark.text
    mark_url = f"/schools/{school}/marks/{mark.json()['id']}"

    def changes(topic: str, value: str):
        return [
            client.patch(lesson_url, json={"topic": topic}, headers=as_(teacher)),
            client.post(
                f"{lesson_url}/marks",
                json={"student_id": str(journal.students[1]), "value": value, "work_type": "answer"},
                headers=as_(teacher),
            ),
            client.patch(mark_url, json={"value": value}, headers=as_(teacher)),
        ]

    last_open_day = today + timedelta(days=7)
    move_today(last_open_day)
    for accepted in [await change for change in changes("Сложение дробей", "5")]:
        assert accepted.status_code in (200, 201), accepted.text

    move_today(last_open_day + timedelta(days=1))
    for refusal in [await change for change in changes("Вычитание дробей", "3")]:
        assert refused(refusal, 422)["detail"] == (
            f"Окно редактирования закрыто: запись урока {today:%d.%m.%Y} "
            f"можно было изменить до {last_open_day:%d.%m.%Y} включительно."
        )
    lessons = await client.get(f"/schools/{school}/courses/{journal.course_id}/lessons", headers=as_(teacher))
    assert [lesson["topic"] for lesson in lessons.json()] == ["Сложение дробей"]
