"""The published contract: every event type is documented and its schema matches the model."""

import json
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts import registry
from contracts.export import asyncapi, json_schemas, main
from contracts.gradebook import MarkPosted


def test_every_event_type_is_versioned_and_named_by_its_producer():
    for event_type in registry():
        producer, *_, version = event_type.split(".")
        assert producer in {"roster", "gradebook", "attendance", "notifications", "reporting", "public"}
        assert version.startswith("v") and version[1:].isdigit()


def test_asyncapi_has_a_channel_and_message_per_event_type():
    document = asyncapi()
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == set(registry())
    for channel in document["channels"].values():
        expected = "public.events" if channel["address"].startswith("public.") else "school.events"
        assert channel["bindings"]["amqp"]["exchange"]["name"] == expected


def test_export_writes_documents(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["export-contracts", str(tmp_path)])
    main()
    written = json.loads((tmp_path / "asyncapi.json").read_text())
    assert written["asyncapi"] == "3.0.0"
    assert {p.stem for p in (tmp_path / "schemas").iterdir()} == set(json_schemas())


def test_events_refuse_missing_fields():
    with pytest.raises(ValidationError):
        MarkPosted.model_validate({"mark_id": str(uuid4()), "value": "5"})


def test_events_ignore_fields_added_later_in_the_same_version():
    data = {
        "mark_id": uuid4(),
        "lesson_id": uuid4(),
        "student_id": uuid4(),
        "class_id": uuid4(),
        "subject_id": uuid4(),
        "subject_name": "Математика",
        "teacher_id": uuid4(),
        "date": date(2026, 11, 24),
        "value": "5",
        "work_type": "test",
        "weight": 2.0,
    }
    event = MarkPosted.model_validate({**data, "added_in_a_later_release": True})
    assert event.value == "5" and event.subject() == str(data["mark_id"])


def test_the_published_documents_match_the_code():
    """docs/contracts is what partners read; `make contracts` rewrites it after a change of an event."""
    published = Path(__file__).parents[3] / "docs" / "contracts"
    assert json.loads((published / "asyncapi.json").read_text()) == asyncapi(), "run `make contracts`"
    for event_type, schema in json_schemas().items():
        assert json.loads((published / "schemas" / f"{event_type}.json").read_text()) == schema, event_type
