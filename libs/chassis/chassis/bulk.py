"""Many rows of one table in one statement: ``INSERT … SELECT … FROM unnest(…)``, each column's values one array.

For writes of thousands of rows (an import's chunk, its outbox rows). ORM objects cost most of an import's CPU
(an object, its attribute events and the unit of work per row), and SQLAlchemy's multi-row insert renders a
parameter per value and a statement text per batch size. Here each column is one array parameter that asyncpg
encodes in binary, and the statement's text depends on the columns only, so it is prepared once per connection.
JSON and array columns travel as JSON text, turned back into their type by PostgreSQL.
"""

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, JSON, Row, Table, text
from sqlalchemy.ext.asyncio import AsyncSession


def unnest_insert(table: Table, columns: Sequence[str], constant: Collection[str], dialect: Any) -> str:
    """The statement for ``columns`` of ``table``: an array parameter per column, or one value for a ``constant`` one,
    each named as its column."""
    quote = dialect.identifier_preparer.quote
    params, values = [], []
    for name in columns:
        column = table.c[name]
        kind = column.type.compile(dialect=dialect)
        if isinstance(column.type, JSON | ARRAY):
            # JSON and arrays come as JSON text (unnest would flatten an array of arrays).
            value = f"CAST(:{name} AS text)" if name in constant else f"u.{quote(name)}"
            if isinstance(column.type, JSON):
                values.append(f"CAST({value} AS {kind})")
            else:
                values.append(f"CAST(ARRAY(SELECT jsonb_array_elements_text(CAST({value} AS jsonb))) AS {kind})")
            if name not in constant:
                params.append((name, f"CAST(:{name} AS text[])"))
        elif name in constant:
            values.append(f"CAST(:{name} AS {kind})")
        else:
            params.append((name, f"CAST(:{name} AS {kind}[])"))
            values.append(f"u.{quote(name)}")
    unnested = ", ".join(quote(name) for name, _ in params)
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in columns)}) SELECT {', '.join(values)} "
        f"FROM unnest({', '.join(param for _, param in params)}) AS u({unnested})"
    )


async def insert_rows(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    skip_conflicts_on: Sequence[str] = (),
    returning: Sequence[str] = (),
) -> list[Row]:
    """Insert ``rows`` (dicts with the same keys) in one statement; columns left out take their server defaults.

    A column with one value in every row (the school, the time of the change) goes as that value, not an array.
    Python-side defaults (``default=uuid4``) do not apply: the caller gives every value it wants. A row that would
    repeat the unique key ``skip_conflicts_on`` is left out; the ``returning`` columns of the rows written come back.
    """
    if not rows:
        return []
    columns = list(rows[0])
    params: dict[str, Any] = {}
    constant = set()
    for name in columns:
        values = [row[name] for row in rows]
        # ``count`` compares by identity first: the same object in every row costs no comparison.
        if values[-1] == values[0] and values.count(values[0]) == len(values):
            constant.add(name)
            values = values[:1]
        if isinstance(table.c[name].type, JSON | ARRAY):
            values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        params[name] = values[0] if name in constant else values
    if len(constant) == len(columns):
        # unnest needs one array: the first column's, repeated.
        constant.discard(columns[0])
        params[columns[0]] = [params[columns[0]]] * len(rows)
    dialect = session.get_bind().dialect
    statement = unnest_insert(table, columns, constant, dialect)
    quoted = lambda names: ", ".join(map(dialect.identifier_preparer.quote, names))  # noqa: E731
    if skip_conflicts_on:
        statement += f" ON CONFLICT ({quoted(skip_conflicts_on)}) DO NOTHING"
    if returning:
        statement += f" RETURNING {quoted(returning)}"
    result = await session.execute(text(statement), params)
    return list(result.all()) if returning else []
