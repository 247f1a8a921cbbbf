"""An elective's or club's lesson (R-14) takes absences of its members on the lesson's day, whatever their class."""

from datetime import date, timedelta
from uuid import uuid4

from attendance.models import Lesson
from chassis.tenancy import Tenant
from chassis.testing import eventually, publish_event, refused
from contracts.gradebook import LessonRecorded
from contracts.roster import GroupMembershipChanged


async def test_a_clubs_lesson_registers_its_members_of_the_day(app, client, as_, settings, make_class, today):
    school_class = await make_class()
    anna, boris = school_class.students
    club = uuid4()
    lesson = LessonRecorded(
        lesson_id=uuid4(),
        version=1,
        assignment_id=club,
        class_id=club,
        subject_id=uuid4(),
        subject_name="Робототехника",
        teacher_id=school_class.teacher.person_id,
        date=today,
        topic="Датчики",
    )
    events = [
        GroupMembershipChanged(group_id=club, student_id=anna, starts=date(2026, 9, 1), version=1),
        # Boris left the club yesterday.
        GroupMembershipChanged(
            group_id=club, student_id=boris, starts=date(2026, 9, 1), ends=today - timedelta(days=1), version=2
        ),
        lesson,
    ]
    for event in events:
        await publish_event(settings, event, school_id=school_class.school_id)

    async def known() -> bool:
        async with app.state.db.transaction(Tenant(school_id=school_class.school_id)) as session:
            return await session.get(Lesson, lesson.lesson_id) is not None

    # One queue, published in order: the lesson known means the places before it are too.
    await eventually(known)
    url = f"/schools/{school_class.school_id}/lessons/{lesson.lesson_id}/absences"
    given = await client.post(url, json={"student_id": str(anna), "reason": "Н"}, headers=as_(school_class.teacher))
    assert given.status_code == 201, given.text
    refused(
        await client.post(url, json={"student_id": str(boris), "reason": "Н"}, headers=as_(school_class.teacher)),
        422,
        "Обучающийся не числится в классе, у которого был этот урок.",
    )
