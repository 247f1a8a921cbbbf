"""The statement ``chassis.bulk`` sends: an array per column that varies, one value for a column that does not;
and what it writes."""

from uuid import uuid4

from sqlalchemy import ARRAY, Column, Date, MetaData, String, Table, Uuid, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB

from chassis.bulk import insert_rows, unnest_insert
from chassis.db import Database
from chassis.tenancy import SYSTEM

from .conftest import Probe

moves = Table(
    "moves",
    MetaData(),
    Column("id", Uuid, primary_key=True),
    Column("school_id", Uuid),
    Column("on", Date),
    Column("subjects", ARRAY(String(200))),
    Column("envelope", JSONB),
)


def test_varying_columns_are_unnested_arrays_and_constant_ones_single_values():
    statement = unnest_insert(
        moves, ["id", "school_id", "on", "subjects", "envelope"], {"school_id"}, postgresql.dialect()
    )
    assert statement == (
        'INSERT INTO moves (id, school_id, "on", subjects, envelope) SELECT u.id, CAST(:school_id AS UUID), u."on", '
        "CAST(ARRAY(SELECT jsonb_array_elements_text(CAST(u.subjects AS jsonb))) AS VARCHAR(200)[]), "
        "CAST(u.envelope AS JSONB) "
        "FROM unnest(CAST(:id AS UUID[]), CAST(:on AS DATE[]), CAST(:subjects AS text[]), CAST(:envelope AS text[])) "
        'AS u(id, "on", subjects, envelope)'
    )


def test_constant_json_and_array_columns_are_one_json_text_each():
    statement = unnest_insert(moves, ["id", "subjects", "envelope"], {"subjects", "envelope"}, postgresql.dialect())
    assert "CAST(ARRAY(SELECT jsonb_array_elements_text(CAST(CAST(:subjects AS text) AS jsonb)))" in statement
    assert "CAST(CAST(:envelope AS text) AS JSONB)" in statement
    assert statement.endswith("FROM unnest(CAST(:id AS UUID[])) AS u(id)")


async def test_rows_that_repeat_the_unique_key_are_left_out_and_the_written_come_back(probe_app: Probe):
    database = Database(probe_app.settings.database_url, source="/test", pool_size=1, max_overflow=0)
    notes = Table("bulk_notes", MetaData(), Column("id", Uuid), Column("person", Uuid), Column("event", Uuid))
    person, first, second, third = uuid4(), uuid4(), uuid4(), uuid4()
    try:
        async with database.transaction(SYSTEM) as session:
            await session.execute(
                text("CREATE TEMP TABLE bulk_notes (id uuid, person uuid, event uuid, UNIQUE (person, event))")
            )
            await insert_rows(session, notes, [{"id": first, "person": person, "event": first}])
            written = await insert_rows(
                session,
                notes,
                [{"id": second, "person": person, "event": e} for e in (first, second)]
                + [{"id": third, "person": person, "event": third}],
                skip_conflicts_on=("person", "event"),
                returning=("id", "event"),
            )
            assert sorted(map(tuple, written)) == sorted([(second, second), (third, third)])
            assert await session.scalar(text("SELECT count(*) FROM bulk_notes")) == 3
    finally:
        await database.dispose()
