"""The authorization matrix run against a service: roster's school-level reads, every role, in its own
school and in another, answered as DOMAIN.md §1 expects (``authorization_matrix.py``).

Only routes whose one path parameter is the school run here: there «own» and «same school,
another's» are the same school, so a role whose reach is ``ALL`` must get 200, ``NONE`` a refusal,
and another school a refusal for every role but the region's. A role that reaches only its own
(``OWN``) may get a filtered list, so its answer is not asserted here. Routes about one object
(a class, a person, a lesson) need objects per scope: the next step of the matrix.
"""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from chassis import testing
from chassis.auth import Caller, TokenSigner
from chassis.testing import auth_headers, running_app, verifier_for
from roster.main import build_app
from roster.settings import RosterSettings

from .authorization_matrix import REGION_ROLES, ROWS, Reach, Row, Scope

#: How each role of the matrix is held in a school (roster knows no separate substitute role).
SCHOOL_ROLE = {
    "teacher": "teacher",
    "class_teacher": "class_teacher",
    "secretary": "secretary",
    "parent": "guardian",
    "student": "student",
    "school_admin": "school_admin",
    "director": "director",
    "deputy": "deputy",
}
#: A former parent holds no role in the school any more (R-4).
NO_ROLE = ("former_parent",)
SCHOOL_LEVEL = [r for r in ROWS if r.service == "roster" and r.method == "GET" and r.path.count("{") == 1]
ROLES = [*SCHOOL_ROLE, *NO_ROLE, *sorted(REGION_ROLES)]


def caller(role: str, school_id: UUID) -> Caller:
    if role in REGION_ROLES:
        return Caller(person_id=uuid4(), name=role, school_roles=frozenset(), region_roles=frozenset({role}))
    roles = frozenset({(school_id, SCHOOL_ROLE[role])}) if role in SCHOOL_ROLE else frozenset()
    return Caller(person_id=uuid4(), name=role, school_roles=roles)


@pytest.fixture(scope="module")
async def roster(token_signer: TokenSigner) -> AsyncIterator[tuple[httpx.AsyncClient, UUID, UUID]]:
    """Roster with two schools: the callers' own and another."""
    settings = testing.test_settings(RosterSettings, database_url=testing.test_database_url("security_roster"))
    app: FastAPI = build_app(settings, verifier_for(token_signer))
    async with running_app(app, settings) as client:
        region_admin = caller("region_admin", uuid4())
        schools = []
        for name in ("Школа № 1", "Школа № 2"):
            body = {"name": f"МБОУ «{name}»", "short_name": name, "municipality": "Энск"}
            created = await client.post("/schools", json=body, headers=auth_headers(token_signer, region_admin))
            assert created.status_code == 201, created.text
            schools.append(UUID(created.json()["id"]))
        yield client, schools[0], schools[1]


@pytest.mark.parametrize("row", SCHOOL_LEVEL, ids=lambda r: r.path)
@pytest.mark.parametrize("role", ROLES)
async def test_school_level_reads_answer_as_the_domain_says(roster, token_signer, row: Row, role: str):
    client, own_school, other_school = roster
    reach = row.reach.get(role, Reach.NONE)
    who = caller(role, own_school)
    for school_id, scope in ((own_school, Scope.OWN), (other_school, Scope.OTHER_SCHOOL)):
        if reach is Reach.OWN and scope is Scope.OWN:
            continue
        answer = await client.get(row.path.format(school_id=school_id), headers=auth_headers(token_signer, who))
        if row.expected(role, scope):
            assert answer.status_code == 200, (scope.value, answer.text)
        else:
            assert answer.status_code in (403, 404), (scope.value, answer.status_code)
            assert answer.headers["content-type"] == "application/problem+json"
