"""Replica writes on the real database: insert, update, keep, and update only when newer."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from uuid import UUID, uuid4

import pytest
from sqlalchemy import DateTime, Integer, String, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.events import envelope_for
from chassis.replicas import (
    MAX_PARAMETERS,
    file_transcript,
    insert_many_once,
    insert_once,
    keep_people,
    newer,
    newest,
    upsert,
    upsert_many,
)
from chassis.tenancy import SYSTEM
from chassis.testing import create_tables
from contracts.roster import PersonChanged, PersonRegistered

from .conftest import Probe


class Base(DeclarativeBase):
    pass


class Copy(Base):
    __tablename__ = "probe_copies"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    version: Mapped[int] = mapped_column(Integer)


class CopiedLine(Base):
    __tablename__ = "probe_copied_lines"
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_line_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    source_school_id: Mapped[UUID]
    source_school_name: Mapped[str] = mapped_column(String)
    academic_year: Mapped[str] = mapped_column(String)
    value: Mapped[str] = mapped_column(String)


class Numbered(Base):
    """A replica with a second unique column beside its key."""

    __tablename__ = "probe_numbered"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)


class Dated(Base):
    """A replica whose older events carry no version (0) but the producer's time."""

    __tablename__ = "probe_dated"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SchoolPerson(Base):
    """A people replica keyed by the school and the person."""

    __tablename__ = "probe_school_people"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String)
    first_name: Mapped[str] = mapped_column(String)
    version: Mapped[int] = mapped_column(Integer)


class Person(Base):
    """A people replica keyed by the person alone, the school a column beside."""

    __tablename__ = "probe_people"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    last_name: Mapped[str] = mapped_column(String)
    first_name: Mapped[str] = mapped_column(String)
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


async def test_insert_many_once_keeps_stored_and_first_rows_past_one_statements_parameters(probe_app: Probe):
    await create_tables(probe_app.settings, Base.metadata)
    db, stored_id, repeated_id = probe_app.app.state.db, str(uuid4()), str(uuid4())
    async with db.transaction(SYSTEM) as session:
        await insert_once(session, Copy, {"id": stored_id}, {"name": "stored", "version": 1})
    rows = [
        ({"id": stored_id}, {"name": "again", "version": 2}),
        ({"id": repeated_id}, {"name": "first", "version": 1}),
        ({"id": repeated_id}, {"name": "second", "version": 2}),
    ]
    student = uuid4()
    shared = {"school_id": uuid4(), "source_school_id": uuid4(), "source_school_name": "№ 3", "academic_year": "2026"}
    # Seven values a row: more rows than one statement may carry.
    lines = [({"student_id": student, "source_line_id": uuid4()}, shared | {"value": "5"}) for _ in range(4700)]
    assert len(lines) * 7 > MAX_PARAMETERS
    async with db.transaction(SYSTEM) as session:
        await insert_many_once(session, Copy, rows)
        await insert_many_once(session, CopiedLine, lines)
        await insert_many_once(session, Copy, [])
    assert await stored(probe_app, stored_id) == ("stored", 1)
    assert await stored(probe_app, repeated_id) == ("first", 1)
    async with db.transaction(SYSTEM) as session:
        count = select(func.count()).select_from(CopiedLine).filter_by(student_id=student)
        assert await session.scalar(count) == len(lines)


async def test_insert_once_skips_a_stored_key_only_and_refuses_another_conflict(probe_app: Probe):
    """Only the key's conflict means "stored already": a clash on another unique column is an error, not a lost row."""
    await create_tables(probe_app.settings, Numbered.metadata)
    db, id_, number = probe_app.app.state.db, str(uuid4()), uuid4().int % 2**31
    async with db.transaction(SYSTEM) as session:
        await insert_once(session, Numbered, {"id": id_}, {"number": number})
        await insert_once(session, Numbered, {"id": id_}, {"number": number + 1})
    with pytest.raises(IntegrityError):
        async with db.transaction(SYSTEM) as session:
            await insert_once(session, Numbered, {"id": str(uuid4())}, {"number": number})
    async with db.transaction(SYSTEM) as session:
        assert list(await session.scalars(select(Numbered.id).filter_by(number=number))) == [id_]


async def test_upsert_many_is_the_rows_upserted_one_by_one_in_their_order(probe_app: Probe):
    await create_tables(probe_app.settings, Base.metadata)
    db, first, second, kept = probe_app.app.state.db, str(uuid4()), str(uuid4()), str(uuid4())
    newer = lambda new: Copy.version < new.version  # noqa: E731
    async with db.transaction(SYSTEM) as session:
        await upsert(session, Copy, {"id": first}, {"name": "stored v2", "version": 2})
        await upsert(session, Copy, {"id": kept}, {"name": "stored v2", "version": 2})
    rows = [
        ({"id": first}, {"name": "v1", "version": 1}),  # older than the stored row: kept out
        ({"id": kept}, {"name": "v1", "version": 1}),  # kept out too, by the statement a repeated key ends
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
    assert await stored(probe_app, kept) == ("stored v2", 2)


def test_newest_keeps_each_keys_highest_version_and_the_first_of_equals():
    rows = [
        ({"id": "a"}, {"name": "a1", "version": 1}),
        ({"id": "b"}, {"name": "b2", "version": 2}),
        ({"id": "a"}, {"name": "a3", "version": 3}),
        ({"id": "a"}, {"name": "a2", "version": 2}),
        ({"id": "b"}, {"name": "b2 again", "version": 2}),
    ]
    assert newest(rows) == [({"id": "a"}, {"name": "a3", "version": 3}), ({"id": "b"}, {"name": "b2", "version": 2})]


async def test_a_transcript_is_filed_whole_past_one_statements_parameters_and_filed_again_as_the_same_rows(
    probe_app: Probe,
):
    await create_tables(probe_app.settings, Base.metadata)
    db, school = probe_app.app.state.db, uuid4()
    copy = SimpleNamespace(
        student_id=uuid4(), source_school_id=uuid4(), source_school_name="МБОУ СОШ № 3", academic_year="2026/2027"
    )
    # Seven values a row: more lines than one statement may carry.
    lines = [(uuid4(), {"value": "5"}) for _ in range(MAX_PARAMETERS // 7 + 10)]

    async def count(value: str) -> int:
        async with db.transaction(SYSTEM) as session:
            query = select(func.count()).select_from(CopiedLine).filter_by(student_id=copy.student_id, value=value)
            return await session.scalar(query)

    async with db.transaction(SYSTEM) as session:
        await file_transcript(session, CopiedLine, school, copy, "source_line_id", lines)
        await file_transcript(session, CopiedLine, school, copy, "source_line_id", [])
    assert await count("5") == len(lines)

    # Sent again with a corrected line: still one row a line, brought up to date.
    corrected = [(lines[0][0], {"value": "4"}), *lines[1:]]
    async with db.transaction(SYSTEM) as session:
        await file_transcript(session, CopiedLine, school, copy, "source_line_id", corrected)
    assert (await count("5"), await count("4")) == (len(lines) - 1, 1)
    async with db.transaction(SYSTEM) as session:
        row = await session.get(CopiedLine, (copy.student_id, lines[0][0]))
        assert (row.school_id, row.source_school_name, row.academic_year) == (school, "МБОУ СОШ № 3", "2026/2027")


async def test_newer_takes_a_higher_version_and_between_unversioned_rows_the_later_clock(probe_app: Probe):
    await create_tables(probe_app.settings, Base.metadata)
    db, id_, noon = probe_app.app.state.db, str(uuid4()), datetime(2026, 10, 14, 9, tzinfo=UTC)
    by_clock = lambda new: newer(Dated, new, legacy_clock="changed_at")  # noqa: E731

    async def write(name: str, version: int, minutes: int) -> tuple[str, int]:
        values = {"name": name, "version": version, "changed_at": noon + timedelta(minutes=minutes)}
        async with db.transaction(SYSTEM) as session:
            await upsert(session, Dated, {"id": id_}, values, only_if=by_clock)
            return tuple((await session.execute(select(Dated.name, Dated.version).filter_by(id=id_))).one())

    assert await write("v0 at 2", 0, 2) == ("v0 at 2", 0)
    assert await write("v0 at 1", 0, 1) == ("v0 at 2", 0)  # an older unversioned row arriving late
    assert await write("v0 at 2 again", 0, 2) == ("v0 at 2", 0)  # the same time: not later
    assert await write("v0 at 3", 0, 3) == ("v0 at 3", 0)
    assert await write("v1 at 0", 1, 0) == ("v1 at 0", 1)  # a version outranks any clock
    assert await write("v0 at 9", 0, 9) == ("v1 at 0", 1)  # the clock decides between unversioned rows only
    assert await write("v1 at 9", 1, 9) == ("v1 at 0", 1)  # the same version: not newer, whatever its time
    assert await write("v2 at 0", 2, 0) == ("v2 at 0", 2)


async def test_keep_people_keeps_each_persons_newest_card_of_a_run_and_of_later_ones(probe_app: Probe):
    await create_tables(probe_app.settings, Base.metadata)
    db, school, other_school, anna, boris = probe_app.app.state.db, uuid4(), uuid4(), uuid4(), uuid4()

    def card(event: PersonRegistered | PersonChanged, in_school=school) -> tuple:
        return event, envelope_for(event, source="/test", school_id=in_school)

    def registered(person: UUID, last_name: str) -> PersonRegistered:
        return PersonRegistered(person_id=person, last_name=last_name, first_name="Анна")

    def changed(person: UUID, version: int, last_name: str) -> PersonChanged:
        return PersonChanged(person_id=person, version=version, last_name=last_name, first_name="Анна")

    async def kept(model: type) -> set[tuple]:
        async with db.transaction(SYSTEM) as session:
            columns = [c for c in model.__table__.columns if c.name != "first_name"]
            rows = await session.execute(select(*columns).where(model.id.in_([anna, boris])))
            return {tuple(row) for row in rows}

    run = [
        card(registered(anna, "Иванова")),
        card(changed(anna, 3, "Петрова")),
        card(changed(anna, 2, "Сидорова")),  # an older change later in the run
        card(registered(boris, "Борисова"), other_school),
    ]
    async with db.transaction(SYSTEM) as session:
        await keep_people(session, SchoolPerson, run)
        await keep_people(session, Person, run)
    assert await kept(SchoolPerson) == {(school, anna, "Петрова", 3), (other_school, boris, "Борисова", 1)}
    assert await kept(Person) == {(anna, school, "Петрова", 3), (boris, other_school, "Борисова", 1)}

    # A redelivered registration and change never undo the correction; a newer change replaces it.
    async with db.transaction(SYSTEM) as session:
        await keep_people(session, SchoolPerson, [card(registered(anna, "Иванова")), card(changed(anna, 3, "Ложная"))])
        await keep_people(session, Person, [card(changed(boris, 2, "Гусева"), other_school)])
    assert await kept(SchoolPerson) == {(school, anna, "Петрова", 3), (other_school, boris, "Борисова", 1)}
    assert await kept(Person) == {(anna, school, "Петрова", 3), (boris, other_school, "Гусева", 2)}
