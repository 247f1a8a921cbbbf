"""A local Web Push service (RFC 8030) that checks VAPID (RFC 8292) and decrypts the payload (RFC 8291).

The browser here reaches no public push service, so the sandbox plays both ends a real one
joins: it makes a subscription as a browser would (an ECDH P-256 key pair and an auth secret),
and its endpoint accepts ``aes128gcm`` pushes, refuses those without a valid VAPID token for
its own origin, and keeps the decrypted text for tests and people to read.
"""

import base64
import os
import time
from dataclasses import dataclass, field
from uuid import uuid4

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, Request, Response


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    id: str
    key: ec.EllipticCurvePrivateKey
    auth: bytes
    received: list[str] = field(default_factory=list)
    #: A browser that unsubscribed: the service answers 410 Gone (RFC 8030 §7.3).
    gone: bool = False

    def keys(self) -> dict[str, str]:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64url(public), "auth": b64url(self.auth)}


@dataclass
class PushService:
    #: This service's origin, as VAPID's ``aud`` must name it; set when the server starts.
    origin: str = ""
    subscriptions: dict[str, Subscription] = field(default_factory=dict)

    def subscribe(self) -> dict:
        """A browser's PushSubscription JSON (``endpoint`` and ``keys``)."""
        subscription = Subscription(uuid4().hex, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.subscriptions[subscription.id] = subscription
        return {"endpoint": f"{self.origin}/push/{subscription.id}", "keys": subscription.keys()}

    def by_endpoint(self, endpoint: str) -> Subscription:
        return self.subscriptions[endpoint.rsplit("/", 1)[-1]]

    def check_vapid(self, authorization: str) -> str | None:
        """Why the push is refused, or None: ``vapid t=<JWT>, k=<public key>`` signed ES256 for our origin."""
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            return "VAPID authorization required"
        values = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(values["k"]))
            claims = jwt.decode(values["t"], public, algorithms=["ES256"], audience=self.origin)
        except (KeyError, ValueError, jwt.PyJWTError) as error:
            return f"invalid VAPID token: {error}"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return "VAPID sub must be a mailto: or https: contact"
        if claims["exp"] > time.time() + 24 * 3600:
            return "VAPID token lives longer than 24 hours"
        return None


def push_router(service: PushService) -> APIRouter:
    router = APIRouter()

    @router.post("/push/{subscription_id}")
    async def push(subscription_id: str, request: Request) -> Response:
        subscription = service.subscriptions.get(subscription_id)
        if subscription is None or subscription.gone:
            return Response(status_code=410)
        refusal = service.check_vapid(request.headers.get("authorization", ""))
        if refusal:
            return Response(refusal, status_code=401)
        if request.headers.get("content-encoding") != "aes128gcm" or "ttl" not in request.headers:
            return Response("aes128gcm content and a TTL header are required", status_code=400)
        body = await request.body()
        plain = http_ece.decrypt(body, private_key=subscription.key, auth_secret=subscription.auth, version="aes128gcm")
        subscription.received.append(plain.decode())
        return Response(status_code=201, headers={"location": f"{service.origin}/messages/{uuid4().hex}"})

    @router.post("/sandbox/push/subscriptions")
    async def subscribe() -> dict:
        return service.subscribe()

    @router.get("/sandbox/push/{subscription_id}")
    async def received(subscription_id: str) -> list[str]:
        subscription = service.subscriptions.get(subscription_id)
        return subscription.received if subscription else []

    return router
