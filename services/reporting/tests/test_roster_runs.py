"""An import's runs of roster's events (one handler call each, ``Consumer.on_many``) in the diary and the reports:
every event kept once, a repeated key ending as its last event says (a person at their highest version, whatever
comes late), the runs applied again changing nothing."""

from datetime import date
from uuid import uuid4

from sqlalchemy import select

from chassis.events import envelope_for
from chassis.tenancy import Tenant
from contracts.roster import (
    GuardianshipLinked,
    PersonChanged,
    PersonRegistered,
    StudentEnrolled,
    StudentMovementRecorded,
)
from reporting.handlers import diary
from reporting.models import Guardianship, Person, Student
from reporting.reports.handlers import reports
from reporting.reports.school_models import StudentMovement


async def test_an_imports_runs_keep_every_person_enrolment_guardianship_and_movement_once(app, client):
    school, five_a, five_b = uuid4(), uuid4(), uuid4()
    students, parent = [uuid4() for _ in range(2)], uuid4()

    def enrolled(student, school_class, day: date) -> StudentEnrolled:
        return StudentEnrolled(student_id=student, class_id=school_class, class_name="5", enrolled_on=day)

    movements = [
        StudentMovementRecorded(movement_id=uuid4(), student_id=s, kind="enrolled", on=date(2026, 9, 1), to_class_id=c)
        for s, c in [(students[0], five_a), (students[1], five_a)]
    ]

    def changed(version: int, last_name: str) -> PersonChanged:
        return PersonChanged(person_id=students[1], last_name=last_name, first_name="Вера", version=version)

    runs = [
        (diary, [PersonRegistered(person_id=p, last_name="Белова", first_name="Вера") for p in [*students, parent]]),
        # Roster's first change of a card is its version 2; the highest of a run wins.
        (diary, [changed(3, "Смирнова"), changed(2, "Белова-Смирнова")]),
        (
            diary,
            [
                GuardianshipLinked(guardian_id=parent, student_id=students[0], relation="мать"),
                GuardianshipLinked(guardian_id=parent, student_id=students[1], relation="мать"),
                GuardianshipLinked(guardian_id=parent, student_id=students[0], relation="опекун"),
            ],
        ),
        # A transfer and the old enrolment replayed in the same run: the latest class stays.
        (
            diary,
            [
                enrolled(students[0], five_a, date(2026, 9, 1)),
                enrolled(students[1], five_a, date(2026, 9, 1)),
                enrolled(students[0], five_b, date(2026, 10, 1)),
                enrolled(students[0], five_a, date(2026, 9, 1)),
            ],
        ),
        (reports, [*movements, movements[0]]),
        # Late: the registration (e.g. rebuilt from the outbox) and an older change (a redelivery).
        (diary, [PersonRegistered(person_id=students[1], last_name="Белова", first_name="Вера")]),
        (diary, [changed(2, "Белова-Смирнова")]),
    ]
    states = []
    for _ in range(2):
        for consumer, run in runs:
            envelopes = [(event, envelope_for(event, source="/roster", school_id=school)) for event in run]
            async with app.state.db.transaction(Tenant(school_id=school)) as session:
                await consumer.many[type(run[0])](session, envelopes)
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            people = dict((await session.execute(select(Person.id, Person.last_name))).all())
            ties = set((await session.execute(select(Guardianship.student_id, Guardianship.relation))).all())
            classes = set((await session.execute(select(Student.id, Student.class_id, Student.enrolled_on))).all())
            moved = sorted(await session.scalars(select(StudentMovement.movement_id)))
        states.append((people, ties, classes, moved))

    assert states[0] == states[1]
    people, ties, classes, moved = states[0]
    assert people == {students[0]: "Белова", students[1]: "Смирнова", parent: "Белова"}
    assert ties == {(students[0], "опекун"), (students[1], "мать")}
    assert classes == {(students[0], five_b, date(2026, 10, 1)), (students[1], five_a, date(2026, 9, 1))}
    assert moved == sorted(m.movement_id for m in movements)
