"""Replica writes on the real database: insert, update, keep, and update only when newer."""

from uuid import uuid4

from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.replicas import insert_once, upsert, upsert_many
from chassis.tenancy import SYSTEM
from chassis.testing import create_tables

from .conftest import Probe


class Base(DeclarativeBase):
    pass


class Copy(Base):
    __tablename__ = "probe_copies"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    version: Mapped[int] = mapped_column(Integer)


async def stored(probe: Probe, id_: str) -> tuple[str, int] | None:
    async with probe.app.state.db.transaction(SYSTEM) as session:
        row = (await session.execute(select(Copy.name, Copy.version).where(Copy.id == id_))).first()
        return tuple(row) if row else None


async def test_upsert_inserts_updates_and_keeps_newer_versions(probe_app: Probe):
    await create_tables(probe_app.settings, Base.metadata)
    db, id_ = probe_app.app.state.db, str(uuid4())
    newer = lambda new: Copy.version < new.version  # noqa: E731

    async with db.transaction(SYSTEM) as session:
        await upsert(session, Copy, {"id": id_}, {"name": "v2", "version": 2}, only_if=newer)
    assert await stored(probe_app, id_) == ("v2", 2)

    async with db.transaction(SYSTEM) as session:  # an older version arriving late changes nothing
        await upsert(session, Copy, {"id": id_}, {"name": "v1", "version": 1}, only_if=newer)
    assert await stored(probe_app, id_) == ("v2", 2)

    async with db.transaction(SYSTEM) as session:
        await upsert(session, Copy, {"id": id_}, {"name": "v3", "version": 3}, only_if=newer)
    assert await stored(probe_app, id_) == ("v3", 3)

    async with db.transaction(SYSTEM) as session:  # without `only_if` the last write wins
        await upsert(session, Copy, {"id": id_}, {"name": "fixed", "version": 1})
    assert await stored(probe_app, id_) == ("fixed", 1)


async def test_insert_once_keeps_the_stored_row(probe_app: Probe):
    await create_tables(probe_app.settings, Base.metadata)
    db, id_ = probe_app.app.state.db, str(uuid4())
    async with db.transaction(SYSTEM) as session:
        await insert_once(session, Copy, {"id": id_}, {"name": "first", "version": 1})
        await insert_once(session, Copy, {"id": id_}, {"name": "second", "version": 2})
    assert await stored(probe_app, id_) == ("first", 1)


async def test_upsert_many_is_the_rows_upserted_one_by_one_in_their_order(probe_app: Probe):
    await create_tables(probe_app.settings, Base.metadata)
    db, first, second = probe_app.app.state.db, str(uuid4()), str(uuid4())
    newer = lambda new: Copy.version < new.version  # noqa: E731
    async with db.transaction(SYSTEM) as session:
        await upsert(session, Copy, {"id": first}, {"name": "stored v2", "version": 2})
    rows = [
        ({"id": first}, {"name": "v1", "version": 1}),  # older than the stored row: kept out
        ({"id": second}, {"name": "v1", "version": 1}),
        # The same key again: PostgreSQL's one-statement limit is met by a second statement, order kept.
        ({"id": second}, {"name": "v3", "version": 3}),
        ({"id": second}, {"name": "v2", "version": 2}),
        ({"id": first}, {"name": "v4", "version": 4}),
    ]
    async with db.transaction(SYSTEM) as session:
        await upsert_many(session, Copy, rows, only_if=newer)
    assert await stored(probe_app, first) == ("v4", 4)
    assert await stored(probe_app, second) == ("v3", 3)
