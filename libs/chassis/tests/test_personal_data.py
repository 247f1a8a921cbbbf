import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from chassis.personal_data import PersonalData, annotated, personal_data


def test_annotated_lists_marked_columns_table_by_table():
    metadata = MetaData()
    Table(
        "people",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("snils", String, info=personal_data("СНИЛС", purpose="contingent", retention="person_card")),
    )
    Table(
        "audit",
        metadata,
        Column("email", String, info=personal_data("e-mail", purpose="security", retention="access_log")),
    )
    found = [(column.table.name, column.name, data) for column, data in annotated(metadata)]
    assert found == [
        ("audit", "email", PersonalData("e-mail", "security", "access_log")),
        ("people", "snils", PersonalData("СНИЛС", "contingent", "person_card")),
    ]


@pytest.mark.parametrize("purpose, retention", [("marketing", "journal_record"), ("journal", "forever")])
def test_unknown_keys_are_refused(purpose, retention):
    with pytest.raises(ValueError):
        personal_data("ФИО", purpose=purpose, retention=retention)


def test_a_snils_in_a_log_line_is_hidden_even_inside_a_traceback():
    from chassis.telemetry import _hide_snils

    event = {
        "event": "import_failed",
        "exception": "DETAIL:  Key (school_id, snils)=(7f0c, 112-233-445 95) already exists.",
        "rows": 3,
    }
    assert (
        _hide_snils(None, "error", event)["exception"]
        == "DETAIL:  Key (school_id, snils)=(7f0c, ***-***-*** **) already exists."
    )
    assert _hide_snils(None, "info", {"event": "login", "at": "2026-10-14T12:00:00"})["at"] == "2026-10-14T12:00:00"
