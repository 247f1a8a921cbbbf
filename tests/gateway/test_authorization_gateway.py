"""The authorization matrix run against the gateway's own ``/api/v1`` routes (privacy, destruction, the access log,
local logins, compromise, «me», the e-mail's unsubscribe link): every role signs in with a session of its own, on
the one gateway stack of ``conftest.py``, and gets what its row says; a refused write writes nothing. ``RUN`` is
every gateway row: a new route has a row (``test_authorization_matrix.py``) and so is run here.

The people, roles and objects are written straight to the gateway's tables (its replica of roster's people),
as the accounts consumer would: a session per role without an ESIA login each keeps the run short.
"""

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import select

from chassis import testing
from chassis.auth import Caller, TokenSigner
from chassis.tenancy import SYSTEM, Tenant
from chassis.testing import running_app, verifier_for
from devstack.authorization_matrix import REGION_ROLES, ROLES, ROWS, SIGNED_LINKS, Reach, Row, Scope
from devstack.matrix_runner import (
    HOME_MUNICIPALITY,
    SCHOOL_ROLES,
    DatabaseState,
    Objects,
    World,
    path_names,
    row_id,
    run_row,
    uses,
)
from gateway import compromise, local_logins
from gateway.accounts import grant_region_role
from gateway.domain.sessions import COOKIE, CSRF_HEADER
from gateway.models import Guardianship, Person, School, SchoolRole
from gateway.models import Session as GatewaySession
from gateway.privacy.models import BreachIncident, SubjectRequest
from gateway.sessions import open_session
from gateway.upstream import Upstreams
from notifications.domain import unsubscribe
from notifications.main import build_app as build_notifications
from notifications.models import NotificationPreference
from notifications.settings import NotificationsSettings

from .conftest import QUEUE_PREFIX, Stack

NOW = datetime.now(UTC)
SINCE = (NOW - timedelta(days=1)).isoformat()

REQUESTS = {
    "POST /api/v1/local-logins": uses("person_id")(lambda v: {"json": {"person_id": str(v["person_id"])}}),
    "POST /api/v1/compromise": uses("person_id")(
        lambda v: {"json": {"person_id": str(v["person_id"]), "since": SINCE}}
    ),
    "POST /api/v1/privacy/schools/{school_id}/requests/{request_id}/answer": lambda _: {
        "json": {"outcome": "refused", "text": "Сведения в карточке верны."}
    },
    # No operation chosen: the journal is not called (the revert itself: tests/gateway/test_compromise_revert.py).
    "POST /api/v1/compromise/{person_id}/revert": lambda _: {"json": {"operations": []}},
    "POST /api/v1/destruction/schools/{school_id}/runs": uses("person_id")(
        lambda v: {"json": {"person_id": str(v["person_id"])}}
    ),
    "POST /api/v1/privacy/requests": lambda _: {
        "json": {"kind": "correction", "field": "middle_name", "value": "Павлович"}
    },
    "POST /api/v1/privacy/schools/{school_id}/breaches": lambda _: {
        "json": {"detected_at": NOW.isoformat(), "description": "Пароль учителя записан на доске в кабинете."}
    },
}
#: The objects a let-through call spends: an issued or revoked login, a lifted block, an answered request.
FRESH = {
    "POST /api/v1/local-logins": frozenset({"person_id"}),
    "DELETE /api/v1/local-logins/{person_id}": frozenset({"person_id"}),
    "POST /api/v1/compromise": frozenset({"person_id"}),
    "DELETE /api/v1/compromise/{person_id}": frozenset({"person_id"}),
    "POST /api/v1/privacy/schools/{school_id}/requests/{request_id}/answer": frozenset({"request_id"}),
}
#: Routes that call the services for what they answer (the journal's services are not run beside this stack):
#: their refusals are decided before any call and are run; a let-through call is covered by their own tests
#: (tests/e2e/test_destruction_run.py, test_personal_data_requests.py, tests/gateway/test_diary.py).
NEEDS_SERVICES = {
    "GET /api/v1/diary/{student_id}",
    "GET /api/v1/destruction/schools/{school_id}/proposals",
    "POST /api/v1/destruction/schools/{school_id}/runs",
    "POST /api/v1/destruction/schools/{school_id}/runs/{run_id}/retry",
    "GET /api/v1/destruction/schools/{school_id}/runs/{run_id}/act.pdf",
    "GET /api/v1/diary",
}
#: Reporting one's own account: its «own» is the caller, whose sessions end with it.
ONESELF = {"POST /api/v1/compromise"}
RUN = [r for r in ROWS if r.service == "gateway"]
#: The e-mail's unsubscribe link: no session, the link's signature is its authority; it runs with notifications
#: behind the gateway (``links_world``).
LINKS = [r for r in RUN if r.path.removeprefix("/api/v1/notifications") in SIGNED_LINKS]
SESSIONS = [r for r in RUN if r not in LINKS]


async def _person(
    session, school_id: UUID, *roles: str, esia_oid: str | None = None, birth_date: date | None = None
) -> UUID:
    person_id = uuid4()
    session.add(
        Person(
            person_id=person_id,
            school_id=school_id,
            last_name="Проверкин",
            first_name="Пётр",
            middle_name="Петрович",
            esia_oid=esia_oid,
            birth_date=birth_date,
        )
    )
    session.add_all(SchoolRole(person_id=person_id, school_id=school_id, role=role) for role in roles)
    await session.flush()
    return person_id


def _admin_of(school_id: UUID) -> Caller:
    return Caller(person_id=uuid4(), name="Администратор", school_roles=frozenset({(school_id, "school_admin")}))


@pytest.fixture(scope="module")
async def gateway_world(stack: Stack, settings) -> AsyncIterator[tuple[httpx.AsyncClient, World]]:
    db = stack.gateway.state.db
    home, away = uuid4(), uuid4()
    sign_in: dict[str, dict[str, str]] = {}
    callers: dict[str, Caller] = {}
    async with db.transaction(SYSTEM) as session:
        for school_id, municipality in ((home, HOME_MUNICIPALITY), (away, uuid4())):
            session.add(School(school_id=school_id, name="Школа", short_name="Школа", municipality_id=municipality))
        await session.flush()
        people: dict[str, UUID] = {}
        for role in ROLES:
            oid = f"matrix-{uuid4().hex[:12]}"
            if role in (*REGION_ROLES, "municipal_admin"):
                municipality = HOME_MUNICIPALITY if role == "municipal_admin" else None
                person_id = await grant_region_role(
                    session, esia_oid=oid, role=role, name="Проверка", municipality_id=municipality
                )
            else:
                # The student is of age: under 18 a parent asks about their data (152-ФЗ), not they.
                adult = date(2000, 1, 1) if role == "student" else None
                person_id = await _person(session, home, *SCHOOL_ROLES[role], esia_oid=oid, birth_date=adult)
            people[role] = person_id
            opened = await open_session(session, person_id, oid, stack.settings.session_ttl_hours)
            sign_in[role] = {"cookie": f"{COOKIE}={opened.token}"}
        # The parent's child is the student (another's child is a pupil made per case).
        session.add(Guardianship(guardian_id=people["parent"], student_id=people["student"], school_id=home))
        await session.flush()
        tokens = {
            s.person_id: s.csrf_token
            for s in await session.scalars(select(GatewaySession).where(GatewaySession.person_id.in_(people.values())))
        }
    for role, person_id in people.items():
        sign_in[role][CSRF_HEADER] = tokens[person_id]
        callers[role] = Caller(person_id=person_id, name=role)

    async def pupil(school_id: UUID) -> UUID:
        async with db.transaction(SYSTEM) as session:
            return await _person(session, school_id, "student")

    async def with_login(school_id: UUID) -> UUID:
        person_id = await pupil(school_id)
        async with db.transaction(SYSTEM) as session:
            await local_logins.issue(session, _admin_of(school_id), person_id)
        return person_id

    async def reported(school_id: UUID) -> UUID:
        person_id = await pupil(school_id)
        async with db.transaction(SYSTEM) as session:
            await compromise.report(session, _admin_of(school_id), person_id, NOW - timedelta(days=1))
        return person_id

    async def subject_request(school_id: UUID, requester: UUID) -> UUID:
        async with db.transaction(SYSTEM) as session:
            made = SubjectRequest(
                school_id=school_id,
                requester_id=requester,
                requester_name="Проверкин Пётр",
                kind="correction",
                subject_id=requester,
                subject_name="Проверкин Пётр",
                field="middle_name",
                wanted="Павлович",
                received_on=NOW.date(),
                deadline=NOW.date() + timedelta(days=10),
                status="open",
                owner="roster",
            )
            session.add(made)
            await session.flush()
            request_id = made.id
        await stack.gateway.state.files.put(f"privacy/{request_id}/vypiska.json", b"{}")
        return request_id

    async def incident(school_id: UUID) -> UUID:
        async with db.transaction(SYSTEM) as session:
            made = BreachIncident(
                school_id=school_id,
                detected_at=NOW,
                description="Пароль записан на доске.",
                recorded_by=uuid4(),
                recorded_by_name="Проверка",
            )
            session.add(made)
            await session.flush()
            return made.id

    def objects(school_id: UUID, requester, student) -> Objects:
        return Objects(
            school_id,
            {
                "person_id": lambda: with_login(school_id),
                "request_id": lambda: requester(school_id),
                "incident_id": lambda: incident(school_id),
                "run_id": uuid4(),
                "kind": "json",
                "student_id": student,
            },
        )

    async def own_request(school_id: UUID) -> UUID:
        return await subject_request(school_id, people["parent"])

    async def students_request(school_id: UUID) -> UUID:
        return await subject_request(school_id, people["student"])

    async def others_request(school_id: UUID) -> UUID:
        return await subject_request(school_id, await pupil(school_id))

    scopes = {
        Scope.OWN: objects(home, own_request, people["student"]),
        Scope.SAME_SCHOOL_OTHER: objects(home, others_request, lambda: pupil(home)),
        Scope.OTHER_SCHOOL: objects(away, others_request, lambda: pupil(away)),
    }
    reports = {
        scope: Objects(o.school_id, {"person_id": lambda o=o: reported(o.school_id)}) for scope, o in scopes.items()
    }
    fresh_pupils = {
        scope: Objects(o.school_id, {"person_id": lambda o=o: pupil(o.school_id)}) for scope, o in scopes.items()
    }
    async with DatabaseState(settings.database_url, ignore=frozenset({"access_log", "sessions"})) as state:
        client = stack.browser()
        world = World(
            callers=callers,
            scopes=scopes,
            requests=REQUESTS,
            fresh=FRESH,
            state=state,
            sign_in=sign_in,
            own_of={"student": objects(home, students_request, people["student"])},
            route_scopes={
                "GET /api/v1/compromise/{person_id}/operations": reports,
                "POST /api/v1/compromise/{person_id}/revert": reports,
                "DELETE /api/v1/compromise/{person_id}": reports,
                "POST /api/v1/compromise": fresh_pupils,
                "POST /api/v1/local-logins": fresh_pupils,
            },
        )
        async with client:
            yield client, world


def skip(row: Row, role: str, scope: Scope) -> str | None:
    route = f"{row.method} {row.path}"
    if route in NEEDS_SERVICES and row.expected(role, scope):
        return "let through, it calls the journal's services"
    if scope is Scope.OTHER_SCHOOL and not path_names(row.path) and not getattr(REQUESTS.get(route), "names", ()):
        return "about the caller alone («me», my requests): another school's is the same request"
    if route in ONESELF and row.reach.get(role) is Reach.OWN and row.expected(role, scope):
        return "about oneself: it ends the caller's own sessions (tests/gateway/test_security.py reports oneself)"
    return None


#: Found by the matrix, each a finding in docs/security.md.
GAPS: set[tuple[str, str, Scope]] = set()


@pytest.mark.parametrize("row", SESSIONS, ids=row_id)
async def test_the_gateway_answers_as_the_domain_says(gateway_world, row):
    client, world = gateway_world
    await run_row(client, None, world, row, skip, GAPS)


#: Opened from a mail client, with no session: the cookie a browser may hold is not sent.
NO_SESSION = {f"{r.method} {r.path}": (lambda _: {"headers": {"cookie": ""}}) for r in LINKS}


@pytest.fixture(scope="module")
async def links_world(
    gateway_world, token_signer: TokenSigner, tmp_path_factory
) -> AsyncIterator[tuple[httpx.AsyncClient, World, httpx.AsyncClient]]:
    """Notifications behind the gateway, each role holding a link signed for them by it and subscribed to what the
    link stops; «another's» is a link not signed by the service. The tables compared are notifications'."""
    client, sessions = gateway_world
    settings = testing.test_settings(
        NotificationsSettings,
        database_url=testing.test_database_url("gateway_notifications"),
        queue_prefix=QUEUE_PREFIX,
        keys_dir=tmp_path_factory.mktemp("gateway-notification-keys"),
    )
    app = build_notifications(settings, verifier_for(token_signer))
    home = sessions.scopes[Scope.OWN].school_id

    def link(person_id: UUID, secret: bytes) -> str:
        return unsubscribe.sign(unsubscribe.Unsubscribe(home, person_id, "mark", "email"), secret)

    @uses("person_id")
    async def subscribed(values: dict) -> None:
        """What the link stops is chosen again before each unsubscribing: the call changes something."""
        async with app.state.db.transaction(Tenant(school_id=home)) as session:
            await session.merge(
                NotificationPreference(school_id=home, person_id=values["person_id"], channels={"mark": ["email"]})
            )

    async with (
        running_app(app, settings) as notifications,
        DatabaseState(settings.database_url) as state,
    ):
        secret = app.state.keys.link_secret
        yield (
            client,
            World(
                callers=sessions.callers,
                scopes={
                    scope: Objects(home, {"token": link(uuid4(), os.urandom(32))})
                    for scope in (Scope.OWN, Scope.SAME_SCHOOL_OTHER)
                },
                own_of={
                    role: Objects(home, {"token": link(who.person_id, secret), "person_id": who.person_id})
                    for role, who in sessions.callers.items()
                },
                requests=NO_SESSION,
                state=state,
                sign_in=sessions.sign_in,
                before={f"POST {r.path}": subscribed for r in LINKS if r.method == "POST"},
            ),
            notifications,
        )


@pytest.fixture
def notifications_behind_gateway(stack: Stack, links_world) -> Iterator[None]:
    """The gateway's calls to notifications go to this module's notifications for one test only: the matrix's
    other rows, run between in random order, keep the gateway's own services."""
    saved = stack.gateway.state.upstreams
    stack.gateway.state.upstreams = Upstreams(saved.settings, saved.tokens, {"notifications": links_world[2]})
    try:
        yield
    finally:
        stack.gateway.state.upstreams = saved


def link_skip(row: Row, role: str, scope: Scope) -> str | None:
    if scope is Scope.OTHER_SCHOOL:
        return "no school in the path: the signed link names its school, «another school» is no other request"
    return None


@pytest.mark.parametrize("row", LINKS, ids=row_id)
async def test_the_unsubscribe_link_answers_its_holder_alone(links_world, notifications_behind_gateway, row):
    client, world, _ = links_world
    await run_row(client, None, world, row, link_skip, set())
