"""Alerts (R-52) through the broker: the class teacher and the parents learn of a failing mark and a run of absences."""

from datetime import date, timedelta
from uuid import uuid4

from chassis.testing import eventually, person, publish_event
from contracts.attendance import AbsenceRecorded
from contracts.gradebook import MarkPosted
from contracts.roster import ClassTeacherAssigned, GuardianshipLinked, PersonRegistered

DAY = date(2026, 10, 14)


async def setting(settings):
    school, school_class = uuid4(), uuid4()
    student, parent, class_teacher = person(school, "student"), person(school, "guardian"), person(school, "teacher")
    for event in (
        PersonRegistered(person_id=student.person_id, last_name="Петров", first_name="Алексей"),
        GuardianshipLinked(guardian_id=parent.person_id, student_id=student.person_id, relation="отец"),
        ClassTeacherAssigned(class_id=school_class, class_name="5А", teacher_id=class_teacher.person_id),
    ):
        await publish_event(settings, event, school_id=school)
    return school, school_class, student, parent, class_teacher


def mark(student, school_class, value: str) -> MarkPosted:
    return MarkPosted(
        mark_id=uuid4(),
        lesson_id=uuid4(),
        student_id=student.person_id,
        class_id=school_class,
        subject_id=uuid4(),
        subject_name="Математика",
        teacher_id=uuid4(),
        date=DAY,
        value=value,
        work_type="test",
        work_type_title="Контрольная работа",
        weight=2.0,
    )


async def alerts(client, as_, school, caller) -> list[str]:
    inbox = (await client.get(f"/schools/{school}/notifications", headers=as_(caller))).json()
    return [n["title"] for n in inbox if n["kind"] == "alert"]


async def test_a_failing_mark_alerts_the_class_teacher_and_the_parent(settings, client, as_):
    school, school_class, student, parent, class_teacher = await setting(settings)
    await publish_event(settings, mark(student, school_class, "4"), school_id=school)
    await publish_event(settings, mark(student, school_class, "2"), school_id=school)
    expected = ["Внимание: неудовлетворительная отметка 2 — Математика, 14.10.2026"]
    await eventually(lambda: _equal(alerts(client, as_, school, class_teacher), expected))
    assert await alerts(client, as_, school, parent) == expected
    # The student gets the mark, not the alert.
    assert await alerts(client, as_, school, student) == []


async def test_a_run_of_absences_alerts_once_and_the_school_can_turn_it_off(settings, client, as_):
    school, school_class, student, parent, class_teacher = await setting(settings)
    admin = person(school, "school_admin")
    url = f"/schools/{school}/alert-rules"
    assert (await client.get(url, headers=as_(admin))).json() == {
        "failing_mark": True,
        "absence_days": 3,
        "window_days": 7,
    }
    for n in range(4):
        absence = AbsenceRecorded(
            absence_id=uuid4(),
            lesson_id=uuid4(),
            student_id=student.person_id,
            class_id=school_class,
            subject_name="Русский язык",
            date=DAY - timedelta(days=3 - n),
            reason="unexcused",
        )
        await publish_event(settings, absence, school_id=school)

        async def counted(day=absence.date) -> bool:
            inbox = (await client.get(f"/schools/{school}/notifications", headers=as_(parent))).json()
            return any(f"{day:%d.%m.%Y}" in n["title"] for n in inbox if n["kind"] == "absence")

        await eventually(counted)
    assert await alerts(client, as_, school, class_teacher) == ["Внимание: пропуски 3 дня за 7 дней (по 13.10.2026)"]

    off = await client.put(url, json={"failing_mark": False, "absence_days": 0, "window_days": 7}, headers=as_(admin))
    assert off.status_code == 200
    bad = await client.put(url, json={"failing_mark": True, "absence_days": -1, "window_days": 0}, headers=as_(admin))
    assert bad.status_code == 422
    refused = await client.put(url, json=off.json(), headers=as_(class_teacher))
    assert refused.status_code == 403
    await publish_event(settings, mark(student, school_class, "2"), school_id=school)
    await eventually(lambda: _count_marks(client, as_, school, parent, 1))
    assert len(await alerts(client, as_, school, parent)) == 1


async def _equal(titles, expected) -> bool:
    return await titles == expected


async def _count_marks(client, as_, school, caller, count: int) -> bool:
    inbox = (await client.get(f"/schools/{school}/notifications", headers=as_(caller))).json()
    return len([n for n in inbox if n["kind"] == "mark"]) == count
