"""Corrections of absences over HTTP (R-25, R-41, R-42): lessons moved or deleted in the gradebook, an absence
put on another lesson, a reason for a class and a date range, and the counts per student and course."""

from datetime import timedelta
from uuid import uuid4

from sqlalchemy import select

from attendance.models import AbsenceChange, Lesson
from chassis.tenancy import Tenant
from chassis.testing import eventually, person, publish_event, refused
from contracts.gradebook import LessonDeleted


async def mark_absent(client, as_, school_class, lesson_id, student, reason="Н"):
    response = await client.post(
        f"/schools/{school_class.school_id}/lessons/{lesson_id}/absences",
        json={"student_id": str(student), "reason": reason},
        headers=as_(school_class.teacher),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def change_log(app, school_id):
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        rows = await session.scalars(select(AbsenceChange).order_by(AbsenceChange.changed_at, AbsenceChange.action))
        return [(r.action, r.old_value, r.new_value, r.reason) for r in rows]


def of_type(events, kind):
    return [e for e in events if e["type"] == kind]


async def test_a_lesson_deleted_in_the_gradebook_withdraws_its_absences(
    app, client, as_, settings, make_class, outbox_events, today
):
    school_class = await make_class()
    school = school_class.school_id
    recorded = school_class.lesson(today)
    await publish_event(settings, recorded, school_id=school)
    await eventually(lambda: _known(app, school, recorded.lesson_id))
    absence = await mark_absent(client, as_, school_class, recorded.lesson_id, school_class.students[0])

    deleted = LessonDeleted(
        **recorded.model_dump(exclude={"version", "topic", "homework", "number", "scheduled_lesson_id"}),
        version=2,
        reason="урок записан дважды",
        deleted_by=school_class.teacher.person_id,
    )
    await publish_event(settings, deleted, school_id=school)

    async def withdrawn():
        return of_type(await outbox_events(school), "attendance.absence.withdrawn.v1")

    [event] = await eventually(withdrawn)
    assert (event["subject"], event["data"]["version"], event["data"]["withdrawn_by"]) == (
        absence["id"],
        2,
        str(school_class.teacher.person_id),
    )
    again = await client.post(
        f"/schools/{school}/lessons/{recorded.lesson_id}/absences",
        json={"student_id": str(school_class.students[1]), "reason": "Н"},
        headers=as_(school_class.teacher),
    )
    refused(again, 404, "Урок удалён из журнала.")
    # A late first record of the lesson does not bring it back.
    await publish_event(settings, recorded, school_id=school)
    assert await change_log(app, school) == [("lesson_deleted", "unexcused", "", "урок записан дважды")]


async def _known(app, school, lesson_id, day=None):
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        lesson = await session.get(Lesson, lesson_id, populate_existing=True)
        return lesson is not None and (day is None or lesson.date == day)


async def test_a_lesson_moved_in_the_gradebook_moves_its_absences(
    app, client, as_, settings, make_class, outbox_events, today
):
    school_class = await make_class()
    school = school_class.school_id
    yesterday = today - timedelta(days=1)
    recorded = school_class.lesson(yesterday)
    await publish_event(settings, recorded, school_id=school)
    await eventually(lambda: _known(app, school, recorded.lesson_id))
    absence = await mark_absent(client, as_, school_class, recorded.lesson_id, school_class.students[0], "Б")

    moved = recorded.model_copy(update={"version": 2, "date": today - timedelta(days=2)})
    await publish_event(settings, moved, school_id=school)

    async def corrected():
        return of_type(await outbox_events(school), "attendance.absence.corrected.v1")

    [event] = await eventually(corrected)
    data = event["data"]
    assert (event["subject"], data["date"], data["previous_date"], data["reason"], data["previous_reason"]) == (
        absence["id"],
        moved.date.isoformat(),
        yesterday.isoformat(),
        "ill",
        "ill",
    )
    assert data["version"] == 2 and data["previous_lesson_id"] is None
    assert await change_log(app, school) == [("moved", f"{yesterday:%d.%m.%Y}", f"{moved.date:%d.%m.%Y}", None)]


async def test_an_absence_on_the_wrong_lesson_goes_to_the_right_one(
    app, client, as_, make_class, give_lesson, outbox_events, today
):
    school_class = await make_class()
    other_class = await make_class(school_class.school_id, "6Б")
    school = school_class.school_id
    wrong, right = await give_lesson(school_class, today), await give_lesson(school_class, today)
    elsewhere = await give_lesson(other_class, today)
    absence = await mark_absent(client, as_, school_class, wrong, school_class.students[0])
    url = f"/schools/{school}/absences/{absence['id']}/lesson"
    before = await outbox_events(school)

    for target, status, message in [
        (wrong, 422, "Пропуск уже стоит на этом уроке."),
        (elsewhere, 403, "Причину пропуска исправляет классный руководитель"),
        (uuid4(), 404, "Урок не найден."),
    ]:
        refused(
            await client.patch(url, json={"lesson_id": str(target)}, headers=as_(school_class.teacher)), status, message
        )
    stranger = person(school, "teacher")
    refused(await client.patch(url, json={"lesson_id": str(right)}, headers=as_(stranger)), 403)
    assert await outbox_events(school) == before

    moved = await client.patch(url, json={"lesson_id": str(right)}, headers=as_(school_class.teacher))
    assert moved.status_code == 200, moved.text
    assert moved.json()["lesson_id"] == str(right)
    [event] = of_type(await outbox_events(school), "attendance.absence.corrected.v1")
    assert (event["data"]["lesson_id"], event["data"]["previous_lesson_id"], event["data"]["version"]) == (
        str(right),
        str(wrong),
        2,
    )
    lesson_list = await client.get(f"/schools/{school}/lessons/{right}/absences", headers=as_(school_class.teacher))
    assert [a["id"] for a in lesson_list.json()] == [absence["id"]]
    assert [row[0] for row in await change_log(app, school)] == ["lesson"]
    changes_url = f"/schools/{school}/absence-changes"
    refused(await client.get(changes_url, headers=as_(school_class.teacher)), 403, "администрации школы")
    [logged] = (await client.get(changes_url, headers=as_(person(school, "deputy")))).json()
    assert (logged["absence_id"], logged["action"], logged["changed_by"]) == (
        absence["id"],
        "lesson",
        str(school_class.teacher.person_id),
    )


async def test_the_class_teacher_sets_a_reason_for_a_week_and_counts_follow(
    app, client, as_, make_class, give_lesson, outbox_events, today
):
    school_class = await make_class()
    school = school_class.school_id
    anna, boris = school_class.students
    monday = today - timedelta(days=2)
    lessons = [await give_lesson(school_class, monday + timedelta(days=i)) for i in range(3)]
    for lesson in lessons:
        await mark_absent(client, as_, school_class, lesson, anna, "Н")
    await mark_absent(client, as_, school_class, lessons[0], boris, "О")
    url = f"/schools/{school}/classes/{school_class.class_id}/absence-reasons"
    week = {"start": monday.isoformat(), "end": (monday + timedelta(days=6)).isoformat()}
    before = await outbox_events(school)

    refused(
        await client.post(url, json=week | {"reason": "Б"}, headers=as_(school_class.teacher)),
        403,
        "классный руководитель",
    )
    late = await client.post(url, json=week | {"reason": "О"}, headers=as_(school_class.class_teacher))
    refused(late, 422, "Опоздание отмечается по одному уроку")
    stranger = await client.post(
        url, json=week | {"reason": "Б", "student_ids": [str(uuid4())]}, headers=as_(school_class.class_teacher)
    )
    refused(stranger, 422, "Не все указанные обучающиеся числятся в этом классе.")
    assert await outbox_events(school) == before

    body = week | {"reason": "Б", "student_ids": [str(anna)], "note": "справка № 12"}
    certificate = await client.post(url, json=body, headers=as_(school_class.class_teacher))
    assert certificate.status_code == 200, certificate.text
    assert certificate.json()["corrected"] == 3
    assert {a["code"] for a in certificate.json()["absences"]} == {"Б"}
    events = of_type(await outbox_events(school), "attendance.absence.corrected.v1")
    assert [(e["data"]["reason"], e["data"]["previous_reason"]) for e in events] == [("ill", "unexcused")] * 3
    assert {row[3] for row in await change_log(app, school)} == {"справка № 12"}
    again = await client.post(url, json=body, headers=as_(school_class.class_teacher))
    assert again.json()["corrected"] == 0

    counts_url = f"/schools/{school}/classes/{school_class.class_id}/attendance"
    refused(await client.get(counts_url, params=week, headers=as_(person(school, "guardian"))), 403)
    counts = await client.get(counts_url, params=week, headers=as_(school_class.class_teacher))
    assert counts.status_code == 200, counts.text
    result = counts.json()
    assert result["totals"] == {"lessons_missed": 3, "ill": 3, "excused": 0, "unexcused": 0, "lates": 1}
    by_name = {s["name"]: s for s in result["students"]}
    assert list(by_name) == ["Абрамова Анна", "Яковлев Борис"]
    assert [
        (c["subject_name"], c["lessons"], c["missed"], c["share_missed"]) for c in by_name["Абрамова Анна"]["courses"]
    ] == [("Математика", 1, 1, 1.0)] * 3
    assert (by_name["Яковлев Борис"]["lates"], by_name["Яковлев Борис"]["lessons_missed"]) == (1, 0)
