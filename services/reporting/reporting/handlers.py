"""The diary's read model, fed by events (электронный дневник).

Each handler stores what its event carries as an upsert, so a redelivered or reordered
event leaves the same rows (the inbox already skips exact redeliveries). Versioned
records (lessons, marks) keep their highest version; absences keep their latest state.
"""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import LessonRecorded, MarkChanged, MarkPosted
from contracts.roster import ClassCreated, GuardianshipLinked, PersonRegistered, StudentEnrolled
from reporting.models import Absence, Guardianship, Lesson, Mark, Person, SchoolClass, Student

diary = Consumer("reporting.diary")


@diary.on(PersonRegistered)
async def on_person(session: AsyncSession, event: PersonRegistered, envelope: Envelope) -> None:
    values = {"last_name": event.last_name, "first_name": event.first_name}
    await session.execute(
        insert(Person)
        .values(school_id=envelope.schoolid, id=event.person_id, **values)
        .on_conflict_do_update(index_elements=[Person.school_id, Person.id], set_=values)
    )


@diary.on(StudentEnrolled)
async def on_enrolment(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    # after a transfer the latest enrolment is the student's class, whatever order they come in.
    values = {"class_id": event.class_id, "class_name": event.class_name, "enrolled_on": event.enrolled_on}
    statement = insert(Student).values(school_id=envelope.schoolid, id=event.student_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Student.school_id, Student.id],
            set_=values,
            where=Student.enrolled_on <= statement.excluded.enrolled_on,
        )
    )


@diary.on(ClassCreated)
async def on_class(session: AsyncSession, event: ClassCreated, envelope: Envelope) -> None:
    await session.execute(
        insert(SchoolClass)
        .values(school_id=envelope.schoolid, id=event.class_id, name=event.name)
        .on_conflict_do_update(index_elements=[SchoolClass.school_id, SchoolClass.id], set_={"name": event.name})
    )


@diary.on(GuardianshipLinked)
async def on_guardianship(session: AsyncSession, event: GuardianshipLinked, envelope: Envelope) -> None:
    await session.execute(
        insert(Guardianship)
        .values(
            school_id=envelope.schoolid,
            guardian_id=event.guardian_id,
            student_id=event.student_id,
            relation=event.relation,
        )
        .on_conflict_do_update(
            index_elements=[Guardianship.school_id, Guardianship.guardian_id, Guardianship.student_id],
            set_={"relation": event.relation},
        )
    )


@diary.on(LessonRecorded)
async def on_lesson(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    values = {
        "version": event.version,
        "class_id": event.class_id,
        "subject_id": event.subject_id,
        "subject_name": event.subject_name,
        "date": event.date,
        "topic": event.topic,
        "homework": event.homework,
    }
    statement = insert(Lesson).values(school_id=envelope.schoolid, id=event.lesson_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Lesson.school_id, Lesson.id],
            set_=values,
            where=Lesson.version < statement.excluded.version,
        )
    )


async def _store_mark(session: AsyncSession, event: MarkPosted | MarkChanged, version: int, envelope: Envelope) -> None:
    values = {
        "version": version,
        "student_id": event.student_id,
        "lesson_id": event.lesson_id,
        "subject_name": event.subject_name,
        "date": event.date,
        "value": event.value,
        "work_type": event.work_type,
        "work_type_title": event.work_type_title,
        "weight": event.weight,
    }
    statement = insert(Mark).values(school_id=envelope.schoolid, id=event.mark_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Mark.school_id, Mark.id],
            set_=values,
            where=Mark.version < statement.excluded.version,
        )
    )


@diary.on(MarkPosted)
async def on_mark_posted(session: AsyncSession, event: MarkPosted, envelope: Envelope) -> None:
    # A posted mark is the mark's first state (MarkChanged counts versions from 1).
    await _store_mark(session, event, 1, envelope)


@diary.on(MarkChanged)
async def on_mark_changed(session: AsyncSession, event: MarkChanged, envelope: Envelope) -> None:
    await _store_mark(session, event, event.version, envelope)


async def _store_absence(
    session: AsyncSession,
    event: AbsenceRecorded | AbsenceCorrected | AbsenceWithdrawn,
    envelope: Envelope,
    *,
    withdrawn: bool,
) -> None:
    values = {
        "student_id": event.student_id,
        "lesson_id": event.lesson_id,
        "subject_name": event.subject_name,
        "date": event.date,
        "reason": event.reason,
        "withdrawn": withdrawn,
        "changed_at": envelope.time,
    }
    statement = insert(Absence).values(school_id=envelope.schoolid, id=event.absence_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Absence.school_id, Absence.id],
            set_=values,
            where=Absence.changed_at < statement.excluded.changed_at,
        )
    )


@diary.on(AbsenceRecorded)
async def on_absence(session: AsyncSession, event: AbsenceRecorded, envelope: Envelope) -> None:
    await _store_absence(session, event, envelope, withdrawn=False)


@diary.on(AbsenceCorrected)
async def on_absence_corrected(session: AsyncSession, event: AbsenceCorrected, envelope: Envelope) -> None:
    # the class teacher's corrected reason replaces the one first recorded.
    await _store_absence(session, event, envelope, withdrawn=False)


@diary.on(AbsenceWithdrawn)
async def on_absence_withdrawn(session: AsyncSession, event: AbsenceWithdrawn, envelope: Envelope) -> None:
    await _store_absence(session, event, envelope, withdrawn=True)
