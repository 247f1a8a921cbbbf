"""State that comes again or out of order: a snapshot tells nobody but is kept; a withdrawal cannot be revived; an
import's runs of roster's events, applied twice, keep each row once and each person's newest card."""

from datetime import date, timedelta
from uuid import uuid4

from sqlalchemy import select

from chassis.events import envelope_for
from chassis.tenancy import Tenant
from chassis.testing import eventually, publish_event
from contracts.attendance import AbsenceRecorded, AbsenceWithdrawn
from contracts.roster import GuardianshipLinked, PersonChanged, PersonRegistered, StudentEnrolled
from notifications.handlers import family
from notifications.models import Enrolment, Guardianship, Person

from .test_alerts_api import DAY, alerts, mark, setting


def absence(student, school_class, days_before: int) -> AbsenceRecorded:
    return AbsenceRecorded(
        absence_id=uuid4(),
        lesson_id=uuid4(),
        student_id=student.person_id,
        class_id=school_class,
        subject_name="Русский язык",
        date=DAY - timedelta(days=days_before),
        reason="unexcused",
        version=1,
    )


async def notices(client, as_, school, caller) -> list[str]:
    return [n["title"] for n in (await client.get(f"/schools/{school}/notifications", headers=as_(caller))).json()]


async def seen(client, as_, school, caller, day) -> bool:
    return any(f"{day:%d.%m.%Y}" in title for title in await notices(client, as_, school, caller))


async def test_a_withdrawal_that_overtakes_its_record_leaves_no_absence_day_behind(settings, client, as_):
    school, school_class, student, parent, class_teacher = await setting(settings)
    mistaken = absence(student, school_class, 2)
    withdrawal = AbsenceWithdrawn(**{**mistaken.model_dump(), "version": 2, "withdrawn_by": uuid4()})
    await publish_event(settings, withdrawal, school_id=school)
    await publish_event(settings, mistaken, school_id=school)
    for days_before in (1, 0):
        await publish_event(settings, absence(student, school_class, days_before), school_id=school)
    await eventually(lambda: seen(client, as_, school, parent, DAY))
    # Two days of absence in the week, not three: the withdrawn one does not count, whatever came first.
    assert await alerts(client, as_, school, class_teacher) == []


async def test_a_snapshot_is_kept_as_state_and_told_to_nobody(settings, client, as_):
    school, school_class, student, parent, class_teacher = await setting(settings)
    for event in (absence(student, school_class, 2), mark(student, school_class, "2")):
        snapshot = envelope_for(event, source="/tests", school_id=school).model_copy(update={"snapshot": True})
        await publish_event(settings, event, school_id=school, envelope=snapshot)
    for days_before in (1, 0):
        await publish_event(settings, absence(student, school_class, days_before), school_id=school)
    await eventually(lambda: seen(client, as_, school, parent, DAY))
    told = await notices(client, as_, school, parent)
    assert not any(f"{DAY - timedelta(days=2):%d.%m.%Y}" in title for title in told), told
    assert not any("отметка" in title for title in told), told
    # The snapshot's absence day counts: three days in the week make a run.
    assert await alerts(client, as_, school, class_teacher) == ["Внимание: пропуски 3 дня за 7 дней (по 14.10.2026)"]


async def test_an_imports_runs_of_people_guardianships_and_enrolments_keep_every_row_once(app, client):
    """Runs arriving together (an import's chunk) are one call each: every event kept, a transfer and the old
    enrolment replayed in the same run leave the latest class (R-16), a late registration or older change leaves
    the corrected card, and the runs applied again (a redelivered batch) change nothing."""
    school, five_a, five_b = uuid4(), uuid4(), uuid4()
    students, parent = [uuid4() for _ in range(2)], uuid4()

    def enrolled(student, school_class, day: date) -> StudentEnrolled:
        return StudentEnrolled(student_id=student, class_id=school_class, class_name="5", enrolled_on=day)

    def changed(version: int, last_name: str) -> PersonChanged:
        return PersonChanged(person_id=parent, last_name=last_name, first_name="Мария", version=version)

    runs = [
        [PersonRegistered(person_id=p, last_name="Зайцева", first_name="Мария") for p in [*students, parent]],
        [changed(2, "Волкова"), changed(3, "Соколова")],
        [GuardianshipLinked(guardian_id=parent, student_id=s, relation="мать") for s in [*students, students[0]]],
        [
            enrolled(students[0], five_a, date(2026, 9, 1)),
            enrolled(students[1], five_a, date(2026, 9, 1)),
            enrolled(students[0], five_b, date(2026, 10, 1)),
            enrolled(students[0], five_a, date(2026, 9, 1)),
        ],
        # Late: the registration (e.g. rebuilt from the outbox) and an older change (a redelivery).
        [PersonRegistered(person_id=parent, last_name="Зайцева", first_name="Мария")],
        [changed(2, "Волкова")],
    ]
    states = []
    for _ in range(2):
        for run in runs:
            envelopes = [(event, envelope_for(event, source="/roster", school_id=school)) for event in run]
            async with app.state.db.transaction(Tenant(school_id=school)) as session:
                await family.many[type(run[0])](session, envelopes)
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            people = dict((await session.execute(select(Person.id, Person.last_name))).all())
            ties = set((await session.execute(select(Guardianship.guardian_id, Guardianship.student_id))).all())
            classes = set((await session.execute(select(Enrolment.student_id, Enrolment.class_id))).all())
        states.append((people, ties, classes))

    assert states[0] == states[1]
    people, ties, classes = states[0]
    assert people == {students[0]: "Зайцева", students[1]: "Зайцева", parent: "Соколова"}
    assert ties == {(parent, students[0]), (parent, students[1])}
    assert classes == {(students[0], five_b), (students[1], five_a)}
