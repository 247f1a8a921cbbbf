"""An elective or club (R-14) kept in the journal like any course: its list is its members from several classes,
and a mark or homework goes only to one in the group on the lesson's day."""

from datetime import date, timedelta
from uuid import uuid4

from chassis.testing import events_handled, eventually, publish_event, refused, until_handled
from contracts.roster import ElectiveCreated, GroupMembershipChanged, PersonRegistered, StudentEnrolled


async def test_a_club_of_several_classes_is_a_course_with_its_members_by_date(
    app, settings, client, as_, make_journal, today
):
    journal = await make_journal()
    school, teacher = journal.school_id, journal.teacher
    anna, boris = journal.students
    vera, club = uuid4(), uuid4()
    handled = events_handled(app, "gradebook.roster")
    events = [
        PersonRegistered(person_id=vera, last_name="Волкова", first_name="Вера"),
        StudentEnrolled(student_id=vera, class_id=uuid4(), class_name="6Б", enrolled_on=date(2026, 9, 1)),
        ElectiveCreated(
            group_id=club,
            kind="club",
            name="Робототехника",
            subject_id=uuid4(),
            subject_name="Робототехника",
            teacher_id=teacher.person_id,
            academic_year="2026/2027",
        ),
        GroupMembershipChanged(group_id=club, student_id=vera, starts=date(2026, 9, 1), version=1),
        # Anna left yesterday; her joining (version 1) arrives after her leaving and changes nothing.
        GroupMembershipChanged(
            group_id=club, student_id=anna, starts=date(2026, 9, 1), ends=today - timedelta(days=1), version=2
        ),
        GroupMembershipChanged(group_id=club, student_id=anna, starts=date(2026, 9, 1), version=1),
    ]
    for event in events:
        await publish_event(settings, event, school_id=school)
    await until_handled(app, "gradebook.roster", handled + len(events))
    url = f"/schools/{school}"

    async def listed() -> list:
        answer = await client.get(f"{url}/courses/{club}/students", headers=as_(teacher))
        return answer.status_code == 200 and [s["name"] for s in answer.json()]

    # Everyone who has been in the club, Boris (not a member) not.
    assert await eventually(listed) == ["Абрамова Анна", "Волкова Вера"]
    courses = (await client.get(f"{url}/courses", headers=as_(teacher))).json()
    assert {c["class_name"] for c in courses} == {"5А", "Робототехника"}
    lesson = await client.post(
        f"{url}/lessons",
        json={"course_id": str(club), "date": today.isoformat(), "topic": "Датчики"},
        headers=as_(teacher),
    )
    assert lesson.status_code == 201, lesson.text
    marks = f"{url}/lessons/{lesson.json()['id']}/marks"
    given = await client.post(
        marks, json={"student_id": str(vera), "value": "5", "work_type": "answer"}, headers=as_(teacher)
    )
    assert given.status_code == 201, given.text
    for stranger in (anna, boris):
        refused(
            await client.post(
                marks, json={"student_id": str(stranger), "value": "4", "work_type": "answer"}, headers=as_(teacher)
            ),
            422,
            "Обучающийся не числится в классе Робототехника.",
        )
