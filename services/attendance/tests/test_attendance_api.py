"""Attendance over HTTP against real PostgreSQL, with lessons and classes replicated from events."""

from datetime import date, timedelta
from uuid import uuid4

from attendance.models import Absence
from chassis.auth import Caller
from chassis.tenancy import Tenant
from chassis.testing import eventually, person, publish_event, refused
from contracts.roster import GuardianshipEnded, GuardianshipLinked


def only_class_teacher(school_class) -> Caller:
    """The class's class teacher without the teacher role, which reads the whole school's attendance."""
    teacher = school_class.class_teacher
    return Caller(teacher.person_id, teacher.name, frozenset({(school_class.school_id, "class_teacher")}))


def absences_url(school_class, lesson_id):
    return f"/schools/{school_class.school_id}/lessons/{lesson_id}/absences"


async def test_absence_before_the_lesson_is_known_is_a_conflict_then_succeeds(
    client, as_, settings, make_class, outbox_events, today
):
    school_class = await make_class()
    lesson = school_class.lesson(today)
    anna = str(school_class.students[0])
    url = absences_url(school_class, lesson.lesson_id)
    early = await client.post(url, json={"student_id": anna, "reason": "Н"}, headers=as_(school_class.teacher))
    refused(early, 409)
    assert early.json()["detail"] == "Урок ещё не получен журналом посещаемости; повторите через секунду."
    assert await outbox_events(school_class.school_id) == []

    await publish_event(settings, lesson, school_id=school_class.school_id)

    async def retried():
        response = await client.post(url, json={"student_id": anna, "reason": "Н"}, headers=as_(school_class.teacher))
        return response if response.status_code == 201 else None

    absence = (await eventually(retried)).json()
    assert absence | {"id": None} == {
        "id": None,
        "lesson_id": str(lesson.lesson_id),
        "student_id": anna,
        "reason": "unexcused",
        "code": "Н",
    }
    [event] = await outbox_events(school_class.school_id)
    assert event["type"] == "attendance.absence.recorded.v1" and event["subject"] == absence["id"]
    assert event["data"] == {
        "absence_id": absence["id"],
        "lesson_id": str(lesson.lesson_id),
        "student_id": anna,
        "class_id": str(school_class.class_id),
        "subject_name": "Математика",
        "date": today.isoformat(),
        "reason": "unexcused",
        "version": 1,
    }


async def test_only_the_lessons_teacher_marks_absence(client, as_, make_class, give_lesson, outbox_events, today):
    school_class = await make_class()
    school = school_class.school_id
    lesson_id = await give_lesson(school_class, today)
    body = {"student_id": str(school_class.students[0]), "reason": "ill"}
    for caller, status in [
        (person(school, "teacher"), 403),
        (person(school, "guardian"), 403),
        (person(school, "class_teacher"), 403),
        (person(school, "deputy"), 403),
        (person(uuid4(), "teacher"), 404),
    ]:
        response = await client.post(absences_url(school_class, lesson_id), json=body, headers=as_(caller))
        assert response.status_code == status, response.text
    assert await outbox_events(school) == []
    listed = await client.get(absences_url(school_class, lesson_id), headers=as_(school_class.teacher))
    assert listed.status_code == 200 and listed.json() == []


async def test_bad_input_gets_problems_and_writes_nothing(client, as_, make_class, give_lesson, outbox_events, today):
    school_class = await make_class()
    teacher = school_class.teacher
    anna = str(school_class.students[0])
    lesson_id = await give_lesson(school_class, today)
    old_lesson = await give_lesson(school_class, today - timedelta(days=6))
    future_lesson = await give_lesson(school_class, today + timedelta(days=1))
    url = absences_url(school_class, lesson_id)

    malformed = await client.post(
        url, content=b"{student", headers={**as_(teacher), "content-type": "application/json"}
    )
    refused(malformed, 400)

    cases = [
        (url, {"student_id": anna, "reason": "прогул"}, 422),
        (url, {"student_id": anna, "reason": 1}, 422),
        (url, {"student_id": "Анна", "reason": "Б"}, 422),
        (url, {"student_id": anna}, 422),
        (url, {"student_id": str(uuid4()), "reason": "Б"}, 422),
        (absences_url(school_class, old_lesson), {"student_id": anna, "reason": "Б"}, 422),
        (absences_url(school_class, future_lesson), {"student_id": anna, "reason": "Б"}, 422),
    ]
    for target, body, status in cases:
        response = await client.post(target, json=body, headers=as_(teacher))
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert await outbox_events(school_class.school_id) == []

    assert (await client.post(url, json={"student_id": anna, "reason": "О"}, headers=as_(teacher))).status_code == 201
    twice = await client.post(url, json={"student_id": anna, "reason": "Б"}, headers=as_(teacher))
    refused(twice, 409)
    assert [a["code"] for a in (await client.get(url, headers=as_(teacher))).json()] == ["О"]
    assert len(await outbox_events(school_class.school_id)) == 1


async def test_class_teacher_corrects_the_reason(client, as_, app, make_class, give_lesson, outbox_events, today):
    school_class = await make_class(name="5А")
    school = school_class.school_id
    other_class = await make_class(school, "6Б")
    lesson_id = await give_lesson(school_class, today)
    absence = (
        await client.post(
            absences_url(school_class, lesson_id),
            json={"student_id": str(school_class.students[1]), "reason": "unexcused"},
            headers=as_(school_class.teacher),
        )
    ).json()
    absence_url = f"/schools/{school}/absences/{absence['id']}"

    for outsider in (person(school, "teacher"), person(school, "guardian")):
        refused(await client.patch(absence_url, json={"reason": "Б"}, headers=as_(outsider)), 403)
    # R-1: the class teacher of 6Б, or one of no class, does not correct 5А's reasons.
    for stranger in (other_class.class_teacher, person(school, "class_teacher")):
        refusal = await client.patch(absence_url, json={"reason": "Б"}, headers=as_(stranger))
        refused(refusal, 403, "классный руководитель этого класса")
    unknown_reason = await client.patch(absence_url, json={"reason": "Ж"}, headers=as_(school_class.class_teacher))
    refused(unknown_reason, 422)

    corrected = await client.patch(absence_url, json={"reason": "Б"}, headers=as_(school_class.class_teacher))
    assert corrected.status_code == 200 and corrected.json()["code"] == "Б"
    by_teacher = await client.patch(absence_url, json={"reason": "excused"}, headers=as_(school_class.teacher))
    assert by_teacher.json()["code"] == "У"

    corrections = [e["data"] for e in await outbox_events(school) if e["type"] == "attendance.absence.corrected.v1"]
    assert [(c["previous_reason"], c["reason"]) for c in corrections] == [("unexcused", "ill"), ("ill", "excused")]
    assert [c["version"] for c in corrections] == [2, 3]  # the record was 1
    assert [c["corrected_by"] for c in corrections] == [
        str(school_class.class_teacher.person_id),
        str(school_class.teacher.person_id),
    ]


async def test_after_five_days_only_the_class_teacher_corrects(client, as_, app, make_class, give_lesson, today):
    school_class = await make_class()
    school = school_class.school_id
    other_class = await make_class(school, "6Б")
    lesson_id = await give_lesson(school_class, today - timedelta(days=8))
    # An absence marked in time, eight days ago.
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        absence = Absence(
            school_id=school,
            lesson_id=lesson_id,
            student_id=school_class.students[0],
            reason="unexcused",
            recorded_by=school_class.teacher.person_id,
        )
        session.add(absence)
    url = f"/schools/{school}/absences/{absence.id}"
    late = await client.patch(url, json={"reason": "Б"}, headers=as_(school_class.teacher))
    refused(late, 422)
    assert "классный руководитель" in late.json()["detail"]
    refused(await client.delete(url, headers=as_(school_class.teacher)), 422)
    refused(await client.patch(url, json={"reason": "Б"}, headers=as_(other_class.class_teacher)), 403)
    assert (await client.patch(url, json={"reason": "Б"}, headers=as_(school_class.class_teacher))).status_code == 200


async def test_the_teacher_withdraws_a_wrong_absence(client, as_, make_class, give_lesson, outbox_events, today):
    school_class = await make_class()
    school = school_class.school_id
    lesson_id = await give_lesson(school_class, today)
    url = absences_url(school_class, lesson_id)
    absence = (
        await client.post(
            url, json={"student_id": str(school_class.students[0]), "reason": "Н"}, headers=as_(school_class.teacher)
        )
    ).json()
    absence_url = f"/schools/{school}/absences/{absence['id']}"
    refused(await client.delete(absence_url, headers=as_(school_class.class_teacher)), 403)
    assert (await client.delete(absence_url, headers=as_(school_class.teacher))).status_code == 204
    refused(await client.delete(absence_url, headers=as_(school_class.teacher)), 404)
    assert (await client.get(url, headers=as_(school_class.teacher))).json() == []

    withdrawn = [e for e in await outbox_events(school) if e["type"] == "attendance.absence.withdrawn.v1"]
    assert [(e["subject"], e["data"]["reason"], e["data"]["withdrawn_by"]) for e in withdrawn] == [
        (absence["id"], "unexcused", str(school_class.teacher.person_id))
    ]
    again = await client.post(
        url, json={"student_id": str(school_class.students[0]), "reason": "О"}, headers=as_(school_class.teacher)
    )
    assert again.status_code == 201


async def test_lesson_list_and_student_summary_for_a_period(client, as_, make_class, give_lesson, today):
    school_class = await make_class()
    school = school_class.school_id
    other_class = await make_class(school, "6Б")
    anna, boris = school_class.students
    days = [today, today - timedelta(days=1), today - timedelta(days=2), today - timedelta(days=3)]
    lessons = [await give_lesson(school_class, day) for day in days]
    for lesson_id, reason in zip(lessons, ["Б", "Н", "О", "У"], strict=True):
        response = await client.post(
            absences_url(school_class, lesson_id),
            json={"student_id": str(anna), "reason": reason},
            headers=as_(school_class.teacher),
        )
        assert response.status_code == 201, response.text
    await client.post(
        absences_url(school_class, lessons[0]),
        json={"student_id": str(boris), "reason": "О"},
        headers=as_(school_class.teacher),
    )

    for reader in (person(school, "director"), only_class_teacher(school_class)):
        listed = (await client.get(absences_url(school_class, lessons[0]), headers=as_(reader))).json()
        assert [(a["student_name"], a["code"]) for a in listed] == [("Абрамова Анна", "Б"), ("Яковлев Борис", "О")]
    # a class teacher reads their own class only, a teacher the classes they give lessons in.
    assert (await client.get(absences_url(school_class, lessons[0]), headers=as_(school_class.teacher))).is_success
    for stranger in (person(school, "class_teacher"), only_class_teacher(other_class), other_class.teacher):
        response = await client.get(absences_url(school_class, lessons[0]), headers=as_(stranger))
        refused(response, 403)
    unknown_lesson = await client.get(absences_url(school_class, uuid4()), headers=as_(school_class.class_teacher))
    refused(unknown_lesson, 404)

    summary_url = f"/schools/{school}/students/{anna}/summary"
    for stranger in (person(school, "class_teacher"), only_class_teacher(other_class), other_class.teacher):
        refused(await client.get(summary_url, headers=as_(stranger)), 403)
    whole = (await client.get(summary_url, headers=as_(only_class_teacher(school_class)))).json()
    assert {k: whole[k] for k in ("lessons_missed", "ill", "excused", "unexcused", "lates")} == {
        "lessons_missed": 3,
        "ill": 1,
        "excused": 1,
        "unexcused": 1,
        "lates": 1,
    }
    period = {"start": days[2].isoformat(), "end": days[1].isoformat()}
    part = (await client.get(summary_url, params=period, headers=as_(school_class.teacher))).json()
    assert (part["lessons_missed"], part["unexcused"], part["lates"], part["ill"]) == (1, 1, 1, 0)

    student = person(school, "student")
    own = await client.get(f"/schools/{school}/students/{student.person_id}/summary", headers=as_(student))
    assert own.status_code == 200 and own.json()["lessons_missed"] == 0
    refused(await client.get(summary_url, headers=as_(student)), 403)
    refused(await client.get(summary_url, headers=as_(person(school, "guardian"))), 403)
    reversed_period = {"start": days[1].isoformat(), "end": days[2].isoformat()}
    refused(await client.get(summary_url, params=reversed_period, headers=as_(school_class.teacher)), 422)


async def test_the_family_reads_the_childs_summary_until_the_guardianship_ends(settings, client, as_, make_class):
    """R-42 for the family; R-4: a former guardian reads it no more (roster's ending reaches attendance too)."""
    school_class = await make_class()
    school = school_class.school_id
    anna, boris = school_class.students
    parent = person(school, "guardian")
    linked = GuardianshipLinked(guardian_id=parent.person_id, student_id=anna, relation="мать")
    await publish_event(settings, linked, school_id=school)

    async def answers(student, status: int) -> bool:
        response = await client.get(f"/schools/{school}/students/{student}/summary", headers=as_(parent))
        return response.status_code == status

    assert await eventually(lambda: answers(anna, 200))
    refused(await client.get(f"/schools/{school}/students/{boris}/summary", headers=as_(parent)), 403)
    ended = GuardianshipEnded(guardian_id=parent.person_id, student_id=anna, ended_on=date(2026, 10, 20), reason="суд")
    await publish_event(settings, ended, school_id=school)
    assert await eventually(lambda: answers(anna, 403))
