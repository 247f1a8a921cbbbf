"""A substitution end to end through the gateway (R-14, R-20, `000 §4.4.3`): the administrator gives a lesson of
the timetable to another teacher; the substitute writes that lesson's record (topic, mark, absence) and the
record names them; the regular teacher's journal and the family's diary show the substitution.

Everything is the test's own, beside the demo's 5А: class 5Я with its pupil and parent, the substitute, and
the period's template (the demo has none), so no other test's lessons move."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest

from devstack.browser import Browser, LoginFailed, esia_account
from devstack.stack import Stack

TEACHER_OID, ADMIN_OID = "1000001", "1000006"
PATIENCE_SECONDS = 20.0
BELLS = [{"number": 1, "starts": "08:30", "ends": "09:15"}, {"number": 2, "starts": "09:25", "ends": "10:10"}]


@pytest.fixture
async def browsers(stack: Stack, demo_school) -> AsyncIterator[Callable[[str], Awaitable[Browser]]]:
    opened: list[Browser] = []

    async def login(oid: str, role: str | None = None) -> Browser:
        """Logged in as ``oid``; with ``role``, once the gateway has heard of the person and that role (events)."""
        browser = Browser(stack.url("gateway"))
        opened.append(browser)
        deadline = asyncio.get_running_loop().time() + PATIENCE_SECONDS
        while True:
            try:
                me = await browser.login(oid)
                if role is None or any(r["role"] == role for r in me["roles"]):
                    return browser
            except LoginFailed:
                if asyncio.get_running_loop().time() > deadline:
                    raise
            assert asyncio.get_running_loop().time() < deadline, f"{oid} has no role {role} at the gateway"
            await asyncio.sleep(0.2)

    yield login
    for browser in opened:
        await browser.close()


async def ok(response: httpx.Response, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200, 201)), response.text
    return response.json()


async def until(call: Callable[[], Awaitable[httpx.Response]], status: int = 201) -> httpx.Response:
    """The call, repeated while another service has not yet heard of what it needs (events take milliseconds)."""
    deadline = asyncio.get_running_loop().time() + PATIENCE_SECONDS
    while True:
        response = await call()
        if response.status_code == status or asyncio.get_running_loop().time() > deadline:
            return response
        await asyncio.sleep(0.1)


async def test_a_substitute_keeps_the_lesson_and_everyone_sees_it(stack, browsers):
    admin = await browsers(ADMIN_OID)
    teacher = await browsers(TEACHER_OID)
    school = admin.school_of("school_admin")
    roster = f"/roster/schools/{school}"
    today = stack.today()

    years = await ok(await admin.api("GET", f"{roster}/years"))
    year = next(y for y in years if y["starts"] <= today.isoformat() <= y["ends"])
    calendar = await ok(await admin.api("GET", f"{roster}/years/{year['id']}/calendar"))
    period = next(
        p
        for scheme in calendar["schemes"]
        if 5 in scheme["grades"]
        for p in scheme["periods"]
        if p["starts"] <= today.isoformat() <= p["ends"]
    )
    if not await ok(await admin.api("GET", f"{roster}/bell-schedules")):
        body = {"name": "Основное", "is_default": True, "bells": BELLS}
        await ok(await admin.api("POST", f"{roster}/bell-schedules", json=body))
    klass = await ok(await admin.api("POST", f"{roster}/classes", json={"grade": 5, "letter": "Я"}))
    maths = next(s for s in await ok(await admin.api("GET", f"{roster}/subjects")) if s["name"] == "Математика")
    ivanova = (await ok(await teacher.api("GET", "/me")))["person_id"]
    course = await ok(
        await admin.api(
            "POST",
            f"{roster}/assignments",
            json={"teacher_id": ivanova, "subject_id": maths["id"], "class_id": klass["id"]},
        )
    )
    substitute_id, substitute_oid = await esia_account(stack, admin, school, "Волкова", "Ирина")
    await ok(await admin.api("POST", f"{roster}/staff-roles", json={"person_id": substitute_id, "role": "teacher"}))
    pupil_id, _ = await esia_account(stack, admin, school, "Зайцева", "Олеся")
    parent_id, parent_oid = await esia_account(stack, admin, school, "Зайцева", "Наталья")
    await ok(await admin.api("POST", f"{roster}/enrolments", json={"student_id": pupil_id, "class_id": klass["id"]}))
    link = {"guardian_id": parent_id, "student_id": pupil_id}
    await ok(await admin.api("POST", f"{roster}/guardianships", json=link))

    # Today's first lesson of 5Я is Иванова's mathematics; the administrator gives it to Волкова.
    slot = {"weekday": today.weekday(), "number": 1, "assignment_id": course["id"]}
    await ok(await admin.api("PUT", f"{roster}/periods/{period['id']}/template", json={"slots": [slot]}))
    day = {"start": today.isoformat(), "end": today.isoformat(), "class_id": klass["id"]}
    [lesson] = await ok(await admin.api("GET", f"{roster}/timetable", params=day))
    changed = await ok(
        await admin.api(
            "POST", f"{roster}/timetable/lessons/{lesson['id']}/substitute", json={"teacher_id": substitute_id}
        )
    )
    assert changed["substitute_name"] == "Волкова И. О."

    # The substitute writes that lesson's record: topic, a mark, an absence.
    substitute = await browsers(substitute_oid, "teacher")
    gradebook = f"/gradebook/schools/{school}"
    topic = f"Десятичные дроби ({uuid4().hex[:6]})"
    record = {"course_id": course["id"], "scheduled_lesson_id": lesson["id"], "topic": topic}
    recorded = await ok(await until(lambda: substitute.api("POST", f"{gradebook}/lessons", json=record)))
    assert recorded["substitute_teacher_id"] == substitute_id
    mark = {"student_id": pupil_id, "value": "4", "work_type": "answer"}
    await ok(await until(lambda: substitute.api("POST", f"{gradebook}/lessons/{recorded['id']}/marks", json=mark)))
    absence = {"student_id": pupil_id, "reason": "О"}
    absences = f"/attendance/schools/{school}/lessons/{recorded['id']}/absences"
    await ok(await until(lambda: substitute.api("POST", absences, json=absence)))
    # Another teacher of the school, not the substitute, may not write it.
    stranger = await teacher.api("POST", f"{gradebook}/lessons", json=record)
    assert stranger.status_code in (403, 409), stranger.text

    # The regular teacher's journal shows the lesson as given by the substitute, with its record.
    journal = await ok(
        await teacher.api(
            "GET",
            f"{gradebook}/courses/{course['id']}/journal",
            params={"start": today.isoformat(), "end": today.isoformat()},
        )
    )
    [column] = journal
    assert (column["substitute_name"], column["lesson"]["topic"]) == ("Волкова И. О.", topic)
    assert [m["value"] for m in column["lesson"]["marks"]] == ["4"]

    # The family's diary shows the change, the topic, the mark and the late arrival.
    parent = await browsers(parent_oid, "guardian")
    assert [c["student_id"] for c in await ok(await parent.api("GET", "/diary"))] == [pupil_id]

    async def diary_lesson() -> dict | None:
        diary = await ok(
            await parent.api("GET", f"/diary/{pupil_id}", params={"start": today.isoformat(), "end": today.isoformat()})
        )
        found = [entry for d in diary["days"] for entry in d["lessons"] if entry.get("topic") == topic]
        entry = found[0] if found else None
        if entry and entry["marks"] and entry.get("absence") and entry.get("substitute"):
            return entry
        return None

    deadline = asyncio.get_running_loop().time() + PATIENCE_SECONDS
    while (entry := await diary_lesson()) is None:
        assert asyncio.get_running_loop().time() < deadline, "the family's diary does not show the substitution"
        await asyncio.sleep(0.1)
    assert entry["substitute"] == "Волкова И. О."
    assert [m["value"] for m in entry["marks"]] == ["4"]
    assert entry["absence"]["code"] == "О"
