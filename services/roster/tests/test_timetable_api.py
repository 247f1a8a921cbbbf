"""The school year over HTTP against real PostgreSQL: calendar, bells, template, generated lessons, day changes.

The clock is pinned at Wednesday 14 October 2026; lessons are generated from tomorrow to 28 October.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from chassis.auth import Caller
from chassis.clock import Clock
from chassis.tenancy import Tenant
from chassis.testing import eventually, person, publish_event, refused
from contracts.gradebook import LessonRecorded
from roster.horizon import HorizonRoller
from roster.models import TimetableLesson

BELLS = [
    {"number": 1, "starts": "08:30", "ends": "09:15"},
    {"number": 2, "starts": "09:25", "ends": "10:10"},
    {"number": 3, "starts": "10:30", "ends": "11:15"},
]
QUARTERS = [
    {"starts": "2026-09-01", "ends": "2026-10-25"},
    {"starts": "2026-11-04", "ends": "2026-12-28"},
    {"starts": "2027-01-11", "ends": "2027-03-21"},
    {"starts": "2027-03-30", "ends": "2027-05-31"},
]
BREAKS = [
    ("Осенние каникулы", "2026-10-26", "2026-11-03"),
    ("Зимние каникулы", "2026-12-29", "2027-01-10"),
    ("Весенние каникулы", "2027-03-22", "2027-03-29"),
]


@dataclass
class School:
    id: UUID
    admin: Caller
    year_id: str
    first_quarter: str
    klass: dict
    maths: dict
    russian: dict
    ivanova: str
    petrova: str
    room: dict
    other_room: dict

    def url(self, path: str) -> str:
        return f"/schools/{self.id}{path}"


async def post(client, as_, caller, url, body, status=201):
    response = await client.post(url, json=body, headers=as_(caller))
    assert response.status_code == status, response.text
    return response.json()


async def staff(client, as_, school_id, admin, last_name, *roles):
    teacher = await post(
        client,
        as_,
        admin,
        f"/schools/{school_id}/people",
        {"last_name": last_name, "first_name": "Мария", "consent": True},
    )
    for role in roles:
        await post(client, as_, admin, f"/schools/{school_id}/staff-roles", {"person_id": teacher["id"], "role": role})
    return teacher["id"]


@pytest.fixture
async def school(client, as_, region_admin) -> School:
    """A school with 5А, maths (Иванова) and Russian (Петрова), bells, the year's quarters and breaks."""
    school_id = (
        await post(
            client,
            as_,
            region_admin,
            "/schools",
            {"name": "МБОУ СОШ № 7", "short_name": "СОШ 7", "municipality": "Город"},
        )
    )["id"]
    admin = person(UUID(school_id), "school_admin", name="Кузнецова Ольга")
    klass = await post(client, as_, admin, f"/schools/{school_id}/classes", {"grade": 5, "letter": "А"})
    ivanova = await staff(client, as_, school_id, admin, "Иванова", "teacher")
    petrova = await staff(client, as_, school_id, admin, "Петрова", "teacher")
    courses = []
    for name, teacher in (("Математика", ivanova), ("Русский язык", petrova)):
        subject = await post(client, as_, admin, f"/schools/{school_id}/subjects", {"name": name})
        courses.append(
            await post(
                client,
                as_,
                admin,
                f"/schools/{school_id}/assignments",
                {"teacher_id": teacher, "subject_id": subject["id"], "class_id": klass["id"]},
            )
        )
    room = await post(client, as_, admin, f"/schools/{school_id}/rooms", {"name": "12"})
    other_room = await post(client, as_, admin, f"/schools/{school_id}/rooms", {"name": "14"})
    await post(
        client,
        as_,
        admin,
        f"/schools/{school_id}/bell-schedules",
        {"name": "Основное", "is_default": True, "bells": BELLS},
    )
    year = await post(client, as_, admin, f"/schools/{school_id}/years", {"starts": "2026-09-01", "ends": "2027-05-31"})
    for name, starts, ends in BREAKS:
        await post(
            client,
            as_,
            admin,
            f"/schools/{school_id}/years/{year['id']}/holidays",
            {"name": name, "starts": starts, "ends": ends},
        )
    scheme = await post(
        client,
        as_,
        admin,
        f"/schools/{school_id}/years/{year['id']}/schemes",
        {"kind": "quarters", "grades": [2, 3, 4, 5, 6, 7, 8, 9], "periods": QUARTERS},
    )
    return School(
        id=UUID(school_id),
        admin=admin,
        year_id=year["id"],
        first_quarter=scheme["periods"][0]["id"],
        klass=klass,
        maths=courses[0],
        russian=courses[1],
        ivanova=ivanova,
        petrova=petrova,
        room=room,
        other_room=other_room,
    )


def weekly(school: School, room_id=None) -> dict:
    """Maths first lesson on Monday and Thursday, Russian second on Thursday."""
    room = room_id or school.room["id"]
    return {
        "slots": [
            {"weekday": 0, "number": 1, "assignment_id": school.maths["id"], "room_id": room},
            {"weekday": 3, "number": 1, "assignment_id": school.maths["id"], "room_id": room},
            {"weekday": 3, "number": 2, "assignment_id": school.russian["id"], "room_id": room},
        ]
    }


async def timetable(client, as_, school, start="2026-10-12", end="2026-11-08", **filters):
    response = await client.get(
        school.url("/timetable"), params={"start": start, "end": end, **filters}, headers=as_(school.admin)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_calendar_refuses_bad_periods_and_holidays(client, as_, school, outbox_events):
    year_url = school.url(f"/years/{school.year_id}")
    outside = await client.post(
        f"{year_url}/holidays",
        json={"name": "Летние", "starts": "2027-05-30", "ends": "2027-06-10"},
        headers=as_(school.admin),
    )
    assert outside.status_code == 422
    assert "выходят за границы учебного года" in outside.json()["detail"]
    overlapping = await client.post(
        f"{year_url}/schemes",
        json={
            "kind": "half_years",
            "grades": [10, 11],
            "periods": [{"starts": "2026-09-01", "ends": "2027-01-15"}, {"starts": "2027-01-11", "ends": "2027-05-31"}],
        },
        headers=as_(school.admin),
    )
    assert overlapping.status_code == 422
    assert "пересекаются" in overlapping.json()["detail"]
    gap = await client.post(
        f"{year_url}/schemes",
        json={
            "kind": "half_years",
            "grades": [10, 11],
            "periods": [{"starts": "2026-09-01", "ends": "2026-12-20"}, {"starts": "2027-01-11", "ends": "2027-05-31"}],
        },
        headers=as_(school.admin),
    )
    assert gap.status_code == 422
    assert "ни в один период: с 21.12.2026" in gap.json()["detail"]
    taken = await client.post(
        f"{year_url}/schemes",
        json={"kind": "half_years", "grades": [9, 10], "periods": QUARTERS[:2]},
        headers=as_(school.admin),
    )
    assert taken.status_code == 409
    assert "Для 9-х классов схема периодов уже задана" in taken.json()["detail"]
    skip = await client.post(f"{year_url}/status", json={"status": "archived"}, headers=as_(school.admin))
    assert skip.status_code == 409
    assert skip.json()["type"].endswith("/conflict")
    active = await post(client, as_, school.admin, f"{year_url}/status", {"status": "active"}, status=200)
    assert (active["status"], active["version"]) == ("active", 2)

    calendar = (await client.get(f"{year_url}/calendar", headers=as_(school.admin))).json()
    assert [h["name"] for h in calendar["holidays"]] == [name for name, _, _ in BREAKS]
    assert [s["title"] for s in calendar["schemes"]] == ["четверти"]
    events = [e for e in await outbox_events(school.id) if "year" in e["type"] or "periods" in e["type"]]
    assert [(e["type"], e["data"].get("version")) for e in events] == [
        ("roster.academic_year.changed.v1", 1),
        ("roster.reporting_periods.set.v1", 1),
        ("roster.academic_year.changed.v1", 2),
    ]
    assert [p["name"] for p in events[1]["data"]["periods"]] == [f"{n} четверть" for n in range(1, 5)]


async def test_a_template_is_previewed_then_generates_two_weeks_skipping_the_break(client, as_, school, outbox_events):
    template_url = school.url(f"/periods/{school.first_quarter}/template")
    preview = await client.put(template_url, params={"preview": "true"}, json=weekly(school), headers=as_(school.admin))
    assert preview.status_code == 200, preview.text
    # Tomorrow (Thu 15 Oct) to the horizon; the autumn break (26 Oct on) and the second quarter have none.
    assert [(line["date"], line["number"], line["what"]) for line in preview.json()["added"]] == [
        ("2026-10-15", 1, "добавится"),
        ("2026-10-15", 2, "добавится"),
        ("2026-10-19", 1, "добавится"),
        ("2026-10-22", 1, "добавится"),
        ("2026-10-22", 2, "добавится"),
    ]
    assert preview.json()["preview"] is True
    assert await timetable(client, as_, school) == []

    saved = await client.put(template_url, json=weekly(school), headers=as_(school.admin))
    assert saved.status_code == 200
    lessons = await timetable(client, as_, school)
    assert [(lesson["date"], lesson["number"], lesson["subject_name"]) for lesson in lessons] == [
        ("2026-10-15", 1, "Математика"),
        ("2026-10-15", 2, "Русский язык"),
        ("2026-10-19", 1, "Математика"),
        ("2026-10-22", 1, "Математика"),
        ("2026-10-22", 2, "Русский язык"),
    ]
    assert lessons[0]["starts"] == "08:30:00" and lessons[0]["room_name"] == "12"
    assert lessons[0]["teacher_name"] == "Иванова М."
    scheduled = [e for e in await outbox_events(school.id) if e["type"] == "roster.timetable_lesson.scheduled.v1"]
    assert len(scheduled) == 5
    assert scheduled[0]["data"]["class_name"] == "5А"

    template = (await client.get(template_url, headers=as_(school.admin))).json()
    assert [(s["weekday"], s["number"], s["course"]) for s in template][:1] == [(0, 1, "5А · Математика")]
    again = await client.post(school.url(f"/years/{school.year_id}/timetable/roll"), headers=as_(school.admin))
    assert again.json() == {"added": 0, "removed": 0, "changed": 0}


async def test_a_template_change_leaves_changed_lessons_alone(client, as_, school):
    template_url = school.url(f"/periods/{school.first_quarter}/template")
    await client.put(template_url, json=weekly(school), headers=as_(school.admin))
    lessons = await timetable(client, as_, school)
    substituted = next(lesson for lesson in lessons if lesson["date"] == "2026-10-19")
    await post(
        client,
        as_,
        school.admin,
        school.url(f"/timetable/lessons/{substituted['id']}/substitute"),
        {"teacher_id": school.petrova},
        status=200,
    )

    change = await client.put(
        template_url,
        params={"preview": "true"},
        json=weekly(school, school.other_room["id"]),
        headers=as_(school.admin),
    )
    assert {(line["date"], line["what"]) for line in change.json()["changed"]} == {
        ("2026-10-15", "изменится кабинет: 14"),
        ("2026-10-22", "изменится кабинет: 14"),
    }
    assert change.json()["added"] == change.json()["removed"] == []
    await client.put(template_url, json=weekly(school, school.other_room["id"]), headers=as_(school.admin))
    rooms = {(lesson["date"], lesson["number"]): lesson["room_name"] for lesson in await timetable(client, as_, school)}
    assert rooms[("2026-10-19", 1)] == "12"
    assert rooms[("2026-10-22", 1)] == "14"


async def test_a_substitute_takes_the_lesson_with_who_and_when(client, as_, school, outbox_events):
    await client.put(
        school.url(f"/periods/{school.first_quarter}/template"), json=weekly(school), headers=as_(school.admin)
    )
    lesson = (await timetable(client, as_, school))[2]
    changed = await post(
        client,
        as_,
        school.admin,
        school.url(f"/timetable/lessons/{lesson['id']}/substitute"),
        {"teacher_id": school.petrova},
        status=200,
    )
    assert changed["substitute_name"] == "Петрова М."
    assert changed["change_note"] == "Замена: Петрова М."
    assert changed["version"] == 2
    event = (await outbox_events(school.id))[-1]
    assert event["type"] == "roster.timetable_lesson.substituted.v1"
    assert event["data"]["substitute_teacher_id"] == school.petrova
    petrovas = await timetable(client, as_, school, teacher_id=school.petrova)
    assert lesson["id"] in {lesson["id"] for lesson in petrovas}

    not_a_teacher = await client.post(
        school.url(f"/timetable/lessons/{lesson['id']}/substitute"),
        json={"teacher_id": str(school.admin.person_id)},
        headers=as_(school.admin),
    )
    assert not_a_teacher.status_code == 422
    assert "ролью «учитель»" in not_a_teacher.json()["detail"]


async def test_a_double_booking_is_refused_naming_the_lesson(client, as_, school, outbox_events):
    await client.put(
        school.url(f"/periods/{school.first_quarter}/template"), json=weekly(school), headers=as_(school.admin)
    )
    lessons = await timetable(client, as_, school)
    monday = next(lesson for lesson in lessons if lesson["date"] == "2026-10-19")
    # Петрова's Russian on Thursday 22nd, lesson 2, moved onto Monday's lesson 1 in room 12: the room is taken.
    russian = next(lesson for lesson in lessons if lesson["date"] == "2026-10-22" and lesson["number"] == 2)
    clash = await client.post(
        school.url(f"/timetable/lessons/{russian['id']}/move"),
        json={"date": "2026-10-19", "number": 1},
        headers=as_(school.admin),
    )
    assert clash.status_code == 409
    assert clash.json()["detail"] == "Кабинет 12 уже занят в это время: 5А · Математика, 19.10.2026 08:30–09:15."
    assert clash.json()["conflicting_lesson_id"] == monday["id"]
    # Nothing half-written: the lesson is where it was.
    after = {lesson["id"]: lesson for lesson in await timetable(client, as_, school)}
    assert (after[russian["id"]]["date"], after[russian["id"]]["version"]) == ("2026-10-22", 1)

    moved = await post(
        client,
        as_,
        school.admin,
        school.url(f"/timetable/lessons/{russian['id']}/move"),
        {"date": "2026-10-19", "number": 3},
        status=200,
    )
    assert (moved["date"], moved["starts"], moved["change_note"]) == (
        "2026-10-19",
        "10:30:00",
        "Перенесён с 22.10 (четверг), урок № 2",
    )
    # The event says where the lesson was, so a portal keyed by date and number finds it.
    event = (await outbox_events(school.id))[-1]
    assert event["type"] == "roster.timetable_lesson.changed.v1"
    assert (event["data"]["moved_from_date"], event["data"]["moved_from_number"]) == ("2026-10-22", 2)


async def test_no_lesson_moves_onto_a_holiday_and_a_new_holiday_cancels_lessons(client, as_, school, outbox_events):
    await client.put(
        school.url(f"/periods/{school.first_quarter}/template"), json=weekly(school), headers=as_(school.admin)
    )
    lessons = await timetable(client, as_, school)
    onto_break = await client.post(
        school.url(f"/timetable/lessons/{lessons[0]['id']}/move"),
        json={"date": "2026-10-27", "number": 1},
        headers=as_(school.admin),
    )
    assert onto_break.status_code == 422
    assert "нерабочий день" in onto_break.json()["detail"]

    await post(
        client,
        as_,
        school.admin,
        school.url(f"/years/{school.year_id}/holidays"),
        {"name": "Карантин", "starts": "2026-10-22", "ends": "2026-10-22"},
    )
    by_day = {(lesson["date"], lesson["number"]): lesson for lesson in await timetable(client, as_, school)}
    assert by_day[("2026-10-22", 1)]["status"] == "cancelled"
    assert by_day[("2026-10-22", 1)]["change_note"] == "Урок снят из расписания"
    assert by_day[("2026-10-19", 1)]["status"] == "scheduled"
    cancelled = [e for e in await outbox_events(school.id) if e["type"] == "roster.timetable_lesson.cancelled.v1"]
    assert len(cancelled) == 2


async def test_a_saturday_transfer_follows_mondays_timetable(client, as_, school):
    await client.put(
        school.url(f"/periods/{school.first_quarter}/template"), json=weekly(school), headers=as_(school.admin)
    )
    await post(
        client,
        as_,
        school.admin,
        school.url(f"/years/{school.year_id}/transfers"),
        {"day": "2026-10-17", "works_as": 0},
    )
    saturday = await timetable(client, as_, school, start="2026-10-17", end="2026-10-17")
    assert [(lesson["number"], lesson["subject_name"]) for lesson in saturday] == [(1, "Математика")]


async def test_a_teacher_or_room_twice_in_the_template_is_refused(client, as_, school):
    slots = [
        *weekly(school)["slots"],
        {"weekday": 0, "number": 1, "assignment_id": school.russian["id"], "room_id": school.room["id"]},
    ]
    twice = await client.put(
        school.url(f"/periods/{school.first_quarter}/template"), json={"slots": slots}, headers=as_(school.admin)
    )
    assert twice.status_code == 409
    assert twice.json()["detail"] == "Кабинет занят дважды: понедельник, урок № 1."
    assert await timetable(client, as_, school) == []


async def test_subgroup_moves_only_at_a_period_start(client, as_, school, outbox_events):
    student = await post(
        client,
        as_,
        school.admin,
        school.url("/people"),
        {"last_name": "Петров", "first_name": "Алексей", "consent": True},
    )
    await post(
        client,
        as_,
        school.admin,
        school.url("/enrolments"),
        {"student_id": student["id"], "class_id": school.klass["id"], "enrolled_on": "2026-09-01"},
    )
    english = await post(client, as_, school.admin, school.url("/subjects"), {"name": "Английский язык"})
    first, second = [
        await post(
            client,
            as_,
            school.admin,
            school.url("/groups"),
            {"class_id": school.klass["id"], "subject_id": english["id"], "name": f"Группа {n}"},
        )
        for n in (1, 2)
    ]
    await post(
        client,
        as_,
        school.admin,
        school.url(f"/groups/{first['id']}/members"),
        {"student_id": student["id"], "starts": "2026-09-01"},
    )
    mid_period = await client.post(
        school.url(f"/groups/{second['id']}/members"),
        json={"student_id": student["id"], "starts": "2026-10-15"},
        headers=as_(school.admin),
    )
    assert mid_period.status_code == 422
    assert "только с начала отчётного периода (ближайшие: 04.11.2026" in mid_period.json()["detail"]
    await post(
        client,
        as_,
        school.admin,
        school.url(f"/groups/{second['id']}/members"),
        {"student_id": student["id"], "starts": "2026-11-04"},
    )
    members = (await client.get(school.url(f"/groups/{first['id']}/members"), headers=as_(school.admin))).json()
    assert members == [{"student_id": student["id"], "starts": "2026-09-01", "ends": "2026-11-03"}]
    moves = [e["data"] for e in await outbox_events(school.id) if e["type"] == "roster.group_membership.changed.v1"]
    assert [(m["group_id"], m["ends"]) for m in moves] == [
        (first["id"], None),
        (first["id"], "2026-11-03"),
        (second["id"], None),
    ]


async def test_the_load_report_compares_the_timetable_with_the_curriculum(client, as_, school):
    await client.put(
        school.url(f"/periods/{school.first_quarter}/template"), json=weekly(school), headers=as_(school.admin)
    )
    maths_subject = school.maths["subject_id"]
    await client.put(
        school.url(f"/years/{school.year_id}/curriculum"),
        json={"grade": 5, "subject_id": maths_subject, "hours": 10},
        headers=as_(school.admin),
    )
    load = (await client.get(school.url(f"/years/{school.year_id}/load"), headers=as_(school.admin))).json()
    by_subject = {line["subject_name"]: line for line in load}
    # The first quarter, Tuesday 1 Sep – 25 Oct: 7 Mondays and 8 Thursdays of maths.
    assert by_subject["Математика"]["timetable_hours"] == 15
    assert by_subject["Математика"]["verdict"] == "перегрузка на 5 ч"
    assert by_subject["Русский язык"]["verdict"] == "нет в учебном плане"


async def test_a_school_keeps_its_time_zone(client, as_, school, outbox_events):
    settings = await client.patch(
        school.url("/settings"), json={"timezone": "Asia/Vladivostok"}, headers=as_(school.admin)
    )
    assert settings.json()["timezone"] == "Asia/Vladivostok"
    unknown = await client.patch(school.url("/settings"), json={"timezone": "Марс/Олимп"}, headers=as_(school.admin))
    assert unknown.status_code == 422
    assert "часовой пояс" in unknown.text
    assert (await client.get(f"/schools/{school.id}", headers=as_(school.admin))).json()[
        "timezone"
    ] == "Asia/Vladivostok"
    # Other services keep the zone from this event (chassis.schooltime), the refused change sent none.
    events = await outbox_events(school.id)
    changes = [e["data"] for e in events if e["type"] == "roster.school.settings_changed.v1"]
    assert [(c["version"], c["timezone"], c["days_per_week"], c["municipality"]) for c in changes] == [
        (1, "Asia/Vladivostok", 5, "Город")
    ]


async def test_vladivostok_and_kaliningrad_see_different_todays_at_one_instant(app, client, as_, region_admin):
    pinned = app.state.clock
    # 15:30 UTC: 01:30 of the 15th in Владивосток (UTC+10), 17:30 of the 14th in Калининград (UTC+2).
    app.state.clock = Clock.starting_at(datetime(2026, 10, 14, 15, 30, tzinfo=UTC))
    todays = {}
    try:
        for zone in ("Asia/Vladivostok", "Europe/Kaliningrad"):
            body = {"name": f"МБОУ СОШ ({zone})", "short_name": "СОШ", "municipality": "Город", "timezone": zone}
            school_id = (await post(client, as_, region_admin, "/schools", body))["id"]
            admin = person(UUID(school_id), "school_admin")
            todays[zone] = (await client.get(f"/schools/{school_id}/settings", headers=as_(admin))).json()["today"]
    finally:
        app.state.clock = pinned
    assert todays == {"Asia/Vladivostok": "2026-10-15", "Europe/Kaliningrad": "2026-10-14"}


async def test_a_recorded_lesson_keeps_its_room_when_the_template_changes(client, as_, school, settings, app):
    template_url = school.url(f"/periods/{school.first_quarter}/template")
    await client.put(template_url, json=weekly(school), headers=as_(school.admin))
    thursday = next(lesson for lesson in await timetable(client, as_, school) if lesson["date"] == "2026-10-15")
    recorded = LessonRecorded(
        lesson_id=uuid4(),
        version=1,
        assignment_id=thursday["assignment_id"],
        class_id=thursday["class_id"],
        subject_id=thursday["subject_id"],
        subject_name="Математика",
        teacher_id=thursday["teacher_id"],
        date=date(2026, 10, 15),
        topic="Дроби",
        scheduled_lesson_id=thursday["id"],
        number=1,
    )
    await publish_event(settings, recorded, school_id=school.id)

    async def known() -> bool:
        async with app.state.db.transaction(Tenant(school_id=school.id)) as session:
            return bool(await session.scalar(select(TimetableLesson.recorded).filter_by(id=UUID(thursday["id"]))))

    # The broker hop is slower than a request on a loaded machine: wait longer than the default.
    await eventually(known, timeout=20)
    preview = await client.put(
        template_url,
        params={"preview": "true"},
        json=weekly(school, school.other_room["id"]),
        headers=as_(school.admin),
    )
    # Maths on the 15th is recorded; Russian that day and the later lessons move to room 14.
    assert [(line["date"], line["number"]) for line in preview.json()["changed"]] == [
        ("2026-10-15", 2),
        ("2026-10-19", 1),
        ("2026-10-22", 1),
        ("2026-10-22", 2),
    ]


async def test_the_daily_job_rolls_the_horizon_over_the_holidays_and_twice_adds_nothing(app, client, as_, school):
    calendar = (await client.get(school.url(f"/years/{school.year_id}/calendar"), headers=as_(school.admin))).json()
    for period in calendar["schemes"][0]["periods"][:2]:
        url = school.url(f"/periods/{period['id']}/template")
        saved = await client.put(url, json=weekly(school), headers=as_(school.admin))
        assert saved.status_code == 200, saved.text
    before = {lesson["date"] for lesson in await timetable(client, as_, school, end="2026-11-30")}
    assert max(before) == "2026-10-22"  # two weeks from the pinned 14 October, the first quarter ends on the 25th

    # Monday 2 November, in the autumn holidays: the horizon moves to the 16th, the holidays get no lessons.
    roller = HorizonRoller(app.state.db, lambda: Clock.starting_at(datetime(2026, 11, 2, 7, tzinfo=UTC)))
    added = await roller.roll_due()
    assert added[school.id] == 6  # Thu 5, Mon 9, Thu 12 (two each), Mon 16 … of the second quarter
    after = {lesson["date"] for lesson in await timetable(client, as_, school, end="2026-11-30")}
    assert sorted(after - before) == ["2026-11-05", "2026-11-09", "2026-11-12", "2026-11-16"]
    assert not any("2026-10-26" <= day <= "2026-11-03" for day in after)
    # The same day again: nothing to do, whether this instance remembers it or another instance rolls.
    assert school.id not in await roller.roll_due()
    assert await HorizonRoller(app.state.db, roller.clock).roll_school(school.id, date(2026, 11, 2)) == 0
    assert {lesson["date"] for lesson in await timetable(client, as_, school, end="2026-11-30")} == after


async def test_rooms_belong_to_buildings_and_the_preview_warns_of_a_move_between_them(client, as_, school):
    main = await post(client, as_, school.admin, school.url("/buildings"), {"name": "Основное здание"})
    annex = await post(client, as_, school.admin, school.url("/buildings"), {"name": "  Корпус Б "})
    assert annex["name"] == "Корпус Б"
    refused(await client.post(school.url("/buildings"), json={"name": "Корпус Б"}, headers=as_(school.admin)), 409)
    refused(await client.post(school.url("/buildings"), json={"name": " "}, headers=as_(school.admin)), 422)
    teacher = person(school.id, "teacher")
    refused(await client.post(school.url("/buildings"), json={"name": "Корпус В"}, headers=as_(teacher)), 403)
    in_main = await post(client, as_, school.admin, school.url("/rooms"), {"name": "21", "building_id": main["id"]})
    in_annex = await post(client, as_, school.admin, school.url("/rooms"), {"name": "21", "building_id": annex["id"]})
    assert (in_annex["name"], in_annex["building"]) == ("21", "Корпус Б")
    taken = await client.post(
        school.url("/rooms"), json={"name": "21", "building_id": annex["id"]}, headers=as_(school.admin)
    )
    refused(taken, 409, "в здании «Корпус Б»")
    unknown = await client.post(
        school.url("/rooms"), json={"name": "22", "building_id": str(uuid4())}, headers=as_(school.admin)
    )
    refused(unknown, 422, "Здание не найдено")
    listed = (await client.get(school.url("/rooms"), headers=as_(school.admin))).json()
    assert [(r["building"], r["name"]) for r in listed] == [
        ("", "12"),
        ("", "14"),
        ("Корпус Б", "21"),
        ("Основное здание", "21"),
    ]
    buildings = (await client.get(school.url("/buildings"), headers=as_(teacher))).json()
    assert [b["name"] for b in buildings] == ["Корпус Б", "Основное здание"]

    # Thursday: 5А has maths in the main building, then Russian in the annex — the class walks across.
    template = {
        "slots": [
            {"weekday": 3, "number": 1, "assignment_id": school.maths["id"], "room_id": in_main["id"]},
            {"weekday": 3, "number": 2, "assignment_id": school.russian["id"], "room_id": in_annex["id"]},
        ]
    }
    url = school.url(f"/periods/{school.first_quarter}/template")
    preview = await client.put(url, params={"preview": "true"}, json=template, headers=as_(school.admin))
    assert preview.json()["warnings"] == [
        "Четверг, после урока № 1: класс 5А переходит из здания «Основное здание» в здание «Корпус Б»."
    ]
    # A warning, not a refusal: the template is saved.
    saved = await client.put(url, json=template, headers=as_(school.admin))
    assert saved.status_code == 200 and saved.json()["preview"] is False and len(saved.json()["warnings"]) == 1
    same_building = {"slots": [template["slots"][0], {**template["slots"][1], "room_id": in_main["id"]}]}
    assert (await client.put(url, json=same_building, headers=as_(school.admin))).json()["warnings"] == []
