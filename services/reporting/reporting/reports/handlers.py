"""The reports' read model, fed by events: schools, class grades, reporting periods, lesson teachers.

Upserts as in the diary's handlers: a redelivered or reordered event leaves the same rows;
versioned records keep their highest version.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.replicas import upsert
from contracts.gradebook import LessonRecorded
from contracts.roster import ClassCreated, ReportingPeriodsSet, SchoolRegistered
from reporting.reports.models import ClassGrade, LessonTeacher, PeriodScheme, School

reports = Consumer("reporting.reports")


@reports.on(SchoolRegistered)
async def on_school(session: AsyncSession, event: SchoolRegistered, envelope: Envelope) -> None:
    values = {"name": event.name, "short_name": event.short_name, "municipality": event.municipality}
    await upsert(session, School, {"school_id": envelope.schoolid}, values)


@reports.on(ClassCreated)
async def on_class(session: AsyncSession, event: ClassCreated, envelope: Envelope) -> None:
    key = {"school_id": envelope.schoolid, "class_id": event.class_id}
    await upsert(session, ClassGrade, key, {"grade": event.grade, "academic_year": event.academic_year})


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


@reports.on(LessonRecorded)
async def on_lesson(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    # The substitute recorded the lesson when there was one: their activity counts.
    values = {"version": event.version, "teacher_id": event.substitute_teacher_id or event.teacher_id}
    key = {"school_id": envelope.schoolid, "lesson_id": event.lesson_id}
    await upsert(session, LessonTeacher, key, values, only_if=lambda new: LessonTeacher.version < new.version)
