"""Lessons, class members and names kept as replicas: any order, redelivery and repeats leave one right row."""

from datetime import date, timedelta
from uuid import UUID, uuid4

from sqlalchemy import func, select

from attendance.models import ClassMember, Lesson
from chassis.events import Envelope
from chassis.tables import inbox
from chassis.tenancy import SYSTEM, Tenant
from chassis.testing import eventually, publish_event
from contracts.roster import StudentEnrolled


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
