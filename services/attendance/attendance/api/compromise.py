"""Отмена действий под скомпрометированной учётной записью (R-3): the school's administrator withdraws the absences
a compromised account recorded, as the teacher's withdrawal does (the change log with its reason, R-25, and the
event the diary follows), past the teacher's window but never into a closed period (R-27).

Only the gateway's compromise revert reaches this route, with the administrator's signed grant
(``chassis.auth.Reverting``); a session's call through the proxy carries none.
"""

from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import delete, select

from attendance.api.absences import absence_change, absence_state, period_locks
from attendance.domain.compromise import absence_revert
from attendance.domain.locks import check_unlocked
from attendance.models import Absence, AbsenceChange, Lesson
from chassis.auth import REVERT_REASON
from chassis.deps import CallerDep, SchoolSession
from chassis.events import emit_event
from chassis.problems import DomainError, NotFound
from contracts.attendance import AbsenceWithdrawn

router = APIRouter(prefix="/schools/{school_id}", tags=["compromise"])


class RevertIn(BaseModel):
    """One operation of the compromise list: the lesson whose absences it recorded."""

    lesson_id: UUID


class RevertOut(BaseModel):
    #: The absence.
    id: UUID
    outcome: Literal["reverted", "changed_since", "refused"]
    detail: str


@router.post("/compromise-reverts")
async def revert(school_id: UUID, body: RevertIn, caller: CallerDep, session: SchoolSession) -> list[RevertOut]:
    """Withdraw the absences the grant's person recorded at the lesson since the reported moment."""
    grant = caller.reverting_in(school_id)
    lesson = await session.get(Lesson, body.lesson_id)
    if lesson is None or lesson.school_id != school_id:
        raise NotFound("Урок не найден.")
    absences = await session.scalars(
        select(Absence)
        .where(Absence.lesson_id == lesson.id, Absence.recorded_by == grant.person_id)
        .order_by(Absence.id)
        .with_for_update()
    )
    locks = await period_locks(session, lesson)
    answers = []
    for absence in absences:
        changes = await session.scalars(select(AbsenceChange.changed_by).where(AbsenceChange.absence_id == absence.id))
        plan = absence_revert(grant.person_id, grant.since, absence.recorded_by, absence.created_at, changes)
        if plan is None:
            continue
        if plan == "changed_since":
            detail = "Отметку о пропуске после этого исправил другой сотрудник: его исправление остаётся в силе."
            answers.append(RevertOut(id=absence.id, outcome=plan, detail=detail))
            continue
        try:
            check_unlocked(lesson.date, locks)
        except DomainError as refused:
            answers.append(RevertOut(id=absence.id, outcome="refused", detail=refused.detail))
            continue
        withdrawn = AbsenceWithdrawn(
            **{**absence_state(absence, lesson), "version": absence.version + 1}, withdrawn_by=caller.person_id
        )
        session.add(absence_change(absence, "withdrawn", caller.person_id, absence.reason, "", REVERT_REASON))
        await session.execute(delete(Absence).where(Absence.id == absence.id))
        await emit_event(session, withdrawn, school_id=school_id)
        answers.append(RevertOut(id=absence.id, outcome="reverted", detail="Отметка о пропуске снята."))
    return answers
