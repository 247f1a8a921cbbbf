"""Many rows of one table in one statement: ``INSERT … SELECT … FROM unnest(…)``, each column's values one array.

For writes of thousands of rows (an import's chunk, its outbox rows). ORM objects cost most of an import's CPU
(an object, its attribute events and the unit of work per row), and SQLAlchemy's multi-row insert renders a
parameter per value and a statement text per batch size. Here each column is one array parameter that asyncpg
encodes in binary, and the statement's text depends on the columns only, so it is prepared once per connection.
JSON and array columns travel as JSON text, turned back into their type by PostgreSQL.
"""

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, JSON, Table, text
from sqlalchemy.ext.asyncio import AsyncSession


def unnest_insert(table: Table, columns: Sequence[str], dialect: Any) -> str:
    """The statement for ``columns`` of ``table``: one array parameter per column, named as the column."""
    quote = dialect.identifier_preparer.quote
    params, values = [], []
    for name in columns:
        column = table.c[name]
        kind = column.type.compile(dialect=dialect)
        if isinstance(column.type, JSON):
            params.append(f"CAST(:{name} AS text[])")
            values.append(f"CAST(u.{quote(name)} AS {kind})")
        elif isinstance(column.type, ARRAY):
            # unnest would flatten an array of arrays: each row's array comes as its JSON text.
            params.append(f"CAST(:{name} AS text[])")
            values.append(f"CAST(ARRAY(SELECT jsonb_array_elements_text(CAST(u.{quote(name)} AS jsonb))) AS {kind})")
        else:
            params.append(f"CAST(:{name} AS {kind}[])")
            values.append(f"u.{quote(name)}")
    names = ", ".join(quote(name) for name in columns)
    return (
        f"INSERT INTO {quote(table.name)} ({names}) SELECT {', '.join(values)} "
        f"FROM unnest({', '.join(params)}) AS u({names})"
    )


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) in one statement; columns left out take their server defaults.

    Python-side defaults (``default=uuid4``) do not apply: the caller gives every value it wants.
    """
    if not rows:
        return
    columns = list(rows[0])
    arrays: dict[str, list[Any]] = {}
    for name in columns:
        values = [row[name] for row in rows]
        if isinstance(table.c[name].type, JSON | ARRAY):
            values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        arrays[name] = values
    statement = unnest_insert(table, columns, session.get_bind().dialect)
    await session.execute(text(statement), arrays)
