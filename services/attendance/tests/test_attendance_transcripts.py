"""R-16: a student transferred to another school takes the year's absences along as a read-only copy, sent by
the sending school's attendance through the broker and filed as the receiving school's own rows."""

from chassis.auth import Caller
from chassis.testing import events_handled, eventually, person, publish_event, refused, until_handled
from contracts.roster import StudentTransferAccepted


async def test_the_receiving_school_reads_the_years_absences_and_the_sending_school_keeps_its_own(
    app, settings, client, as_, make_class, give_lesson, today
):
    sending = await make_class()
    anna = sending.students[0]
    lesson = await give_lesson(sending, today)
    marked = await client.post(
        f"/schools/{sending.school_id}/lessons/{lesson}/absences",
        json={"student_id": str(anna), "reason": "Б"},
        headers=as_(sending.teacher),
    )
    assert marked.status_code == 201, marked.text

    # The receiving class: its class teacher and the teacher who gives its lessons read the newcomer's copy.
    joining = await make_class(name="6Б")
    receiving, student, class_teacher = joining.school_id, joining.students[0], joining.class_teacher
    await give_lesson(joining, today)
    accepted = StudentTransferAccepted(
        source_student_id=anna,
        source_school_name="МБОУ СОШ № 3",
        receiving_school_id=receiving,
        student_id=student,
        academic_year="2026/2027",
    )
    await publish_event(settings, accepted, school_id=sending.school_id)

    url = f"/schools/{receiving}/students/{student}/transcript"
    admin = person(receiving, "school_admin")

    async def copied():
        answer = await client.get(url, headers=as_(admin))
        return answer.json() if answer.status_code == 200 and answer.json() else None

    rows = await eventually(copied)
    assert [(r["source_school_name"], r["date"], r["subject_name"], r["code"]) for r in rows] == [
        ("МБОУ СОШ № 3", today.isoformat(), "Математика", "Б")
    ]

    for reader in (class_teacher, joining.teacher):
        assert (await client.get(url, headers=as_(reader))).status_code == 200
    me = Caller(student, "Абрамова Анна", frozenset({(receiving, "student")}))
    assert len((await client.get(url, headers=as_(me))).json()) == 1
    refused(await client.get(url, headers=as_(person(receiving, "teacher"))), 404)
    refused(await client.get(url, headers=as_(person(receiving, "guardian"))), 404)

    # The sending school's absence stays, and it holds no copy.
    deputy = person(sending.school_id, "deputy")
    own = await client.get(f"/schools/{sending.school_id}/students/{anna}/transcript", headers=as_(deputy))
    assert own.json() == []

    handled = events_handled(app, "attendance.transcripts")
    await publish_event(settings, accepted, school_id=sending.school_id)
    await until_handled(app, "attendance.transcripts", handled + 1)
    assert len((await client.get(url, headers=as_(admin))).json()) == 1
