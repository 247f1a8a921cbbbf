"""The checked-in RabbitMQ definitions file is what the code declares (``make topology`` rewrites it)."""

import importlib
import json
from pathlib import Path

from chassis.publishers import SERVICES
from chassis.topology import definitions_text

DEFINITIONS = Path(__file__).parent / "definitions.json"


def test_the_definitions_file_matches_the_code():
    assert DEFINITIONS.read_text() == definitions_text(), "run `make topology` and commit deploy/rabbitmq"


def test_every_parts_consumer_queues_are_in_the_file():
    # Read from each part's app, not from chassis.topology's list, so a part left out of that list shows here.
    queues = {q["name"] for q in json.loads(DEFINITIONS.read_text())["queues"]}
    for service in SERVICES:
        for consumer in importlib.import_module(f"{service}.main").app.state.consumers:
            assert consumer.name in queues, f"{service}'s queue {consumer.name} is not in the definitions file"
    assert {"gateway.accounts", "gateway.portal"} <= queues


def test_every_consumer_queue_dead_letters_at_least_once_into_its_own_dlq():
    definitions = json.loads(DEFINITIONS.read_text())
    queues = {q["name"]: q["arguments"] for q in definitions["queues"]}
    consumers = {"gradebook", "attendance", "notifications", "reporting", "gateway"}
    consumer_queues = [name for name in queues if name.split(".")[0] in consumers and not name.endswith(".dlq")]
    assert consumer_queues, "no consumer queues found"
    for name in consumer_queues:
        assert queues[name]["x-dead-letter-strategy"] == "at-least-once"
        assert queues[name]["x-overflow"] == "reject-publish"
        assert f"{name}.dlq" in queues
    exchanges = {e["name"]: e["arguments"] for e in definitions["exchanges"]}
    assert exchanges["school.events"]["alternate-exchange"] == "school.events.unrouted"
    assert "school.events.unrouted" in queues
