"""R-70: the public stream for the state-services portal, from the gateway's outbox to the public exchange."""

import json
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from uuid import UUID, uuid4

import aio_pika
import jsonschema
import pytest
from aio_pika.abc import AbstractQueue
from sqlalchemy import event as sql_event
from sqlalchemy import func, select

from chassis.events import envelope_for
from chassis.tables import inbox, outbox
from chassis.tenancy import SYSTEM, Tenant
from chassis.testing import events_handled, eventually, publish_event, until_handled
from contracts.attendance import AbsenceRecorded
from contracts.gradebook import LessonDeleted, LessonRecorded, MarkChanged, MarkDeleted, MarkPosted, PeriodMarkSet
from contracts.roster import (
    ConsentChanged,
    ElectronicServiceRefusalChanged,
    PersonChanged,
    PersonRegistered,
    StudentEnrolled,
    StudentLeftSchool,
    TimetableLessonCancelled,
    TimetableLessonChanged,
    TimetableLessonScheduled,
    TimetableLessonSubstituted,
)
from gateway.models import EServiceRefusal, LeftStudent, Person, PortalChange, PortalWithheld
from gateway.portal import STUDENT_EVENTS, consumer, publish_about_students

PORTAL = "gateway.portal"
#: What the portal must never receive (152-ФЗ minimisation): a person's names, СНИЛС, birth date, teachers.
PRIVATE_KEYS = {"last_name", "first_name", "middle_name", "snils", "birth_date", "teacher_id", "student_id"}


SCHEMAS = Path(__file__).parents[2] / "docs" / "contracts" / "schemas"
#: What every public envelope carries (CloudEvents 1.0 and our extensions), and nothing else.
ENVELOPE_KEYS = {"specversion", "id", "source", "type", "time", "subject", "datacontenttype", "schoolid"}
#: Our extensions that stay empty on the public exchange.
EMPTY_KEYS = {"traceparent", "snapshot"}


@dataclass
class PublicFeed:
    """What a portal bound to the public exchange receives, for one school."""

    queue: AbstractQueue
    school_id: UUID
    bodies: list[str] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)

    async def of_type(self, event_type: str, where: Callable[[dict], bool] = lambda data: True) -> list[dict]:
        while message := await self.queue.get(no_ack=True, fail=False):
            if json.loads(message.body)["schoolid"] == str(self.school_id):
                self.bodies.append(message.body.decode())
                self.headers.append(dict(message.headers))
        envelopes = [json.loads(body) for body in self.bodies]
        return [e for e in envelopes if e["type"] == event_type and where(e["data"])]

    def check_against_schemas(self) -> None:
        """Every body is its type's published schema and no more (152-ФЗ: no unlisted field leaks), and our
        trace context stays inside (neither in the envelope nor in the AMQP headers)."""
        for body, headers in zip(self.bodies, self.headers, strict=True):
            envelope = json.loads(body)
            assert set(envelope) <= ENVELOPE_KEYS | EMPTY_KEYS | {"data"}, body
            assert all(envelope.get(key) is None for key in EMPTY_KEYS) and "traceparent" not in headers, body
            schema = json.loads((SCHEMAS / f"{envelope['type']}.json").read_text())
            jsonschema.validate(envelope["data"], schema, format_checker=jsonschema.FormatChecker())
            assert set(envelope["data"]) <= set(schema["properties"]), body


@pytest.fixture
async def feed(stack) -> AsyncIterator[PublicFeed]:
    connection = await aio_pika.connect(stack.settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(stack.settings.public_exchange, routing_key="#")
        public = PublicFeed(queue, uuid4())
        yield public
        await public.of_type("")
        public.check_against_schemas()


def keys_of(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


async def stored_oid(stack, person_id: UUID) -> str | None:
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        return await session.scalar(select(Person.stated_esia_oid).where(Person.person_id == person_id))


async def handled_by_portal(stack, event_id: UUID) -> bool:
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        found = await session.scalar(
            select(func.count())
            .select_from(inbox)
            .where(inbox.c.consumer == "gateway.portal", inbox.c.event_id == event_id)
        )
    return found == 1


async def portal_settled(stack, school: UUID, deliveries: int) -> None:
    """The portal consumer has finished with ``deliveries`` in all and the relay has published what they
    emitted for ``school``: the feed's queue now holds every public event there will be (no sleep needed)."""
    await until_handled(stack.gateway, PORTAL, deliveries)

    async def all_sent() -> bool:
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            unsent = await session.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.school_id == school, outbox.c.sent_at.is_(None))
            )
        return unsent == 0

    await eventually(all_sent)


def lesson(class_id: UUID, day: date) -> dict:
    return {
        "lesson_id": uuid4(),
        "class_id": class_id,
        "subject_id": uuid4(),
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "date": day,
    }


async def test_a_mark_reaches_the_portal_once_with_the_oid_and_no_personal_data(stack, publish, feed):
    school, class_id, student, unlinked = feed.school_id, uuid4(), uuid4(), uuid4()
    oid = str(10**9 + secrets.randbelow(10**10 - 10**9))
    snils = "112-233-445 95"
    day = date(2026, 11, 23)
    await publish(
        school,
        PersonRegistered(
            person_id=student,
            last_name="Кузнецова",
            first_name="Дарья",
            middle_name="Олеговна",
            birth_date=date(2014, 5, 2),
            snils=snils,
            esia_oid=oid,
        ),
        PersonRegistered(person_id=unlinked, last_name="Орлов", first_name="Пётр"),
    )
    await eventually(lambda: stored_oid(stack, student))
    await publish(school, StudentEnrolled(student_id=student, class_id=class_id, class_name="5Б", enrolled_on=day))
    subject = lesson(class_id, day)
    mark = MarkPosted(
        **subject,
        mark_id=uuid4(),
        student_id=student,
        value="5",
        work_type="test",
        work_type_title="Контрольная работа",
        weight=2.0,
    )
    unlinked_mark = MarkPosted(
        **subject, mark_id=uuid4(), student_id=unlinked, value="4", work_type="answer", weight=1.0
    )
    unlinked_envelope = await publish_event(stack.settings, unlinked_mark, school_id=school)
    envelope = await publish_event(stack.settings, mark, school_id=school)

    await eventually(lambda: feed.of_type("public.mark.posted.v1"))
    await eventually(lambda: handled_by_portal(stack, unlinked_envelope.id))
    enrolled = await eventually(lambda: feed.of_type("public.student.enrolled.v1"))
    assert [e["data"] for e in enrolled] == [
        {
            "student_esia_oid": oid,
            "school_id": str(school),
            "class_id": str(class_id),
            "enrolled_on": "2026-11-23",
            "class_name": "5Б",
        }
    ]

    # A redelivery of the same mark is not posted again (the portal consumer's inbox).
    handled = events_handled(stack.gateway, PORTAL)
    await publish_event(stack.settings, mark, school_id=school, envelope=envelope)
    await portal_settled(stack, school, handled + 1)
    posted = await feed.of_type("public.mark.posted.v1")
    assert [p["data"] for p in posted] == [
        {
            "mark_id": str(mark.mark_id),
            "lesson_id": str(mark.lesson_id),
            "student_esia_oid": oid,
            "school_id": str(school),
            "class_id": str(class_id),
            "subject_name": "Математика",
            "date": "2026-11-23",
            "value": "5",
            "work_type_title": "Контрольная работа",
            "weight": 2.0,
        }
    ]
    assert posted[0]["source"] == "/gateway" and posted[0]["subject"] == str(mark.mark_id)
    assert posted[0]["traceparent"] is None, "our trace context is not published"
    for body in feed.bodies:
        assert not keys_of(json.loads(body)) & PRIVATE_KEYS, body
        for private in ("Кузнецова", "Дарья", "Олеговна", "2014-05-02", snils, "11223344595", str(student)):
            assert private not in body, body


async def test_homework_goes_to_the_class_and_an_absence_to_the_linked_student(stack, publish, feed):
    school, class_id, student = feed.school_id, uuid4(), uuid4()
    oid = str(10**9 + secrets.randbelow(10**10 - 10**9))
    day = date(2026, 11, 24)
    await publish(school, PersonRegistered(person_id=student, last_name="Лебедев", first_name="Иван", esia_oid=oid))
    await eventually(lambda: stored_oid(stack, student))
    with_homework, without_homework = lesson(class_id, day), lesson(class_id, day)
    absence_id = uuid4()
    handled = events_handled(stack.gateway, PORTAL)
    await publish(
        school,
        LessonRecorded(**with_homework, version=1, assignment_id=uuid4(), topic="Дроби", homework="№ 241, 243"),
        LessonRecorded(**without_homework, version=1, assignment_id=uuid4(), topic="Дроби"),
        AbsenceRecorded(
            absence_id=absence_id,
            lesson_id=with_homework["lesson_id"],
            student_id=student,
            class_id=class_id,
            subject_name="Математика",
            date=day,
            reason="ill",
        ),
    )

    await portal_settled(stack, school, handled + 3)
    homework = await feed.of_type("public.homework.assigned.v1")
    absences = await feed.of_type("public.absence.recorded.v1")
    assert [h["data"] for h in await feed.of_type("public.homework.assigned.v1")] == [
        {
            "lesson_id": str(with_homework["lesson_id"]),
            "version": 1,
            "school_id": str(school),
            "class_id": str(class_id),
            "subject_name": "Математика",
            "date": "2026-11-24",
            "homework": "№ 241, 243",
        }
    ]
    assert homework[0]["subject"] == str(with_homework["lesson_id"])
    assert [a["data"] for a in absences] == [
        {
            "absence_id": str(absence_id),
            "lesson_id": str(with_homework["lesson_id"]),
            "student_esia_oid": oid,
            "school_id": str(school),
            "class_id": str(class_id),
            "subject_name": "Математика",
            "date": "2026-11-24",
            "reason": "ill",
        }
    ]
    for body in feed.bodies:
        assert not keys_of(json.loads(body)) & PRIVATE_KEYS, body


async def test_a_deleted_mark_and_lesson_leave_the_portal_by_their_keys(stack, publish, feed):
    """R-25: the portal hears of a deletion with the mark's natural keys, and a deleted lesson takes its homework."""
    school, class_id, student = feed.school_id, uuid4(), uuid4()
    oid = str(10**9 + secrets.randbelow(10**10 - 10**9))
    day = date(2026, 11, 25)
    await publish(school, PersonRegistered(person_id=student, last_name="Орлова", first_name="Вера", esia_oid=oid))
    await eventually(lambda: stored_oid(stack, student))
    subject = lesson(class_id, day)
    mark = MarkPosted(
        **subject,
        mark_id=uuid4(),
        student_id=student,
        value="2",
        work_type="test",
        work_type_title="Контрольная работа",
        weight=2.0,
    )
    deletion = {"reason": "поставлена не тому ученику", "deleted_by": uuid4()}
    handled = events_handled(stack.gateway, PORTAL)
    await publish(
        school,
        mark,
        MarkDeleted(**mark.model_dump(), version=2, lesson_deleted=True, **deletion),
        LessonDeleted(**subject, version=2, assignment_id=uuid4(), **deletion),
    )

    await portal_settled(stack, school, handled + 3)
    [deleted] = await feed.of_type("public.mark.deleted.v1")
    assert deleted["subject"] == str(mark.mark_id)
    assert deleted["data"] == {
        "mark_id": str(mark.mark_id),
        "version": 2,
        "lesson_id": str(subject["lesson_id"]),
        "student_esia_oid": oid,
        "school_id": str(school),
        "class_id": str(class_id),
        "subject_name": "Математика",
        "date": "2026-11-25",
        "work_type_title": "Контрольная работа",
    }
    [homework] = await feed.of_type("public.homework.assigned.v1")
    assert (homework["data"]["lesson_id"], homework["data"]["version"], homework["data"]["homework"]) == (
        str(subject["lesson_id"]),
        2,
        None,
    )
    for body in feed.bodies:
        assert not keys_of(json.loads(body)) & PRIVATE_KEYS, body
        assert "не тому ученику" not in body, body


async def test_a_family_that_refused_the_electronic_service_is_left_out_of_the_portal(stack, publish, feed):
    """R-54: while the refusal stands nothing about the student goes out; taken back, the stream resumes."""
    school, class_id, student = feed.school_id, uuid4(), uuid4()
    oid = str(10**9 + secrets.randbelow(10**10 - 10**9))
    day = date(2026, 11, 25)
    await publish(school, PersonRegistered(person_id=student, last_name="Отказова", first_name="Вера", esia_oid=oid))
    await eventually(lambda: stored_oid(stack, student))
    handled = events_handled(stack.gateway, "gateway.accounts")
    await publish(school, ElectronicServiceRefusalChanged(student_id=student, version=2, refused_on=day))
    await until_handled(stack.gateway, "gateway.accounts", handled + 1)

    def a_mark(value: str) -> MarkPosted:
        return MarkPosted(
            **lesson(class_id, day), mark_id=uuid4(), student_id=student, value=value, work_type="answer", weight=1.0
        )

    handled = events_handled(stack.gateway, PORTAL)
    await publish(school, a_mark("3"))
    await portal_settled(stack, school, handled + 1)
    assert await feed.of_type("public.mark.posted.v1") == []

    handled = events_handled(stack.gateway, "gateway.accounts")
    await publish(school, ElectronicServiceRefusalChanged(student_id=student, version=3, refused_on=None))
    await until_handled(stack.gateway, "gateway.accounts", handled + 1)
    await publish(school, a_mark("4"))
    posted = await eventually(lambda: feed.of_type("public.mark.posted.v1"))
    assert [p["data"]["value"] for p in posted] == ["4"]


async def test_a_student_who_left_the_school_is_left_out_of_the_portal(stack, publish, feed):
    """R-4: once the school's service to the student has ended, nothing more about them goes out from it."""
    school, class_id, student = feed.school_id, uuid4(), uuid4()
    oid = str(10**9 + secrets.randbelow(10**10 - 10**9))
    day = date(2026, 11, 25)
    await publish(school, PersonRegistered(person_id=student, last_name="Уходова", first_name="Ада", esia_oid=oid))
    await eventually(lambda: stored_oid(stack, student))

    def a_mark(value: str) -> MarkPosted:
        return MarkPosted(
            **lesson(class_id, day), mark_id=uuid4(), student_id=student, value=value, work_type="answer", weight=1.0
        )

    await publish(school, a_mark("5"))
    assert [p["data"]["value"] for p in await eventually(lambda: feed.of_type("public.mark.posted.v1"))] == ["5"]

    handled = events_handled(stack.gateway, "gateway.accounts")
    left = StudentLeftSchool(student_id=student, left_on=day, order_number="12-в", reason="переезд")
    await publish(school, left)
    await until_handled(stack.gateway, "gateway.accounts", handled + 1)
    handled = events_handled(stack.gateway, PORTAL)
    await publish(school, a_mark("4"))
    await portal_settled(stack, school, handled + 1)
    assert [p["data"]["value"] for p in await feed.of_type("public.mark.posted.v1")] == ["5"]

    # Enrolled in the school again, the student is served again.
    handled = events_handled(stack.gateway, "gateway.accounts")
    await publish(school, StudentEnrolled(student_id=student, class_id=class_id, class_name="7А", enrolled_on=day))
    await until_handled(stack.gateway, "gateway.accounts", handled + 1)
    await publish(school, a_mark("3"))
    threes = await eventually(lambda: feed.of_type("public.mark.posted.v1", lambda data: data["value"] == "3"))
    assert len(threes) == 1


async def test_a_withdrawn_consent_to_the_portal_stops_the_students_stream_at_once(stack, publish, feed):
    """R-5: from the withdrawal on nothing about the student goes out; given again, the stream resumes."""
    school, class_id, student = feed.school_id, uuid4(), uuid4()
    oid = str(10**9 + secrets.randbelow(10**10 - 10**9))
    day = date(2026, 11, 25)
    await publish(school, PersonRegistered(person_id=student, last_name="Отозвалова", first_name="Ия", esia_oid=oid))
    await eventually(lambda: stored_oid(stack, student))

    def a_mark(value: str) -> MarkPosted:
        return MarkPosted(
            **lesson(class_id, day), mark_id=uuid4(), student_id=student, value=value, work_type="answer", weight=1.0
        )

    handled = events_handled(stack.gateway, PORTAL)
    await publish(school, ConsentChanged(person_id=student, purpose="portal", granted=False, version=7))
    await publish(school, a_mark("3"))
    await portal_settled(stack, school, handled + 2)
    assert await feed.of_type("public.mark.posted.v1") == []

    # Another purpose withdrawn, or an older record arriving late, does not bring it back.
    handled = events_handled(stack.gateway, PORTAL)
    await publish(school, ConsentChanged(person_id=student, purpose="portal", granted=True, version=6))
    await publish(school, ConsentChanged(person_id=student, purpose="diary", granted=True, version=8))
    await publish(school, a_mark("2"))
    await portal_settled(stack, school, handled + 3)
    assert await feed.of_type("public.mark.posted.v1") == []

    await publish(school, ConsentChanged(person_id=student, purpose="portal", granted=True, version=9))
    await publish(school, a_mark("4"))
    posted = await eventually(lambda: feed.of_type("public.mark.posted.v1"))
    assert [p["data"]["value"] for p in posted] == ["4"]


async def test_a_period_mark_reaches_the_portal_with_its_visibility_and_without_the_reason(stack, publish, feed):
    """R-27, R-70: the portal shows a period mark from the day the family may see it; «не аттестован» goes without
    its reason (it may be about health)."""
    school, class_id, student = feed.school_id, uuid4(), uuid4()
    oid = str(10**9 + secrets.randbelow(10**10 - 10**9))
    await publish(school, PersonRegistered(person_id=student, last_name="Соколова", first_name="Ия", esia_oid=oid))
    await eventually(lambda: stored_oid(stack, student))
    quarter = {
        "student_id": student,
        "assignment_id": uuid4(),
        "class_id": class_id,
        "subject_id": uuid4(),
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "period_kind": "quarter",
        "period_id": uuid4(),
        "period_name": "I четверть",
        "starts": date(2026, 9, 1),
        "ends": date(2026, 10, 25),
        "visible_from": date(2026, 10, 28),
        "set_by": uuid4(),
    }
    set_mark = PeriodMarkSet(period_mark_id=uuid4(), version=1, value="5", **quarter)
    not_attested = PeriodMarkSet(period_mark_id=uuid4(), version=1, not_attested_reason="длительная болезнь", **quarter)
    handled = events_handled(stack.gateway, PORTAL)
    await publish(school, set_mark, not_attested)
    await portal_settled(stack, school, handled + 2)
    marks = {m["data"]["period_mark_id"]: m["data"] for m in await feed.of_type("public.period_mark.set.v1")}
    assert marks[str(set_mark.period_mark_id)] == {
        "period_mark_id": str(set_mark.period_mark_id),
        "version": 1,
        "student_esia_oid": oid,
        "school_id": str(school),
        "class_id": str(class_id),
        "subject_name": "Математика",
        "period_kind": "quarter",
        "period_name": "I четверть",
        "starts": "2026-09-01",
        "ends": "2026-10-25",
        "value": "5",
        "extended_to": None,
        "visible_from": "2026-10-28",
    }
    assert marks[str(not_attested.period_mark_id)]["value"] is None
    for body in feed.bodies:
        assert "болезнь" not in body and not keys_of(json.loads(body)) & PRIVATE_KEYS, body


def timetable_lesson(class_id: UUID) -> dict:
    return {
        "lesson_id": uuid4(),
        "version": 1,
        "date": date(2026, 11, 26),
        "number": 2,
        "starts": time(9, 0),
        "ends": time(9, 45),
        "assignment_id": uuid4(),
        "class_id": class_id,
        "class_name": "5А",
        "subject_id": uuid4(),
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "room_id": uuid4(),
        "room_name": "14",
    }


async def test_timetable_changes_reach_the_class_on_the_portal_without_who_or_why(stack, publish, feed):
    """R-14, R-70: a moved, substituted or cancelled lesson goes out with its natural keys (class, subject, date,
    number; where a moved lesson was); the substitute and the school's note stay in the school."""
    school, class_id = feed.school_id, uuid4()
    regular, moved, substituted, cancelled = (timetable_lesson(class_id) for _ in range(4))
    substitute = uuid4()
    handled = events_handled(stack.gateway, PORTAL)
    await publish(
        school,
        TimetableLessonScheduled(**regular),
        TimetableLessonChanged(
            **{
                **moved,
                "version": 2,
                "date": date(2026, 11, 27),
                "number": 3,
                "starts": time(10),
                "ends": time(10, 45),
                "room_name": "21",
            },
            change_note="Перенесён с 26.11 (четверг), урок № 2",
            moved_from_date=date(2026, 11, 26),
            moved_from_number=2,
        ),
        TimetableLessonSubstituted(
            **{**substituted, "version": 2},
            substitute_teacher_id=substitute,
            substitute_name="Сидорова А. В.",
            change_note="Замена: Сидорова А. В.",
        ),
        TimetableLessonCancelled(
            **{**cancelled, "version": 3}, status="cancelled", change_note="Отменён: болезнь учителя Петровой"
        ),
    )
    # The generated timetable is not pushed (the portal pulls it): three changes, three public events.
    await portal_settled(stack, school, handled + 3)
    changes = {e["data"]["lesson_id"]: e for e in await feed.of_type("public.timetable_lesson.changed.v1")}
    assert set(changes) == {str(moved["lesson_id"]), str(substituted["lesson_id"]), str(cancelled["lesson_id"])}
    assert changes[str(moved["lesson_id"])]["subject"] == str(moved["lesson_id"])
    assert changes[str(moved["lesson_id"])]["data"] == {
        "lesson_id": str(moved["lesson_id"]),
        "version": 2,
        "school_id": str(school),
        "class_id": str(class_id),
        "class_name": "5А",
        "subject_name": "Математика",
        "date": "2026-11-27",
        "number": 3,
        "starts": "10:00:00",
        "ends": "10:45:00",
        "room": "21",
        "cancelled": False,
        "substituted": False,
        "moved_from_date": "2026-11-26",
        "moved_from_number": 2,
    }
    given_by_another = changes[str(substituted["lesson_id"])]["data"]
    assert (given_by_another["substituted"], given_by_another["cancelled"], given_by_another["version"]) == (
        True,
        False,
        2,
    )
    off = changes[str(cancelled["lesson_id"])]["data"]
    assert (off["cancelled"], off["version"], off["date"], off["number"], off["moved_from_date"]) == (
        True,
        3,
        "2026-11-26",
        2,
        None,
    )
    teachers = {str(lesson["teacher_id"]) for lesson in (moved, substituted, cancelled)} | {str(substitute)}
    for body in feed.bodies:
        for private in ("Сидорова", "Петровой", "Перенесён", "Замена", *teachers):
            assert private not in body, body

    # The change feed has them too, in the order they were written.
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        fed = list(
            await session.scalars(
                select(PortalChange.data["lesson_id"].astext)
                .where(PortalChange.school_id == school, PortalChange.type == "public.timetable_lesson.changed.v1")
                .order_by(PortalChange.version)
            )
        )
    assert fed == [str(moved["lesson_id"]), str(substituted["lesson_id"]), str(cancelled["lesson_id"])]


async def accounts_settled(stack, school: UUID, deliveries: int) -> None:
    """The accounts consumer has finished with ``deliveries`` and what it released for ``school`` is published."""
    await until_handled(stack.gateway, "gateway.accounts", deliveries)
    await portal_settled(stack, school, events_handled(stack.gateway, PORTAL))


async def fed_types(stack, school: UUID) -> list[str]:
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        return list(
            await session.scalars(
                select(PortalChange.type).where(PortalChange.school_id == school).order_by(PortalChange.version)
            )
        )


async def test_a_students_events_reach_the_portal_once_and_in_order_when_the_oid_becomes_known(stack, publish, feed):
    """R-70: what happened while the school had no ESIA oid of the student is withheld; when roster's card brings
    the oid it goes out once, in its order, on the stream and the change feed; a second oid update sends nothing."""
    school, class_id, student = feed.school_id, uuid4(), uuid4()
    oid = str(10**9 + secrets.randbelow(10**10 - 10**9))
    day = date(2026, 11, 26)
    card = {"person_id": student, "last_name": "Позднякова", "first_name": "Лиля", "birth_date": date(2014, 3, 1)}
    await publish(school, PersonRegistered(**card))
    subject = lesson(class_id, day)
    answer = {"student_id": student, "work_type": "answer", "work_type_title": "Ответ на уроке", "weight": 1.0}
    mark = MarkPosted(**subject, mark_id=uuid4(), value="3", **answer)
    handled = events_handled(stack.gateway, PORTAL)
    await publish(
        school,
        StudentEnrolled(student_id=student, class_id=class_id, class_name="5В", enrolled_on=day),
        mark,
        MarkChanged(**subject, **answer, mark_id=mark.mark_id, version=2, value="4", old_value="3", changed_by=uuid4()),
        AbsenceRecorded(
            absence_id=uuid4(),
            lesson_id=subject["lesson_id"],
            student_id=student,
            class_id=class_id,
            subject_name="Математика",
            date=day,
            reason="late",
        ),
    )
    await portal_settled(stack, school, handled + 4)
    assert await feed.of_type("public.mark.posted.v1") == [] and feed.bodies == []

    accounts = events_handled(stack.gateway, "gateway.accounts")
    await publish(school, PersonChanged(**card, version=2, esia_oid=oid))
    await accounts_settled(stack, school, accounts + 1)
    replayed = [
        "public.student.enrolled.v1",
        "public.mark.posted.v1",
        "public.mark.changed.v1",
        "public.absence.recorded.v1",
    ]
    await eventually(lambda: feed.of_type("public.absence.recorded.v1"))
    assert [json.loads(body)["type"] for body in feed.bodies] == replayed
    assert {json.loads(body)["data"]["student_esia_oid"] for body in feed.bodies} == {oid}
    assert [e["data"]["value"] for e in await feed.of_type("public.mark.changed.v1")] == ["4"]
    assert await fed_types(stack, school) == replayed

    # The card changed again with the same oid: nothing is sent twice; later events go straight out.
    accounts = events_handled(stack.gateway, "gateway.accounts")
    await publish(school, PersonChanged(**card, version=3, middle_name="Олеговна", esia_oid=oid))
    await accounts_settled(stack, school, accounts + 1)
    await publish(school, MarkPosted(**subject, mark_id=uuid4(), value="5", **answer))
    await eventually(lambda: feed.of_type("public.mark.posted.v1", lambda data: data["value"] == "5"))
    assert await fed_types(stack, school) == [*replayed, "public.mark.posted.v1"]
    assert [json.loads(body)["type"] for body in feed.bodies] == [*replayed, "public.mark.posted.v1"]
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        assert await session.scalar(select(func.count()).where(PortalWithheld.student_id == student)) == 0
    for body in feed.bodies:
        assert "Позднякова" not in body and "2014-03-01" not in body and str(student) not in body, body


async def test_a_student_binding_their_esia_account_at_login_releases_what_was_withheld(
    stack, publish, feed, esia_person
):
    """R-2, R-70: the school never typed the oid; the student's first ESIA login binds it and the portal hears of
    the marks given before."""
    school, class_id, student = feed.school_id, uuid4(), uuid4()
    person = await esia_person(last_name="Входова", first_name="Нина")
    await publish(
        school,
        person.registered(student),
        StudentEnrolled(student_id=student, class_id=class_id, class_name="6А", enrolled_on=date(2026, 9, 1)),
    )
    await eventually(lambda: stack.roles_known(student))
    handled = events_handled(stack.gateway, PORTAL)
    mark = MarkPosted(
        **lesson(class_id, date(2026, 11, 26)),
        mark_id=uuid4(),
        student_id=student,
        value="5",
        work_type="answer",
        weight=1.0,
    )
    await publish(school, mark)
    await portal_settled(stack, school, handled + 1)
    assert await feed.of_type("public.mark.posted.v1") == []

    async with stack.browser() as browser:
        assert (await stack.log_in(browser, person.oid)).status_code == 303
    posted = await eventually(lambda: feed.of_type("public.mark.posted.v1"))
    assert [(p["data"]["mark_id"], p["data"]["student_esia_oid"]) for p in posted] == [
        (str(mark.mark_id), str(person.oid))
    ]
    # A second login binds nothing new and sends nothing again.
    async with stack.browser() as browser:
        assert (await stack.log_in(browser, person.oid)).status_code == 303
    await portal_settled(stack, school, events_handled(stack.gateway, PORTAL))
    assert len(await feed.of_type("public.mark.posted.v1")) == 1


async def test_a_lesson_column_of_marks_goes_to_the_portal_as_one_by_one_in_a_few_statements(stack):
    """A run of marks arriving together (a lesson's column) is published as one by one, in the run's order, on the
    stream and the change feed; an unlinked pupil's mark is withheld, a refused and a departed pupil's dropped;
    a statement each for the whole run: the feed's lock, the pupils' oids and exclusions, the withheld rows, and the
    events with the feed's rows (each mark took five before)."""
    school, class_id, day = uuid4(), uuid4(), date(2026, 11, 27)
    linked = [uuid4() for _ in range(10)]
    unlinked, refused, departed = uuid4(), uuid4(), uuid4()
    oid_of = {student: str(10**9 + secrets.randbelow(10**10 - 10**9)) for student in linked}
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        for student in [*linked, unlinked, refused, departed]:
            session.add(
                Person(
                    person_id=student,
                    school_id=school,
                    last_name="Ученик",
                    first_name="Иван",
                    stated_esia_oid=oid_of.get(student) or (None if student == unlinked else "1000000001"),
                )
            )
        session.add(EServiceRefusal(student_id=refused, school_id=school, refused_on=day, version=1))
        session.add(LeftStudent(student_id=departed, school_id=school, left_on=day))
    subject = lesson(class_id, day)
    marks = [
        MarkPosted(**subject, mark_id=uuid4(), student_id=student, value=str(2 + n % 4), work_type="test", weight=2.0)
        for n, student in enumerate([*linked[:5], unlinked, refused, departed, *linked[5:]])
    ]
    run = [(mark, envelope_for(mark, source="/tests", school_id=school)) for mark in marks]
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    async with stack.gateway.state.db.transaction(Tenant(school_id=school)) as session:
        connection = await session.connection()
        sql_event.listen(connection.sync_connection, "before_cursor_execute", count)
        await publish_about_students(session, run)
        sql_event.remove(connection.sync_connection, "before_cursor_execute", count)

    assert statements == 4
    # The consumer hands it a batch's consecutive events of each kind, not one at a time.
    assert all(consumer.many[kind] is publish_about_students for kind in STUDENT_EVENTS)
    published = [mark for mark in marks if mark.student_id in oid_of]
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        fed = (
            await session.scalars(
                select(PortalChange.data).where(PortalChange.school_id == school).order_by(PortalChange.version)
            )
        ).all()
        emitted = (
            await session.scalars(select(outbox.c.envelope).where(outbox.c.school_id == school).order_by(outbox.c.seq))
        ).all()
        kept = (await session.scalars(select(PortalWithheld).where(PortalWithheld.school_id == school))).all()
    assert [(f["mark_id"], f["student_esia_oid"]) for f in fed] == [
        (str(m.mark_id), oid_of[m.student_id]) for m in published
    ]
    assert [e["data"] for e in emitted] == fed
    assert [(k.student_id, k.data["mark_id"]) for k in kept] == [(unlinked, str(marks[5].mark_id))]
