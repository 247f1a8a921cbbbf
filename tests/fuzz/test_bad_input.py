"""Bad input never gets a 500: every operation of every service, each field and parameter spoiled in turn.

The cases come from each app's own OpenAPI document: for every path parameter, query
parameter and body field, the request is sent with all else valid (ids of things that
exist) and that one value replaced by something nasty — not a UUID, a NUL byte, a string
past its column, an integer past bigint, a year 0 or 9999 date. Each answer must be below
500, an error must be problem+json, and a refused write must leave the outbox as it was.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import pytest

from .conftest import SERVICES, Service, World

WRITES = {"post", "put", "patch", "delete"}
#: Valid strings for body fields whose content the service checks.
VALID_TEXT = {
    "value": "5",
    "work_type": "answer",
    "reason": "ill",
    "role": "teacher",
    "academic_year": "2026/2027",
    "letter": "А",
    "relation": "мать",
    "snils": "112-233-445 95",
    "esia_oid": "1000001",
    "email_address": "parent@example.ru",
    "phone": "+79990000000",
}
NASTY_UUID_PATH = ["not-a-uuid", "%00", "0" * 40, "1", "%F0%9F%98%80", "x" * 5000]
NASTY_QUERY = [
    "",
    "%00",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "-1",
    "0",
    "99999999999999999999",
    "true",
    "x" * 5000,
]
#: Periods at the calendar's edges, for operations that take ``start`` and ``end``.
NASTY_PERIODS = [
    ("0001-01-01", "9999-12-31"),
    ("9999-12-31", "9999-12-31"),
    ("0001-01-01", "0001-01-01"),
    ("9999-12-31", "0001-01-01"),
]
NASTY_STRINGS: list[Any] = ["", "\u0000", "a\u0000b", "😀" * 10, " ", "x" * 100_000, 123, ["a"], {"a": 1}, None]
NASTY_UUIDS: list[Any] = ["not-a-uuid", "", "\u0000", str(uuid4()), 0, None]
NASTY_DATES: list[Any] = ["0000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "+10000-01-01", "\u0000", 20260101]
NASTY_INTEGERS: list[Any] = [0, -1, 10**20, -(10**20), 2**31, 2**63, 1.5, "7", "abc", True, None]
NASTY_BOOLEANS: list[Any] = ["maybe", 2, None, "\u0000"]
NASTY_BODIES: list[Any] = [None, [], "x", 123, {}]


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return {**option, "title": schema.get("title")}
    return schema


def _nasty(schema: dict) -> list[Any]:
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "string" and fmt == "uuid":
        return NASTY_UUIDS
    if kind == "string" and fmt == "date":
        return NASTY_DATES
    if kind == "string":
        longer = ["x" * (schema["maxLength"] + 1)] if "maxLength" in schema else []
        return NASTY_STRINGS + longer + (["bogus"] if "enum" in schema else [])
    if kind in ("integer", "number"):
        return NASTY_INTEGERS
    if kind == "boolean":
        return NASTY_BOOLEANS
    return [None]


@dataclass
class Case:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    label: str


class Operation:
    def __init__(self, spec: dict, path: str, method: str, op: dict, world: World) -> None:
        self.spec, self.path, self.method, self.world = spec, path, method, world
        self.params = op.get("parameters", [])
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        self.body_schema = _resolve(spec, content["schema"]) if content else None

    def valid(self, name: str, schema: dict) -> Any:
        if schema.get("format") == "uuid":
            if name == "school_id" and self.spec["info"]["title"].lower().startswith("roster"):
                return str(self.world.ids["roster_school_id"])
            return str(self.world.ids.get(name, uuid4()))
        if schema.get("format") == "date":
            return (self.world.today - timedelta(days=1) if name == "start" else self.world.today).isoformat()
        if schema.get("type") == "string":
            return schema["enum"][0] if "enum" in schema else VALID_TEXT.get(name, "Проверка")
        if schema.get("type") == "integer":
            return max(schema.get("minimum", 1), 1)
        if schema.get("type") == "boolean":
            return True
        return None

    def _base(self) -> tuple[dict[str, str], dict[str, str], dict[str, Any] | None]:
        path = {
            p["name"]: self.valid(p["name"], _resolve(self.spec, p["schema"])) for p in self.params if p["in"] == "path"
        }
        query = {
            p["name"]: str(self.valid(p["name"], _resolve(self.spec, p["schema"])))
            for p in self.params
            if p["in"] == "query"
        }
        body = None
        if self.body_schema is not None:
            props = self.body_schema.get("properties", {})
            body = {n: self.valid(n, _resolve(self.spec, s)) for n, s in props.items()}
        return path, query, body

    def cases(self) -> list[Case]:
        path, query, body = self._base()
        found: list[Case] = []

        def url(values: dict[str, str]) -> str:
            return self.path.format(**values)

        for p in self.params:
            name = p["name"]
            if p["in"] == "path":
                for bad in NASTY_UUID_PATH:
                    found.append(Case(self.method, url({**path, name: bad}), query, body, f"path {name}={bad[:20]!r}"))
            elif p["in"] == "query":
                for bad in NASTY_QUERY:
                    spoiled = {**query, name: bad.replace("%00", "\u0000")}
                    found.append(Case(self.method, url(path), spoiled, body, f"query {name}={bad[:20]!r}"))
        if {"start", "end"} <= query.keys():
            for start, end in NASTY_PERIODS:
                spoiled = {**query, "start": start, "end": end}
                found.append(Case(self.method, url(path), spoiled, body, f"period {start}..{end}"))
        if body is not None:
            for name, schema in self.body_schema.get("properties", {}).items():
                for bad in _nasty(_resolve(self.spec, schema)):
                    spoiled = {**body, name: bad}
                    found.append(Case(self.method, url(path), query, spoiled, f"body {name}={str(bad)[:20]!r}"))
            for bad in NASTY_BODIES:
                found.append(Case(self.method, url(path), query, bad, f"body={bad!r}"))
        return found


def _operations(service: Service) -> list[tuple[str, str, dict]]:
    spec = service.app.openapi()
    return [
        (path, method, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if path not in ("/livez", "/readyz")
    ]


async def _send(service: Service, world: World, case: Case) -> list[str]:
    writes = case.method in WRITES
    before = await service.outbox_rows() if writes else 0
    where = f"{case.method.upper()} {case.path[:80]} [{case.label}]"
    try:
        response = await service.client.request(
            case.method.upper(),
            quote(case.path, safe="/%"),
            params=case.query,
            content=None if case.body is None and case.method in ("get", "delete") else json.dumps(case.body),
            headers={**world.headers, "Content-Type": "application/json"},
        )
    except Exception as error:  # the app's 500 handler answers, and the ASGI transport re-raises
        return [f"{where} → 500: {error!r}"]
    where += f" → {response.status_code}"
    failures = []
    if response.status_code >= 500:
        failures.append(f"{where}: {response.text[:200]}")
    elif response.status_code >= 400:
        if not response.headers.get("content-type", "").startswith("application/problem+json"):
            failures.append(f"{where}: not problem+json ({response.headers.get('content-type')})")
        if writes and await service.outbox_rows() != before:
            failures.append(f"{where}: refused, yet the outbox grew")
    return failures


#: Each service's routes in this many tests (every third route), so a large service's grid fits a test's timeout.
SHARDS = 3


@pytest.mark.parametrize("shard", range(SHARDS))
@pytest.mark.parametrize("name", list(SERVICES))
async def test_bad_input_never_gets_a_server_error(
    name: str, shard: int, services: dict[str, Service], world: World
) -> None:
    service = services[name]
    spec = service.app.openapi()
    failures: list[str] = []
    sent = 0
    for path, method, op in _operations(service)[shard::SHARDS]:
        for case in Operation(spec, path, method, op, world).cases():
            failures += await _send(service, world, case)
            sent += 1
    assert sent > 10
    assert not failures, f"{len(failures)} of {sent} bad requests mishandled:\n" + "\n".join(failures)
