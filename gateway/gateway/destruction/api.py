"""``/api/v1/destruction/schools/{school_id}/…``: the administrator's proposals, confirmations, runs and acts."""

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import select

from chassis.auth import Caller
from chassis.problems import Conflict, Forbidden, NotFound
from chassis.tenancy import SYSTEM
from gateway.deps import GatewaySchoolToday, SignedInDep
from gateway.destruction import act, runs
from gateway.destruction.models import DestructionRun
from gateway.models import School
from gateway.upstream import record_access

router = APIRouter(prefix="/api/v1/destruction/schools/{school_id}", tags=["destruction"])


def administrator(caller: Caller, school_id: UUID) -> None:
    if not (caller.has_role(school_id, "school_admin") or "region_admin" in caller.region_roles):
        raise Forbidden("Уничтожение персональных данных доступно администратору школы или региона.")


class Proposal(BaseModel):
    person_id: UUID
    name: str
    may_go_from: date
    #: Service → kind of data → rows.
    rows: dict[str, dict[str, int]]


class ConfirmIn(BaseModel):
    person_id: UUID


class RunOut(BaseModel):
    id: UUID
    person_id: UUID
    person_name: str
    as_of: date
    confirmed_by_name: str
    status: str
    services: dict[str, dict]


def run_out(run: DestructionRun) -> RunOut:
    return RunOut(
        id=run.id,
        person_id=run.person_id,
        person_name=run.person_name,
        as_of=run.as_of,
        confirmed_by_name=run.confirmed_by_name,
        status=run.status,
        services=run.services,
    )


async def audited(request: Request, current, status: int) -> None:
    await record_access(
        request.app.state.access_log, current.caller.person_id, request.method, request.url.path, status
    )


@router.get("/proposals")
async def proposals(
    school_id: UUID, current: SignedInDep, request: Request, today: GatewaySchoolToday
) -> list[Proposal]:
    """The people whose every record in every service is past its term today: what the administrator may confirm."""
    administrator(current.caller, school_id)
    state = request.app.state
    found = await runs.held_everywhere(state.upstreams, state.db, current.caller, school_id, None, today)
    due = {p: h for p, h in found.items() if h["may_go_from"] is not None and h["may_go_from"] <= today}
    async with state.db.transaction(SYSTEM) as session:
        named = await runs.names(session, list(due))
    await audited(request, current, 200)
    return sorted(
        (
            Proposal(person_id=p, name=named.get(p, "без имени"), may_go_from=h["may_go_from"], rows=h["rows"])
            for p, h in due.items()
        ),
        key=lambda proposal: proposal.name,
    )


@router.post("/runs", status_code=201)
async def confirm(
    school_id: UUID, body: ConfirmIn, current: SignedInDep, request: Request, today: GatewaySchoolToday
) -> RunOut:
    """Confirm one person's destruction: refused with the day it may go while any term runs; else carried out."""
    administrator(current.caller, school_id)
    state = request.app.state
    run = await runs.start(state.upstreams, state.db, current.caller, school_id, body.person_id, today)
    await audited(request, current, 201)
    return run_out(run)


@router.get("/runs")
async def list_runs(school_id: UUID, current: SignedInDep, request: Request) -> list[RunOut]:
    administrator(current.caller, school_id)
    async with request.app.state.db.transaction(SYSTEM) as session:
        found = await session.scalars(
            select(DestructionRun)
            .where(DestructionRun.school_id == school_id)
            .order_by(DestructionRun.confirmed_at.desc())
        )
        answer = [run_out(run) for run in found]
    await audited(request, current, 200)
    return answer


async def _run(request: Request, school_id: UUID, run_id: UUID) -> DestructionRun:
    async with request.app.state.db.transaction(SYSTEM) as session:
        run = await session.get(DestructionRun, run_id)
        if run is None or run.school_id != school_id:
            raise NotFound("Уничтожение не найдено.")
        session.expunge(run)
    return run


@router.post("/runs/{run_id}/retry")
async def retry(
    school_id: UUID, run_id: UUID, current: SignedInDep, request: Request, today: GatewaySchoolToday
) -> RunOut:
    """An incomplete run again: the services already done answer from their ledgers and remove nothing more."""
    administrator(current.caller, school_id)
    run = await _run(request, school_id, run_id)
    if run.status != "done":
        state = request.app.state
        run = await runs.carry_out(state.upstreams, state.db, current.caller, run_id, today)
    await audited(request, current, 200)
    return run_out(run)


@router.get("/runs/{run_id}/act.pdf")
async def act_pdf(school_id: UUID, run_id: UUID, current: SignedInDep, request: Request) -> Response:
    administrator(current.caller, school_id)
    run = await _run(request, school_id, run_id)
    if run.status != "done":
        raise Conflict("Уничтожение ещё не завершено: повторите его, и акт будет готов.")
    async with request.app.state.db.transaction(SYSTEM) as session:
        school = await session.scalar(select(School.name).where(School.school_id == school_id)) or ""
    pdf = act.render_pdf(run, school)
    await audited(request, current, 200)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="destruction-act-{str(run.id)[:8]}.pdf"'},
    )
