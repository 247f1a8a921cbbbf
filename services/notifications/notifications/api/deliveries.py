"""What was sent, what failed and what it cost: the school administrator's view of delivery (R-51).

The dead-letter view lists deliveries that failed every attempt (or were refused for good),
with the provider's reason; one may be sent again. The SMS report counts the month's parts
against the school's budget. Delivery settings: quiet hours, the digest time, the budget.
"""

from datetime import datetime, time
from typing import Annotated, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden, NotFound
from notifications.delivery.sender import school_rules, sms_parts_sent
from notifications.domain.delivery import month_start
from notifications.models import Delivery

router = APIRouter(prefix="/schools/{school_id}", tags=["deliveries"])

#: Who sees the school's deliveries and sets its rules.
#: The school's administration reads how its notices are delivered (DOMAIN §1: the deputy is of it too).
ADMINISTRATION = ("school_admin", "director", "deputy")


def administration(caller: Caller, school_id: UUID) -> None:
    if not caller.has_role(school_id, *ADMINISTRATION):
        raise Forbidden("Доставку уведомлений школы видит и настраивает только администрация школы.")


def setup(caller: Caller, school_id: UUID) -> None:
    """DOMAIN §1: the director reads and writes nothing; the school's set-up is its administrator's."""
    if not caller.has_role(school_id, "school_admin"):
        raise Forbidden("Настраивать уведомления школы может только администратор школы.")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    recipient_id: UUID
    channel: str
    kind: str
    address: str | None
    subject: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@router.get("/deliveries")
async def list_deliveries(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    state: Literal["pending", "held", "sent", "digested", "failed", "skipped"] = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """``state=failed`` is the dead-letter view: every attempt failed, nothing more will be tried."""
    administration(caller, school_id)
    rows = await session.scalars(
        select(Delivery)
        .where(Delivery.school_id == school_id, Delivery.state == state)
        .order_by(Delivery.created_at.desc(), Delivery.seq.desc())
        .limit(limit)
    )
    return [DeliveryOut.model_validate(d) for d in rows]


@router.post("/deliveries/{delivery_id}/retry")
async def retry_delivery(school_id: UUID, delivery_id: UUID, caller: CallerDep, session: SchoolSession) -> DeliveryOut:
    """A failed delivery goes back to the queue with fresh attempts (e.g. after the provider is back)."""
    setup(caller, school_id)
    retried = (
        await session.scalars(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.school_id == school_id, Delivery.state == "failed")
            .values(state="pending", attempts=0, not_before=None)
            .returning(Delivery)
        )
    ).one_or_none()
    if retried is None:
        raise NotFound("Недоставленное уведомление не найдено.")
    return DeliveryOut.model_validate(retried)


class SmsBudgetOut(BaseModel):
    month: str
    limit: int
    parts_sent: int
    remaining: int
    messages_sent: int
    skipped_over_budget: int


@router.get("/sms-budget")
async def sms_budget(school_id: UUID, caller: CallerDep, session: SchoolSession, request: Request) -> SmsBudgetOut:
    """The SMS report for the school's current month: what was sent, what the budget left, what it stopped."""
    administration(caller, school_id)
    rules = await school_rules(session, school_id, request.app.state.settings.timezone)
    since = month_start(request.app.state.clock.now(), rules.timezone)
    used = await sms_parts_sent(session, school_id, since)
    counts = dict(
        (
            await session.execute(
                select(Delivery.state, func.count())
                .where(Delivery.school_id == school_id, Delivery.channel == "sms", Delivery.created_at >= since)
                .group_by(Delivery.state)
            )
        ).all()
    )
    return SmsBudgetOut(
        month=f"{since:%Y-%m}",
        limit=rules.sms_monthly_limit,
        parts_sent=used,
        remaining=max(0, rules.sms_monthly_limit - used),
        messages_sent=counts.get("sent", 0),
        skipped_over_budget=counts.get("skipped", 0),
    )


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("Неизвестный часовой пояс") from error
    return name


class DeliverySettingsIO(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    timezone: Annotated[str, Field(max_length=64), AfterValidator(_zone)]
    #: Тихие часы: nothing is sent from ``quiet_start`` to ``quiet_end`` (local time).
    quiet_start: time
    quiet_end: time
    digest_time: time
    sms_monthly_limit: Annotated[int, Field(ge=0, le=1_000_000)]


@router.get("/delivery-settings")
async def get_settings(
    school_id: UUID, caller: CallerDep, session: SchoolSession, request: Request
) -> DeliverySettingsIO:
    administration(caller, school_id)
    return DeliverySettingsIO.model_validate(
        await school_rules(session, school_id, request.app.state.settings.timezone)
    )


@router.put("/delivery-settings")
async def put_settings(
    school_id: UUID, body: DeliverySettingsIO, caller: CallerDep, session: SchoolSession, request: Request
) -> DeliverySettingsIO:
    setup(caller, school_id)
    rules = await school_rules(session, school_id, request.app.state.settings.timezone)
    for name, value in body.model_dump().items():
        setattr(rules, name, value)
    session.add(rules)
    return body
