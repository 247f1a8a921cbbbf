"""The reports' read model, fed by events: schools, class grades, reporting periods, lesson teachers, and
every state of the journal's lessons, marks and absences.

Upserts as in the diary's handlers: a redelivered or reordered event leaves the same rows;
versioned records keep their highest version.
"""

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.replicas import insert_many_once, insert_once, upsert
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import LessonRecorded, MarkChanged, MarkDeleted, MarkPosted
from contracts.roster import (
    AcademicYearChanged,
    ClassCreated,
    ElectronicServiceRefusalChanged,
    ReportingPeriodsSet,
    SchoolRegistered,
    SchoolSettingsChanged,
    StudentMovementRecorded,
)
from reporting.reports.models import (
    AbsenceState,
    ClassGrade,
    FamilyRefusal,
    LessonState,
    LessonTeacher,
    MarkState,
    PeriodScheme,
    School,
    YearArchive,
)
from reporting.reports.school_models import StudentMovement

reports = Consumer("reporting.reports")


@reports.on(SchoolRegistered)
async def on_school(session: AsyncSession, event: SchoolRegistered, envelope: Envelope) -> None:
    names = {"name": event.name, "short_name": event.short_name}
    statement = insert(School).values(school_id=envelope.schoolid, municipality=event.municipality, **names)
    # A settings change that came first keeps its municipality (registration is version 0).
    municipality = case((School.settings_version == 0, statement.excluded.municipality), else_=School.municipality)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[School.school_id], set_=names | {"municipality": municipality})
    )


@reports.on(SchoolSettingsChanged)
async def on_school_settings(session: AsyncSession, event: SchoolSettingsChanged, envelope: Envelope) -> None:
    """R-10: the school moved to another municipality, or its municipality renamed (older events name none)."""
    if event.municipality is None:
        return
    settings = {"municipality": event.municipality, "settings_version": event.version}
    # Before its registration arrives the school has no name yet; registration fills it in.
    statement = insert(School).values(school_id=envelope.schoolid, name="", short_name="", **settings)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[School.school_id],
            set_=settings,
            where=School.settings_version < statement.excluded.settings_version,
        )
    )


@reports.on(AcademicYearChanged)
async def on_year(session: AsyncSession, event: AcademicYearChanged, envelope: Envelope) -> None:
    """R-65: a year archived (closing → archived) queues its signed archive, once per school and year."""
    if event.status != "archived":
        return
    values = {
        "name": event.name,
        "starts": event.starts,
        "ends": event.ends,
        "status": "queued",
        "archived_at": envelope.time,
    }
    await insert_once(session, YearArchive, {"school_id": envelope.schoolid, "year_id": event.year_id}, values)


@reports.on(ClassCreated)
async def on_class(session: AsyncSession, event: ClassCreated, envelope: Envelope) -> None:
    key = {"school_id": envelope.schoolid, "class_id": event.class_id}
    await upsert(session, ClassGrade, key, {"grade": event.grade, "academic_year": event.academic_year})


@reports.on_many(StudentMovementRecorded)
async def on_movements(session: AsyncSession, recorded: list[tuple[StudentMovementRecorded, Envelope]]) -> None:
    """R-61: the movement report and the class fill count these; a movement record is never changed. An import's
    or a promotion's movements arriving together are one insert."""
    rows = [
        (
            {"school_id": envelope.schoolid, "movement_id": event.movement_id},
            {
                "student_id": event.student_id,
                "kind": event.kind,
                "moved_on": event.on,
                "from_class_id": event.from_class_id,
                "to_class_id": event.to_class_id,
                "told_at": envelope.time,
            },
        )
        for event, envelope in recorded
    ]
    await insert_many_once(session, StudentMovement, rows)


@reports.on(ReportingPeriodsSet)
async def on_periods(session: AsyncSession, event: ReportingPeriodsSet, envelope: Envelope) -> None:
    # a later version of a scheme replaces its periods whole.
    values = {
        "version": event.version,
        "kind": event.kind,
        "grades": event.grades,
        "periods": [p.model_dump(mode="json") for p in event.periods],
    }
    key = {"school_id": envelope.schoolid, "scheme_id": event.scheme_id}
    await upsert(session, PeriodScheme, key, values, only_if=lambda new: PeriodScheme.version < new.version)


# The journal's states, one row per event: "the journal as it stood on a date" is rebuilt from them.
@reports.on(LessonRecorded)
async def on_lesson(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    # The substitute recorded the lesson when there was one: their activity counts.
    teacher = {"version": event.version, "teacher_id": event.substitute_teacher_id or event.teacher_id}
    key = {"school_id": envelope.schoolid, "lesson_id": event.lesson_id}
    await upsert(session, LessonTeacher, key, teacher, only_if=lambda new: LessonTeacher.version < new.version)
    values = {
        "lesson_id": event.lesson_id,
        "version": event.version,
        "at": envelope.time,
        "class_id": event.class_id,
        "subject_id": event.subject_id,
        "date": event.date,
        "topic": event.topic,
        "homework": event.homework,
    }
    await insert_once(session, LessonState, {"school_id": envelope.schoolid, "event_id": envelope.id}, values)


def _mark_state(
    event: MarkPosted | MarkChanged | MarkDeleted, version: int, envelope: Envelope, *, deleted: bool = False
) -> tuple[dict, dict]:
    values = {
        "mark_id": event.mark_id,
        "version": version,
        "at": envelope.time,
        "class_id": event.class_id,
        "subject_id": event.subject_id,
        "lesson_id": event.lesson_id,
        "student_id": event.student_id,
        "date": event.date,
        "value": event.value,
        "deleted": deleted,
    }
    return {"school_id": envelope.schoolid, "event_id": envelope.id}, values


# A lesson's column of marks arriving together is one statement.
@reports.on_many(MarkPosted)
async def on_marks_posted(session: AsyncSession, posted: list[tuple[MarkPosted, Envelope]]) -> None:
    await insert_many_once(session, MarkState, [_mark_state(event, 1, envelope) for event, envelope in posted])


@reports.on_many(MarkChanged)
async def on_marks_changed(session: AsyncSession, changed: list[tuple[MarkChanged, Envelope]]) -> None:
    rows = [_mark_state(event, event.version, envelope) for event, envelope in changed]
    await insert_many_once(session, MarkState, rows)


@reports.on_many(MarkDeleted)
async def on_marks_deleted(session: AsyncSession, deleted: list[tuple[MarkDeleted, Envelope]]) -> None:
    # The tombstone is the mark's last state: the journal as of any later moment has no such mark.
    rows = [_mark_state(event, event.version, envelope, deleted=True) for event, envelope in deleted]
    await insert_many_once(session, MarkState, rows)


async def _absence_state(
    session: AsyncSession,
    event: AbsenceRecorded | AbsenceCorrected | AbsenceWithdrawn,
    envelope: Envelope,
    *,
    withdrawn: bool,
) -> None:
    values = {
        "absence_id": event.absence_id,
        "version": event.version,
        "at": envelope.time,
        "class_id": event.class_id,
        "lesson_id": event.lesson_id,
        "student_id": event.student_id,
        "date": event.date,
        "reason": event.reason,
        "withdrawn": withdrawn,
    }
    await insert_once(session, AbsenceState, {"school_id": envelope.schoolid, "event_id": envelope.id}, values)


@reports.on(AbsenceRecorded)
async def on_absence(session: AsyncSession, event: AbsenceRecorded, envelope: Envelope) -> None:
    await _absence_state(session, event, envelope, withdrawn=False)


@reports.on(AbsenceCorrected)
async def on_absence_corrected(session: AsyncSession, event: AbsenceCorrected, envelope: Envelope) -> None:
    await _absence_state(session, event, envelope, withdrawn=False)


@reports.on(AbsenceWithdrawn)
async def on_absence_withdrawn(session: AsyncSession, event: AbsenceWithdrawn, envelope: Envelope) -> None:
    await _absence_state(session, event, envelope, withdrawn=True)


@reports.on(ElectronicServiceRefusalChanged)
async def on_refusal(session: AsyncSession, event: ElectronicServiceRefusalChanged, envelope: Envelope) -> None:
    values = {"refused_on": event.refused_on, "version": event.version}
    key = {"school_id": envelope.schoolid, "student_id": event.student_id}
    await upsert(session, FamilyRefusal, key, values, only_if=lambda new: FamilyRefusal.version < new.version)
