"""The statement ``chassis.bulk`` sends: an array per column that varies, one value for a column that does not."""

from sqlalchemy import ARRAY, Column, Date, MetaData, String, Table, Uuid
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB

from chassis.bulk import unnest_insert

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
