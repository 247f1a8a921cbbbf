"""R-70, the pull half: client credentials, a family's schedule by ESIA id, the change feed and a portal
client that keeps an exact copy through an outage (docs/portal.md)."""

import asyncio
import secrets
from datetime import time, timedelta
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import func, select, update

from chassis.db import Database
from chassis.tenancy import SYSTEM
from chassis.testing import TEST_TODAY, eventually, refused
from contracts.gradebook import LessonRecorded, MarkChanged, MarkDeleted, MarkPosted
from contracts.roster import (
    ClassCreated,
    ConsentChanged,
    GuardianshipLinked,
    PersonRegistered,
    StudentEnrolled,
    TimetableLessonCancelled,
    TimetableLessonChanged,
    TimetableLessonScheduled,
)
from gateway.api.portal_pull import client_actor
from gateway.models import AccessLogEntry, LoginAttempts, PortalChange, PortalConsent
from gateway.portal import trim_changes
from gateway.portal_clients import register_client, revoke_client
from gateway.rate_limits import over_rate_limit

from .portal_client import PortalClient

MONDAY = TEST_TODAY - timedelta(days=TEST_TODAY.weekday())


def new_oid() -> str:
    return str(10**9 + secrets.randbelow(10**10 - 10**9))


async def client_of(stack, *scopes: str, per_minute: int = 600) -> tuple[str, str]:
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        return await register_client(
            session, name="Госуслуги (тест)", scopes=frozenset(scopes), calls_per_minute=per_minute
        )


async def token_for(http: httpx.AsyncClient, client: tuple[str, str], **form: str) -> httpx.Response:
    return await http.post("/portal/v1/token", data={"grant_type": "client_credentials", **form}, auth=client)


async def bearer(http: httpx.AsyncClient, client: tuple[str, str]) -> dict[str, str]:
    answer = await token_for(http, client)
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def lesson_of(class_id: UUID, subject: str, day=MONDAY) -> dict:
    return {
        "lesson_id": uuid4(),
        "class_id": class_id,
        "subject_id": uuid4(),
        "subject_name": subject,
        "teacher_id": uuid4(),
        "date": day,
    }


async def a_child_in(publish, school: UUID, parent_oid: str, *, child_oid: str | None = None) -> tuple[UUID, dict]:
    """A child of the parent with ``parent_oid`` in ``school``: a lesson with homework and a mark."""
    class_id, parent, child = uuid4(), uuid4(), uuid4()
    lesson = lesson_of(class_id, "Математика")
    await publish(
        school,
        ClassCreated(class_id=class_id, grade=5, letter="А", name="5А", academic_year="2026/2027"),
        PersonRegistered(person_id=parent, last_name="Петрова", first_name="Анна", esia_oid=parent_oid),
        PersonRegistered(person_id=child, last_name="Петров", first_name="Алексей", esia_oid=child_oid),
        StudentEnrolled(student_id=child, class_id=class_id, class_name="5А", enrolled_on=MONDAY),
        GuardianshipLinked(guardian_id=parent, student_id=child, relation="мать"),
        LessonRecorded(**lesson, version=1, assignment_id=uuid4(), topic="Дроби", homework="№ 12"),
        MarkPosted(
            **lesson,
            mark_id=uuid4(),
            student_id=child,
            value="5",
            work_type="test",
            work_type_title="Контрольная работа",
            weight=2.0,
        ),
    )
    return child, lesson


async def test_a_parent_with_children_in_two_schools_gets_both_schedules_and_nothing_personal(stack, publish):
    parent_oid, school_a, school_b = new_oid(), uuid4(), uuid4()
    await a_child_in(publish, school_a, parent_oid)
    await a_child_in(publish, school_b, parent_oid)
    client = await client_of(stack, "schedule")
    week = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=6)).isoformat()}
    async with stack.browser() as http:
        headers = await bearer(http, client)

        async def both_marked():
            answer = await http.get(f"/portal/v1/Schedule/{parent_oid}", params=week, headers=headers)
            students = answer.json().get("students", []) if answer.status_code == 200 else []
            marked = [s for s in students if any(lesson["marks"] for lesson in s["lessons"])]
            return len(marked) == 2 and answer.json()

        schedule = await eventually(both_marked)
        assert {s["school_id"] for s in schedule["students"]} == {str(school_a), str(school_b)}
        assert schedule["outcomes"] == []
        lesson = next(lesson for lesson in schedule["students"][0]["lessons"] if lesson["marks"])
        assert (lesson["subject"], lesson["topic"], lesson["homework"], lesson["date"]) == (
            "Математика",
            "Дроби",
            "№ 12",
            MONDAY.isoformat(),
        )
        assert [(m["value"], m["weight"], m["work_type"], m["scale"]) for m in lesson["marks"]] == [
            ("5", 2.0, "Контрольная работа", "five_point")
        ]
        # Names stay at the journal: the portal knows the family from ESIA.
        assert "Петров" not in str(schedule)

        stranger = await http.get(f"/portal/v1/Schedule/{new_oid()}", params=week, headers=headers)
        assert refused(stranger, 404, "Ученик не найден.")["code"] == "not_found"
        too_long = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=31)).isoformat()}
        long_answer = await http.get(f"/portal/v1/Schedule/{parent_oid}", params=too_long, headers=headers)
        assert (
            refused(long_answer, 422, "Период не может быть длиннее 31 дней.", slug="range-too-long")["code"]
            == "range_too_long"
        )

    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        logged = list(
            await session.execute(
                select(AccessLogEntry.path, AccessLogEntry.status).where(
                    AccessLogEntry.person_id == client_actor(client[0])
                )
            )
        )
    assert ("/portal/v1/token", 200) in logged
    assert (f"/portal/v1/Schedule/{parent_oid}?start={week['start']}&end={week['end']}", 200) in logged
    assert any(status == 404 for _, status in logged) and any(status == 422 for _, status in logged)


async def test_the_token_endpoint_wants_the_right_client_grant_and_scope(stack):
    client = await client_of(stack, "changes")
    async with stack.browser() as http:
        wrong = await token_for(http, (client[0], "not-the-secret"))
        assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
        assert wrong.headers["WWW-Authenticate"].startswith("Basic")
        anonymous = await http.post("/portal/v1/token", data={"grant_type": "client_credentials"})
        assert (anonymous.status_code, anonymous.json()["error"]) == (401, "invalid_client")
        grant = await http.post("/portal/v1/token", data={"grant_type": "password"}, auth=client)
        assert (grant.status_code, grant.json()["error"]) == (400, "unsupported_grant_type")
        beyond = await token_for(http, client, scope="changes schedule")
        assert (beyond.status_code, beyond.json()["error"]) == (400, "invalid_scope")
        # The secret in the form body (client_secret_post) works as well as HTTP Basic.
        posted = await http.post(
            "/portal/v1/token",
            data={"grant_type": "client_credentials", "client_id": client[0], "client_secret": client[1]},
        )
        assert posted.status_code == 200 and posted.json()["scope"] == "changes"
        headers = {"Authorization": f"Bearer {posted.json()['access_token']}"}

        no_scope = await http.get(f"/portal/v1/Schedule/{new_oid()}", params={"start": "2026-10-12"}, headers=headers)
        assert refused(no_scope, 403, slug="insufficient-scope")["code"] == "insufficient_scope"
        assert 'error="insufficient_scope"' in no_scope.headers["WWW-Authenticate"]
        forged = await http.get("/portal/v1/changes", headers={"Authorization": "Bearer forged"})
        assert refused(forged, 401, slug="invalid-token")["code"] == "invalid_token"

        assert (await http.get("/portal/v1/changes", headers=headers)).status_code == 200
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            assert await revoke_client(session, client[0])
        revoked = await http.get("/portal/v1/changes", headers=headers)
        assert refused(revoked, 401, slug="invalid-token")["code"] == "invalid_token"
        assert (await token_for(http, client)).status_code == 401


async def test_a_client_over_its_rate_waits_with_retry_after(stack):
    client = await client_of(stack, "changes", per_minute=2)
    async with stack.browser() as http:
        headers = await bearer(http, client)
        assert [(await http.get("/portal/v1/changes", headers=headers)).status_code for _ in range(2)] == [200, 200]
        over = await http.get("/portal/v1/changes", headers=headers)
        problem = refused(over, 429, slug="rate-limited")
        assert problem["code"] == "rate_limited"
        assert 1 <= int(over.headers["Retry-After"]) <= 60
        assert problem["detail"] == f"Слишком много запросов: повторите через {over.headers['Retry-After']} с."


async def test_gateway_instances_count_one_limit_per_client(stack):
    """Two instances (two connection pools on the gateway's database) counting one client's calls at once allow
    its calls a minute, not twice as many."""
    client_id, _ = await client_of(stack, "changes", per_minute=5)
    bucket = {f"portal:{client_id}": 5}
    instances = (stack.gateway.state.db, Database(stack.gateway.state.db.url, source="/gateway", pool_size=3))

    async def call(db: Database) -> int | None:
        async with db.transaction(SYSTEM) as session:
            return await over_rate_limit(session, bucket)

    try:
        waits = await asyncio.gather(*(call(instances[n % 2]) for n in range(12)))
    finally:
        await instances[1].dispose()
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        minutes = list(
            await session.scalars(select(LoginAttempts.attempts).where(LoginAttempts.bucket == f"portal:{client_id}"))
        )
    # Every call counted once; five a minute went ahead (two minutes if the calls straddled a minute's turn).
    assert sum(minutes) == 12
    assert waits.count(None) == sum(min(count, 5) for count in minutes)
    assert all(1 <= wait <= 60 for wait in waits if wait is not None)


@pytest.mark.parametrize(
    ("params", "slug"), [({"limit": 0}, "bad-limit"), ({"limit": 1001}, "bad-limit"), ({"since": -1}, "invalid")]
)
async def test_a_bad_feed_page_is_refused(stack, params, slug):
    client = await client_of(stack, "changes")
    async with stack.browser() as http:
        answer = await http.get("/portal/v1/changes", params=params, headers=await bearer(http, client))
        refused(answer, 422, slug=slug)


def changed(lesson: dict, mark_id: UUID, student: UUID, *, version: int, old: str, new: str) -> MarkChanged:
    return MarkChanged(
        **lesson,
        mark_id=mark_id,
        version=version,
        student_id=student,
        value=new,
        old_value=old,
        changed_by=lesson["teacher_id"],
        work_type="answer",
        weight=1.0,
    )


class Cuttable(httpx.AsyncBaseTransport):
    """The portal's network to the journal, which the test can cut."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("портал отрезан от сети", request=request)
        return await self.inner.handle_async_request(request)


def scheduled(class_id: UUID, number: int, subject: str, room: str) -> TimetableLessonScheduled:
    return TimetableLessonScheduled(
        lesson_id=uuid4(),
        version=1,
        date=MONDAY + timedelta(days=1),
        number=number,
        starts=time(8 + number),
        ends=time(8 + number, 45),
        assignment_id=uuid4(),
        class_id=class_id,
        class_name="5А",
        subject_id=uuid4(),
        subject_name=subject,
        teacher_id=uuid4(),
        room_id=uuid4(),
        room_name=room,
    )


async def test_a_portal_client_keeps_an_exact_copy_through_an_outage_and_a_trimmed_feed(stack, publish):
    """The example client follows the feed; while it is cut off, marks are posted, changed and deleted and the
    timetable changes (a lesson moved, one cancelled, one in another room); it resumes from its version and ends
    with what the journal holds. Then the feed is trimmed past its version: it is told to resynchronise, does,
    and again holds exactly the journal's data."""
    school, child_oid = uuid4(), new_oid()
    child, lesson = await a_child_in(publish, school, new_oid(), child_oid=child_oid)
    wrong = MarkPosted(**lesson, mark_id=uuid4(), student_id=child, value="2", work_type="answer", weight=1.0)
    tuesday = [scheduled(lesson["class_id"], n, s, r) for n, s, r in ((1, "Чтение", "11"), (2, "ИЗО", "12"))]
    moving = scheduled(lesson["class_id"], 3, "Музыка", "13")
    await publish(school, wrong, *tuesday, moving)
    client_id, secret = await client_of(stack, "schedule", "changes")
    week = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=6)).isoformat()}
    network = Cuttable(httpx.ASGITransport(app=stack.gateway))

    async with httpx.AsyncClient(transport=network, base_url="http://portal") as http:
        portal = PortalClient(
            http, client_id, secret, families={child_oid}, first_day=week["start"], last_day=week["end"]
        )

        async def source() -> tuple[set[tuple[str, str]], set[tuple]]:
            """What the journal holds, by the pull: the marks, and the timetable's lessons."""
            headers = await bearer(http, (client_id, secret))
            answer = await http.get(f"/portal/v1/Schedule/{child_oid}", params=week, headers=headers)
            lessons = [lesson for student in answer.json()["students"] for lesson in student["lessons"]]
            marks = {(lesson["lesson_id"], mark["value"]) for lesson in lessons for mark in lesson["marks"]}
            timetable = {
                (lesson["date"], lesson["number"], lesson["subject"], lesson["room"], lesson["cancelled"])
                for lesson in lessons
                if lesson["number"] is not None
            }
            return marks, timetable

        async def in_step_with_source(expected: set[tuple[str, str]]) -> bool:
            marks, timetable = await source()
            return marks == expected and len(timetable) == 3

        async def in_step_with(expected: set[tuple[str, str]]) -> bool:
            await portal.follow()
            return (portal.view(child_oid), portal.lessons()) == (expected, (await source())[1])

        first = {(str(lesson["lesson_id"]), "5"), (str(lesson["lesson_id"]), "2")}
        await eventually(lambda: in_step_with_source(first))
        await portal.start()
        await eventually(lambda: in_step_with(first))
        assert len(portal.lessons()) == 3
        # The schedule gave each timetable lesson its version: the replayed scheduling events are older.
        assert portal.timetable_versions == {str(s.lesson_id): 1 for s in (*tuesday, moving)}

        network.down = True
        mark_id = uuid4()
        second = lesson_of(lesson["class_id"], "История")
        deletion = {"reason": "не тому ученику", "deleted_by": uuid4(), "version": 2}
        wednesday = MONDAY + timedelta(days=2)
        await publish(
            school,
            MarkPosted(**second, mark_id=mark_id, student_id=child, value="3", work_type="answer", weight=1.0),
            changed(second, mark_id, child, version=2, old="3", new="4"),
            MarkDeleted(**wrong.model_dump(), **deletion),
            TimetableLessonCancelled(
                **{**tuesday[0].model_dump(), "version": 2, "status": "cancelled", "change_note": "Отменён: ЧС"}
            ),
            TimetableLessonChanged(**{**tuesday[1].model_dump(), "version": 2, "room_name": "30"}),
            TimetableLessonChanged(
                **{
                    **moving.model_dump(),
                    "version": 2,
                    "date": wednesday,
                    "number": 5,
                    "moved_from_date": moving.date,
                    "moved_from_number": moving.number,
                }
            ),
        )
        with pytest.raises(httpx.ConnectError):
            await portal.follow()
        network.down = False
        expected = {(str(lesson["lesson_id"]), "5"), (str(second["lesson_id"]), "4")}
        timetable = {
            (tuesday[0].date.isoformat(), 1, "Чтение", "11", True),
            (tuesday[1].date.isoformat(), 2, "ИЗО", "30", False),
            (wednesday.isoformat(), 5, "Музыка", "13", False),
        }

        async def in_step_with_all() -> bool:
            return await source() == (expected, timetable) and await in_step_with(expected)

        await eventually(in_step_with_all)
        assert portal.lessons() == timetable

        # The feed forgets what is older than its retention: the client is behind it and must resynchronise.
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            newest = await session.scalar(select(func.max(PortalChange.version)))
            await session.execute(
                update(PortalChange).where(PortalChange.version <= newest).values(at=func.now() - timedelta(days=200))
            )
        assert await trim_changes(stack.gateway.state.db, 90) >= 1
        await publish(
            school,
            changed(second, mark_id, child, version=3, old="4", new="5"),
        )
        portal.version = 0
        final = {(str(lesson["lesson_id"]), "5"), (str(second["lesson_id"]), "5")}
        await eventually(lambda: in_step_with(final))
        assert portal.resyncs >= 1
        assert await source() == (final, timetable) and portal.lessons() == timetable


async def test_a_child_whose_portal_consent_is_withdrawn_is_not_in_the_schedule(stack, publish):
    """R-5: the pull, like the stream, leaves out a student whose consent to the portal stands withdrawn."""
    parent_oid, school = new_oid(), uuid4()
    child, _ = await a_child_in(publish, school, parent_oid)
    client = await client_of(stack, "schedule")
    week = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=6)).isoformat()}
    async with stack.browser() as http:
        headers = await bearer(http, client)

        async def schedule() -> httpx.Response:
            return await http.get(f"/portal/v1/Schedule/{parent_oid}", params=week, headers=headers)

        async def shown() -> bool:
            return (await schedule()).status_code == 200

        await eventually(shown)
        await publish(school, ConsentChanged(person_id=child, purpose="portal", granted=False, version=7))

        async def withdrawn() -> bool:
            async with stack.gateway.state.db.transaction(SYSTEM) as session:
                return (
                    await session.scalar(select(PortalConsent.granted).where(PortalConsent.person_id == child)) is False
                )

        await eventually(withdrawn)
        refused(await schedule(), 404, "Ученик не найден.")
