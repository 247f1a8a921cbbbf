"""A local fake of SMSC.ru's HTTP API (``/sys/send.php``), speaking its parameters and JSON answers (fmt=3).

Parameters used: ``login``, ``psw``, ``phones``, ``mes``, ``fmt``, ``charset``, ``id`` (the client's
message id) and ``sender``. Answers: ``{"id": N, "cnt": N}`` on success,
``{"error": "...", "error_code": N}`` otherwise, with SMSC's codes: 1 parameters, 2 login or
password, 7 phone format, 9 the same message sent again. ``down`` answers 503 like an outage.
"""

import re
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse


@dataclass(frozen=True)
class ReceivedSms:
    id: str
    phone: str
    text: str
    sender: str | None


@dataclass
class SmscFake:
    login: str = "journal"
    password: str = "sandbox"
    received: list[ReceivedSms] = field(default_factory=list)
    down: bool = False

    def to(self, phone: str) -> list[ReceivedSms]:
        return [m for m in self.received if m.phone == phone.lstrip("+")]

    def send(self, params: dict[str, str]) -> tuple[int, dict]:
        if self.down:
            return 503, {"error": "service unavailable", "error_code": 9}
        if params.get("login") != self.login or params.get("psw") != self.password:
            return 200, {"error": "authorise error", "error_code": 2}
        phones, text = params.get("phones", ""), params.get("mes", "")
        if not phones or not text or params.get("fmt") != "3":
            return 200, {"error": "parameters error", "error_code": 1}
        numbers = [p.strip().lstrip("+") for p in re.split(r"[,;]", phones) if p.strip()]
        if not all(re.fullmatch(r"\d{11,15}", n) for n in numbers):
            return 200, {"error": "invalid number", "error_code": 7}
        message_id = params.get("id") or str(len(self.received) + 1)
        if params.get("id") and any(m.id == message_id for m in self.received):
            # SMSC refuses a repeated send of the same message: the client's retry after a lost answer.
            return 200, {"error": "duplicate request, wait a minute", "error_code": 9, "id": message_id}
        for number in numbers:
            self.received.append(ReceivedSms(message_id, number, text, params.get("sender")))
        return 200, {"id": message_id, "cnt": len(numbers)}


def smsc_router(fake: SmscFake) -> APIRouter:
    router = APIRouter()

    @router.get("/sys/send.php")
    async def send_get(request: Request) -> JSONResponse:
        status, answer = fake.send(dict(request.query_params))
        return JSONResponse(answer, status_code=status)

    @router.post("/sys/send.php")
    async def send_post(request: Request) -> JSONResponse:
        form = await request.form()
        status, answer = fake.send({**request.query_params, **{k: str(v) for k, v in form.items()}})
        return JSONResponse(answer, status_code=status)

    @router.get("/sandbox/sms")
    async def received() -> list[dict]:
        return [m.__dict__ for m in fake.received]

    return router
