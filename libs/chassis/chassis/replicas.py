"""Replica rows: what a consumer keeps of another service's data, written idempotently.

A consumer stores what each event carries as an upsert, so a repeated or reordered event
leaves the same rows. This is the one way to write such a row.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def upsert(
    session: AsyncSession,
    model: type,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    only_if: Callable[[Any], ColumnElement[bool]] | None = None,
) -> None:
    """Insert the row ``key`` + ``values``, or set ``values`` on the stored row with that ``key``.

    ``key`` names exactly the columns of the table's primary key or a unique constraint.
    ``only_if`` receives the incoming row (``excluded``) and returns a condition on the stored
    one, e.g. ``lambda new: Lesson.version < new.version``: the update happens only when it holds.
    """
    await upsert_many(session, model, [(key, values)], only_if=only_if)


async def upsert_many(
    session: AsyncSession,
    model: type,
    rows: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    only_if: Callable[[Any], ColumnElement[bool]] | None = None,
) -> None:
    """``upsert`` of many ``(key, values)`` rows, one statement for all, as if upserted one by one in their order.

    PostgreSQL lets one statement touch a row once only, so a key seen again starts the next statement.
    """
    chunk: list[dict[str, Any]] = []
    keys: set[tuple] = set()
    for key, values in rows:
        if tuple(key.values()) in keys:
            await _upsert_rows(session, model, chunk, list(key), only_if)
            chunk, keys = [], set()
        chunk.append({**key, **values})
        keys.add(tuple(key.values()))
    if chunk:
        await _upsert_rows(session, model, chunk, list(rows[0][0]), only_if)


async def _upsert_rows(
    session: AsyncSession,
    model: type,
    rows: list[dict[str, Any]],
    key: list[str],
    only_if: Callable[[Any], ColumnElement[bool]] | None,
) -> None:
    statement = insert(model).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=key,
            set_={name: statement.excluded[name] for name in rows[0] if name not in key},
            where=only_if(statement.excluded) if only_if else None,
        )
    )


def newer(stored: Any, new: Any, *, legacy_clock: str | None = None) -> ColumnElement[bool]:
    """The ``only_if`` of a versioned replica: the incoming row carries a higher aggregate version.

    Events sent before their contract had a version carry 0; between two such rows only, the
    ``legacy_clock`` column (the producer's time) still decides, as it did before.
    """
    condition = stored.version < new.version
    if legacy_clock is not None:
        older = getattr(stored, legacy_clock) < getattr(new, legacy_clock)
        condition = condition | ((new.version == 0) & (stored.version == 0) & older)
    return condition


async def insert_once(
    session: AsyncSession, model: type, key: Mapping[str, Any], values: Mapping[str, Any] | None = None
) -> None:
    """Insert the row ``key`` + ``values`` unless a row with that ``key`` is stored already."""
    statement = insert(model).values(**key, **(values or {}))
    await session.execute(statement.on_conflict_do_nothing(index_elements=list(key)))
