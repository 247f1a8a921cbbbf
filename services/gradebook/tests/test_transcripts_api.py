"""R-16: a student transferred to another school of the region takes the year's marks and period marks along as a
read-only copy, sent by the sending school's gradebook through the broker and filed as the receiving school's own
rows."""

from datetime import date
from uuid import uuid4

from chassis.auth import Caller
from chassis.testing import events_handled, eventually, person, publish_event, refused, until_handled
from contracts.roster import (
    AssignmentCreated,
    ClassCreated,
    ClassTeacherAssigned,
    PersonRegistered,
    StudentEnrolled,
    StudentTransferAccepted,
)


async def test_the_receiving_school_reads_the_years_marks_and_the_sending_school_keeps_its_own(
    app, settings, client, as_, make_journal, school_year, today
):
    journal = await make_journal()
    quarter = (await school_year(journal))["1 четверть"]
    sending = f"/schools/{journal.school_id}"
    anna = journal.students[0]
    lesson = (
        await client.post(
            f"{sending}/lessons",
            json={"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Дроби"},
            headers=as_(journal.teacher),
        )
    ).json()
    for work_type, value in (("answer", "5"), ("test", "4")):
        mark = {"student_id": str(anna), "value": value, "work_type": work_type}
        posted = await client.post(f"{sending}/lessons/{lesson['id']}/marks", json=mark, headers=as_(journal.teacher))
        assert posted.status_code == 201, posted.text
    anna_url = f"{sending}/courses/{journal.course_id}/periods/{quarter['kind']}/{quarter['period_id']}/marks/{anna}"
    set_pm = await client.put(anna_url, json={"value": "4"}, headers=as_(journal.teacher))
    assert set_pm.status_code == 200, set_pm.text

    receiving, class_id, student = uuid4(), uuid4(), uuid4()
    class_teacher, maths_teacher = person(receiving, "teacher", "class_teacher"), person(receiving, "teacher")
    for event in (
        ClassCreated(class_id=class_id, grade=5, letter="Б", name="5Б", academic_year="2026/2027"),
        PersonRegistered(person_id=student, last_name="Абрамова", first_name="Анна"),
        StudentEnrolled(student_id=student, class_id=class_id, class_name="5Б", enrolled_on=today),
        ClassTeacherAssigned(class_id=class_id, class_name="5Б", teacher_id=class_teacher.person_id, version=1),
        AssignmentCreated(
            assignment_id=uuid4(),
            teacher_id=maths_teacher.person_id,
            subject_id=uuid4(),
            subject_name="Математика",
            class_id=class_id,
            class_name="5Б",
        ),
    ):
        await publish_event(settings, event, school_id=receiving)
    accepted = StudentTransferAccepted(
        source_student_id=anna,
        source_school_name="МБОУ СОШ № 3",
        receiving_school_id=receiving,
        student_id=student,
        academic_year="2026/2027",
    )
    await publish_event(settings, accepted, school_id=journal.school_id)

    url = f"/schools/{receiving}/students/{student}/transcript"
    admin = person(receiving, "school_admin")

    async def copied():
        answer = await client.get(url, headers=as_(admin))
        return answer.json() if answer.status_code == 200 and len(answer.json()["marks"]) == 2 else None

    copy = await eventually(copied)
    rows = copy["marks"]
    assert sorted((r["source_school_name"], r["subject_name"], r["value"], r["work_type_title"]) for r in rows) == [
        ("МБОУ СОШ № 3", "Математика", "4", "Контрольная работа"),
        ("МБОУ СОШ № 3", "Математика", "5", "Ответ на уроке"),
    ]
    assert {r["date"] for r in rows} == {today.isoformat()} and {r["academic_year"] for r in rows} == {"2026/2027"}
    assert copy["period_marks"] == [
        {
            "source_school_name": "МБОУ СОШ № 3",
            "academic_year": "2026/2027",
            "subject_name": "Математика",
            "period_name": "1 четверть",
            "starts": date(2026, 9, 1).isoformat(),
            "ends": date(2026, 10, 25).isoformat(),
            "text": "4",
        }
    ]

    # The class teacher, the class's teachers and the student read it; another teacher of the school and another
    # school do not.
    async def reads(who):
        return (await client.get(url, headers=as_(who))).status_code == 200

    await eventually(lambda: reads(class_teacher))
    await eventually(lambda: reads(maths_teacher))
    me = Caller(student, "Абрамова Анна", frozenset({(receiving, "student")}))
    assert len((await client.get(url, headers=as_(me))).json()["marks"]) == 2
    refused(await client.get(url, headers=as_(person(receiving, "teacher"))), 404)
    refused(await client.get(url, headers=as_(person(journal.school_id, "school_admin"))), 404)

    # The sending school's originals stay as they were, and it holds no copy.
    deputy = person(journal.school_id, "deputy")
    lessons = (await client.get(f"{sending}/courses/{journal.course_id}/lessons", headers=as_(deputy))).json()
    assert sorted(m["value"] for m in lessons[0]["marks"]) == ["4", "5"]
    own = await client.get(f"{sending}/students/{anna}/transcript", headers=as_(deputy))
    assert own.json() == {"marks": [], "period_marks": []}

    # Accepted twice (roster's relay retried), the copy comes again and is still one row per mark.
    handled = events_handled(app, "gradebook.transcripts")
    await publish_event(settings, accepted, school_id=journal.school_id)
    await until_handled(app, "gradebook.transcripts", handled + 1)
    again = (await client.get(url, headers=as_(admin))).json()
    assert (len(again["marks"]), len(again["period_marks"])) == (2, 1)
