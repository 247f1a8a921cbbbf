"""Running the authorization matrix's rows against a service: the callers of every role, the objects of each
scope, and the assertion of the answer (``authorization_matrix.py``).

A *world* is two schools built once per service through the service's API and the events it consumes:
in the callers' school the objects that are each role's own (the course the teacher teaches, the class the
class teacher leads, the student and the parent's child) and the same kinds of objects of someone else;
in another school the same again. A case fills the route's path (and body) from the scope's objects,
calls as the role, and expects what the row says: let through (an answer below 400) or refused (a 403 or
404 problem — 404 where the object's existence must not show).
"""

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx

from chassis.auth import Caller, TokenSigner
from chassis.settings import ServiceSettings
from chassis.testing import TEST_TODAY, auth_headers, eventually
from devstack.authorization_matrix import REGION_ROLES, ROLES, Row, Scope

#: How each role of the matrix is held in a school's token. A substitute is a teacher of the school;
#: a class teacher is also a teacher (of some course); a former parent holds nothing any more (R-4).
SCHOOL_ROLES: dict[str, tuple[str, ...]] = {
    "teacher": ("teacher",),
    "substitute": ("teacher",),
    "class_teacher": ("teacher", "class_teacher"),
    "secretary": ("secretary",),
    "parent": ("guardian",),
    "former_parent": (),
    "student": ("student",),
    "school_admin": ("school_admin",),
    "director": ("director",),
    "deputy": ("deputy",),
}

#: A value of a path parameter or a body: fixed, or made fresh for the case (a DELETE spends its object).
Value = Any
Maker = Callable[[], Awaitable[Value]]


#: The municipality of the callers' school: the municipal administrator's (the other school is of another).
HOME_MUNICIPALITY = UUID("6d1f3c0e-5a8b-4c57-9a43-1b2c3d4e5f60")


def caller(role: str, school_id: UUID, person_id: UUID | None = None) -> Caller:
    if role == "municipal_admin":
        return Caller(
            person_id=uuid4(),
            name=role,
            region_roles=frozenset({role}),
            municipality_id=HOME_MUNICIPALITY,
            municipal_schools=frozenset({school_id}),
        )
    if role in REGION_ROLES:
        return Caller(person_id=uuid4(), name=role, region_roles=frozenset({role}))
    roles = frozenset((school_id, r) for r in SCHOOL_ROLES[role])
    return Caller(person_id=person_id or uuid4(), name=role, school_roles=roles)


@dataclass
class Objects:
    """The path parameters (and anything a body names) of one scope; a callable value is made per case."""

    school_id: UUID
    values: dict[str, Value | Maker] = field(default_factory=dict)
    _made: dict[str, Value] = field(default_factory=dict)

    async def resolve(self, names: set[str], fresh: frozenset[str] = frozenset()) -> dict[str, Value]:
        """The values of ``names``; a made one is made once and reused, unless it is ``fresh`` (spent by the call)."""
        resolved: dict[str, Value] = {"school_id": self.school_id}
        for name in (names - {"school_id"}) & set(self.values):
            value = self.values[name]
            if not callable(value):
                resolved[name] = value
            elif name in fresh:
                resolved[name] = await value()
            else:
                if name not in self._made:
                    self._made[name] = await value()
                resolved[name] = self._made[name]
        return resolved


@dataclass
class World:
    """The callers of the home school and the objects of each scope."""

    callers: dict[str, Caller]
    scopes: dict[Scope, Objects]
    #: Per route (METHOD path): the request's body or query from the scope's resolved values.
    requests: Mapping[str, Callable[[dict[str, Value]], dict[str, Any]]] = field(default_factory=dict)
    #: Per route: the objects its call spends or changes for the next (a withdrawn absence, a rewritten
    #: column), made fresh for each case.
    fresh: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: A role whose own objects are not the scope's usual ones (the substitute's: the lesson they gave).
    own_of: dict[str, Objects] = field(default_factory=dict)
    #: The service's stored state, compared around every refused write: a refusal writes nothing.
    state: "DatabaseState | None" = None
    #: Per route: objects of its own instead of the scopes' (a period's close locks its course, so the
    #: period routes work on courses of their own).
    route_scopes: Mapping[str, dict[Scope, Objects]] = field(default_factory=dict)
    #: Per route: what must hold before each call, from the resolved values (a period open for its marks,
    #: closed for its reopening) — the route's cases run in any order after the other rows'.
    before: Mapping[str, Callable[[dict[str, Value]], Awaitable[None]]] = field(default_factory=dict)
    #: Per role: how it signs in when not by the internal token of ``callers`` (the gateway's session cookie
    #: and its CSRF token).
    sign_in: Mapping[str, dict[str, str]] = field(default_factory=dict)

    def objects(self, role: str, scope: Scope, route: str = "") -> Objects:
        if route in self.route_scopes:
            return self.route_scopes[route][scope]
        return self.own_of.get(role, self.scopes[scope]) if scope is Scope.OWN else self.scopes[scope]


def path_names(path: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", path))  # a segment's part too: ``export.{kind}``


def is_list(row: Row) -> bool:
    """A read of the school alone: «another's» is not an object there but the rows a list leaves out."""
    return row.method == "GET" and path_names(row.path) <= {"school_id"}


def one_scope(row: Row, world: "World") -> bool:
    """A route about no object (a list, a new school, a new class): «own» and «another's» are one request."""
    request = world.requests.get(f"{row.method} {row.path}")
    return is_list(row) or (path_names(row.path) <= {"school_id"} and not getattr(request, "names", ()))


async def run_case(
    client: httpx.AsyncClient, signer: TokenSigner, world: World, row: Row, role: str, scope: Scope
) -> str | None:
    """Call ``row``'s route as ``role`` on ``scope``'s objects; what is wrong with the answer, or None."""
    route = f"{row.method} {row.path}"
    names = path_names(row.path) | _named_in_request(world, row)
    allowed = row.expected(role, scope)
    # Only a call let through spends its object or needs its state; a refused one may use what is there.
    fresh = world.fresh.get(route, frozenset()) if allowed else frozenset()
    values = await world.objects(role, scope, route).resolve(names, fresh)
    if allowed and route in world.before:
        await world.before[route](values)
    extra = world.requests.get(route, lambda _: {})(values)
    watch = world.state is not None and row.method != "GET" and not allowed
    before = await world.state() if watch else None
    answer = await client.request(
        row.method,
        row.path.format(**values),
        headers=(world.sign_in.get(role) or auth_headers(signer, world.callers[role])) | extra.pop("headers", {}),
        **extra,
    )
    if allowed:
        if answer.status_code >= 400:
            return f"{role} on {scope.value}: expected through, got {answer.status_code} {answer.text[:300]}"
    elif is_list(row) and answer.status_code == 200 and answer.json() == []:
        return None  # a list of one's own («my» children) with nothing in it reveals nothing
    elif answer.status_code not in (403, 404) or answer.headers["content-type"] != "application/problem+json":
        return f"{role} on {scope.value}: expected refused, got {answer.status_code} {answer.text[:300]}"
    elif watch and (after := await world.state()) != before:
        changed = sorted(table for table in after if after[table] != before.get(table))
        return f"{role} on {scope.value}: refused ({answer.status_code}) but wrote to {changed}"
    return None


async def a_run_id() -> UUID:
    """A destruction run of its own (``chassis.destruction``)."""
    return uuid4()


#: The internal destruction routes every service mounts (``chassis.destruction``) as the gateway calls them, about
#: nobody's data: a case let through removes nothing. The scopes' objects name a ``run_id`` (``a_run_id``).
RETENTION_REQUESTS = {
    "POST /internal/retention/schools/{school_id}/held": lambda _: {"json": {"person_ids": [str(uuid4())]}},
    "PUT /internal/retention/schools/{school_id}/destructions/{run_id}": lambda _: {
        "json": {"person_id": str(uuid4()), "as_of": TEST_TODAY.isoformat()}
    },
}


#: The settled query's row among the tables' (no table's name has a space).
SETTLED = " settled"


class DatabaseState:
    """Every table of a service's database as (rows, the newest row version), read past row-level security (the
    test server's superuser): any committed insert, update or delete of any school's rows changes it. The outbox
    counts by its sequence: the relay marks events sent on its own time."""

    def __init__(self, database_url: str, *, settled: str | None = None, ignore: frozenset[str] = frozenset()) -> None:
        self.database = database_url.rsplit("/", 1)[1]
        #: Tables every request writes, let through or not (the gateway's access log and sessions' last use).
        self.ignore = ignore
        #: A query true once the service's own background work (a report job let through) has finished.
        self.settled = settled
        self.connection: asyncpg.Connection | None = None
        self.query = ""

    async def __aenter__(self) -> "DatabaseState":
        self.connection = await asyncpg.connect(ServiceSettings().admin_database_url, database=self.database)
        tables = await self.connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        parts = []
        for (table,) in tables:
            if table in self.ignore:
                continue
            version = "max(seq)" if table == "outbox" else "max(xmin::text::bigint)"
            parts.append(f"SELECT '{table}', count(*) || '/' || coalesce({version}, 0) FROM \"{table}\"")
        if self.settled:
            # Read in the same round trip: the tables count only once the background work is done.
            parts.append(f"SELECT '{SETTLED}', ({self.settled})::text")
        self.query = " UNION ALL ".join(parts)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def __call__(self) -> dict[str, str]:
        assert self.connection is not None
        connection, query = self.connection, self.query

        async def read() -> dict[str, str] | None:
            tables = dict(await connection.fetch(query))
            return tables if tables.pop(SETTLED, "true") == "true" else None

        return await eventually(read)


async def run_row(
    client: httpx.AsyncClient,
    signer: TokenSigner,
    world: World,
    row: Row,
    skip: Callable[[Row, str, Scope], str | None],
    known_gaps: set[tuple[str, str, Scope]],
) -> None:
    """Every role × scope of ``row``; the wrong answers must be exactly the row's known gaps (each one a
    finding documented in docs/security.md), so a fixed gap or a new hole fails."""
    wrong: dict[tuple[str, Scope], str] = {}
    for role, scope in cases(row, skip, single=one_scope(row, world)):
        problem = await run_case(client, signer, world, row, role, scope)
        if problem:
            wrong[role, scope] = problem
    gaps = {(role, scope) for method_path, role, scope in known_gaps if method_path == f"{row.method} {row.path}"}
    unexpected = [problem for key, problem in wrong.items() if key not in gaps]
    assert not unexpected, "answers not as the matrix says:\n" + "\n".join(unexpected)
    assert gaps <= set(wrong), f"known gaps now answer as the matrix says, remove them: {gaps - set(wrong)}"


def _named_in_request(world: World, row: Row) -> set[str]:
    route = f"{row.method} {row.path}"
    makers = (world.requests.get(route), world.before.get(route))
    return {name for maker in makers for name in getattr(maker, "names", ())}


def uses(*names: str):
    """Mark a request maker (or a ``before`` step) with the scope's values it reads (made fresh if they are makers)."""

    def mark(maker):
        maker.names = names
        return maker

    return mark


def cases(row: Row, skip: Callable[[Row, str, Scope], str | None], *, single: bool) -> list[tuple[str, Scope]]:
    """Every (role, scope) of ``row`` a service can run; ``skip`` names why one cannot."""
    found = []
    for role in ROLES:
        for scope in Scope:
            if single and scope is Scope.SAME_SCHOOL_OTHER:
                continue  # the same request as «own»: a list filters, a new object is nobody's yet
            if skip(row, role, scope) is None:
                found.append((role, scope))
    return found


def row_id(row: Row) -> str:
    return f"{row.method} {row.path}"
