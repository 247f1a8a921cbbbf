"""The students whose diaries the caller may open: a parent's children, a student themselves."""

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from chassis.deps import CallerDep, SchoolSession
from reporting.api.access import student_card
from reporting.models import Guardianship

router = APIRouter(prefix="/schools/{school_id}", tags=["students"])


class MyStudentOut(BaseModel):
    student_id: UUID
    name: str | None
    class_name: str | None


@router.get("/my/students")
async def my_students(school_id: UUID, caller: CallerDep, session: SchoolSession) -> list[MyStudentOut]:
    children = await session.scalars(
        select(Guardianship.student_id).filter_by(school_id=school_id, guardian_id=caller.person_id)
    )
    candidates = [*children, caller.person_id] if caller.has_role(school_id, "student") else list(children)
    found = []
    for student_id in dict.fromkeys(candidates):
        card = await student_card(session, school_id, student_id)
        if card is not None:
            found.append(MyStudentOut(student_id=card.id, name=card.name, class_name=card.class_name))
    return sorted(found, key=lambda s: (s.name or "", str(s.student_id)))
