"""Копия пропусков из прежней школы (R-16): what a transferred student's record of the year brought, read only.

The rows are this school's own, filed by the ``attendance.transcripts`` consumer from the copy the
sending school's attendance sent; nothing here reads another school's rows, and no route writes them.
"""

from datetime import date
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from attendance.api.absences import class_teacher_id, reads_school, teaches_class
from attendance.domain.absences import absence_reason, leads_class, reason_code
from attendance.models import ClassMember, TranscriptAbsence
from chassis.deps import CallerDep, SchoolSession
from chassis.problems import NotFound

router = APIRouter(prefix="/schools/{school_id}", tags=["transcripts"])


class TranscriptAbsenceOut(BaseModel):
    source_school_name: str
    academic_year: str
    date: date
    subject_name: str
    #: The journal's code: Б, У, Н or О.
    code: str


@router.get("/students/{student_id}/transcript")
async def student_transcript(
    school_id: UUID, student_id: UUID, caller: CallerDep, session: SchoolSession
) -> list[TranscriptAbsenceOut]:
    """The absences of the year copied from the school the student came from: for the student, the class teacher,
    the teachers of the class and the school's administration;
    404 to anyone else (a stranger must not learn the child exists)."""
    class_id = await session.scalar(select(ClassMember.class_id).filter_by(student_id=student_id, school_id=school_id))
    leads = class_id is not None and leads_class(
        caller.person_id, caller.roles_in(school_id), await class_teacher_id(session, class_id)
    )
    mine = caller.has_role(school_id, "student") and caller.person_id == student_id
    teaches = class_id is not None and await teaches_class(session, caller, school_id, [class_id])
    if not (mine or leads or teaches or reads_school(caller, school_id)):
        raise NotFound("Обучающийся не найден.")
    rows = await session.scalars(
        select(TranscriptAbsence)
        .filter_by(school_id=school_id, student_id=student_id)
        .order_by(TranscriptAbsence.date, TranscriptAbsence.subject_name)
    )
    return [
        TranscriptAbsenceOut(
            source_school_name=r.source_school_name,
            academic_year=r.academic_year,
            date=r.date,
            subject_name=r.subject_name,
            code=reason_code(absence_reason(r.reason)),
        )
        for r in rows
    ]
