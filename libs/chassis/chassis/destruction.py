"""Уничтожение персональных данных по истечении сроков (152-ФЗ ст. 21): what a service holds of a person, and its
removal.

Each service lists its ``Holding``s in its ``retention.py`` — the tables that hold people's data, the column that
names the person and the column that dates a row — and mounts ``retention_router``. The gateway's destruction runs
call it as the confirming administrator (an internal token; the gateway's proxy never forwards ``/internal/``):
``held`` says what the service holds of whom and from which day all of it may go; ``destroy`` removes one
person's rows only when every one of them has expired — never a day early — and records the run in
``destructions``, so a retry of the run removes nothing twice and gets the same answer.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy import Table, Text, cast, delete, func, insert, null, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolToday, database
from chassis.problems import Conflict, Forbidden
from chassis.retention_periods import Kind, may_go_from
from chassis.tables import destructions, outbox
from chassis.tenancy import Tenant

#: How long a destruction waits for a lock (a first call of the run still going, a long report holding a table) before
#: it answers 503 "nothing was done": well under the gateway's upstream timeout, so the run learns the outcome for
#: certain instead of losing the answer to a timeout.
LOCK_TIMEOUT = "5s"

#: ``Holding.dated`` of a live tie (an enrolment, a staff role): dated today, so it keeps the person's data.
CURRENT = "current"


@dataclass(frozen=True)
class Holding:
    """A table holding people's data. ``dated``: the column whose date starts the term, ``CURRENT`` for a
    live tie, or None for a copy of the person's card that has no term of its own and goes with the rest."""

    kind: Kind
    table: Table
    person: str
    dated: str | None = None
    #: For a table that names the person only through its parent row: (its column, the parent table with
    #: ``id``); ``person`` and ``dated`` are then the parent's columns.
    via: tuple[str, Table] | None = None

    @property
    def source(self):
        return (
            self.table
            if self.via is None
            else self.table.join(self.via[1], self.table.c[self.via[0]] == self.via[1].c.id)
        )

    @property
    def owner(self) -> Table:
        return self.table if self.via is None else self.via[1]

    def rows_of(self, person_id: UUID):
        """The condition on ``table`` picking the person's rows."""
        if self.via is None:
            return self.table.c[self.person] == person_id
        column, parent = self.via
        return self.table.c[column].in_(select(parent.c.id).where(parent.c[self.person] == person_id))


@dataclass(frozen=True)
class Held:
    person_id: UUID
    #: Kind → rows held.
    rows: dict[str, int]
    #: The first day all of it may go; None: only copies that go with the person.
    may_go_from: date | None


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def latest(days: list[date | None]) -> date | None:
    """The day everything may go: the latest of the terms, copies without one aside."""
    known = [day for day in days if day is not None]
    return max(known) if known else None


def refusal(may_go: date | None, as_of: date) -> str | None:
    """Why a destruction on ``as_of`` is refused (in Russian), or None when every term is over."""
    if may_go is None or may_go <= as_of:
        return None
    return f"Срок хранения данных этого человека ещё не истёк: уничтожить их можно с {may_go:%d.%m.%Y}."


async def held(
    session: AsyncSession, holdings: list[Holding], person_ids: list[UUID] | None, today: date
) -> list[Held]:
    """What this database holds of these people (of everyone, when None), per person."""
    rows: dict[UUID, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    terms: dict[UUID, list[date | None]] = defaultdict(list)
    for holding in holdings:
        person = holding.owner.c[holding.person]
        dated = holding.owner.c[holding.dated] if holding.dated not in (None, CURRENT) else None
        query = (
            select(person, func.count(), func.max(dated) if dated is not None else null())
            .select_from(holding.source)
            .group_by(person)
        )
        if person_ids is not None:
            query = query.where(person.in_(person_ids))
        for person_id, count, last in await session.execute(query.where(person.is_not(None))):
            rows[person_id][holding.kind] += count
            if holding.dated == CURRENT:
                terms[person_id].append(may_go_from(holding.kind, today))
            elif last is not None:
                terms[person_id].append(may_go_from(holding.kind, _as_date(last)))
            else:
                terms[person_id].append(None)
    return [Held(p, dict(rows[p]), latest(terms[p])) for p in sorted(rows, key=str)]


async def destroy(
    session: AsyncSession,
    holdings: list[Holding],
    *,
    run_id: UUID,
    school_id: UUID,
    person_id: UUID,
    as_of: date,
    today: date,
    before: Callable[[], Awaitable[object]] | None = None,
) -> dict[str, int]:
    """Removes all this database holds of the person when every term is over by ``as_of``; kind → rows removed.

    Refuses (409, with the day it may go) while any of it is still kept: a person is destroyed whole or not at all.
    """
    await session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
    # One call of a run at a time: a retry that overtakes a first call still running (its answer lost to a timeout)
    # waits for it here, then finds its ledger row instead of removing the same rows again.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(str(run_id), 0))))
    done = await session.scalar(select(destructions.c.removed).where(destructions.c.run_id == run_id))
    if done is not None:
        return done
    if as_of > today:
        raise Conflict("Уничтожить данные можно только по сроку, истёкшему на сегодня.", may_go_from=as_of.isoformat())
    found = await held(session, holdings, [person_id], today)
    may_go = found[0].may_go_from if found else None
    if (reason := refusal(may_go, as_of)) is not None:
        raise Conflict(reason, may_go_from=may_go.isoformat() if may_go else None)
    if before is not None:  # e.g. tombstones of chained rows, written from the rows about to go
        await before()
    removed: dict[str, int] = defaultdict(int)
    for holding in holdings:
        count = (await session.execute(delete(holding.table).where(holding.rows_of(person_id)))).rowcount
        if count:
            removed[holding.kind] += count
    # The events already sent that name the person go too: a replay or a rebuild from the outbox's window would
    # bring the person back into every consumer's replicas.
    await session.execute(
        delete(outbox).where(
            outbox.c.school_id == school_id,
            outbox.c.sent_at.is_not(None),
            cast(outbox.c.envelope, Text).contains(str(person_id)),
        )
    )
    await session.execute(insert(destructions).values(run_id=run_id, school_id=school_id, removed=dict(removed)))
    return dict(removed)


def administrator(school_id: UUID, caller: CallerDep) -> Caller:
    """Only the school's administrator or the region's confirms a destruction (the gateway calls as them)."""
    if not (caller.has_role(school_id, "school_admin") or "region_admin" in caller.region_roles):
        raise Forbidden("Уничтожать персональные данные может только администратор школы или региона.")
    return caller


class HeldQuery(BaseModel):
    #: None: everyone the service holds data of in the school.
    person_ids: list[UUID] | None = None


class HeldOut(BaseModel):
    person_id: UUID
    rows: dict[str, int]
    may_go_from: date | None


class DestroyIn(BaseModel):
    person_id: UUID
    #: The day the administrator confirmed: every term must be over by it.
    as_of: date


class DestroyOut(BaseModel):
    removed: dict[str, int]


def retention_router(holdings: list[Holding]) -> APIRouter:
    """The two internal routes over a service's holdings (children before parents, for foreign keys)."""
    router = APIRouter(prefix="/internal/retention/schools/{school_id}", tags=["retention"])
    Admin = Annotated[Caller, Depends(administrator)]

    @router.post("/held", response_model=list[HeldOut])
    async def held_route(school_id: UUID, body: HeldQuery, _: Admin, request: Request, today: SchoolToday):
        async with database(request).transaction(Tenant(school_id=school_id)) as session:
            return [vars(h) for h in await held(session, holdings, body.person_ids, today)]

    @router.put("/destructions/{run_id}", response_model=DestroyOut)
    async def destroy_route(
        school_id: UUID, run_id: UUID, body: DestroyIn, _: Admin, request: Request, today: SchoolToday
    ):
        async with database(request).transaction(Tenant(school_id=school_id)) as session:
            removed = await destroy(
                session,
                holdings,
                run_id=run_id,
                school_id=school_id,
                person_id=body.person_id,
                as_of=body.as_of,
                today=today,
            )
        return {"removed": removed}

    return router
