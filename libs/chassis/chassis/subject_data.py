"""A data subject's request (152-ФЗ art. 14, R-5): each service hands the gateway every row it holds about people.

Every service mounts ``personal_data_router`` (its module ``personal_data_export``) naming, per table, the
columns that hold a person's id. The gateway alone calls it, with an internal token of its own whose only
role is ``EXPORTER_ROLE``: no person is ever granted that role (a person's region roles are
``gateway.accounts.REGION_ROLES``), so the route answers no one through the gateway's proxy.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import MetaData, Table, or_, select

from chassis.auth import Caller
from chassis.deps import CallerDep, database
from chassis.problems import Forbidden
from chassis.tenancy import Tenant

#: The region role of the gateway's export token; never a person's.
EXPORTER_ROLE = "personal_data_export"
#: The id the export token carries as its subject.
EXPORTER_ID = uuid5(NAMESPACE_URL, "journal:gateway:personal-data-export")
#: People per call: a family is a parent and their children.
MAX_PEOPLE = 20


def exporter() -> Caller:
    """The caller the gateway signs its export calls as."""
    return Caller(person_id=EXPORTER_ID, name="Выгрузка персональных данных", region_roles=frozenset({EXPORTER_ROLE}))


def require_exporter(caller: CallerDep) -> Caller:
    """A dependency, so the refusal comes before anything in the request is read."""
    if EXPORTER_ROLE not in caller.region_roles:
        raise Forbidden("Выгрузку персональных данных запрашивает только шлюз по запросу субъекта.")
    return caller


def json_value(value: Any) -> Any:
    """A column's value as JSON keeps it: ids and decimals as text, dates and times in ISO form."""
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Through:
    """A table naming the person only through a parent row: its ``column`` holds the id of a ``parent`` row
    whose ``person`` column names them (a mark's change history through the mark)."""

    column: str
    parent: str
    person: str


#: Per table, what names a person in it: a column holding a person's id, or a ``Through``.
Holdings = Mapping[str, tuple[str | Through, ...]]


def checked_holdings(metadata: MetaData, holdings: Holdings) -> dict[str, tuple[str | Through, ...]]:
    """``holdings`` when every table and column it names exists: a renamed column fails at import, not in an export."""

    def exists(table: str, column: str) -> bool:
        return table in metadata.tables and column in metadata.tables[table].c

    for table, columns in holdings.items():
        if table not in metadata.tables:
            raise LookupError(f"personal data export: no table {table!r}")
        missing = [
            c
            for c in columns
            if not exists(table, c if isinstance(c, str) else c.column)
            or (isinstance(c, Through) and not exists(c.parent, c.person))
        ]
        if missing or not columns:
            raise LookupError(f"personal data export: {table!r} has no columns {missing!r}")
    return dict(holdings)


def _naming(metadata: MetaData, table: Table, column: str | Through, people: list[UUID]):
    """The condition on ``table`` picking the rows that ``column`` ties to one of ``people``."""
    if isinstance(column, str):
        return table.c[column].in_(people)
    parent = metadata.tables[column.parent]
    return table.c[column.column].in_(select(parent.c.id).where(parent.c[column.person].in_(people)))


def personal_data_router(metadata: MetaData, holdings: Holdings) -> APIRouter:
    """``GET /internal/schools/{school_id}/personal-data?person_id=…``: {table: [row, …]} of the school's rows in
    which one of the table's person columns names one of the people, each row whole, in primary-key order."""
    holdings = checked_holdings(metadata, holdings)
    router = APIRouter(prefix="/internal/schools/{school_id}", tags=["personal data"])

    @router.get("/personal-data")
    async def personal_data(
        school_id: UUID,
        _: Annotated[Caller, Depends(require_exporter)],
        request: Request,
        person_id: Annotated[list[UUID], Query(min_length=1, max_length=MAX_PEOPLE)],
    ) -> dict[str, list[dict[str, Any]]]:
        """152-ФЗ art. 14: everything this service holds about the people, for the gateway's export only."""
        found: dict[str, list[dict[str, Any]]] = {}
        async with database(request).transaction(Tenant(school_id=school_id)) as session:
            for name, columns in holdings.items():
                table = metadata.tables[name]
                rows = await session.execute(
                    select(table)
                    .where(or_(*(_naming(metadata, table, column, person_id) for column in columns)))
                    .order_by(*table.primary_key.columns)
                )
                found[name] = [{key: json_value(value) for key, value in row.items()} for row in rows.mappings()]
        return found

    return router
