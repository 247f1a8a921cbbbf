"""The journal follows roster's timetable: scheduled lessons, their records, substitutes (R-14, R-20)."""

from datetime import date, time, timedelta
from uuid import uuid4

import pytest

from chassis.problems import Conflict, Forbidden, Invalid
from chassis.testing import eventually, person, publish_event
from contracts.roster import (
    TimetableLessonChanged,
    TimetableLessonScheduled,
    TimetableLessonState,
    TimetableLessonSubstituted,
)
from gradebook.domain.timetable import (
    TimetableLesson,
    check_assignment_in_force,
    check_record_writer,
    check_unscheduled,
    scheduled_record_date,
)

TEST_DAY = date(2026, 10, 14)


def timetable_lesson(
    journal, day, number=1, version=1, kind: type[TimetableLessonState] = TimetableLessonScheduled, **changes
):
    values = {
        "lesson_id": uuid4(),
        "version": version,
        "date": day,
        "number": number,
        "starts": time(8, 30),
        "ends": time(9, 15),
        "assignment_id": journal.course_id,
        "class_id": journal.class_id,
        "class_name": "5А",
        "subject_id": journal.subject_id,
        "subject_name": "Математика",
        "teacher_id": journal.teacher.person_id,
        "room_name": "12",
    }
    return kind(**(values | changes))


async def journal_of(client, as_, journal, day):
    response = await client.get(
        f"/schools/{journal.school_id}/courses/{journal.course_id}/journal",
        params={"start": day.isoformat(), "end": day.isoformat()},
        headers=as_(journal.teacher),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def scheduled(settings, client, as_, journal, event):
    await publish_event(settings, event, school_id=journal.school_id)

    async def arrived():
        entries = await journal_of(client, as_, journal, event.date)
        found = [e for e in entries if e["scheduled_lesson_id"] == str(event.lesson_id)]
        return found and found[0]["change_note"] == event.change_note and found[0]["status"] == event.status

    await eventually(arrived)


def test_a_scheduled_record_takes_the_timetables_date():
    course, day = uuid4(), TEST_DAY
    lesson = TimetableLesson(course, day, "scheduled", None)
    assert scheduled_record_date(lesson, course, None) == day
    with pytest.raises(Invalid, match="перенести его на другой день может только расписание"):
        scheduled_record_date(lesson, course, day + timedelta(days=1))
    with pytest.raises(Conflict, match="отменён"):
        scheduled_record_date(TimetableLesson(course, day, "cancelled", None), course, None)
    with pytest.raises(Invalid, match="другого курса"):
        scheduled_record_date(lesson, uuid4(), None)


def test_an_unscheduled_lesson_needs_a_reason_where_there_is_a_timetable():
    assert check_unscheduled(TEST_DAY, None, course_has_timetable=False) == TEST_DAY
    assert check_unscheduled(TEST_DAY, "Дополнительное занятие", course_has_timetable=True) == TEST_DAY
    with pytest.raises(Invalid, match="укажите причину"):
        check_unscheduled(TEST_DAY, None, course_has_timetable=True)


def test_the_substitute_writes_the_record_of_their_lesson():
    teacher, substitute = uuid4(), uuid4()
    check_record_writer(teacher, teacher, None)
    check_record_writer(substitute, teacher, substitute)
    with pytest.raises(Forbidden, match="учитель на замене"):
        check_record_writer(substitute, teacher, None)


def test_a_teacher_whose_assignment_ended_writes_no_more_but_the_substitute_still_does():
    teacher, substitute = uuid4(), uuid4()
    with pytest.raises(Forbidden, match=r"снята с 12\.10\.2026"):
        check_record_writer(teacher, teacher, None, date(2026, 10, 12))
    with pytest.raises(Forbidden, match="снята"):
        check_record_writer(teacher, teacher, substitute, date(2026, 10, 12))
    check_record_writer(substitute, teacher, substitute, date(2026, 10, 12))
    check_assignment_in_force(None)


async def test_the_journal_shows_scheduled_lessons_before_they_are_recorded(settings, client, as_, make_journal, today):
    journal = await make_journal()
    first, second = timetable_lesson(journal, today, 1), timetable_lesson(journal, today, 3, starts=time(10, 30))
    await scheduled(settings, client, as_, journal, second)
    await scheduled(settings, client, as_, journal, first)
    entries = await journal_of(client, as_, journal, today)
    assert [(e["number"], e["starts"], e["room_name"], e["lesson"]) for e in entries] == [
        (1, "08:30:00", "12", None),
        (3, "10:30:00", "12", None),
    ]

    recorded = await client.post(
        f"/schools/{journal.school_id}/lessons",
        json={"course_id": str(journal.course_id), "scheduled_lesson_id": str(first.lesson_id), "topic": "Дроби"},
        headers=as_(journal.teacher),
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["date"] == today.isoformat()
    twice = await client.post(
        f"/schools/{journal.school_id}/lessons",
        json={"course_id": str(journal.course_id), "scheduled_lesson_id": str(first.lesson_id), "topic": "Ещё"},
        headers=as_(journal.teacher),
    )
    assert twice.status_code == 409
    assert "уже записан" in twice.json()["detail"]
    entries = await journal_of(client, as_, journal, today)
    assert entries[0]["lesson"]["topic"] == "Дроби"

    # A date alone (the journal grid's form) records the day's next timetable lesson.
    by_date = await client.post(
        f"/schools/{journal.school_id}/lessons",
        json={"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Проценты"},
        headers=as_(journal.teacher),
    )
    assert by_date.status_code == 201, by_date.text
    assert by_date.json()["scheduled_lesson_id"] == str(second.lesson_id)
    without_reason = await client.post(
        f"/schools/{journal.school_id}/lessons",
        json={"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Консультация"},
        headers=as_(journal.teacher),
    )
    assert without_reason.status_code == 422
    assert "укажите причину" in without_reason.json()["detail"]
    extra = await client.post(
        f"/schools/{journal.school_id}/lessons",
        json={
            "course_id": str(journal.course_id),
            "date": today.isoformat(),
            "topic": "Консультация",
            "reason": "Дополнительное занятие",
        },
        headers=as_(journal.teacher),
    )
    assert extra.status_code == 201
    entries = await journal_of(client, as_, journal, today)
    assert [(e["number"], e["status"]) for e in entries] == [(1, "scheduled"), (3, "scheduled"), (None, "unscheduled")]
    assert entries[2]["change_note"] == "Дополнительное занятие"


async def test_a_substitute_records_the_lesson_and_the_record_shows_it(
    settings, client, as_, make_journal, today, outbox_events
):
    journal = await make_journal()
    substitute = person(journal.school_id, "teacher", name="Петрова Анна")
    lesson = timetable_lesson(journal, today)
    await scheduled(settings, client, as_, journal, lesson)
    body = {"course_id": str(journal.course_id), "scheduled_lesson_id": str(lesson.lesson_id), "topic": "Дроби"}
    before = await client.post(f"/schools/{journal.school_id}/lessons", json=body, headers=as_(substitute))
    assert before.status_code == 403

    substituted = timetable_lesson(
        journal,
        today,
        version=2,
        kind=TimetableLessonSubstituted,
        lesson_id=lesson.lesson_id,
        substitute_teacher_id=substitute.person_id,
        substitute_name="Петрова А.",
        change_note="Замена: Петрова А.",
    )
    await scheduled(settings, client, as_, journal, substituted)
    recorded = await client.post(f"/schools/{journal.school_id}/lessons", json=body, headers=as_(substitute))
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["substitute_teacher_id"] == str(substitute.person_id)
    mark = await client.post(
        f"/schools/{journal.school_id}/lessons/{recorded.json()['id']}/marks",
        json={"student_id": str(journal.students[0]), "value": "5", "work_type": "answer"},
        headers=as_(substitute),
    )
    assert mark.status_code == 201, mark.text

    day = await client.get(f"/schools/{journal.school_id}/teacher-day", headers=as_(substitute))
    assert [(e["subject_name"], e["substitute_name"], e["lesson"]["topic"]) for e in day.json()] == [
        ("Математика", "Петрова А.", "Дроби")
    ]
    event = [e for e in await outbox_events(journal.school_id) if e["type"] == "gradebook.lesson.recorded.v1"][-1]
    assert (event["data"]["scheduled_lesson_id"], event["data"]["number"], event["data"]["substitute_teacher_id"]) == (
        str(lesson.lesson_id),
        1,
        str(substitute.person_id),
    )


async def test_a_moved_lesson_moves_its_record_and_an_old_event_changes_nothing(
    settings, client, as_, make_journal, today
):
    journal = await make_journal()
    lesson = timetable_lesson(journal, today)
    await scheduled(settings, client, as_, journal, lesson)
    recorded = await client.post(
        f"/schools/{journal.school_id}/lessons",
        json={"course_id": str(journal.course_id), "scheduled_lesson_id": str(lesson.lesson_id), "topic": "Дроби"},
        headers=as_(journal.teacher),
    )
    assert recorded.status_code == 201
    tomorrow = today + timedelta(days=1)
    moved = timetable_lesson(
        journal,
        tomorrow,
        2,
        version=3,
        kind=TimetableLessonChanged,
        lesson_id=lesson.lesson_id,
        change_note="Перенесён",
    )
    await scheduled(settings, client, as_, journal, moved)
    await publish_event(settings, lesson, school_id=journal.school_id)  # version 1 again, late
    # A lesson published after the late event arrives after it (one queue, in order).
    await scheduled(settings, client, as_, journal, timetable_lesson(journal, tomorrow, 5))
    entries = await journal_of(client, as_, journal, tomorrow)
    assert [(e["number"], e["lesson"] and (e["lesson"]["date"], e["lesson"]["version"])) for e in entries] == [
        (2, (tomorrow.isoformat(), 2)),
        (5, None),
    ]
    assert await journal_of(client, as_, journal, today) == []
