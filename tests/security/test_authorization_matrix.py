"""The authorization matrix's generator: every route of every service's OpenAPI (and the gateway's API)
has a row, every row names a real route, and the rows keep DOMAIN.md's table (R-1).

Running each case against the services (route × role × scope, with the objects each scope needs)
is the next step; see docs/security.md, «Authorization matrix».
"""

import importlib

import pytest

from devstack.authorization_matrix import (
    OWN_INBOX_AND_SETTINGS,
    REGION_ROLES,
    ROLES,
    ROWS,
    SIGNED_LINKS,
    Reach,
    Scope,
    cases,
)

SERVICES = ("roster", "gradebook", "attendance", "notifications", "reporting")
METHODS = {"get", "post", "put", "patch", "delete"}
#: The platform's, not people's (they are not reachable through the gateway at all).
OPERATIONAL = {"/livez", "/readyz", "/metrics"}


def api_routes() -> set[tuple[str, str, str]]:
    """(service, METHOD, path) of every route in the services' OpenAPI and the gateway's ``/api/v1`` API."""
    routes = set()
    for service in SERVICES:
        for path, operations in importlib.import_module(f"{service}.main").app.openapi()["paths"].items():
            if path not in OPERATIONAL:
                routes |= {(service, method.upper(), path) for method in operations if method in METHODS}
    gateway = importlib.import_module("gateway.main").app.openapi()["paths"]
    for path, operations in gateway.items():
        # The proxy's catch-all is the services' routes above.
        if path.startswith("/api/v1/") and "{service}" not in path:
            routes |= {("gateway", method.upper(), path) for method in operations if method in METHODS}
    return routes


def test_every_route_has_a_row_and_every_row_a_route():
    rows = {(r.service, r.method, r.path) for r in ROWS}
    routes = api_routes()
    assert sorted(routes - rows) == [], "routes without a row in deploy/local/devstack/authorization_matrix.py"
    assert sorted(rows - routes) == [], "rows of routes that no longer exist"
    assert len(rows) == len(ROWS), "a route has two rows"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.service}{r.path}")
def test_rows_keep_the_domains_roles_table(row):
    writes = row.method != "GET"
    # R-1, §1: the inspector and the director read only; a former parent reaches nothing.
    if writes and row.service != "gateway" and row.path not in OWN_INBOX_AND_SETTINGS:
        assert row.reach.get("inspector", Reach.NONE) is Reach.NONE
        assert row.reach.get("director", Reach.NONE) is Reach.NONE
    if row.path in OWN_INBOX_AND_SETTINGS:  # one's own, never anyone else's
        assert set(row.reach.values()) <= {Reach.OWN, Reach.NONE}
    # The gateway's rows are about oneself («me», one's own compromise); a signed link about its holder.
    if row.service != "gateway" and row.path not in SIGNED_LINKS:
        assert row.reach.get("former_parent", Reach.NONE) is Reach.NONE
    # A family never reaches beyond its own.
    for family in ("parent", "student"):
        assert row.reach.get(family, Reach.NONE) is not Reach.ALL
    assert set(row.reach) <= set(ROLES)


def test_the_cases_cover_every_row_role_and_scope_with_other_schools_closed():
    generated = cases()
    assert len(generated) == len(ROWS) * len(ROLES) * len(Scope)
    for row, role, scope, allowed in generated:
        if scope is Scope.OTHER_SCHOOL and role not in REGION_ROLES:
            assert not allowed, (row.path, role)
