"""The processing register (152-ФЗ, R-5) is the code's: docs/personal-data.md is what the models' annotations
say, and no column that looks personal goes without one."""

from pathlib import Path

from chassis.personal_data import annotated, looks_personal, register, service_metadata, unannotated

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_register_is_what_the_code_says():
    written = (ROOT / "docs" / "personal-data.md").read_text(encoding="utf-8")
    assert written == register(service_metadata()), "docs/personal-data.md is out of date: run `make personal-data`"


def test_every_column_that_looks_personal_is_annotated():
    missing = {service: unannotated(metadata) for service, metadata in service_metadata().items()}
    assert {service: columns for service, columns in missing.items() if columns} == {}


def test_the_register_names_where_the_identifying_data_live():
    services = service_metadata()
    marked = {(s, c.table.name, c.name) for s, m in services.items() for c, _ in annotated(m)}
    assert {
        ("roster", "people", "snils"),
        ("roster", "people", "birth_date"),
        ("gateway", "people", "snils_digits"),
    } <= marked
    assert ("notifications", "notification_preferences", "email_address") in marked
    # The check's own pattern: the names it must catch and ones it must leave alone.
    assert all(map(looks_personal, ("birth_date", "snils", "email_address", "changed_by_name", "esia_oid", "login")))
    assert not any(map(looks_personal, ("subject_name", "class_name", "school_id", "period_name")))
