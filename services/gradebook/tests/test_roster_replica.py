"""Roster's events kept as replicas: redelivered or repeated events leave the same rows."""

from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import event as sql_event
from sqlalchemy import func, select

from chassis.events import Envelope, envelope_for
from chassis.tables import inbox
from chassis.tenancy import SYSTEM, Tenant
from chassis.testing import events_handled, eventually, person, publish_event, refused, until_handled
from contracts.roster import (
    AssignmentCreated,
    AssignmentEnded,
    GuardianshipLinked,
    PersonChanged,
    PersonRegistered,
    StudentEnrolled,
)
from gradebook.handlers import roster
from gradebook.models import ClassMember, Course, Guardianship, Person


async def count(app, school_id: UUID, model) -> int:
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        return await session.scalar(select(func.count()).select_from(model))


async def handled(app, envelope: Envelope) -> bool:
    async with app.state.db.transaction(SYSTEM) as session:
        return bool(await session.scalar(select(func.count()).where(inbox.c.event_id == envelope.id)))


async def test_redelivered_and_repeated_roster_events_create_no_duplicates(app, settings, client):
    school = uuid4()
    student, class_id = uuid4(), uuid4()
    enrolled = StudentEnrolled(student_id=student, class_id=class_id, class_name="7Б", enrolled_on=date(2026, 9, 1))
    named = PersonRegistered(person_id=student, last_name="Сидорова", first_name="Ольга")
    first = [await publish_event(settings, event, school_id=school) for event in (enrolled, named)]
    await eventually(lambda: handled(app, first[-1]))
    await eventually(lambda: handled(app, first[0]))

    for envelope in first:  # the broker redelivers the very same messages
        await publish_event(settings, enrolled, school_id=school, envelope=envelope)
    # roster's relay publishes the same change again under a new id (e.g. after a crash before marking it sent)
    again = [await publish_event(settings, event, school_id=school) for event in (enrolled, named)]
    for envelope in again:
        await eventually(lambda envelope=envelope: handled(app, envelope))

    assert await count(app, school, ClassMember) == 1
    assert await count(app, school, Person) == 1


async def test_an_assignment_replayed_keeps_one_course_in_its_school(app, settings, client, as_):
    school = uuid4()
    teacher = person(school, "teacher")
    assignment = AssignmentCreated(
        assignment_id=uuid4(),
        teacher_id=teacher.person_id,
        subject_id=uuid4(),
        subject_name="Физика",
        class_id=uuid4(),
        class_name="9В",
    )
    envelope = await publish_event(settings, assignment, school_id=school)

    async def courses() -> list:
        return (await client.get(f"/schools/{school}/courses", headers=as_(teacher))).json()

    await eventually(courses)
    await publish_event(settings, assignment, school_id=school, envelope=envelope)
    repeated = await publish_event(settings, assignment, school_id=school)
    await eventually(lambda: handled(app, repeated))
    assert [c["subject_name"] for c in await courses()] == ["Физика"]
    assert await count(app, school, Course) == 1


async def test_an_ended_assignment_closes_the_journal_to_its_teacher(app, settings, client, as_, make_journal, today):
    journal = await make_journal()
    school, url = journal.school_id, f"/schools/{journal.school_id}"
    lesson = (
        await client.post(
            f"{url}/lessons",
            json={"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Дроби"},
            headers=as_(journal.teacher),
        )
    ).json()
    mark = {"student_id": str(journal.students[0]), "value": "5", "work_type": "answer"}
    posted = await client.post(f"{url}/lessons/{lesson['id']}/marks", json=mark, headers=as_(journal.teacher))
    assert posted.status_code == 201, posted.text

    ended = AssignmentEnded(
        assignment_id=journal.course_id,
        teacher_id=journal.teacher.person_id,
        class_id=journal.class_id,
        subject_name="Математика",
        class_name="5А",
        ended_on=today,
        reason="Увольнение",
    )
    # Waited for by the consumer's count: a probe by posting would write a mark before the end arrives.
    handled = events_handled(app, "gradebook.roster")
    await publish_event(settings, ended, school_id=school)
    await until_handled(app, "gradebook.roster", handled + 1)
    # neither marks nor lessons; what was written stays, and the administration still reads it.
    again = {**mark, "student_id": str(journal.students[1])}
    refused(
        await client.post(f"{url}/lessons/{lesson['id']}/marks", json=again, headers=as_(journal.teacher)),
        403,
        f"снята с {today:%d.%m.%Y}",
    )
    body = {"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Проценты"}
    refused(await client.post(f"{url}/lessons", json=body, headers=as_(journal.teacher)), 403, "снята")
    deputy = person(school, "deputy")
    lessons = (await client.get(f"{url}/courses/{journal.course_id}/lessons", headers=as_(deputy))).json()
    assert [(lsn["topic"], [m["value"] for m in lsn["marks"]]) for lsn in lessons] == [("Дроби", ["5"])]

    # Given back, the same assignment opens the journal again.
    given_back = AssignmentCreated(
        assignment_id=journal.course_id,
        teacher_id=journal.teacher.person_id,
        subject_id=journal.subject_id,
        subject_name="Математика",
        class_id=journal.class_id,
        class_name="5А",
    )
    await publish_event(settings, given_back, school_id=school)

    async def open_again() -> bool:
        answer = await client.post(f"{url}/lessons/{lesson['id']}/marks", json=again, headers=as_(journal.teacher))
        return answer.status_code == 201

    await eventually(open_again)


async def test_an_imports_runs_of_people_enrolments_and_guardianships_keep_every_row_once(app, client):
    """Runs of one type arriving together (an import's chunk) are one call and a statement each: every event is
    kept, a person repeated in a run ends at their highest version, a late registration or older change leaves the
    corrected card, and the runs applied again (a redelivered batch whose inbox rows were lost) change nothing."""
    school, five_a, five_b = uuid4(), uuid4(), uuid4()
    students, parent = [uuid4() for _ in range(3)], uuid4()

    def changed(version: int, last_name: str) -> PersonChanged:
        return PersonChanged(person_id=students[0], last_name=last_name, first_name="Анна", version=version)

    runs = [
        [PersonRegistered(person_id=p, last_name="Иванова", first_name="Анна") for p in [*students, parent]],
        # Roster's first change of a card is its version 2; the highest of a run wins.
        [changed(2, "Петрова"), changed(3, "Сидорова"), changed(2, "Петрова")],
        [
            StudentEnrolled(student_id=s, class_id=c, class_name="5", enrolled_on=date(2026, 9, 1))
            for s, c in [(students[0], five_a), (students[1], five_a), (students[2], five_b), (students[0], five_a)]
        ],
        [GuardianshipLinked(guardian_id=parent, student_id=s, relation="мать") for s in [*students[:2], students[0]]],
        # Late: the registration (e.g. rebuilt from the outbox) and an older change (a redelivery).
        [PersonRegistered(person_id=students[0], last_name="Иванова", first_name="Анна")],
        [changed(2, "Петрова")],
    ]
    #: Statements of each call.
    statements: list[int] = []

    def count(*_args) -> None:
        statements[-1] += 1

    states = []
    for _ in range(2):
        for run in runs:
            envelopes = [(event, envelope_for(event, source="/roster", school_id=school)) for event in run]
            async with app.state.db.transaction(Tenant(school_id=school)) as session:
                connection = await session.connection()
                statements.append(0)
                sql_event.listen(connection.sync_connection, "before_cursor_execute", count)
                await roster.many[type(run[0])](session, envelopes)
                sql_event.remove(connection.sync_connection, "before_cursor_execute", count)
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            names = {
                p: (name, v)
                for p, name, v in await session.execute(select(Person.id, Person.last_name, Person.version))
            }
            members = set((await session.execute(select(ClassMember.class_id, ClassMember.student_id))).all())
            ties = set((await session.execute(select(Guardianship.guardian_id, Guardianship.student_id))).all())
        states.append((names, members, ties))

    assert states[0] == states[1]
    names, members, ties = states[0]
    registered = ("Иванова", 1)
    assert names == {students[0]: ("Сидорова", 3), students[1]: registered, students[2]: registered, parent: registered}
    assert members == {(five_a, students[0]), (five_a, students[1]), (five_b, students[2])}
    assert ties == {(parent, students[0]), (parent, students[1])}
    assert statements == [1] * len(runs) * 2
