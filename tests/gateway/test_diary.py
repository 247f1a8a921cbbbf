"""The family diary through the gateway, with reporting in-process fed by roster and gradebook events."""

import time
from datetime import timedelta
from uuid import uuid4

from chassis.testing import TEST_TODAY, eventually, refused
from contracts.gradebook import LessonRecorded, MarkPosted
from contracts.roster import ClassCreated, GuardianshipEnded, GuardianshipLinked, PersonRegistered, StudentEnrolled


async def test_a_parent_sees_their_child_and_not_another(stack, esia_person, publish):
    parent = await esia_person("Петров", "Сергей")
    school_id, class_id, parent_id, child_id, other_id = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    monday = TEST_TODAY - timedelta(days=TEST_TODAY.weekday())
    lesson_id = uuid4()
    lesson = {
        "lesson_id": lesson_id,
        "class_id": class_id,
        "subject_id": uuid4(),
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "date": monday,
    }
    await publish(
        school_id,
        ClassCreated(class_id=class_id, grade=5, letter="А", name="5А", academic_year="2025/2026"),
        parent.registered(parent_id),
        PersonRegistered(person_id=child_id, last_name="Петров", first_name="Алексей"),
        PersonRegistered(person_id=other_id, last_name="Сидоров", first_name="Иван"),
        StudentEnrolled(student_id=child_id, class_id=class_id, class_name="5А", enrolled_on=monday),
        StudentEnrolled(student_id=other_id, class_id=class_id, class_name="5А", enrolled_on=monday),
        GuardianshipLinked(guardian_id=parent_id, student_id=child_id, relation="отец"),
        LessonRecorded(**lesson, version=1, assignment_id=uuid4(), topic="Натуральные числа", homework="№ 12"),
        MarkPosted(**lesson, mark_id=uuid4(), student_id=child_id, value="5", work_type="answer", weight=1.0),
    )
    async with stack.browser() as browser:

        async def linked():
            me = (await browser.get("/api/v1/me")).json()
            return {"school_id": str(school_id), "role": "guardian", "school_name": None} in me["roles"]

        async def children():
            return (await browser.get("/api/v1/diary")).json()

        async def marked_week():
            diary = await browser.get(f"/api/v1/diary/{child_id}", params={"start": monday.isoformat()})
            return (
                diary.status_code == 200
                and any(d["lessons"] and d["lessons"][0]["marks"] for d in diary.json()["days"])
                and diary
            )

        assert (await stack.log_in(browser, parent.oid)).status_code == 303
        await eventually(linked)
        assert await eventually(children) == [
            {"school_id": str(school_id), "student_id": str(child_id), "name": "Петров Алексей", "class_name": "5А"}
        ]
        diary = (await eventually(marked_week)).json()
        assert diary["school_id"] == str(school_id)
        assert diary["student"]["name"] == "Петров Алексей"
        day = next(d for d in diary["days"] if d["date"] == monday.isoformat())
        assert day["lessons"][0]["topic"] == "Натуральные числа"
        assert day["lessons"][0]["marks"][0]["value"] == "5"

        other = await browser.get(f"/api/v1/diary/{other_id}")
        refused(other, 404)
        assert other.json()["detail"] == "Дневник не найден."
        backwards = await browser.get(f"/api/v1/diary/{child_id}", params={"start": "2025-09-10", "end": "2025-09-01"})
        refused(backwards, 422)


async def test_a_parent_whose_guardianship_ended_loses_the_diary_within_seconds(stack, esia_person, publish):
    """R-4: the open session stays, but the diary closes as soon as the ending reaches the gateway and reporting."""
    parent = await esia_person("Бывшев", "Олег")
    school_id, class_id, parent_id, child_id = uuid4(), uuid4(), uuid4(), uuid4()
    monday = TEST_TODAY - timedelta(days=TEST_TODAY.weekday())
    await publish(
        school_id,
        ClassCreated(class_id=class_id, grade=6, letter="Б", name="6Б", academic_year="2026/2027"),
        parent.registered(parent_id),
        PersonRegistered(person_id=child_id, last_name="Бывшева", first_name="Алина"),
        StudentEnrolled(student_id=child_id, class_id=class_id, class_name="6Б", enrolled_on=monday),
        GuardianshipLinked(guardian_id=parent_id, student_id=child_id, relation="отец"),
    )
    async with stack.browser() as browser:

        async def diary_status() -> int:
            return (await browser.get(f"/api/v1/diary/{child_id}", params={"start": monday.isoformat()})).status_code

        assert (await stack.log_in(browser, parent.oid)).status_code == 303
        assert await eventually(lambda: _is(diary_status, 200))

        started = time.monotonic()
        await publish(
            school_id,
            GuardianshipEnded(guardian_id=parent_id, student_id=child_id, ended_on=TEST_TODAY, reason="решение суда"),
        )
        await eventually(lambda: _is(diary_status, 404), timeout=5.0)

        async def role_gone() -> bool:
            # The gateway hears the ending by its own queue, apart from reporting's: its roles follow on their own.
            me = (await browser.get("/api/v1/me")).json()
            return not any(r["school_id"] == str(school_id) for r in me["roles"])

        await eventually(role_gone, timeout=5.0)
        assert time.monotonic() - started < 5.0


async def _is(probe, status: int) -> bool:
    return await probe() == status
