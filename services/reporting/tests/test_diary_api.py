"""The family diary over HTTP, fed by events through the real broker into the real database."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from chassis.auth import Caller
from chassis.events import envelope_for
from chassis.testing import eventually, person, publish_event, refused
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import HomeworkAssigned, LessonDeleted, LessonRecorded, MarkChanged, MarkDeleted, MarkPosted
from contracts.roster import (
    ClassTeacherAssigned,
    ElectronicServiceRefusalChanged,
    GuardianshipLinked,
    PersonRegistered,
    StudentEnrolled,
)

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
WEEK = {"start": "2026-11-23", "end": "2026-11-29"}
MATHS = uuid4()


def lesson_event(
    family, lesson_id: UUID, day: date, topic: str, *, version: int = 1, homework: str | None = None, class_id=None
):
    return LessonRecorded(
        lesson_id=lesson_id,
        version=version,
        assignment_id=uuid4(),
        class_id=class_id or family.class_id,
        subject_id=MATHS,
        subject_name="Математика",
        teacher_id=uuid4(),
        date=day,
        topic=topic,
        homework=homework,
    )


def mark_event(family, student: Caller, lesson_id: UUID, day: date, value: str, **extra) -> MarkPosted:
    fields = {
        "mark_id": uuid4(),
        "lesson_id": lesson_id,
        "student_id": student.person_id,
        "class_id": family.class_id,
        "subject_id": MATHS,
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "date": day,
        "value": value,
        "work_type": "test",
        "work_type_title": "Контрольная работа",
        "weight": 2.0,
        **extra,
    }
    return MarkPosted(**fields)


def absence_fields(family, student: Caller, lesson_id: UUID, day: date, reason: str) -> dict:
    return {
        "absence_id": uuid4(),
        "lesson_id": lesson_id,
        "student_id": student.person_id,
        "class_id": family.class_id,
        "subject_name": "Математика",
        "date": day,
        "reason": reason,
    }


def municipal_admin(*schools: UUID) -> Caller:
    """A municipal administrator as the gateway signs one: the schools of their municipality, no role in them."""
    return Caller(
        person_id=uuid4(),
        name="Администратор Муниципалитета",
        region_roles=frozenset({"municipal_admin"}),
        municipality_id=uuid4(),
        municipal_schools=frozenset(schools),
    )


async def diary(client, as_, family, caller: Caller, student: Caller, **params):
    return await client.get(
        f"/schools/{family.school_id}/students/{student.person_id}/diary",
        params=params or WEEK,
        headers=as_(caller),
    )


def lessons_of(body: dict) -> list[dict]:
    return [lesson for day in body["days"] for lesson in day["lessons"]]


async def test_the_diary_shows_the_weeks_lessons_marks_and_absences(settings, client, as_, make_family):
    family = await make_family()
    algebra, geometry = uuid4(), uuid4()
    annas_mark = mark_event(family, family.anna, algebra, MONDAY, "5")
    for event in (
        lesson_event(family, algebra, MONDAY, "Сложение дробей", homework="№ 15, 16"),
        lesson_event(family, geometry, TUESDAY, "Углы"),
        annas_mark,
        AbsenceRecorded(**absence_fields(family, family.anna, geometry, TUESDAY, "unexcused")),
    ):
        await publish_event(settings, event, school_id=family.school_id)
    # Борис's mark comes as gradebook published it before MarkPosted carried the work type's title.
    borises_mark = mark_event(family, family.boris, algebra, MONDAY, "2")
    older = envelope_for(borises_mark, source="/tests", school_id=family.school_id)
    older = older.model_copy(update={"data": {k: v for k, v in older.data.items() if k != "work_type_title"}})
    await publish_event(settings, borises_mark, school_id=family.school_id, envelope=older)

    async def full() -> dict | None:
        body = (await diary(client, as_, family, family.anna_parent, family.anna)).json()
        lessons = lessons_of(body)
        return body if len(lessons) == 2 and lessons[0]["marks"] and lessons[1]["absence"] else None

    body = await eventually(full)
    assert body["student"] == {"id": str(family.anna.person_id), "name": "Абрамова Анна", "class_name": "5А"}
    assert (body["start"], body["end"]) == ("2026-11-23", "2026-11-29")
    assert [d["date"] for d in body["days"]] == [str(MONDAY + timedelta(days=n)) for n in range(7)]
    monday, tuesday = body["days"][0]["lessons"], body["days"][1]["lessons"]
    assert monday == [
        {
            "lesson_id": str(algebra),
            "subject": "Математика",
            "topic": "Сложение дробей",
            "homework": "№ 15, 16",
            "marks": [
                {
                    "value": "5",
                    "work_type": "test",
                    "work_type_title": "Контрольная работа",
                    "weight": 2.0,
                    "corrected": False,
                    "mark_id": str(annas_mark.mark_id),
                    "version": 1,
                }
            ],
            "absence": None,
            # Outside the timetable: no number, times, room or change.
            "number": None,
            "starts": None,
            "ends": None,
            "room": None,
            "status": None,
            "substitute": None,
            "change": None,
            "timetable_lesson_id": None,
            "timetable_version": None,
        }
    ]
    assert tuesday[0]["absence"] == {"reason": "unexcused", "code": "Н"}
    assert tuesday[0]["marks"] == []

    # Борис's «2» is in his diary, not in Анна's.
    async def borises_marks() -> list[dict]:
        borises = (await diary(client, as_, family, family.boris_parent, family.boris)).json()
        return [m for le in lessons_of(borises) for m in le["marks"]]

    # Without a title the diary still shows the mark, by its work type's code.
    assert await eventually(borises_marks) == [
        {
            "value": "2",
            "work_type": "test",
            "work_type_title": "",
            "weight": 2.0,
            "corrected": False,
            "mark_id": str(borises_mark.mark_id),
            "version": 1,
        }
    ]
    borises = (await diary(client, as_, family, family.boris_parent, family.boris)).json()
    assert all(le["absence"] is None for le in lessons_of(borises))


async def test_a_mark_before_its_lesson_then_the_lesson_fills_in(settings, client, as_, make_family):
    family = await make_family()
    lesson_id = uuid4()
    await publish_event(settings, mark_event(family, family.anna, lesson_id, MONDAY, "4"), school_id=family.school_id)

    async def lessons() -> list[dict]:
        return lessons_of((await diary(client, as_, family, family.anna, family.anna)).json())

    early = await eventually(lessons)
    assert early[0]["topic"] is None and early[0]["subject"] == "Математика"
    assert [m["value"] for m in early[0]["marks"]] == ["4"]

    await publish_event(settings, lesson_event(family, lesson_id, MONDAY, "Проценты"), school_id=family.school_id)

    async def topic_known() -> list[dict] | None:
        current = await lessons()
        return current if current[0]["topic"] == "Проценты" else None

    [entry] = await eventually(topic_known)
    assert [m["value"] for m in entry["marks"]] == ["4"]


async def marker_seen(settings, client, as_, family, day: date, class_id: UUID | None = None) -> None:
    """Publish a lesson of Анна's class and wait for it: events published before it have been handled.

    Each publish is confirmed before the next, so the queue holds them in order, and the test app
    takes one delivery at a time (``prefetch=1`` in conftest): the marker comes out last. None of
    these handlers fails, so none is overtaken by a retry.
    """
    marker = uuid4()
    await publish_event(
        settings, lesson_event(family, marker, day, "Метка", class_id=class_id), school_id=family.school_id
    )

    async def seen() -> bool:
        body = (await diary(client, as_, family, family.anna, family.anna)).json()
        return any(le["lesson_id"] == str(marker) for le in lessons_of(body))

    await eventually(seen)


async def test_an_older_lesson_version_never_overwrites_a_newer_one(settings, client, as_, make_family):
    family = await make_family()
    lesson_id = uuid4()
    await publish_event(
        settings,
        lesson_event(family, lesson_id, MONDAY, "Дроби (исправлено)", version=2, homework="№ 7"),
        school_id=family.school_id,
    )

    async def entry() -> dict | None:
        found = [
            le
            for le in lessons_of((await diary(client, as_, family, family.anna, family.anna)).json())
            if le["lesson_id"] == str(lesson_id)
        ]
        return found[0] if found else None

    assert (await eventually(entry))["topic"] == "Дроби (исправлено)"
    await publish_event(settings, lesson_event(family, lesson_id, MONDAY, "Дроби"), school_id=family.school_id)
    await marker_seen(settings, client, as_, family, TUESDAY)
    current = await entry()
    assert current is not None
    assert (current["topic"], current["homework"]) == ("Дроби (исправлено)", "№ 7")


async def test_redelivery_and_an_older_mark_state_have_no_second_effect(settings, client, as_, make_family):
    family = await make_family()
    lesson_id = uuid4()
    posted = mark_event(family, family.anna, lesson_id, MONDAY, "3")
    envelope = await publish_event(settings, posted, school_id=family.school_id)

    async def marks() -> list[str]:
        body = (await diary(client, as_, family, family.anna, family.anna)).json()
        return [m["value"] for le in lessons_of(body) if le["lesson_id"] == str(lesson_id) for m in le["marks"]]

    assert await eventually(marks) == ["3"]
    changed = MarkChanged(
        **{**posted.model_dump(), "value": "4", "version": 2, "old_value": "3", "changed_by": uuid4()}
    )
    await publish_event(settings, changed, school_id=family.school_id)
    await eventually(lambda: _equals(marks, ["4"]))

    # The very same posting again (a redelivery), and the posted state as a new event (a replay).
    await publish_event(settings, posted, school_id=family.school_id, envelope=envelope)
    await publish_event(settings, posted, school_id=family.school_id)
    await marker_seen(settings, client, as_, family, TUESDAY)
    assert await marks() == ["4"]


async def _equals(probe, expected) -> bool:
    return await probe() == expected


async def test_absences_follow_corrections_and_withdrawals_in_any_order(settings, client, as_, make_family):
    family = await make_family()
    first, second = uuid4(), uuid4()
    corrected_by = uuid4()
    now = datetime.now(UTC)

    def at(event, seconds: int):
        return envelope_for(event, source="/tests", school_id=family.school_id).model_copy(
            update={"time": now + timedelta(seconds=seconds)}
        )

    recorded = AbsenceRecorded(**absence_fields(family, family.anna, first, MONDAY, "unexcused"))
    correction = AbsenceCorrected(
        **{**recorded.model_dump(), "reason": "ill", "previous_reason": "unexcused", "corrected_by": corrected_by}
    )
    # The correction arrives before the record it corrects.
    await publish_event(settings, correction, school_id=family.school_id, envelope=at(correction, 1))
    await publish_event(settings, recorded, school_id=family.school_id, envelope=at(recorded, 0))

    mistaken = AbsenceRecorded(**absence_fields(family, family.anna, second, TUESDAY, "late"))
    withdrawal = AbsenceWithdrawn(**{**mistaken.model_dump(), "withdrawn_by": corrected_by})
    await publish_event(settings, withdrawal, school_id=family.school_id, envelope=at(withdrawal, 1))
    await publish_event(settings, mistaken, school_id=family.school_id, envelope=at(mistaken, 0))

    await marker_seen(settings, client, as_, family, TUESDAY)
    body = (await diary(client, as_, family, family.anna, family.anna)).json()
    absences = {le["lesson_id"]: le["absence"] for le in lessons_of(body) if le["absence"]}
    assert absences == {str(first): {"reason": "ill", "code": "Б"}}


async def test_only_the_family_staff_readers_and_inspectors_read_a_diary(settings, client, as_, make_family):
    family = await make_family()
    school = family.school_id
    readers = [
        family.anna,
        family.anna_parent,
        person(school, "school_admin"),
        person(school, "director"),
        person(school, "deputy"),
        family.class_teacher,
        person(region_roles=("inspector",)),
        municipal_admin(school),
    ]
    for reader in readers:
        response = await diary(client, as_, family, reader, family.anna)
        assert response.status_code == 200, (reader.school_roles, reader.region_roles, response.text)
        assert response.json()["student"]["name"] == "Абрамова Анна"

    other_school = uuid4()
    # R-1: a class teacher of another class (6Б) is a stranger to 5А's diaries.
    other_class, gleb = uuid4(), person(school, "student")
    other_class_teacher = person(school, "teacher", "class_teacher")
    for event in [
        ClassTeacherAssigned(class_id=other_class, class_name="6Б", teacher_id=other_class_teacher.person_id),
        StudentEnrolled(student_id=gleb.person_id, class_id=other_class, class_name="6Б", enrolled_on=MONDAY),
    ]:
        await publish_event(settings, event, school_id=school)

    async def reads_own_class() -> bool:
        return (await diary(client, as_, family, other_class_teacher, gleb)).status_code == 200

    await eventually(reads_own_class)
    strangers = [
        family.boris_parent,
        family.boris,
        other_class_teacher,
        person(school, "class_teacher"),
        person(school, "teacher"),
        person(school, "guardian"),
        person(other_school, "teacher"),
        person(other_school, "school_admin"),
        person(other_school, "guardian"),
        municipal_admin(other_school),
    ]
    for stranger in strangers:
        for view in ("diary", "summary"):
            response = await client.get(
                f"/schools/{school}/students/{family.anna.person_id}/{view}", params=WEEK, headers=as_(stranger)
            )
            refused(response, 404)


async def test_a_family_that_refused_the_electronic_service_is_told_so_and_the_staff_read_on(
    settings, client, as_, make_family
):
    family = await make_family()
    school = family.school_id

    async def refusal(refused_on: date | None, version: int) -> None:
        event = ElectronicServiceRefusalChanged(
            student_id=family.anna.person_id, refused_on=refused_on, version=version
        )
        await publish_event(settings, event, school_id=school)

    async def parent_reads() -> int:
        return (await diary(client, as_, family, family.anna_parent, family.anna)).status_code

    await refusal(MONDAY, 2)
    await eventually(lambda: _equals(parent_reads, 403))
    for reader in (family.anna_parent, family.anna):
        for view in ("diary", "summary"):
            response = await client.get(
                f"/schools/{school}/students/{family.anna.person_id}/{view}", params=WEEK, headers=as_(reader)
            )
            refused(response, 403, "отказалась от электронного дневника")
    # Boris's family did not refuse; the school's staff go on reading Anna's.
    assert (await diary(client, as_, family, family.boris_parent, family.boris)).status_code == 200
    staff = (family.class_teacher, person(school, "school_admin"), person(region_roles=("inspector",)))
    for reader in (*staff, municipal_admin(school)):
        assert (await diary(client, as_, family, reader, family.anna)).status_code == 200

    await refusal(None, 3)
    await eventually(lambda: _equals(parent_reads, 200))


async def test_parent_of_another_school_linked_to_the_same_id_elsewhere_sees_nothing_here(
    settings, client, as_, make_family
):
    family = await make_family()
    elsewhere = uuid4()
    # Анна's parent is linked to Анна in another school: that link opens nothing in this one.
    impostor = person(family.school_id, "guardian")
    await publish_event(
        settings,
        GuardianshipLinked(guardian_id=impostor.person_id, student_id=family.anna.person_id, relation="мать"),
        school_id=elsewhere,
    )
    await publish_event(
        settings,
        PersonRegistered(person_id=family.anna.person_id, last_name="Абрамова", first_name="Анна"),
        school_id=elsewhere,
    )
    await marker_seen(settings, client, as_, family, MONDAY)
    response = await diary(client, as_, family, impostor, family.anna)
    refused(response, 404)
    assert response.json()["detail"] == "Дневник не найден."
    assert (await client.get(f"/schools/{family.school_id}/my/students", headers=as_(impostor))).json() == []


async def test_an_unknown_student_is_not_found_even_for_the_administration(client, as_, make_family):
    family = await make_family()
    response = await client.get(
        f"/schools/{family.school_id}/students/{uuid4()}/diary", headers=as_(person(family.school_id, "director"))
    )
    refused(response, 404)
    assert response.json()["detail"] == "Дневник не найден."


async def test_my_students_lists_a_parents_children_and_a_student_themselves(settings, client, as_, make_family):
    family = await make_family()
    await publish_event(
        settings,
        GuardianshipLinked(
            guardian_id=family.anna_parent.person_id, student_id=family.boris.person_id, relation="мать"
        ),
        school_id=family.school_id,
    )

    async def children() -> list[dict]:
        return (await client.get(f"/schools/{family.school_id}/my/students", headers=as_(family.anna_parent))).json()

    both = await eventually(lambda: _length(children, 2))
    assert [(s["name"], s["class_name"]) for s in both] == [("Абрамова Анна", "5А"), ("Яковлев Борис", "5А")]
    mine = (await client.get(f"/schools/{family.school_id}/my/students", headers=as_(family.anna))).json()
    assert mine == [{"student_id": str(family.anna.person_id), "name": "Абрамова Анна", "class_name": "5А"}]
    teacher = person(family.school_id, "teacher")
    assert (await client.get(f"/schools/{family.school_id}/my/students", headers=as_(teacher))).json() == []


async def _length(probe, n: int) -> list | None:
    value = await probe()
    return value if len(value) == n else None


async def test_a_transfer_moves_the_diary_to_the_new_class(settings, client, as_, make_family):
    family = await make_family()
    new_class = uuid4()
    await publish_event(
        settings,
        StudentEnrolled(
            student_id=family.anna.person_id, class_id=new_class, class_name="5Б", enrolled_on=date(2026, 11, 1)
        ),
        school_id=family.school_id,
    )
    # An older enrolment replayed late does not move her back.
    await publish_event(
        settings,
        StudentEnrolled(
            student_id=family.anna.person_id, class_id=family.class_id, class_name="5А", enrolled_on=date(2026, 9, 1)
        ),
        school_id=family.school_id,
    )

    async def class_name() -> str | None:
        body = (await diary(client, as_, family, family.anna, family.anna)).json()
        return body["student"]["class_name"] if body["student"]["class_name"] == "5Б" else None

    await eventually(class_name)
    await marker_seen(settings, client, as_, family, MONDAY, new_class)
    assert await class_name() == "5Б"


async def test_bad_dates_are_refused_with_a_problem(client, as_, make_family):
    family = await make_family()
    url = f"/schools/{family.school_id}/students/{family.anna.person_id}"
    headers = as_(family.anna_parent)
    reversed_range = await client.get(
        f"{url}/diary", params={"start": "2026-11-29", "end": "2026-11-23"}, headers=headers
    )
    refused(reversed_range, 422)
    assert reversed_range.headers["content-type"] == "application/problem+json"
    assert "раньше" in reversed_range.json()["detail"]
    too_long = await client.get(f"{url}/diary", params={"start": "2026-09-01", "end": "2026-10-15"}, headers=headers)
    refused(too_long, 422)
    assert "31" in too_long.json()["detail"]
    not_a_date = await client.get(f"{url}/diary", params={"start": "2026-13-01"}, headers=headers)
    refused(not_a_date, 422)
    assert "start" in not_a_date.json()["detail"]
    year_and_more = await client.get(
        f"{url}/summary", params={"start": "2026-09-01", "end": "2027-09-30"}, headers=headers
    )
    refused(year_and_more, 422)


async def test_without_dates_the_diary_shows_the_current_week(client, as_, make_family, today):
    family = await make_family()
    monday = today - timedelta(days=today.weekday())
    body = (
        await client.get(
            f"/schools/{family.school_id}/students/{family.anna.person_id}/diary", headers=as_(family.anna)
        )
    ).json()
    assert (body["start"], body["end"]) == (str(monday), str(monday + timedelta(days=6)))
    assert len(body["days"]) == 7


async def test_summary_gives_averages_absences_and_lates_per_subject(settings, client, as_, make_family):
    family = await make_family()
    lessons = [uuid4() for _ in range(4)]
    for n, lesson_id in enumerate(lessons):
        await publish_event(
            settings,
            lesson_event(family, lesson_id, MONDAY + timedelta(days=n), f"Тема {n}"),
            school_id=family.school_id,
        )
    marks = [
        mark_event(family, family.anna, lessons[0], MONDAY, "5", work_type="test", weight=2.0),
        mark_event(family, family.anna, lessons[1], TUESDAY, "3", work_type="answer", weight=1.0),
        mark_event(family, family.anna, lessons[2], MONDAY + timedelta(days=2), "зач", work_type="credit", weight=0.0),
        mark_event(
            family,
            family.anna,
            uuid4(),
            MONDAY,
            "4",
            work_type="answer",
            weight=1.0,
            subject_name="Русский язык",
            subject_id=uuid4(),
        ),
    ]
    for event in marks:
        await publish_event(settings, event, school_id=family.school_id)
    for lesson_id, reason in ((lessons[2], "ill"), (lessons[3], "late")):
        absence = AbsenceRecorded(
            **absence_fields(family, family.anna, lesson_id, MONDAY + timedelta(days=lessons.index(lesson_id)), reason)
        )
        await publish_event(settings, absence, school_id=family.school_id)

    async def summary() -> dict | None:
        response = await client.get(
            f"/schools/{family.school_id}/students/{family.anna.person_id}/summary",
            params=WEEK,
            headers=as_(family.anna_parent),
        )
        body = response.json()
        return body if body["totals"]["marks"] == 4 and body["totals"]["lates"] == 1 else None

    body = await eventually(summary)
    maths, russian = body["subjects"]
    assert maths == {
        "subject": "Математика",
        "lessons": 4,
        "marks": ["5", "3", "зач"],
        "average": 4.0,
        "weighted_average": 4.33,
        "absences": 1,
        "lates": 1,
    }
    assert (russian["subject"], russian["lessons"], russian["marks"]) == ("Русский язык", 0, ["4"])
    assert body["totals"] == {"marks": 4, "average": 4.0, "weighted_average": 4.25, "absences": 1, "lates": 1}


async def test_the_class_teacher_reads_the_diaries_of_the_class_they_lead_now(settings, client, as_, make_family):
    family = await make_family()
    school = family.school_id
    successor = person(school, "class_teacher", name="Кузнецова Ольга")
    await publish_event(
        settings,
        ClassTeacherAssigned(
            class_id=family.class_id,
            class_name="5А",
            teacher_id=successor.person_id,
            previous_teacher_id=family.class_teacher.person_id,
        ),
        school_id=school,
    )

    async def status(caller: Caller, student: Caller) -> int:
        return (await diary(client, as_, family, caller, student)).status_code

    async def replaced() -> bool:
        return await status(successor, family.boris) == 200

    await eventually(replaced)
    # A class has one class teacher: the one replaced reads 5А's diaries no more.
    assert await status(family.class_teacher, family.boris) == 404
    summary = await client.get(
        f"/schools/{school}/students/{family.boris.person_id}/summary", params=WEEK, headers=as_(successor)
    )
    assert summary.status_code == 200 and summary.json()["student"]["name"] == "Яковлев Борис"

    # After Анна's transfer to 5Б her diary is read by 5Б's class teacher, not 5А's.
    new_class = uuid4()
    new_class_teacher = person(school, "class_teacher", name="Орлова Елена")
    await publish_event(
        settings,
        ClassTeacherAssigned(class_id=new_class, class_name="5Б", teacher_id=new_class_teacher.person_id),
        school_id=school,
    )
    await publish_event(
        settings,
        StudentEnrolled(
            student_id=family.anna.person_id, class_id=new_class, class_name="5Б", enrolled_on=date(2026, 11, 1)
        ),
        school_id=school,
    )

    async def transferred() -> bool:
        return await status(new_class_teacher, family.anna) == 200

    await eventually(transferred)
    assert await status(successor, family.anna) == 404
    assert await status(successor, family.boris) == 200


async def test_a_late_earlier_assignment_does_not_bring_the_replaced_class_teacher_back(
    settings, client, as_, make_family
):
    family = await make_family()
    school = family.school_id
    successor = person(school, "class_teacher", name="Кузнецова Ольга")
    original = family.class_teacher.person_id
    reassigned = ClassTeacherAssigned(class_id=family.class_id, class_name="5А", teacher_id=original)
    earlier = envelope_for(reassigned, source="/roster", school_id=school)
    replacement = ClassTeacherAssigned(
        class_id=family.class_id, class_name="5А", teacher_id=successor.person_id, previous_teacher_id=original
    )
    later = envelope_for(replacement, source="/roster", school_id=school)
    await publish_event(settings, replacement, school_id=school, envelope=later)

    async def replaced() -> bool:
        return (await diary(client, as_, family, successor, family.anna)).status_code == 200

    await eventually(replaced)
    await publish_event(settings, reassigned, school_id=school, envelope=earlier)
    await publish_event(settings, replacement, school_id=school, envelope=later)
    await marker_seen(settings, client, as_, family, MONDAY)
    assert (await diary(client, as_, family, successor, family.anna)).status_code == 200
    refused(await diary(client, as_, family, family.class_teacher, family.anna), 404)


async def test_corrections_show_in_the_diary_and_deletions_stay_deleted(settings, client, as_, make_family):
    """R-25: a corrected mark is flagged, a deleted mark and a deleted lesson leave the diary, and a late
    posting (an older version) of either does not bring it back."""
    family = await make_family()
    school = family.school_id
    kept, removed = uuid4(), uuid4()
    await publish_event(settings, lesson_event(family, kept, MONDAY, "Дроби"), school_id=school)
    await publish_event(settings, lesson_event(family, removed, MONDAY, "Лишний урок"), school_id=school)
    retyped = mark_event(family, family.anna, kept, MONDAY, "4", work_type="answer", work_type_title="Ответ на уроке")
    wrong = mark_event(family, family.anna, kept, MONDAY, "2")
    gone_with_lesson = mark_event(family, family.anna, removed, MONDAY, "5")
    for event in (retyped, wrong, gone_with_lesson):
        await publish_event(settings, event, school_id=school)
    await marker_seen(settings, client, as_, family, TUESDAY)

    deletion = {"reason": "ошибка", "deleted_by": uuid4()}
    events = [
        MarkChanged(
            **{**retyped.model_dump(), "work_type": "test", "work_type_title": "Контрольная работа", "weight": 2.0},
            version=2,
            old_value="4",
            changed_by=uuid4(),
            correction="work_type",
            old_work_type="answer",
        ),
        MarkDeleted(**wrong.model_dump(), version=2, **deletion),
        MarkDeleted(**gone_with_lesson.model_dump(), version=2, lesson_deleted=True, **deletion),
        LessonDeleted(
            **{
                k: v
                for k, v in lesson_event(family, removed, MONDAY, "Лишний урок").model_dump().items()
                if k != "version"
            },
            version=2,
            **deletion,
        ),
        # Late, older states of what was deleted: a redelivered posting and the lesson's first record.
        wrong,
        lesson_event(family, removed, MONDAY, "Лишний урок"),
    ]
    for event in events:
        await publish_event(settings, event, school_id=school)
    await marker_seen(settings, client, as_, family, TUESDAY)

    body = (await diary(client, as_, family, family.anna_parent, family.anna)).json()
    monday = [le for le in lessons_of(body) if le["lesson_id"] in (str(kept), str(removed))]
    assert [(le["lesson_id"], le["topic"]) for le in monday] == [(str(kept), "Дроби")]
    assert [(m["value"], m["work_type_title"], m["weight"], m["corrected"]) for m in monday[0]["marks"]] == [
        ("4", "Контрольная работа", 2.0, True)
    ]
    summary = await client.get(
        f"/schools/{school}/students/{family.anna.person_id}/summary", params=WEEK, headers=as_(family.anna_parent)
    )
    maths = next(s for s in summary.json()["subjects"] if s["subject"] == "Математика")
    assert maths["marks"] == ["4"]


async def test_the_diary_shows_the_classs_homework_and_the_students_own(settings, client, as_, make_family):
    """R-21: general homework for everyone of the class, individual homework only for its students."""
    family = await make_family()
    school = family.school_id
    given = {
        "lesson_id": uuid4(),
        "assignment_id": uuid4(),
        "class_id": family.class_id,
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "given_on": MONDAY - timedelta(days=3),
        "due_on": TUESDAY,
    }
    general = HomeworkAssigned(
        **given, homework_id=uuid4(), text="Правило", pages="с. 40", links=["https://resh.edu.ru/"]
    )
    for_boris = HomeworkAssigned(
        **given, homework_id=uuid4(), text="Работа над ошибками", student_ids=[family.boris.person_id]
    )
    for event in (general, for_boris, general):
        await publish_event(settings, event, school_id=school)
    await marker_seen(settings, client, as_, family, TUESDAY)

    def homework_of(body):
        return [(h["text"], h["pages"], h["individual"], h["due_on"]) for h in body["homework"]]

    anna = (await diary(client, as_, family, family.anna_parent, family.anna)).json()
    assert homework_of(anna) == [("Правило", "с. 40", False, TUESDAY.isoformat())]
    boris = (await diary(client, as_, family, family.boris, family.boris)).json()
    assert [h[0] for h in homework_of(boris)] == ["Правило", "Работа над ошибками"]
    assert boris["homework"][0]["links"] == ["https://resh.edu.ru/"]

    # The lesson it was given at is deleted: its homework goes, and a late redelivery does not return it.
    deleted = LessonDeleted(
        lesson_id=given["lesson_id"],
        version=2,
        assignment_id=given["assignment_id"],
        class_id=family.class_id,
        subject_id=MATHS,
        subject_name="Математика",
        teacher_id=given["teacher_id"],
        date=given["given_on"],
        reason="урок записан дважды",
        deleted_by=uuid4(),
    )
    await publish_event(settings, deleted, school_id=school)
    await publish_event(settings, general, school_id=school)
    await marker_seen(settings, client, as_, family, TUESDAY)
    assert (await diary(client, as_, family, family.boris, family.boris)).json()["homework"] == []
