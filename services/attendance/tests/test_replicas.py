"""Lessons, class members, class teachers and names kept as replicas: any order, redelivery and repeats
leave one right row."""

from datetime import date, timedelta
from uuid import UUID, uuid4

from sqlalchemy import func, select

from attendance.handlers import events
from attendance.models import ClassMember, ClassTeacher, Lesson, Person
from chassis.events import Envelope, envelope_for
from chassis.tables import inbox
from chassis.tenancy import SYSTEM, Tenant
from chassis.testing import events_handled, eventually, publish_event, refused, until_handled
from contracts.roster import (
    AssignmentCreated,
    AssignmentEnded,
    ClassTeacherAssigned,
    PersonChanged,
    PersonRegistered,
    StudentEnrolled,
)


async def handled(app, envelope: Envelope) -> bool:
    async with app.state.db.transaction(SYSTEM) as session:
        return bool(await session.scalar(select(func.count()).where(inbox.c.event_id == envelope.id)))


async def replica(app, school_id: UUID, model, id_) -> object:
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        return await session.get(model, id_)


async def test_a_late_older_version_of_a_lesson_does_not_overwrite_the_newer(app, settings, client, make_class, today):
    school_class = await make_class()
    school = school_class.school_id
    first = school_class.lesson(today - timedelta(days=1), version=1, subject_name="Математика")
    newer = first.model_copy(update={"version": 2, "date": today, "subject_name": "Алгебра"})
    newest_envelope = await publish_event(settings, newer, school_id=school)
    await eventually(lambda: handled(app, newest_envelope))
    older_envelope = await publish_event(settings, first, school_id=school)
    await eventually(lambda: handled(app, older_envelope))

    lesson = await replica(app, school, Lesson, first.lesson_id)
    assert (lesson.version, lesson.date, lesson.subject_name) == (2, today, "Алгебра")


async def test_redelivered_and_repeated_events_create_no_duplicates(app, settings, client):
    school = uuid4()
    enrolled = StudentEnrolled(student_id=uuid4(), class_id=uuid4(), class_name="8В", enrolled_on=date(2026, 9, 1))
    envelope = await publish_event(settings, enrolled, school_id=school)
    await eventually(lambda: handled(app, envelope))
    await publish_event(settings, enrolled, school_id=school, envelope=envelope)
    repeated = await publish_event(settings, enrolled, school_id=school)
    await eventually(lambda: handled(app, repeated))

    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        assert await session.scalar(select(func.count()).select_from(ClassMember)) == 1


async def test_the_latest_class_teacher_stays_whatever_the_order_and_redelivery(app, settings, client):
    school, class_id, first, second = uuid4(), uuid4(), uuid4(), uuid4()
    earlier = envelope_for(
        ClassTeacherAssigned(class_id=class_id, class_name="5А", teacher_id=first), source="/roster", school_id=school
    )
    later = envelope_for(
        ClassTeacherAssigned(class_id=class_id, class_name="5А", teacher_id=second, previous_teacher_id=first),
        source="/roster",
        school_id=school,
    )
    # The replacement arrives first, before roster has announced the class or any student of it.
    await publish_event(settings, ClassTeacherAssigned.model_validate(later.data), school_id=school, envelope=later)
    await eventually(lambda: handled(app, later))
    await publish_event(settings, ClassTeacherAssigned.model_validate(earlier.data), school_id=school, envelope=earlier)
    await eventually(lambda: handled(app, earlier))
    assert (await replica(app, school, ClassTeacher, class_id)).teacher_id == second

    # Redelivered, and the latest assignment repeated: still one row, still the latest teacher.
    await publish_event(settings, ClassTeacherAssigned.model_validate(earlier.data), school_id=school, envelope=earlier)
    repeated = await publish_event(settings, ClassTeacherAssigned.model_validate(later.data), school_id=school)
    await eventually(lambda: handled(app, repeated))
    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        assert list(await session.scalars(select(ClassTeacher.teacher_id))) == [second]


async def test_an_ended_assignment_stops_its_teacher_marking_absences(client, app, as_, settings, make_class, today):
    school_class = await make_class()
    school = school_class.school_id
    lesson = school_class.lesson(today)
    await publish_event(settings, lesson, school_id=school)
    url = f"/schools/{school}/lessons/{lesson.lesson_id}/absences"
    anna, boris = (str(s) for s in school_class.students)

    async def marked():
        answer = await client.post(url, json={"student_id": anna, "reason": "Н"}, headers=as_(school_class.teacher))
        return answer if answer.status_code == 201 else None

    absence = (await eventually(marked)).json()
    ended = AssignmentEnded(
        assignment_id=lesson.assignment_id,
        teacher_id=school_class.teacher.person_id,
        class_id=school_class.class_id,
        subject_name="Математика",
        class_name="6А",
        ended_on=today,
        reason="Перевод на другую должность",
    )
    handled = events_handled(app, "attendance.events")
    await publish_event(settings, ended, school_id=school)
    # Handled before the teacher tries: a try that came first would record the absence it is meant to refuse.
    await until_handled(app, "attendance.events", handled + 1)

    # no new absences and no withdrawals; the one marked before the ending stays.
    closed = await client.post(url, json={"student_id": boris, "reason": "Б"}, headers=as_(school_class.teacher))
    refused(closed, 403, "снята с")
    withdrawn = await client.delete(f"/schools/{school}/absences/{absence['id']}", headers=as_(school_class.teacher))
    refused(withdrawn, 403, "снята")

    given_back = AssignmentCreated(
        assignment_id=lesson.assignment_id,
        teacher_id=school_class.teacher.person_id,
        subject_id=lesson.subject_id,
        subject_name="Математика",
        class_id=school_class.class_id,
        class_name="6А",
    )
    await publish_event(settings, given_back, school_id=school)

    async def open_again():
        answer = await client.post(url, json={"student_id": boris, "reason": "Б"}, headers=as_(school_class.teacher))
        return answer if answer.status_code == 201 else None

    await eventually(open_again)


async def test_an_imports_runs_of_people_and_enrolments_keep_every_row_once(app, client):
    """Runs arriving together (an import's chunk) are one call each: every event kept, a person repeated in a run
    ending at their highest version, a late registration or older change leaving the corrected card, and the runs
    applied again (a redelivered batch) changing nothing."""
    school, five_a, five_b = uuid4(), uuid4(), uuid4()
    students = [uuid4() for _ in range(3)]

    def changed(version: int, first_name: str) -> PersonChanged:
        return PersonChanged(person_id=students[0], last_name="Орлова", first_name=first_name, version=version)

    runs = [
        [PersonRegistered(person_id=s, last_name="Орлов", first_name="Иван") for s in students],
        [changed(3, "Ирина"), changed(2, "Ира")],
        [
            StudentEnrolled(student_id=s, class_id=c, class_name="5", enrolled_on=date(2026, 9, 1))
            for s, c in [(students[0], five_a), (students[1], five_a), (students[2], five_b), (students[0], five_a)]
        ],
        # Late: the registration (e.g. rebuilt from the outbox) and an older change (a redelivery).
        [PersonRegistered(person_id=students[0], last_name="Орлов", first_name="Иван")],
        [changed(2, "Ира")],
    ]
    states = []
    for _ in range(2):
        for run in runs:
            envelopes = [(event, envelope_for(event, source="/roster", school_id=school)) for event in run]
            async with app.state.db.transaction(Tenant(school_id=school)) as session:
                await events.many[type(run[0])](session, envelopes)
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            names = set((await session.execute(select(Person.id, Person.last_name, Person.first_name))).all())
            members = set((await session.execute(select(ClassMember.class_id, ClassMember.student_id))).all())
        states.append((names, members))

    assert states[0] == states[1]
    names, members = states[0]
    assert names == {(students[0], "Орлова", "Ирина"), (students[1], "Орлов", "Иван"), (students[2], "Орлов", "Иван")}
    assert members == {(five_a, students[0]), (five_a, students[1]), (five_b, students[2])}
