"""``Idempotency-Key`` on state-changing requests: a retried request gets the first answer.

The claim of the key (per caller), the request's effects and its stored answer are one
transaction (``Database.enclosing``): a crash leaves either all of them or none, so a key never
waits forever for an answer, and a retried POST after a gateway timeout never creates twice.
A concurrent duplicate waits on the claimed row until the first commits, then gets its answer.
The response is sent after the commit; a server error rolls everything back, so the client
may retry. The same key with another request body is refused (422).
"""

import hashlib
import json

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.auth import bearer_token
from chassis.problems import PROBLEM_JSON, DomainError
from chassis.tables import idempotency_keys

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = b"idempotency-key"


async def _send_problem(send: Send, status: int, title: str, detail: str, slug: str) -> None:
    body = json.dumps(
        {"type": f"https://journal.example/problems/{slug}", "title": title, "status": status, "detail": detail},
        ensure_ascii=False,
    ).encode()
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", PROBLEM_JSON.encode())]})
    await send({"type": "http.response.body", "body": body})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        if scope["type"] != "http" or scope["method"] not in STATE_CHANGING or HEADER not in headers:
            await self.app(scope, receive, send)
            return
        key = headers[HEADER].decode("latin-1")
        state = scope["app"].state
        try:
            caller = await state.verifier.verify(bearer_token(Request(scope)))
        except DomainError:
            await self.app(scope, receive, send)  # the route answers 401 itself
            return
        if not 1 <= len(key) <= 255:
            await _send_problem(
                send,
                400,
                "Некорректный ключ идемпотентности",
                "Idempotency-Key должен содержать от 1 до 255 символов.",
                "bad-idempotency-key",
            )
            return

        body = await _read_body(receive)
        digest = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        owner = str(caller.person_id)
        captured: dict = {"status": 500, "headers": [], "body": b""}

        async def capture(message: Message) -> None:
            """Hold the response back until its effects and the stored answer are committed."""
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")

        previous = None
        try:
            async with state.db.enclosing() as session:
                claimed = (
                    await session.execute(
                        insert(idempotency_keys)
                        .values(owner=owner, key=key, request_hash=digest)
                        .on_conflict_do_nothing()
                        .returning(idempotency_keys.c.key)
                    )
                ).first()
                if claimed is None:
                    previous = (
                        await session.execute(
                            select(idempotency_keys).where(
                                idempotency_keys.c.owner == owner, idempotency_keys.c.key == key
                            )
                        )
                    ).one()
                else:
                    await self.app(scope, _replay(body, receive), capture)
                    if captured["status"] >= 500:
                        raise _ServerError
                    content_type = dict(captured["headers"]).get(b"content-type", b"").decode()
                    await session.execute(
                        update(idempotency_keys)
                        .where(idempotency_keys.c.owner == owner, idempotency_keys.c.key == key)
                        .values(status=captured["status"], content_type=content_type, body=captured["body"])
                    )
        except _ServerError:
            pass  # rolled back: neither the effects nor the claim remain
        if previous is not None:
            await self._answer_repeat(previous, digest, send)
            return
        await send({"type": "http.response.start", "status": captured["status"], "headers": captured["headers"]})
        await send({"type": "http.response.body", "body": captured["body"]})

    @staticmethod
    async def _answer_repeat(previous, digest: str, send: Send) -> None:
        if previous.request_hash != digest:
            await _send_problem(
                send,
                422,
                "Ключ идемпотентности уже использован",
                "Этот Idempotency-Key уже использован для другого запроса.",
                "idempotency-key-reused",
            )
        else:
            await send(
                {
                    "type": "http.response.start",
                    "status": previous.status,
                    "headers": [
                        (b"content-type", (previous.content_type or "application/json").encode()),
                        (b"idempotent-replayed", b"true"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": previous.body or b""})


class _ServerError(Exception):
    """The route answered 5xx: roll its transaction back, answer as it did."""


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, original: Receive) -> Receive:
    """Give the app the body we already read, then the client's own messages (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await original()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
