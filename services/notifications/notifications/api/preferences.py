"""The caller's own choice of channels per kind of notice, the digest, and a test message (R-51, 004 app.9)."""

from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden, Invalid
from notifications.domain import texts
from notifications.domain.contacts import check_channels, normalize_email, normalize_phone
from notifications.models import NotificationPreference
from notifications.planning import plan

router = APIRouter(prefix="/schools/{school_id}/notification-preferences", tags=["notification-preferences"])

Kind = Literal["mark", "absence", "homework", "announcement", "message", "alert"]
ChannelName = Literal["email", "sms", "push"]


class PreferencesIn(BaseModel):
    email_address: Annotated[str, AfterValidator(normalize_email)] | None = None
    phone: Annotated[str, AfterValidator(normalize_phone)] | None = None
    #: Kind of notice → the channels it goes by; a kind not named goes to the inbox only.
    channels: dict[Kind, Annotated[list[ChannelName], Field(max_length=3)]] = {}
    digest: bool = False


class PreferencesOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    email_address: str | None
    phone: str | None
    channels: dict[str, list[str]]
    digest: bool


class TestIn(BaseModel):
    channel: ChannelName


class TestOut(BaseModel):
    channel: str
    delivery_planned: bool


def _member(school_id: UUID, caller: CallerDep) -> None:
    if not caller.roles_in(school_id):
        raise Forbidden("Настройки уведомлений задают только участники этой школы.")


@router.get("")
async def get_preferences(school_id: UUID, caller: CallerDep, session: SchoolSession) -> PreferencesOut:
    found = await session.get(NotificationPreference, (school_id, caller.person_id))
    if found is None:
        return PreferencesOut(email_address=None, phone=None, channels={}, digest=False)
    return PreferencesOut.model_validate(found)


@router.put("")
async def put_preferences(
    school_id: UUID, body: PreferencesIn, caller: CallerDep, session: SchoolSession
) -> PreferencesOut:
    _member(school_id, caller)
    channels = {kind: sorted(set(chosen)) for kind, chosen in body.channels.items()}
    check_channels(channels, body.email_address, body.phone)
    values = {"email_address": body.email_address, "phone": body.phone, "channels": channels, "digest": body.digest}
    await session.execute(
        insert(NotificationPreference)
        .values(school_id=school_id, person_id=caller.person_id, **values)
        .on_conflict_do_update(
            index_elements=[NotificationPreference.school_id, NotificationPreference.person_id],
            set_={**values, "updated_at": func.now()},
        )
    )
    return PreferencesOut(**values)


@router.post("/test", status_code=202)
async def send_test(school_id: UUID, body: TestIn, caller: CallerDep, session: SchoolSession) -> TestOut:
    """A test message to the caller by one channel, at once, whatever they chose for each kind."""
    _member(school_id, caller)
    planned = await plan(
        session, school_id, [(uuid4(), caller.person_id)], "test", texts.test_message(), only=body.channel
    )
    if not planned:
        raise Invalid(
            {
                "email": "Укажите адрес электронной почты, чтобы проверить этот канал.",
                "sms": "Укажите номер телефона, чтобы проверить этот канал.",
                "push": "Разрешите push-уведомления в браузере, чтобы проверить этот канал.",
            }[body.channel]
        )
    return TestOut(channel=body.channel, delivery_planned=True)
