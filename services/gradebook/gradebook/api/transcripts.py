"""Копия отметок из прежней школы (R-16): the current and period marks a transferred student brought, read only.

The rows are this school's own, filed by the ``gradebook.transcripts`` consumer from the copy the
sending school's gradebook sent; nothing here reads another school's rows, and no route writes them.
"""

from datetime import date
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import exists, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.problems import NotFound
from gradebook.api.access import get_in_school, reads_whole_school, require_reader
from gradebook.api.periods import STUDENT_NOT_FOUND
from gradebook.class_lists import course_students
from gradebook.models import (
    AcademicYear,
    ClassMember,
    ClassTeacher,
    Course,
    Guardianship,
    SchoolClass,
    TranscriptMark,
    TranscriptPeriodMark,
)

router = APIRouter(prefix="/schools/{school_id}", tags=["transcripts"])


class TranscriptMarkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    source_school_name: str
    academic_year: str
    date: date
    subject_name: str
    value: str
    work_type_title: str
    weight: float


class TranscriptPeriodMarkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    source_school_name: str
    academic_year: str
    subject_name: str
    period_name: str
    starts: date
    ends: date
    #: As the journal shows it: the mark, «не аттестован» or «продлено до …».
    text: str


class TranscriptOut(BaseModel):
    marks: list[TranscriptMarkOut]
    period_marks: list[TranscriptPeriodMarkOut]


@router.get("/students/{student_id}/transcript")
async def student_transcript(
    school_id: UUID, student_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> TranscriptOut:
    """The marks and period marks of the year copied from the school the student came from: for the student, the
    family, the class teacher, the teachers of the class and the school's administration; 404 to anyone else (a
    stranger must not learn the child exists)."""
    class_id = await session.scalar(select(ClassMember.class_id).filter_by(student_id=student_id, school_id=school_id))
    leads = (
        class_id is not None
        and caller.has_role(school_id, "class_teacher")
        and await session.scalar(select(ClassTeacher.teacher_id).filter_by(class_id=class_id)) == caller.person_id
    )
    # 004 app.6 §6.2: a teacher reads the classes they teach, a newcomer's past marks included.
    teaches = (
        class_id is not None
        and caller.has_role(school_id, "teacher")
        and await session.scalar(
            select(
                exists().where(
                    Course.class_id == class_id, Course.teacher_id == caller.person_id, Course.ended_on.is_(None)
                )
            )
        )
    )
    family = (caller.has_role(school_id, "student") and caller.person_id == student_id) or await session.get(
        Guardianship, (caller.person_id, student_id)
    ) is not None
    if not (family or reads_whole_school(caller, school_id) or leads or teaches):
        raise NotFound(STUDENT_NOT_FOUND)
    marks = await session.scalars(
        select(TranscriptMark)
        .filter_by(school_id=school_id, student_id=student_id)
        .order_by(TranscriptMark.subject_name, TranscriptMark.date)
    )
    period_marks = select(TranscriptPeriodMark).filter_by(school_id=school_id, student_id=student_id)
    if family and not (leads or teaches or reads_whole_school(caller, school_id)):
        # the family sees a period mark from the day the sending school set for it.
        period_marks = period_marks.where(TranscriptPeriodMark.visible_from <= today)
    ordered = period_marks.order_by(TranscriptPeriodMark.subject_name, TranscriptPeriodMark.starts)
    return TranscriptOut(
        marks=[TranscriptMarkOut.model_validate(r) for r in marks],
        period_marks=[TranscriptPeriodMarkOut.model_validate(r) for r in await session.scalars(ordered)],
    )


class CourseTranscriptOut(BaseModel):
    """A pupil of the course who came from another school this year, and what they brought in its subject."""

    student_id: UUID
    academic_year: str
    #: The schools the copy came from (a pupil moved twice in a year brought two), whatever the subject.
    source_school_names: list[str]
    marks: list[TranscriptMarkOut]
    period_marks: list[TranscriptPeriodMarkOut]


async def course_academic_year(session: AsyncSession, course: Course, today: date) -> str | None:
    """The year the course's journal is kept in: its class's, or for an elective's group the school's current one."""
    school_class = await session.get(SchoolClass, course.class_id)
    if school_class is not None and school_class.academic_year is not None:
        return school_class.academic_year
    return await session.scalar(
        select(AcademicYear.name).where(
            AcademicYear.school_id == course.school_id, AcademicYear.starts <= today, AcademicYear.ends >= today
        )
    )


@router.get("/courses/{course_id}/transcripts")
async def course_transcripts(
    school_id: UUID, course_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> list[CourseTranscriptOut]:
    """The course's pupils transferred from another school in its year, each with the marks and period marks they
    brought in the course's subject only: the journal marks them and shows the copy apart from its own marks."""
    course = await get_in_school(session, Course, course_id, school_id, "Курс не найден.")
    await require_reader(session, caller, school_id, course)
    year = await course_academic_year(session, course, today)
    if year is None:  # no year announced yet: no copy is this year's
        return []
    pupils = select(course_students(course.class_id).subquery().c.student_id)
    of_year = {"school_id": school_id, "academic_year": year}
    sources = union(
        *(
            select(model.student_id, model.source_school_name).filter_by(**of_year).where(model.student_id.in_(pupils))
            for model in (TranscriptMark, TranscriptPeriodMark)
        )
    ).subquery()
    copies: dict[UUID, CourseTranscriptOut] = {}
    for student_id, name in await session.execute(select(sources).order_by(sources.c.source_school_name)):
        copy = copies.setdefault(
            student_id,
            CourseTranscriptOut(
                student_id=student_id, academic_year=year, source_school_names=[], marks=[], period_marks=[]
            ),
        )
        copy.source_school_names.append(name)
    subject = {**of_year, "subject_name": course.subject_name}
    marks = select(TranscriptMark).filter_by(**subject).where(TranscriptMark.student_id.in_(pupils))
    for mark in await session.scalars(marks.order_by(TranscriptMark.date)):
        copies[mark.student_id].marks.append(TranscriptMarkOut.model_validate(mark))
    period_marks = select(TranscriptPeriodMark).filter_by(**subject).where(TranscriptPeriodMark.student_id.in_(pupils))
    for period_mark in await session.scalars(period_marks.order_by(TranscriptPeriodMark.starts)):
        copies[period_mark.student_id].period_marks.append(TranscriptPeriodMarkOut.model_validate(period_mark))
    return list(copies.values())
