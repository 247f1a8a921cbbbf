"""The caller's own choice of e-mail and SMS notices (R-51, 004 app.9).

Only the choice is kept here; delivery by e-mail and SMS is not built yet.
"""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden
from notifications.domain.contacts import check_channels, normalize_email, normalize_phone
from notifications.models import NotificationPreference

router = APIRouter(prefix="/schools/{school_id}/notification-preferences", tags=["notification-preferences"])


class PreferencesIn(BaseModel):
    email: bool
    sms: bool
    email_address: Annotated[str, AfterValidator(normalize_email)] | None = None
    phone: Annotated[str, AfterValidator(normalize_phone)] | None = None


class PreferencesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    email: bool
    sms: bool
    email_address: str | None
    phone: str | None


@router.get("")
async def get_preferences(school_id: UUID, caller: CallerDep, session: SchoolSession) -> PreferencesOut:
    found = await session.get(NotificationPreference, (school_id, caller.person_id))
    if found is None:
        return PreferencesOut(email=False, sms=False, email_address=None, phone=None)
    return PreferencesOut.model_validate(found)


@router.put("")
async def put_preferences(
    school_id: UUID, body: PreferencesIn, caller: CallerDep, session: SchoolSession
) -> PreferencesOut:
    if not caller.roles_in(school_id):
        raise Forbidden("Настройки уведомлений задают только участники этой школы.")
    check_channels(body.email, body.sms, body.email_address, body.phone)
    values = body.model_dump()
    await session.execute(
        insert(NotificationPreference)
        .values(school_id=school_id, person_id=caller.person_id, **values)
        .on_conflict_do_update(
            index_elements=[NotificationPreference.school_id, NotificationPreference.person_id],
            set_={**values, "updated_at": func.now()},
        )
    )
    return PreferencesOut(**values)
