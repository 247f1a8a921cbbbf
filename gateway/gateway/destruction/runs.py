"""A destruction run: check every service's terms, then destroy service by service, recording each outcome."""

import json
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.db import Database
from chassis.destruction import held, latest, refusal
from chassis.problems import Conflict, NotFound
from chassis.tenancy import SYSTEM
from gateway.destruction.holdings import HOLDINGS, destroy_here
from gateway.destruction.models import DestructionRun
from gateway.models import Person
from gateway.upstream import SERVICE_TITLES, ServiceUnavailable, Upstreams

#: The copies first, roster (the card's owner) after them, the gateway (the account) last: a run stopped
#: half-way leaves the person's card and account, so it stays visible and is retried.
ORDER = ["reporting", "notifications", "attendance", "gradebook", "roster"]
GATEWAY = "gateway"


def _problem_detail(answer) -> str:
    try:
        return answer.json().get("detail") or answer.text
    except ValueError:
        return answer.text


async def held_everywhere(
    upstreams: Upstreams, db: Database, caller: Caller, school_id: UUID, person_ids: list[UUID] | None, today: date
) -> dict[UUID, dict]:
    """Person → {"may_go_from": the latest term over every service, "rows": service → kind → rows}."""
    found: dict[UUID, dict] = {}

    def add(service: str, person_id: UUID, rows: dict[str, int], may_go: date | None) -> None:
        entry = found.setdefault(person_id, {"terms": [], "rows": {}})
        entry["rows"][service] = rows
        entry["terms"].append(may_go)

    body = json.dumps({"person_ids": [str(p) for p in person_ids] if person_ids is not None else None}).encode()
    for service in ORDER:
        answer = await upstreams.send(
            service,
            "POST",
            f"/internal/retention/schools/{school_id}/held",
            caller,
            body=body,
            headers={"content-type": "application/json"},
        )
        if answer.status_code != 200:
            raise ServiceUnavailable(f"Сервис «{SERVICE_TITLES[service]}» не ответил: {_problem_detail(answer)}")
        for item in answer.json():
            may_go = date.fromisoformat(item["may_go_from"]) if item["may_go_from"] else None
            add(service, UUID(item["person_id"]), item["rows"], may_go)
    async with db.transaction(SYSTEM) as session:
        for item in await held(session, HOLDINGS, person_ids, today):
            if item.person_id in found or person_ids is not None:
                add(GATEWAY, item.person_id, item.rows, item.may_go_from)
    return {p: {"may_go_from": latest(e["terms"]), "rows": e["rows"]} for p, e in found.items()}


async def names(session: AsyncSession, person_ids: list[UUID]) -> dict[UUID, str]:
    rows = await session.execute(
        select(Person.person_id, Person.last_name, Person.first_name, Person.middle_name).where(
            Person.person_id.in_(person_ids)
        )
    )
    return {p: " ".join(part for part in (last, first, middle) if part) for p, last, first, middle in rows}


async def start(
    upstreams: Upstreams, db: Database, caller: Caller, school_id: UUID, person_id: UUID, today: date
) -> DestructionRun:
    """Confirm: refuse while any term is still running (with its date), else record the run and carry it out."""
    holding = (await held_everywhere(upstreams, db, caller, school_id, [person_id], today)).get(person_id)
    if holding is None or not any(holding["rows"].values()):
        raise NotFound("Данных этого человека в школе нет.")
    may_go = holding["may_go_from"]
    if (reason := refusal(may_go, today)) is not None:
        raise Conflict(reason, may_go_from=may_go.isoformat() if may_go else None)
    async with db.transaction(SYSTEM) as session:
        name = (await names(session, [person_id])).get(person_id, "имя не сохранилось")
        run = DestructionRun(
            id=uuid4(),
            school_id=school_id,
            person_id=person_id,
            person_name=name,
            as_of=today,
            confirmed_by=caller.person_id,
            confirmed_by_name=caller.name,
            confirmed_at=datetime.now(UTC),
            status="incomplete",
            services={s: {"status": "pending", "held": holding["rows"].get(s, {})} for s in [*ORDER, GATEWAY]},
        )
        session.add(run)
    return await carry_out(upstreams, db, caller, run.id, today)


async def carry_out(upstreams: Upstreams, db: Database, caller: Caller, run_id: UUID, today: date) -> DestructionRun:
    """Each service not yet done destroys its part (idempotent per run); the run is done when all are."""
    async with db.transaction(SYSTEM) as session:
        run = await session.get(DestructionRun, run_id)
        if run is None:
            raise NotFound("Уничтожение не найдено.")
        services = dict(run.services)
        school_id, person_id, as_of = run.school_id, run.person_id, run.as_of
    body = json.dumps({"person_id": str(person_id), "as_of": as_of.isoformat()}).encode()
    for service in ORDER:
        if services[service]["status"] == "done":
            continue
        try:
            answer = await upstreams.send(
                service,
                "PUT",
                f"/internal/retention/schools/{school_id}/destructions/{run_id}",
                caller,
                body=body,
                headers={"content-type": "application/json"},
            )
        except ServiceUnavailable as exc:
            services[service] = {**services[service], "status": "failed", "error": exc.detail}
            continue
        if answer.status_code == 200:
            services[service] = {**services[service], "status": "done", "removed": answer.json()["removed"]}
        else:
            services[service] = {**services[service], "status": "failed", "error": _problem_detail(answer)}
    # The account goes last, only once every service is done: until then the person stays findable for a retry.
    if all(services[s]["status"] == "done" for s in ORDER) and services[GATEWAY]["status"] != "done":
        async with db.transaction(SYSTEM) as session:
            removed = await destroy_here(
                session, run_id=run_id, school_id=school_id, person_id=person_id, as_of=as_of, today=today
            )
        services[GATEWAY] = {**services[GATEWAY], "status": "done", "removed": removed}
    async with db.transaction(SYSTEM) as session:
        run = await session.get(DestructionRun, run_id)
        run.services = services
        if all(entry["status"] == "done" for entry in services.values()):
            run.status, run.finished_at = "done", datetime.now(UTC)
        await session.flush()
        session.expunge(run)
    return run
