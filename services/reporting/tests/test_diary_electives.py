"""An elective or club (R-14) in the diary: its lessons and homework while the student is in it, read by the family
and by the class teacher of each member; its course's class is the group."""

from datetime import date, timedelta
from uuid import uuid4

from chassis.testing import eventually, publish_event
from contracts.gradebook import HomeworkAssigned, LessonRecorded
from contracts.roster import GroupMembershipChanged

MONDAY = date(2026, 11, 23)
WEEK = {"start": "2026-11-23", "end": "2026-11-29"}


def recorded(class_id, subject, day, topic):
    return LessonRecorded(
        lesson_id=uuid4(),
        version=1,
        assignment_id=class_id,
        class_id=class_id,
        subject_id=uuid4(),
        subject_name=subject,
        teacher_id=uuid4(),
        date=day,
        topic=topic,
    )


async def test_a_clubs_lessons_show_to_its_members_while_they_are_in_it(settings, client, as_, make_family):
    family = await make_family()
    club = uuid4()
    monday = recorded(club, "Робототехника", MONDAY, "Датчики")
    events = [
        # Anna attends until Tuesday; Boris never.
        GroupMembershipChanged(
            group_id=club,
            student_id=family.anna.person_id,
            starts=date(2026, 9, 1),
            ends=MONDAY + timedelta(1),
            version=2,
        ),
        monday,
        recorded(club, "Робототехника", MONDAY + timedelta(2), "Моторы"),
        HomeworkAssigned(
            homework_id=uuid4(),
            lesson_id=monday.lesson_id,
            assignment_id=club,
            class_id=club,
            subject_name="Робототехника",
            teacher_id=uuid4(),
            given_on=MONDAY,
            due_on=MONDAY + timedelta(1),
            text="Собрать датчик",
        ),
        # The diary's consumer takes one delivery at a time: the marker seen means every event before it handled.
        (marker := recorded(family.class_id, "Математика", MONDAY, "Дроби")),
    ]
    for event in events:
        await publish_event(settings, event, school_id=family.school_id)

    async def week(student, reader):
        answer = await client.get(
            f"/schools/{family.school_id}/students/{student.person_id}/diary", params=WEEK, headers=as_(reader)
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        lessons = [(d["date"], le["subject"], le["topic"]) for d in body["days"] for le in d["lessons"]]
        return (lessons, body["homework"]) if ("2026-11-23", "Математика", marker.topic) in lessons else None

    anna, homework = await eventually(lambda: week(family.anna, family.anna_parent))
    assert sorted(anna) == [("2026-11-23", "Математика", "Дроби"), ("2026-11-23", "Робототехника", "Датчики")]
    assert [h["text"] for h in homework] == ["Собрать датчик"]
    # The class teacher of 5А reads each member's diary: the same week.
    assert (await week(family.anna, family.class_teacher)) == (anna, homework)
    boris, homework = await week(family.boris, family.boris_parent)
    assert (boris, homework) == ([("2026-11-23", "Математика", "Дроби")], [])
