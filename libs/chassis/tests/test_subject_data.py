from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest
from sqlalchemy import Column, MetaData, Table, Uuid

from chassis.subject_data import EXPORTER_ROLE, Through, checked_holdings, exporter, json_value


def test_values_keep_their_meaning_in_json():
    person = uuid4()
    moment = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    assert json_value({"id": person, "on": date(2026, 12, 3), "at": moment, "weight": Decimal("1.5")}) == {
        "id": str(person),
        "on": "2026-12-03",
        "at": "2026-12-03T09:30:00+00:00",
        "weight": "1.5",
    }
    assert json_value([person, None, 5]) == [str(person), None, 5]


def test_a_holding_naming_a_missing_table_or_column_fails_at_once():
    metadata = MetaData()
    Table("marks", metadata, Column("id", Uuid, primary_key=True), Column("student_id", Uuid))
    assert checked_holdings(metadata, {"marks": ("student_id",)}) == {"marks": ("student_id",)}
    with pytest.raises(LookupError):
        checked_holdings(metadata, {"marks": ("pupil_id",)})
    with pytest.raises(LookupError):
        checked_holdings(metadata, {"absences": ("student_id",)})
    Table("mark_changes", metadata, Column("id", Uuid, primary_key=True), Column("mark_id", Uuid))
    through = Through("mark_id", "marks", "student_id")
    assert checked_holdings(metadata, {"mark_changes": (through,)}) == {"mark_changes": (through,)}
    for broken in (Through("mark", "marks", "student_id"), Through("mark_id", "marks", "pupil_id")):
        with pytest.raises(LookupError):
            checked_holdings(metadata, {"mark_changes": (broken,)})


def test_the_export_caller_holds_only_the_export_role_and_no_school():
    caller = exporter()
    assert caller.region_roles == {EXPORTER_ROLE} and not caller.school_roles
