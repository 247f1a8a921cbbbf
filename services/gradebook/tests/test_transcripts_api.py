"""R-16: a student transferred to another school of the region takes the year's marks and period marks along as a
read-only copy, sent by the sending school's gradebook through the broker and filed as the receiving school's own
rows."""

from datetime import date
from uuid import uuid4

from chassis.auth import Caller
from chassis.testing import events_handled, eventually, person, publish_event, refused, until_handled
from contracts.gradebook import TranscriptCopied, TranscriptMarkLine, TranscriptPeriodMarkLine
from contracts.roster import (
    AcademicYearChanged,
    AssignmentCreated,
    ClassCreated,
    ClassTeacherAssigned,
    ElectiveCreated,
    GroupMembershipChanged,
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


async def test_a_subject_teacher_reads_the_newcomers_copy_of_their_subject_only_and_of_this_year(
    app, settings, client, as_, make_journal
):
    """The journal's view of the copy (R-16): the course's pupils who came this year, each with what they brought
    in the course's subject; the copy stays out of the journal's own marks and averages."""
    journal = await make_journal()
    anna, boris = journal.students
    school = f"/schools/{journal.school_id}"

    def mark(subject: str, value: str, day: date) -> TranscriptMarkLine:
        return TranscriptMarkLine(
            mark_id=uuid4(),
            date=day,
            subject_name=subject,
            value=value,
            work_type="test",
            work_type_title="Контрольная работа",
            weight=2,
        )

    def period_mark(subject: str, value: str, year_start: int) -> TranscriptPeriodMarkLine:
        return TranscriptPeriodMarkLine(
            period_mark_id=uuid4(),
            subject_name=subject,
            period_kind="quarter",
            period_name="1 четверть",
            starts=date(year_start, 9, 1),
            ends=date(year_start, 10, 25),
            value=value,
            text=value,
            visible_from=date(year_start, 10, 25),
        )

    stranger = uuid4()
    copies = [
        # Анна came this year from № 3, bringing maths and Russian; a pupil of another class brought maths too.
        TranscriptCopied(
            student_id=anna,
            source_school_id=uuid4(),
            source_school_name="МБОУ СОШ № 3",
            academic_year="2026/2027",
            marks=[mark("Математика", "4", date(2026, 9, 20)), mark("Русский язык", "3", date(2026, 9, 21))],
            period_marks=[period_mark("Математика", "4", 2026), period_mark("Русский язык", "3", 2026)],
        ),
        TranscriptCopied(
            student_id=stranger,
            source_school_id=uuid4(),
            source_school_name="МБОУ СОШ № 5",
            academic_year="2026/2027",
            marks=[mark("Математика", "2", date(2026, 9, 22))],
            period_marks=[],
        ),
        # Борис came last year: that copy is last year's, he is no newcomer in this year's journal.
        TranscriptCopied(
            student_id=boris,
            source_school_id=uuid4(),
            source_school_name="МБОУ СОШ № 9",
            academic_year="2025/2026",
            marks=[mark("Математика", "5", date(2025, 9, 20))],
            period_marks=[period_mark("Математика", "5", 2025)],
        ),
    ]
    handled = events_handled(app, "gradebook.transcripts")
    for copy in copies:
        await publish_event(settings, copy, school_id=journal.school_id)
    await until_handled(app, "gradebook.transcripts", handled + len(copies))

    url = f"{school}/courses/{journal.course_id}/transcripts"
    answer = await client.get(url, headers=as_(journal.teacher))
    assert answer.status_code == 200, answer.text
    assert answer.json() == [
        {
            "student_id": str(anna),
            "academic_year": "2026/2027",
            "source_school_names": ["МБОУ СОШ № 3"],
            "marks": [
                {
                    "source_school_name": "МБОУ СОШ № 3",
                    "academic_year": "2026/2027",
                    "date": "2026-09-20",
                    "subject_name": "Математика",
                    "value": "4",
                    "work_type_title": "Контрольная работа",
                    "weight": 2.0,
                }
            ],
            "period_marks": [
                {
                    "source_school_name": "МБОУ СОШ № 3",
                    "academic_year": "2026/2027",
                    "subject_name": "Математика",
                    "period_name": "1 четверть",
                    "starts": "2026-09-01",
                    "ends": "2026-10-25",
                    "text": "4",
                }
            ],
        }
    ]
    # The journal's own marks and averages know nothing of the copy.
    averages = (await client.get(f"{school}/courses/{journal.course_id}/averages", headers=as_(journal.teacher))).json()
    assert [(a["marks"], a["average"]) for a in averages] == [(0, None), (0, None)]
    # The school's administration reads it as it reads the journal; a teacher of another class does not.
    assert (await client.get(url, headers=as_(person(journal.school_id, "deputy")))).json() == answer.json()
    refused(await client.get(url, headers=as_(person(journal.school_id, "teacher"))), 403, "Журнал этого класса")
    refused(await client.get(f"{school}/courses/{uuid4()}/transcripts", headers=as_(journal.teacher)), 404, "Курс")


async def test_an_electives_newcomers_are_those_of_the_schools_current_year(app, settings, client, as_, make_journal):
    """An elective's group has no class year of its own: the school's year that holds today decides."""
    journal = await make_journal()
    anna, boris = journal.students
    club = uuid4()
    handled = events_handled(app, "gradebook.roster")
    roster_events = [
        AcademicYearChanged(
            year_id=uuid4(),
            version=1,
            name="2026/2027",
            starts=date(2026, 9, 1),
            ends=date(2027, 5, 31),
            status="active",
        ),
        ElectiveCreated(
            group_id=club,
            kind="elective",
            name="Решение задач",
            subject_id=uuid4(),
            subject_name="Математика",
            teacher_id=journal.teacher.person_id,
            academic_year="2026/2027",
        ),
        GroupMembershipChanged(group_id=club, student_id=anna, starts=date(2026, 9, 1), version=1),
    ]
    for event in roster_events:
        await publish_event(settings, event, school_id=journal.school_id)
    await until_handled(app, "gradebook.roster", handled + len(roster_events))
    handled = events_handled(app, "gradebook.transcripts")
    for student, year in ((anna, "2026/2027"), (boris, "2026/2027"), (anna, "2025/2026")):
        copied = TranscriptCopied(
            student_id=student,
            source_school_id=uuid4(),
            source_school_name=f"Школа {year}",
            academic_year=year,
            marks=[
                TranscriptMarkLine(
                    mark_id=uuid4(),
                    date=date(int(year[:4]), 9, 20),
                    subject_name="Математика",
                    value="5",
                    work_type="answer",
                    work_type_title="Ответ на уроке",
                    weight=1,
                )
            ],
            period_marks=[],
        )
        await publish_event(settings, copied, school_id=journal.school_id)
    await until_handled(app, "gradebook.transcripts", handled + 3)
    answer = await client.get(f"/schools/{journal.school_id}/courses/{club}/transcripts", headers=as_(journal.teacher))
    assert answer.status_code == 200, answer.text
    # Anna is in the group and came this year; Boris came this year but is not in it.
    assert [(c["student_id"], c["source_school_names"], [m["date"] for m in c["marks"]]) for c in answer.json()] == [
        (str(anna), ["Школа 2026/2027"], ["2026-09-20"])
    ]
