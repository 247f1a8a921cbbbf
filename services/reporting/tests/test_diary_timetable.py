"""The diary shows the timetable (R-14): times, rooms, changes and substitutes, before and after a record."""

from datetime import date, time, timedelta
from uuid import uuid4

from chassis.testing import eventually, publish_event
from contracts.gradebook import LessonRecorded
from contracts.roster import (
    GroupMembershipChanged,
    TimetableLessonCancelled,
    TimetableLessonScheduled,
    TimetableLessonSubstituted,
)
from reporting.domain.diary import LessonRecord, TimetableRecord, diary_days
from reporting.domain.periods import DateRange

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
WEEK = {"start": "2026-11-23", "end": "2026-11-29"}


def scheduled(family, subject, day, number, *, kind=TimetableLessonScheduled, lesson_id=None, version=1, **extra):
    values = {
        "lesson_id": lesson_id or uuid4(),
        "version": version,
        "date": day,
        "number": number,
        "starts": time(8, 30) if number == 1 else time(9, 25),
        "ends": time(9, 15) if number == 1 else time(10, 10),
        "assignment_id": uuid4(),
        "class_id": family.class_id,
        "class_name": "5А",
        "subject_id": uuid4(),
        "subject_name": subject,
        "teacher_id": uuid4(),
        "room_name": "12",
    }
    return kind(**(values | extra))


async def week_of(client, as_, family, student):
    response = await client.get(
        f"/schools/{family.school_id}/students/{student.person_id}/diary", params=WEEK, headers=as_(family.anna_parent)
    )
    assert response.status_code == 200, response.text
    return [(day["date"], lesson) for day in response.json()["days"] for lesson in day["lessons"]]


def test_a_record_joins_its_timetable_lesson_and_the_day_is_in_lesson_order():
    maths, russian, record = uuid4(), uuid4(), uuid4()
    days = diary_days(
        DateRange(MONDAY, MONDAY),
        [LessonRecord(record, MONDAY, "Математика", "Дроби", "№ 5", scheduled_lesson_id=maths)],
        [],
        [],
        [
            TimetableRecord(
                russian, MONDAY, "Русский язык", 2, time(9, 25), time(10, 10), "14", "scheduled", None, None, 1
            ),
            TimetableRecord(maths, MONDAY, "Математика", 1, time(8, 30), time(9, 15), "12", "scheduled", None, None, 3),
        ],
    )
    lessons = days[0].lessons
    assert [(le.lesson_id, le.number, le.topic) for le in lessons] == [(record, 1, "Дроби"), (russian, 2, None)]
    # The record carries its timetable lesson's id and version, as the bare timetable lesson does.
    assert [(le.timetable_lesson_id, le.timetable_version) for le in lessons] == [(maths, 3), (russian, 1)]


async def test_the_family_sees_the_weeks_timetable_with_changes_before_any_record(settings, client, as_, make_family):
    family = await make_family()
    maths = scheduled(family, "Математика", MONDAY, 1)
    russian = scheduled(family, "Русский язык", MONDAY, 2)
    events = [
        maths,
        russian,
        scheduled(
            family,
            "Математика",
            MONDAY,
            1,
            kind=TimetableLessonSubstituted,
            lesson_id=maths.lesson_id,
            version=2,
            substitute_name="Петрова А.",
            change_note="Замена: Петрова А.",
        ),
        scheduled(
            family,
            "Русский язык",
            MONDAY,
            2,
            kind=TimetableLessonCancelled,
            lesson_id=russian.lesson_id,
            version=2,
            status="cancelled",
            change_note="Отменён: болезнь учителя",
        ),
        # Homework posted in advance for Tuesday's lesson, before the timetable lesson arrives.
        LessonRecorded(
            lesson_id=uuid4(),
            version=1,
            assignment_id=uuid4(),
            class_id=family.class_id,
            subject_id=uuid4(),
            subject_name="История",
            teacher_id=uuid4(),
            date=TUESDAY,
            topic="Древний Египет",
            homework="§ 7",
            scheduled_lesson_id=(history := uuid4()),
            number=1,
        ),
        scheduled(family, "История", TUESDAY, 1, lesson_id=history, room_name="21"),
    ]
    for event in events:
        await publish_event(settings, event, school_id=family.school_id)

    async def settled():
        week = await week_of(client, as_, family, family.anna)
        changes = [lesson["change"] for _, lesson in week]
        return week if len(week) == 3 and None not in changes[:2] and week[2][1]["room"] == "21" else None

    week = await eventually(settled)
    assert [
        (day, le["number"], le["starts"], le["subject"], le["room"], le["status"], le["substitute"], le["change"])
        for day, le in week
    ] == [
        ("2026-11-23", 1, "08:30:00", "Математика", "12", "scheduled", "Петрова А.", "Замена: Петрова А."),
        ("2026-11-23", 2, "09:25:00", "Русский язык", "12", "cancelled", None, "Отменён: болезнь учителя"),
        ("2026-11-24", 1, "08:30:00", "История", "21", "scheduled", None, None),
    ]
    assert (week[2][1]["topic"], week[2][1]["homework"]) == ("Древний Египет", "§ 7")
    # Each lesson names its timetable lesson at its newest state, the recorded one too (the state portal's key).
    assert [(le["timetable_lesson_id"], le["timetable_version"]) for _, le in week] == [
        (str(maths.lesson_id), 2),
        (str(russian.lesson_id), 2),
        (str(history), 1),
    ]


async def test_a_subgroup_lesson_shows_only_to_its_members(settings, client, as_, make_family):
    family = await make_family()
    group = uuid4()
    english = scheduled(family, "Английский язык", MONDAY, 1, group_id=group)
    await publish_event(
        settings,
        GroupMembershipChanged(group_id=group, student_id=family.anna.person_id, starts=date(2026, 9, 1)),
        school_id=family.school_id,
    )
    await publish_event(settings, english, school_id=family.school_id)
    marker = scheduled(family, "Математика", MONDAY, 2)
    await publish_event(settings, marker, school_id=family.school_id)

    async def arrived(student) -> list:
        week = await week_of(client, as_, family, student)
        return (
            [le["subject"] for _, le in week]
            if any(le["lesson_id"] == str(marker.lesson_id) for _, le in week)
            else None
        )

    assert await eventually(lambda: arrived(family.anna)) == ["Английский язык", "Математика"]
    boris_week = await client.get(
        f"/schools/{family.school_id}/students/{family.boris.person_id}/diary",
        params=WEEK,
        headers=as_(family.boris_parent),
    )
    assert [le["subject"] for day in boris_week.json()["days"] for le in day["lessons"]] == ["Математика"]
