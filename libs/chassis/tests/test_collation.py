"""Russian alphabetical order, in Python and in PostgreSQL's ICU collation alike."""

import asyncpg

from chassis.russian import RU_COLLATION, collation_key
from chassis.settings import ServiceSettings

NAMES = ["жуков", "Ёлкин", "Егоров", "елкин", "Абрамова", "ЯКОВЛЕВ", "Елкина", "Ёлкина", "Белов", "абрамов", "Елкин"]
EXPECTED = ["абрамов", "Абрамова", "Белов", "Егоров", "елкин", "Елкин", "Ёлкин", "Елкина", "Ёлкина", "жуков", "ЯКОВЛЕВ"]


def test_yo_sorts_with_ye_and_case_only_breaks_ties():
    assert sorted(NAMES, key=collation_key) == EXPECTED


def test_unknown_names_go_last():
    assert sorted([None, "Яковлев", "Абрамов"], key=collation_key) == ["Абрамов", "Яковлев", None]


async def test_postgresql_orders_the_same_with_the_icu_collation():
    connection = await asyncpg.connect(ServiceSettings().admin_database_url.replace("+asyncpg", ""))
    try:
        rows = await connection.fetch(
            f'SELECT name FROM unnest($1::text[]) AS name ORDER BY name COLLATE "{RU_COLLATION}"', NAMES
        )
        byte_order = await connection.fetch(
            'SELECT name FROM unnest($1::text[]) AS name ORDER BY name COLLATE "C"', NAMES
        )
    finally:
        await connection.close()
    assert [r["name"] for r in rows] == EXPECTED
    assert [r["name"] for r in byte_order] != EXPECTED, "the byte order is what the collation is for"
