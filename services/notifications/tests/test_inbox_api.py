"""The family inbox over HTTP, fed by events through the real broker into the real database."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import event as sql_event
from sqlalchemy import func, select

from chassis.auth import Caller
from chassis.events import envelope_for
from chassis.tenancy import Tenant
from chassis.testing import events_handled, eventually, person, publish_event, refused, until_handled
from contracts.attendance import AbsenceRecorded
from contracts.gradebook import MarkChanged, MarkDeleted, MarkPosted
from contracts.roster import GuardianshipLinked, PersonRegistered
from notifications.handlers import on_marks_posted
from notifications.models import (
    ClassTeacher,
    Consent,
    Delivery,
    Guardianship,
    Notification,
    NotificationPreference,
    Person,
)

DAY = date(2026, 11, 24)


@dataclass
class Family:
    school_id: UUID
    student: Caller
    mother: Caller
    father: Caller
    #: The parent of a classmate.
    other_parent: Caller
    classmate: Caller


async def make_family(settings, client, as_) -> Family:
    school = uuid4()
    student = person(school, "student", name="Абрамова Анна")
    classmate = person(school, "student", name="Яковлев Борис")
    mother, father, other_parent = (person(school, "guardian") for _ in range(3))
    for event in (
        PersonRegistered(person_id=student.person_id, last_name="Абрамова", first_name="Анна"),
        GuardianshipLinked(guardian_id=mother.person_id, student_id=student.person_id, relation="мать"),
        GuardianshipLinked(guardian_id=father.person_id, student_id=student.person_id, relation="отец"),
        GuardianshipLinked(guardian_id=other_parent.person_id, student_id=classmate.person_id, relation="мать"),
    ):
        await publish_event(settings, event, school_id=school)
    family = Family(school, student, mother, father, other_parent, classmate)
    # Roster's events are in once a mark reaches both parents by name.
    await publish_event(settings, mark(family, "5"), school_id=school)

    async def known() -> bool:
        for parent in (mother, father):
            titles = [n["body"] for n in await inbox(client, as_, family, parent)]
            if not titles or not titles[0].startswith("Абрамова Анна:"):
                return False
        return True

    await eventually(known)
    return family


def mark(family: Family, value: str, student: Caller | None = None, **extra) -> MarkPosted:
    return mark_of((student or family.student).person_id, value, **extra)


def mark_of(student_id: UUID, value: str, **extra) -> MarkPosted:
    fields = {
        "mark_id": uuid4(),
        "lesson_id": uuid4(),
        "student_id": student_id,
        "class_id": uuid4(),
        "subject_id": uuid4(),
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "date": DAY,
        "value": value,
        "work_type": "test",
        "work_type_title": "Контрольная работа",
        "weight": 2.0,
        **extra,
    }
    return MarkPosted(**fields)


async def inbox(client, as_, family: Family, caller: Caller, **params) -> list[dict]:
    response = await client.get(f"/schools/{family.school_id}/notifications", params=params, headers=as_(caller))
    assert response.status_code == 200, response.text
    return response.json()


async def unread(client, as_, family: Family, caller: Caller) -> int:
    response = await client.get(f"/schools/{family.school_id}/notifications/unread-count", headers=as_(caller))
    return response.json()["unread"]


async def count_for_event(app, family: Family, event_id: UUID) -> int:
    async with app.state.db.transaction(Tenant(school_id=family.school_id)) as session:
        return await session.scalar(select(func.count()).select_from(Notification).filter_by(event_id=event_id))


async def test_a_mark_reaches_each_guardian_and_the_student_once(app, settings, client, as_):
    family = await make_family(settings, client, as_)
    envelope = await publish_event(
        settings,
        mark(family, "4", work_type="answer", work_type_title="Ответ на уроке", weight=1.0),
        school_id=family.school_id,
    )
    await eventually(lambda: count_for_event(app, family, envelope.id))

    for recipient in (family.mother, family.father, family.student):
        [latest, first] = await inbox(client, as_, family, recipient)
        assert latest["kind"] == "mark"
        assert latest["title"] == "Новая отметка: 4 — Математика, ответ на уроке, 24.11.2026"
        assert latest["body"] == (
            "Абрамова Анна: отметка 4 по предмету «Математика» за урок 24.11.2026 (ответ на уроке, вес 1)."
        )
        assert latest["student_id"] == str(family.student.person_id)
        assert latest["read_at"] is None
        assert first["title"] == "Новая отметка: 5 — Математика, контрольная работа, 24.11.2026"
    assert await count_for_event(app, family, envelope.id) == 3
    # R-1: the classmate's parent and the classmate learn nothing of Анна's marks.
    assert await inbox(client, as_, family, family.other_parent) == []
    assert await inbox(client, as_, family, family.classmate) == []


async def test_a_redelivered_mark_makes_no_second_notification(app, settings, client, as_):
    family = await make_family(settings, client, as_)
    event = mark(family, "3")
    envelope = await publish_event(settings, event, school_id=family.school_id)
    await eventually(lambda: count_for_event(app, family, envelope.id))
    handled = events_handled(app, "notifications.family")
    await publish_event(settings, event, school_id=family.school_id, envelope=envelope)
    marker = await publish_event(settings, mark(family, "5", student=family.classmate), school_id=family.school_id)
    # Both deliveries are finished with (messages are handled concurrently: the marker alone proves nothing).
    await until_handled(app, "notifications.family", handled + 2)
    assert await count_for_event(app, family, marker.id) > 0
    assert await count_for_event(app, family, envelope.id) == 3
    assert [n["title"].split(" — ")[0] for n in await inbox(client, as_, family, family.mother)] == [
        "Новая отметка: 3",
        "Новая отметка: 5",
    ]


async def test_absences_and_changed_marks_reach_the_family(app, settings, client, as_):
    family = await make_family(settings, client, as_)
    posted = mark(family, "3")
    changed = MarkChanged(
        **{**posted.model_dump(), "value": "4", "version": 2, "old_value": "3", "changed_by": uuid4()}
    )
    absence = AbsenceRecorded(
        absence_id=uuid4(),
        lesson_id=uuid4(),
        student_id=family.student.person_id,
        class_id=uuid4(),
        subject_name="Математика",
        date=DAY,
        reason="unexcused",
    )
    changed_envelope = await publish_event(settings, changed, school_id=family.school_id)
    absence_envelope = await publish_event(settings, absence, school_id=family.school_id)
    await eventually(lambda: count_for_event(app, family, changed_envelope.id))
    await eventually(lambda: count_for_event(app, family, absence_envelope.id))

    titles = {n["kind"] + ": " + n["title"] for n in await inbox(client, as_, family, family.father)}
    assert "absence: Пропуск урока: Математика, 24.11.2026 — Н (без уважительной причины)" in titles
    assert "mark: Отметка исправлена: 3 → 4 — Математика, контрольная работа, 24.11.2026" in titles


async def test_corrections_reach_the_family_with_what_changed_and_why(app, settings, client, as_):
    """R-25: a deleted mark with the teacher's reason, a mark put under another work type, and one moved with its
    lesson each tell the family what happened, not «3 → 3»."""
    family = await make_family(settings, client, as_)
    posted = mark(family, "2")
    by = uuid4()
    events = [
        MarkDeleted(**posted.model_dump(), version=2, reason="поставлена не тому ученику", deleted_by=by),
        MarkChanged(
            **{**posted.model_dump(), "work_type": "answer", "work_type_title": "Ответ на уроке", "weight": 1.0},
            version=2,
            old_value="2",
            changed_by=by,
            correction="work_type",
            old_work_type="test",
        ),
        MarkChanged(**posted.model_dump(), version=3, old_value="2", changed_by=by, correction="moved"),
    ]
    envelopes = [await publish_event(settings, event, school_id=family.school_id) for event in events]
    for envelope in envelopes:
        await eventually(lambda envelope=envelope: count_for_event(app, family, envelope.id))

    titles = {n["title"]: n["body"] for n in await inbox(client, as_, family, family.mother)}
    assert titles["Отметка удалена: 2 — Математика, контрольная работа, 24.11.2026"].endswith(
        "удалена. Причина: поставлена не тому ученику."
    )
    assert "Вид работы исправлен: 2 — Математика, ответ на уроке, 24.11.2026" in titles
    assert "Отметка перенесена: 2 — Математика, контрольная работа, урок 24.11.2026" in titles


async def test_the_work_type_is_named_as_the_event_names_it(app, settings, client, as_):
    family = await make_family(settings, client, as_)
    # A school's own вид работы: only the producer's title can name it.
    own = mark(family, "5", work_type="olympiad", work_type_title="Олимпиада", weight=3.0)
    own_envelope = await publish_event(settings, own, school_id=family.school_id)
    # An event published before MarkPosted carried the title has no such field at all.
    older_event = mark(family, "4", work_type="project")
    older = envelope_for(older_event, source="/tests", school_id=family.school_id)
    older = older.model_copy(update={"data": {k: v for k, v in older.data.items() if k != "work_type_title"}})
    await publish_event(settings, older_event, school_id=family.school_id, envelope=older)
    await eventually(lambda: count_for_event(app, family, own_envelope.id))
    await eventually(lambda: count_for_event(app, family, older.id))

    titles = {n["title"] for n in await inbox(client, as_, family, family.mother)}
    assert "Новая отметка: 5 — Математика, олимпиада, 24.11.2026" in titles
    assert "Новая отметка: 4 — Математика, project, 24.11.2026" in titles


async def test_read_and_unread(app, settings, client, as_):
    family = await make_family(settings, client, as_)
    envelope = await publish_event(settings, mark(family, "3"), school_id=family.school_id)
    await eventually(lambda: count_for_event(app, family, envelope.id))
    assert await unread(client, as_, family, family.mother) == 2

    newest, oldest = await inbox(client, as_, family, family.mother)
    assert newest["title"].startswith("Новая отметка: 3")
    assert [n["id"] for n in await inbox(client, as_, family, family.mother, limit=1)] == [newest["id"]]

    url = f"/schools/{family.school_id}/notifications/{oldest['id']}/read"
    # Someone else's notification, even the other parent's copy, is not found.
    for stranger in (family.father, family.other_parent, person(uuid4(), "guardian")):
        response = await client.post(url, headers=as_(stranger))
        refused(response, 404)
        assert response.headers["content-type"] == "application/problem+json"
    assert await unread(client, as_, family, family.father) == 2

    read = await client.post(url, headers=as_(family.mother))
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    again = await client.post(url, headers=as_(family.mother))
    assert again.json()["read_at"] == read.json()["read_at"]

    assert await unread(client, as_, family, family.mother) == 1
    assert [n["id"] for n in await inbox(client, as_, family, family.mother, unread="true")] == [newest["id"]]
    assert len(await inbox(client, as_, family, family.mother)) == 2
    missing = await client.post(f"/schools/{family.school_id}/notifications/{uuid4()}/read", headers=as_(family.mother))
    refused(missing, 404)
    assert missing.json()["detail"] == "Уведомление не найдено."
    bad_limit = await client.get(
        f"/schools/{family.school_id}/notifications", params={"limit": 0}, headers=as_(family.mother)
    )
    refused(bad_limit, 422)


async def test_a_stranger_to_the_school_has_no_inbox_there(settings, client, as_):
    family = await make_family(settings, client, as_)
    outsider = person(uuid4(), "guardian")
    response = await client.get(f"/schools/{family.school_id}/notifications", headers=as_(outsider))
    refused(response, 404)


async def test_preferences_are_validated_and_kept_per_person(client, as_):
    school = uuid4()
    parent, other = person(school, "guardian"), person(school, "guardian")
    url = f"/schools/{school}/notification-preferences"
    default = {"email_address": None, "phone": None, "channels": {}, "digest": False}
    assert (await client.get(url, headers=as_(parent))).json() == default

    chosen = {"mark": ["sms", "email", "email"], "absence": ["sms"], "homework": ["push"]}
    saved = await client.put(
        url,
        json={"email_address": "Olga@Mail.RU", "phone": "8 (912) 345-67-89", "channels": chosen, "digest": True},
        headers=as_(parent),
    )
    assert saved.status_code == 200, saved.text
    expected = {
        "email_address": "Olga@mail.ru",
        "phone": "+79123456789",
        "channels": {"mark": ["email", "sms"], "absence": ["sms"], "homework": ["push"]},
        "digest": True,
    }
    assert saved.json() == expected
    assert (await client.get(url, headers=as_(parent))).json() == expected
    assert (await client.get(url, headers=as_(other))).json() == default

    for bad in (
        {"channels": {"mark": ["email"]}},
        {"channels": {"mark": ["sms"]}, "email_address": "olga@mail.ru"},
        {"channels": {"mark": ["email"]}, "email_address": "olga-at-mail.ru"},
        {"channels": {"absence": ["sms"]}, "phone": "+1 212 555 0100"},
        {"channels": {"marks": ["email"]}, "email_address": "olga@mail.ru"},
        {"channels": {"mark": ["pigeon"]}},
        {"digest": "да"},
    ):
        response = await client.put(url, json=bad, headers=as_(parent))
        refused(response, 422)
    assert (await client.get(url, headers=as_(parent))).json() == expected

    turned_off = await client.put(url, json={}, headers=as_(parent))
    assert turned_off.json() == default

    inspector = person(region_roles=("inspector",))
    refusal = await client.put(url, json={}, headers=as_(inspector))
    refused(refusal, 403)


async def test_mark_all_as_read_marks_only_the_callers_own(settings, client, as_):
    family = await make_family(settings, client, as_)
    await publish_event(settings, mark(family, "4"), school_id=family.school_id)
    await eventually(lambda: _unread_is(client, as_, family, family.mother, 2))
    url = f"/schools/{family.school_id}/notifications/read-all"
    done = await client.post(url, headers=as_(family.mother))
    assert done.json() == {"marked": 2}
    assert await unread(client, as_, family, family.mother) == 0
    assert await unread(client, as_, family, family.father) == 2
    assert (await client.post(url, headers=as_(family.mother))).json() == {"marked": 0}


async def _unread_is(client, as_, family, caller, count: int) -> bool:
    return await unread(client, as_, family, caller) == count


async def test_an_inspector_marks_their_own_notice_read_and_nobody_elses(app, client, as_):
    """The inspector reads every school in a transaction that writes none; their own notice is still theirs."""
    school = uuid4()
    inspector, parent = person(region_roles=("inspector",)), person(school, "guardian")
    notices = {}
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        for who in (inspector, parent):
            notices[who.person_id] = Notification(
                school_id=school,
                recipient_id=who.person_id,
                kind="announcement",
                title="Совещание",
                body="Совещание в пятницу",
                student_id=uuid4(),
                event_id=uuid4(),
            )
            session.add(notices[who.person_id])
    own = await client.post(
        f"/schools/{school}/notifications/{notices[inspector.person_id].id}/read", headers=as_(inspector)
    )
    assert own.status_code == 200, own.text
    assert own.json()["read_at"] is not None
    others = await client.post(
        f"/schools/{school}/notifications/{notices[parent.person_id].id}/read", headers=as_(inspector)
    )
    refused(others, 404)
    assert others.json()["detail"] == "Уведомление не найдено."
    assert (await client.post(f"/schools/{school}/notifications/read-all", headers=as_(inspector))).json() == {
        "marked": 0
    }
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        assert await session.scalar(select(Notification.read_at).filter_by(recipient_id=parent.person_id)) is None


async def test_a_lesson_column_of_marks_is_told_to_every_family_in_a_few_statements(app, client):
    """A run of marks arriving together (a lesson's column) gives each family its notices and the failing marks'
    alerts, as one by one, in four statements however long the run: the names, guardians, rules and class teachers;
    the notices; the recipients' preferences, push subscriptions and consents; the deliveries."""
    school, school_class, class_teacher = uuid4(), uuid4(), uuid4()
    students = [uuid4() for _ in range(12)]
    guardian_of = {student: uuid4() for student in students}
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        session.add(ClassTeacher(school_id=school, class_id=school_class, teacher_id=class_teacher, version=1))
        for number, student in enumerate(students):
            session.add(Person(school_id=school, id=student, last_name=f"Ученик{number}", first_name="Иван"))
            session.add(Guardianship(school_id=school, student_id=student, guardian_id=guardian_of[student]))
            session.add(
                NotificationPreference(
                    school_id=school,
                    person_id=guardian_of[student],
                    email_address="family@example.ru",
                    channels={"mark": ["email"], "alert": ["email"]},
                )
            )
        # the third pupil's parent withdrew consent to e-mail; the fourth pupil withdrew it about themselves.
        for withdrawn in (guardian_of[students[2]], students[3]):
            session.add(
                Consent(school_id=school, person_id=withdrawn, purpose="notifications_email", granted=False, version=1)
            )
    # The first pupil's mark is a "2": an alert to the parent and the class teacher besides the notice.
    events = [
        mark_of(student, "2" if number == 0 else "5", class_id=school_class) for number, student in enumerate(students)
    ]
    run = [(e, envelope_for(e, source="/tests", school_id=school)) for e in events]
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        connection = await session.connection()
        sql_event.listen(connection.sync_connection, "before_cursor_execute", count)
        await on_marks_posted(session, run)
        sql_event.remove(connection.sync_connection, "before_cursor_execute", count)

    assert statements == 4
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        # This school's rows only: the table owner the tests connect as is not held by row-level security.
        told = set(
            (
                await session.execute(
                    select(Notification.recipient_id, Notification.kind, Notification.body).where(
                        Notification.school_id == school
                    )
                )
            ).all()
        )
        emails = set(
            (
                await session.execute(
                    select(Delivery.recipient_id, Delivery.kind, Delivery.channel).where(Delivery.school_id == school)
                )
            ).all()
        )
    first, second = students[0], students[1]
    assert (
        guardian_of[second],
        "mark",
        "Ученик1 Иван: отметка 5 по предмету «Математика» за урок 24.11.2026 (контрольная работа, вес 2).",
    ) in told
    marks = {(person, kind) for person, kind, _ in told if kind == "mark"}
    assert marks == {(p, "mark") for s in students for p in (s, guardian_of[s])}
    alerts = {person for person, kind, _ in told if kind == "alert"}
    assert alerts == {guardian_of[first], class_teacher}
    e_mailed = {(guardian_of[s], "mark", "email") for s in students if s not in students[2:4]}
    assert emails == e_mailed | {(guardian_of[first], "alert", "email")}
