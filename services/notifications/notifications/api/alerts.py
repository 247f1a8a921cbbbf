"""A school's alert rules (R-52): the administration sets when the class teacher and parents are alerted."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from chassis.deps import CallerDep, SchoolSession
from chassis.replicas import upsert
from notifications.api.deliveries import administration, setup
from notifications.handlers import alert_rules
from notifications.models import SchoolAlertRules

router = APIRouter(prefix="/schools/{school_id}/alert-rules", tags=["alerts"])


class AlertRulesIO(BaseModel):
    #: Alert on a failing mark (2 or 1).
    failing_mark: bool
    #: Days with absences within ``window_days`` that make a run; 0 turns the absence alert off.
    absence_days: Annotated[int, Field(ge=0, le=30)]
    window_days: Annotated[int, Field(ge=1, le=60)]


@router.get("")
async def get_rules(school_id: UUID, caller: CallerDep, session: SchoolSession) -> AlertRulesIO:
    administration(caller, school_id)
    rules = await alert_rules(session, school_id)
    return AlertRulesIO(failing_mark=rules.failing_mark, absence_days=rules.absence_days, window_days=rules.window_days)


@router.put("")
async def put_rules(school_id: UUID, body: AlertRulesIO, caller: CallerDep, session: SchoolSession) -> AlertRulesIO:
    setup(caller, school_id)
    await upsert(session, SchoolAlertRules, {"school_id": school_id}, body.model_dump())
    return body
