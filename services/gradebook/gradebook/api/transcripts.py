"""Копия отметок из прежней школы (R-16): what a transferred student brought with them, read only.

The rows are this school's own, filed by the ``gradebook.transcripts`` consumer from the copy the
sending school's gradebook sent; nothing here reads another school's rows, and no route writes them.
"""

from datetime import date
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import NotFound
from gradebook.api.access import reads_whole_school
from gradebook.api.periods import STUDENT_NOT_FOUND
from gradebook.models import ClassMember, ClassTeacher, Guardianship, TranscriptMark

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


@router.get("/students/{student_id}/transcript")
async def student_transcript(
    school_id: UUID, student_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[TranscriptMarkOut]:
    """The marks of the year copied from the school the student came from: for the student, the family, the class
    teacher and the school's administration; 404 to anyone else (a stranger must not learn the child exists)."""
    class_id = await session.scalar(select(ClassMember.class_id).filter_by(student_id=student_id, school_id=school_id))
    leads = (
        class_id is not None
        and caller.has_role(school_id, "class_teacher")
        and await session.scalar(select(ClassTeacher.teacher_id).filter_by(class_id=class_id)) == caller.person_id
    )
    may_read = (
        (caller.has_role(school_id, "student") and caller.person_id == student_id)
        or reads_whole_school(caller, school_id)
        or await session.get(Guardianship, (caller.person_id, student_id)) is not None
        or leads
    )
    if not may_read:
        raise NotFound(STUDENT_NOT_FOUND)
    rows = await session.scalars(
        select(TranscriptMark)
        .filter_by(school_id=school_id, student_id=student_id)
        .order_by(TranscriptMark.subject_name, TranscriptMark.date)
    )
    return [TranscriptMarkOut.model_validate(r) for r in rows]
