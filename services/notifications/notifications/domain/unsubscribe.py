"""Unsubscribe links (R-51): one click in an e-mail turns that kind of notice off on that channel.

The link carries who, which kind and which channel, signed with the service's secret, so it
needs no login and cannot be forged to unsubscribe someone else.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from uuid import UUID

from chassis.problems import NotFound


@dataclass(frozen=True)
class Unsubscribe:
    school_id: UUID
    person_id: UUID
    kind: str
    channel: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign(request: Unsubscribe, secret: bytes) -> str:
    payload = _b64(json.dumps([str(request.school_id), str(request.person_id), request.kind, request.channel]).encode())
    mac = hmac.new(secret, payload.encode(), hashlib.sha256).digest()[:16]
    return f"{payload}.{_b64(mac)}"


def verify(token: str, secret: bytes) -> Unsubscribe:
    """The request a token carries; a spoilt or forged one is a link that leads nowhere (404)."""
    payload, _, mac = token.partition(".")
    expected = _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest()[:16])
    if not hmac.compare_digest(mac, expected):
        raise NotFound("Ссылка для отписки недействительна.")
    school, person, kind, channel = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return Unsubscribe(UUID(school), UUID(person), kind, channel)
