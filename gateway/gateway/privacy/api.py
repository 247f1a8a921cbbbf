"""``/api/v1/privacy``: a family's requests about its personal data, the school's answers, and the breach register."""

import json
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, StringConstraints

from chassis.auth import Caller
from chassis.files import FileNotFound, sha256_hex
from chassis.pdf import html_to_pdf
from chassis.problems import PROBLEM_JSON, Conflict, NotFound
from chassis.tenancy import SYSTEM
from gateway.deps import SignedInDep
from gateway.models import School
from gateway.privacy import breaches, export, requests
from gateway.privacy.deadlines import breach_deadlines, working_days_left
from gateway.privacy.models import BreachIncident, SubjectRequest
from gateway.upstream import Upstreams, record_access

router = APIRouter(prefix="/api/v1/privacy", tags=["personal data"])

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=10000)]
JSON_BODY = {"content-type": "application/json"}
FILES = {"json": ("vypiska.json", "application/json"), "pdf": ("vypiska.pdf", "application/pdf")}


class RequestIn(BaseModel):
    kind: Literal["access", "correction"]
    #: Whose data (a correction): oneself or one's child; omitted: oneself.
    subject_id: UUID | None = None
    #: A card field (``last_name`` …) or ``mark``.
    field: str | None = None
    mark_id: UUID | None = None
    #: The right value, or what is wrong with the mark.
    value: Text | None = None


class RequestOut(BaseModel):
    id: UUID
    kind: str
    school_id: UUID
    requester_name: str
    subject_id: UUID
    subject_name: str
    field: str | None
    field_title: str | None
    mark_id: UUID | None
    wanted: str | None
    received_at: datetime
    deadline: date
    working_days_left: int
    status: str
    owner: str
    answered_at: datetime | None
    answered_by_name: str | None
    answer: str | None
    files: list[str]


class AnswerIn(BaseModel):
    #: ``done``: corrected as asked (a card field is corrected in roster now); ``refused``: why not.
    outcome: Literal["done", "refused"]
    text: Text


class BreachIn(BaseModel):
    detected_at: AwareDatetime
    description: LongText
    account_id: UUID | None = None
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    measures: Text | None = None
    contact: Text | None = None


class AffectedOut(BaseModel):
    person_id: UUID
    name: str
    how: str
    first_at: datetime
    last_at: datetime
    requests: int


class BreachOut(BaseModel):
    id: UUID
    school_id: UUID
    detected_at: datetime
    description: str
    account_id: UUID | None
    window_start: datetime | None
    window_end: datetime | None
    measures: str | None
    contact: str | None
    recorded_by_name: str
    recorded_at: datetime
    first_notice_due: datetime
    investigation_due: datetime


class BreachDetailOut(BreachOut):
    affected: list[AffectedOut]


def _today(request: Request) -> date:
    return request.app.state.clock.today(request.app.state.settings.timezone)


def _out(found: SubjectRequest, today: date) -> RequestOut:
    title = requests.CARD_FIELDS.get(found.field or "") or ("отметка" if found.field == requests.MARK_FIELD else None)
    return RequestOut(
        id=found.id,
        kind=found.kind,
        school_id=found.school_id,
        requester_name=found.requester_name,
        subject_id=found.subject_id,
        subject_name=found.subject_name,
        field=found.field,
        field_title=title,
        mark_id=found.mark_id,
        wanted=found.wanted,
        received_at=found.received_at,
        deadline=found.deadline,
        # Weekends only: the school's holidays can only lengthen what is left.
        working_days_left=working_days_left(today, found.deadline),
        status=found.status,
        owner=found.owner,
        answered_at=found.answered_at,
        answered_by_name=found.answered_by_name,
        answer=found.answer,
        files=sorted(FILES) if found.kind == "access" and found.sent else [],
    )


def _passed_on(answer) -> JSONResponse:
    """A service's refusal as it gave it (its Russian problem), nothing written here."""
    return JSONResponse(answer.json(), status_code=answer.status_code, media_type=PROBLEM_JSON)


async def _audit(request: Request, caller: Caller, status: int) -> None:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    await record_access(request.app.state.access_log, caller.person_id, request.method, path, status)


async def _sync_disputes(request: Request, caller: Caller, found: list[SubjectRequest]) -> None:
    """A mark's correction is answered when its teacher answers the gradebook dispute it became."""
    upstreams: Upstreams = request.app.state.upstreams
    waiting = [r for r in found if r.status == "open" and r.owner == "gradebook" and r.owner_ref]
    for item in waiting:
        path = f"/schools/{item.school_id}/students/{item.subject_id}/disputes"
        answer = await upstreams.send("gradebook", "GET", path, caller)
        if answer.status_code != 200:
            continue
        dispute = next((d for d in answer.json() if d["id"] == str(item.owner_ref)), None)
        if dispute and dispute["answer"] is not None:
            async with request.app.state.db.transaction(SYSTEM) as session:
                kept = await session.get(SubjectRequest, item.id, with_for_update=True)
                if kept is not None and kept.status == "open":
                    kept.status, kept.answer = "answered", dispute["answer"]
                    kept.answered_by_name = dispute["answered_by_name"]
                    kept.answered_at = datetime.fromisoformat(dispute["answered_at"])
            item.status, item.answer = "answered", dispute["answer"]
            item.answered_by_name = dispute["answered_by_name"]
            item.answered_at = datetime.fromisoformat(dispute["answered_at"])


@router.post("/requests", status_code=201, response_model=None)
async def ask(body: RequestIn, current: SignedInDep, request: Request) -> RequestOut | JSONResponse:
    """A parent or adult student asks for their data (answered at once with the export) or for a correction."""
    caller, today, now = current.caller, _today(request), request.app.state.clock.now()
    upstreams: Upstreams = request.app.state.upstreams
    async with request.app.state.db.transaction(SYSTEM) as session:
        me = await requests.may_ask(session, caller, today)
        subject, school_id = await requests.subject_of(session, caller, body.subject_id or caller.person_id)
        people = await export.family(session, caller.person_id) if body.kind == "access" else []
        owner = "gateway" if body.kind == "access" else requests.check_correction(body.field, body.mark_id, body.value)
    calendar = await requests.school_calendar(upstreams, caller, school_id, today)
    fields: dict = {"received_at": now, "status": "open", "owner": owner}
    if body.kind == "correction":
        fields.update(field=body.field, mark_id=body.mark_id, wanted=body.value)
    if owner == "gradebook":
        # 004 app.8: the mark's teacher answers a family's dispute; the mark is found only in the child's school.
        path = f"/schools/{school_id}/marks/{body.mark_id}/disputes"
        answer = await upstreams.send(
            "gradebook", "POST", path, caller, body=_dispute_body(body.value), headers=JSON_BODY
        )
        if answer.status_code != 201:
            await _audit(request, caller, answer.status_code)
            return _passed_on(answer)
        fields["owner_ref"] = UUID(answer.json()["id"])
    made = requests.new_request(caller, me, subject, school_id, body.kind, today, calendar, **fields)
    if body.kind == "access":
        await _answer_with_export(request, caller, made, people, now)
    async with request.app.state.db.transaction(SYSTEM) as session:
        session.add(made)
    await _audit(request, caller, 201)
    return _out(made, today)


def _dispute_body(text: str | None) -> bytes:
    return json.dumps({"text": text or "Отметка выставлена неверно (запрос об исправлении данных)."}).encode()


async def _answer_with_export(
    request: Request, caller: Caller, made: SubjectRequest, people: list, now: datetime
) -> None:
    """Assembles the family's data, stores it as JSON and PDF, and logs what was sent; the row is written after,
    so a failure on the way leaves no answered request behind."""
    upstreams: Upstreams = request.app.state.upstreams
    ids = [p.person_id for p, _ in people]
    # The family's schools: the requester's and each child's.
    schools = sorted(requests.family_schools(caller) | {p.school_id for p, _ in people}, key=str)
    async with request.app.state.db.transaction(SYSTEM) as session:
        own = await export.gateway_rows(session, ids)
    document = {
        "request_id": str(made.id),
        "made_at": now.isoformat(),
        "requester": {"id": str(made.requester_id), "name": made.requester_name},
        "people": [{"id": str(p.person_id), "name": export.full_name(p), "relation": how} for p, how in people],
        "gateway": own,
        "services": await export.service_rows(upstreams, schools, ids),
    }
    data = export.as_json(document)
    pdf = await run_in_threadpool(html_to_pdf, export.as_html(document, now))
    store = request.app.state.files
    for kind, content in (("json", data), ("pdf", pdf)):
        await store.put(f"privacy/{made.id}/{FILES[kind][0]}", content)
    rows = {
        "gateway": {t: len(r) for t, r in own.items()},
        **{s: {t: len(r) for t, r in tables.items()} for s, tables in document["services"].items()},
    }
    requests.answered_by_export(
        made,
        now,
        {"files": {FILES[k][0]: sha256_hex(c) for k, c in (("json", data), ("pdf", pdf))}, "rows": rows},
    )


@router.get("/requests")
async def my_requests(current: SignedInDep, request: Request) -> list[RequestOut]:
    async with request.app.state.db.transaction(SYSTEM) as session:
        found = await requests.requests_of(session, current.caller.person_id)
    await _sync_disputes(request, current.caller, found)
    await _audit(request, current.caller, 200)
    return [_out(r, _today(request)) for r in found]


@router.get("/requests/{request_id}")
async def my_request(request_id: UUID, current: SignedInDep, request: Request) -> RequestOut:
    async with request.app.state.db.transaction(SYSTEM) as session:
        found = await _own_or_audited(request, current.caller, session, request_id)
    await _sync_disputes(request, current.caller, [found])
    await _audit(request, current.caller, 200)
    return _out(found, _today(request))


async def _own_or_audited(request: Request, caller: Caller, session, request_id: UUID) -> SubjectRequest:
    try:
        return await requests.own_request(session, caller, request_id)
    except NotFound:
        await _audit(request, caller, 404)
        raise


@router.get("/requests/{request_id}/export.{kind}")
async def download(request_id: UUID, kind: Literal["json", "pdf"], current: SignedInDep, request: Request) -> Response:
    """The export, to its requester alone."""
    async with request.app.state.db.transaction(SYSTEM) as session:
        found = await _own_or_audited(request, current.caller, session, request_id)
    name, media = FILES[kind]
    try:
        content = await request.app.state.files.get(f"privacy/{found.id}/{name}")
    except FileNotFound:
        await _audit(request, current.caller, 404)
        raise NotFound("Выписки по этому запросу нет.") from None
    await _audit(request, current.caller, 200)
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/schools/{school_id}/requests")
async def school_requests(
    school_id: UUID, current: SignedInDep, request: Request, only_open: bool = False
) -> list[RequestOut]:
    """The school's requests, the nearest deadline first, for its administrator."""
    requests.school_admin(current.caller, school_id)
    async with request.app.state.db.transaction(SYSTEM) as session:
        found = await requests.school_requests(session, school_id, only_open)
    await _sync_disputes(request, current.caller, found)
    await _audit(request, current.caller, 200)
    return [_out(r, _today(request)) for r in found if not only_open or r.status == "open"]


@router.post("/schools/{school_id}/requests/{request_id}/answer", response_model=None)
async def answer(
    school_id: UUID, request_id: UUID, body: AnswerIn, current: SignedInDep, request: Request
) -> RequestOut | JSONResponse:
    """The office answers a card's correction: ``done`` corrects it in roster (whose history says why), logged here."""
    caller = current.caller
    async with request.app.state.db.transaction(SYSTEM) as session:
        found = await requests.school_request(session, caller, school_id, request_id)
        if found.status != "open":
            raise Conflict("На этот запрос уже дан ответ.")
        if found.owner != "roster":
            raise Conflict("Исправление отметки решает её учитель: ответ придёт из журнала по обращению семьи.")
        if body.outcome == "done":
            reason = f"Запрос субъекта персональных данных от {found.received_at:%d.%m.%Y}: {body.text}"
            patch = {found.field: found.wanted, "reason": reason[:500]}
            # Under the row's lock: a second answer waits and then finds this one.
            answer = await request.app.state.upstreams.send(
                "roster",
                "PATCH",
                f"/schools/{school_id}/people/{found.subject_id}",
                caller,
                body=json.dumps(patch).encode(),
                headers=JSON_BODY,
            )
            if answer.status_code != 200:
                await _audit(request, caller, answer.status_code)
                return _passed_on(answer)
        requests.answered(found, caller, body.outcome, body.text, request.app.state.clock.now())
    await _audit(request, caller, 200)
    return _out(found, _today(request))


def _breach_out(found: BreachIncident) -> dict:
    deadlines = breach_deadlines(found.detected_at)
    return {
        **{c: getattr(found, c) for c in BreachOut.model_fields if hasattr(found, c)},
        "first_notice_due": deadlines.first_notice,
        "investigation_due": deadlines.investigation,
    }


@router.post("/schools/{school_id}/breaches", status_code=201)
async def record_breach(school_id: UUID, body: BreachIn, current: SignedInDep, request: Request) -> BreachOut:
    """The administrator records an incident; the deadlines for Роскомнадзор run from its detection."""
    caller = current.caller
    requests.school_admin(caller, school_id)
    breaches.check_window(body.detected_at, body.window_start, body.window_end, datetime.now(UTC))
    async with request.app.state.db.transaction(SYSTEM) as session:
        if body.account_id is not None:
            await breaches.account_in_school(session, school_id, body.account_id)
        found = BreachIncident(
            school_id=school_id,
            recorded_by=caller.person_id,
            recorded_by_name=caller.name,
            recorded_at=datetime.now(UTC),
            **body.model_dump(),
        )
        session.add(found)
    await _audit(request, caller, 201)
    return BreachOut(**_breach_out(found))


@router.get("/schools/{school_id}/breaches")
async def school_breaches(school_id: UUID, current: SignedInDep, request: Request) -> list[BreachOut]:
    requests.school_admin(current.caller, school_id)
    async with request.app.state.db.transaction(SYSTEM) as session:
        found = await breaches.school_incidents(session, school_id)
    await _audit(request, current.caller, 200)
    return [BreachOut(**_breach_out(f)) for f in found]


async def _detail(request: Request, caller: Caller, school_id: UUID, incident_id: UUID) -> BreachDetailOut:
    requests.school_admin(caller, school_id)
    async with request.app.state.db.transaction(SYSTEM) as session:
        found = await breaches.incident_of(session, school_id, incident_id)
        reached = await breaches.affected(session, request.app.state.upstreams, caller, found)
    return BreachDetailOut(**_breach_out(found), affected=[AffectedOut(**vars(p)) for p in reached])


@router.get("/schools/{school_id}/breaches/{incident_id}")
async def breach(school_id: UUID, incident_id: UUID, current: SignedInDep, request: Request) -> BreachDetailOut:
    """The incident with its deadlines and the people whose data the account reached in the window."""
    detail = await _detail(request, current.caller, school_id, incident_id)
    await _audit(request, current.caller, 200)
    return detail


@router.get("/schools/{school_id}/breaches/{incident_id}/notice.pdf")
async def breach_notice(school_id: UUID, incident_id: UUID, current: SignedInDep, request: Request) -> Response:
    """The notice to Роскомнадзор (art. 21 part 3.1) as a PDF to sign and send."""
    detail = await _detail(request, current.caller, school_id, incident_id)
    async with request.app.state.db.transaction(SYSTEM) as session:
        school = await session.get(School, school_id)
    html = export.render("breach_notice.html", incident=detail, school=school.name if school else "")
    pdf = await run_in_threadpool(html_to_pdf, html)
    await _audit(request, current.caller, 200)
    name = f"uvedomlenie-rkn-{detail.detected_at:%Y%m%d}.pdf"
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
