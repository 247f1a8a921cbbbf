"""The diary week read in one statement gives what the events put in: a week of every kind of event, compared
with the same week composed by the domain (``diary_days``) straight from the events, without the database."""

from datetime import date, time, timedelta
from uuid import uuid4

from chassis.testing import publish_event
from contracts.attendance import AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import HomeworkAssigned, MarkChanged, MarkDeleted
from contracts.notifications import AnnouncementPublished
from contracts.roster import GroupMembershipChanged, TimetableLessonScheduled
from reporting.api.diary import DiaryOut
from reporting.domain.diary import AbsenceRecord, LessonRecord, MarkRecord, TimetableRecord, diary_days
from reporting.domain.periods import DateRange

from .test_diary_api import MONDAY, TUESDAY, WEEK, absence_fields, diary, lesson_event, mark_event, marker_seen
from .test_period_marks_read import period_mark

WEDNESDAY = MONDAY + timedelta(days=2)
SUNDAY = MONDAY + timedelta(days=6)


def timetable(family, subject: str, day: date, number: int, **extra) -> TimetableLessonScheduled:
    return TimetableLessonScheduled(
        lesson_id=uuid4(),
        version=1,
        date=day,
        number=number,
        starts=time(8 + number),
        ends=time(8 + number, 45),
        assignment_id=uuid4(),
        class_id=family.class_id,
        class_name="5А",
        subject_id=uuid4(),
        subject_name=subject,
        teacher_id=uuid4(),
        room_name=f"{10 + number}",
        **extra,
    )


async def test_the_week_read_in_one_statement_is_what_the_events_put_in(settings, client, as_, make_family):
    family = await make_family()
    anna, school = family.anna, family.school_id
    algebra_slot = timetable(family, "Математика", MONDAY, 1)
    reading_slot = timetable(family, "Литература", MONDAY, 2)
    # A subgroup's lesson: Анна is in the group from Tuesday, so Monday's is not hers, Wednesday's is.
    group = uuid4()
    english_monday = timetable(family, "Английский язык", MONDAY, 3, group_id=group)
    english_wednesday = timetable(family, "Английский язык", WEDNESDAY, 1, group_id=group)
    algebra = lesson_event(family, uuid4(), MONDAY, "Дроби", homework="№ 5")
    algebra = algebra.model_copy(update={"scheduled_lesson_id": algebra_slot.lesson_id})
    geometry = lesson_event(family, uuid4(), TUESDAY, "Углы")
    # Another class's lesson Анна has a mark on (a mixed group): it shows in her diary too.
    elsewhere = lesson_event(family, uuid4(), WEDNESDAY, "Кружок", class_id=uuid4())
    first = mark_event(family, anna, algebra.lesson_id, MONDAY, "5")
    corrected = mark_event(family, anna, geometry.lesson_id, TUESDAY, "3", work_type="answer", weight=1.0)
    deleted = mark_event(family, anna, geometry.lesson_id, TUESDAY, "2", work_type="homework", weight=1.0)
    away = mark_event(family, anna, elsewhere.lesson_id, WEDNESDAY, "4")
    borises = mark_event(family, family.boris, algebra.lesson_id, MONDAY, "2")
    absent = AbsenceRecorded(**absence_fields(family, anna, geometry.lesson_id, TUESDAY, "ill"))
    mistaken = AbsenceRecorded(**absence_fields(family, anna, algebra.lesson_id, MONDAY, "late"))
    given = {
        "lesson_id": algebra.lesson_id,
        "assignment_id": uuid4(),
        "class_id": family.class_id,
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "given_on": MONDAY,
        "due_on": TUESDAY,
    }
    events = [
        GroupMembershipChanged(group_id=group, student_id=anna.person_id, starts=TUESDAY),
        algebra_slot,
        reading_slot,
        english_monday,
        english_wednesday,
        algebra,
        geometry,
        elsewhere,
        first,
        corrected,
        MarkChanged(**{**corrected.model_dump(), "value": "4"}, version=2, old_value="3", changed_by=uuid4()),
        deleted,
        MarkDeleted(**deleted.model_dump(), version=2, reason="ошибка", deleted_by=uuid4()),
        away,
        borises,
        absent,
        mistaken,
        AbsenceWithdrawn(**{**mistaken.model_dump(), "withdrawn_by": uuid4()}),
        HomeworkAssigned(**given, homework_id=uuid4(), text="Правило", pages="с. 40", links=["https://resh.edu.ru/"]),
        HomeworkAssigned(**given, homework_id=uuid4(), text="Для Бориса", student_ids=[family.boris.person_id]),
        HomeworkAssigned(**given, homework_id=uuid4(), text="Для Анны", student_ids=[anna.person_id]),
        AnnouncementPublished(
            announcement_id=uuid4(),
            class_id=family.class_id,
            title="Собрание",
            text="В среду в 18:00.",
            starts_on=TUESDAY,
            ends_on=WEDNESDAY,
            author_id=uuid4(),
        ),
        AnnouncementPublished(
            announcement_id=uuid4(),
            class_id=uuid4(),
            title="Экскурсия 9Б",
            text="Не для 5А.",
            starts_on=TUESDAY,
            ends_on=TUESDAY,
            author_id=uuid4(),
        ),
        period_mark(anna.person_id, class_id=family.class_id, value="5").model_copy(update={"ends": WEDNESDAY}),
        # Not shown before its day, and one of a period ending outside the week.
        period_mark(
            anna.person_id, class_id=family.class_id, value="3", subject_name="История", visible_from=date(2026, 12, 1)
        ).model_copy(update={"ends": TUESDAY}),
        period_mark(anna.person_id, class_id=family.class_id, value="4", subject_name="Физика"),
    ]
    for event in events:
        await publish_event(settings, event, school_id=school)
    await marker_seen(settings, client, as_, family, SUNDAY)

    answer = await diary(client, as_, family, family.anna_parent, anna)
    # Encoded without its model on the way out: still DiaryOut's own JSON, every field in its order.
    assert answer.content == DiaryOut.model_validate_json(answer.content).model_dump_json().encode()
    body = answer.json()
    # The marker lesson is on Sunday; the rest of the week is what the events above put in.
    sunday = body["days"][6]
    assert [lesson["topic"] for lesson in sunday["lessons"]] == ["Метка"]
    sunday["lessons"] = []

    def record(lesson) -> LessonRecord:
        fields = (lesson.lesson_id, lesson.date, lesson.subject_name, lesson.topic, lesson.homework)
        return LessonRecord(*fields, lesson.scheduled_lesson_id)

    def marked(mark, value: str, version: int) -> MarkRecord:
        fields = (mark.lesson_id, mark.date, mark.subject_name, value, mark.work_type, mark.work_type_title)
        return MarkRecord(*fields, mark.weight, version > 1, mark.mark_id, version)

    def slot(lesson) -> TimetableRecord:
        fields = (lesson.lesson_id, lesson.date, lesson.subject_name, lesson.number, lesson.starts, lesson.ends)
        return TimetableRecord(*fields, lesson.room_name, "scheduled", None, None, lesson.version)

    expected = diary_days(
        DateRange(MONDAY, SUNDAY),
        [record(algebra), record(geometry), record(elsewhere)],
        sorted(
            [marked(first, "5", 1), marked(corrected, "4", 2), marked(away, "4", 1)],
            key=lambda m: (m.date, m.mark_id),
        ),
        [AbsenceRecord(geometry.lesson_id, TUESDAY, "Математика", "ill")],
        [slot(algebra_slot), slot(reading_slot), slot(english_wednesday)],
    )
    week = DiaryOut.model_validate(
        {"student": body["student"], "start": MONDAY, "end": SUNDAY, "days": expected},
        from_attributes=True,
    ).model_dump(mode="json")
    assert body["days"] == week["days"]
    assert body["student"] == {"id": str(anna.person_id), "name": "Абрамова Анна", "class_name": "5А"}
    assert [(h["text"], h["individual"], h["links"]) for h in body["homework"]] == [
        ("Правило", False, ["https://resh.edu.ru/"]),
        ("Для Анны", True, []),
    ]
    assert [a["title"] for a in body["announcements"]] == ["Собрание"]
    assert [(p["subject"], p["text"], p["ends"]) for p in body["period_marks"]] == [
        ("Математика", "5", WEDNESDAY.isoformat())
    ]
    assert (body["start"], body["end"]) == (WEEK["start"], WEEK["end"])
