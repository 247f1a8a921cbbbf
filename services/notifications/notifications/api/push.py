"""The caller's browsers subscribed to Web Push (RFC 8030), and the key a browser subscribes with (RFC 8292)."""

import base64
from typing import Annotated
from uuid import UUID

from cryptography.hazmat.primitives import serialization
from fastapi import APIRouter, Request, Response
from pydantic import AnyHttpUrl, BaseModel, Field
from sqlalchemy import delete

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden
from chassis.replicas import upsert
from notifications.models import PushSubscription

router = APIRouter(tags=["push"])

Base64Url = Annotated[str, Field(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_-]+={0,2}$")]


class SubscriptionKeys(BaseModel):
    p256dh: Base64Url
    auth: Base64Url


class SubscriptionIn(BaseModel):
    """The browser's ``PushSubscription.toJSON()``."""

    endpoint: Annotated[AnyHttpUrl, Field(max_length=1000)]
    keys: SubscriptionKeys


class VapidKeyOut(BaseModel):
    #: ``applicationServerKey`` for ``pushManager.subscribe``: the uncompressed P-256 point, base64url.
    public_key: str


@router.get("/push/vapid-public-key")
async def vapid_public_key(request: Request, caller: CallerDep) -> VapidKeyOut:
    """The key a browser subscribes with: for those who may subscribe, a person of some school."""
    if not caller.school_roles:
        raise Forbidden("Push-уведомления доступны только участникам школы.")
    key = serialization.load_pem_private_key(request.app.state.keys.vapid_private_pem, None)
    raw = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return VapidKeyOut(public_key=base64.urlsafe_b64encode(raw).rstrip(b"=").decode())


@router.post("/schools/{school_id}/push-subscriptions", status_code=201)
async def subscribe(school_id: UUID, body: SubscriptionIn, caller: CallerDep, session: SchoolSession) -> Response:
    if not caller.roles_in(school_id):
        raise Forbidden("Подписываться на уведомления могут только участники этой школы.")
    await upsert(
        session,
        PushSubscription,
        {"school_id": school_id, "endpoint": str(body.endpoint)},
        {"person_id": caller.person_id, "p256dh": body.keys.p256dh, "auth": body.keys.auth},
    )
    return Response(status_code=201)


@router.delete("/schools/{school_id}/push-subscriptions", status_code=204)
async def unsubscribe(school_id: UUID, endpoint: str, caller: CallerDep, session: SchoolSession) -> Response:
    # The same members as subscribe: someone of no role here (another school, a former parent) has nothing to end.
    if not caller.roles_in(school_id):
        raise Forbidden("Подписываться на уведомления могут только участники этой школы.")
    await session.execute(
        delete(PushSubscription).filter_by(school_id=school_id, endpoint=endpoint, person_id=caller.person_id)
    )
    return Response(status_code=204)
