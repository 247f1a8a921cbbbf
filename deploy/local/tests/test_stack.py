"""A stack's own names: two stacks on one machine (a benchmark beside ``make run``) must not share a broker user."""

from pathlib import Path
from urllib.parse import urlsplit

from devstack.stack import Stack


def test_a_stack_with_its_own_queue_prefix_has_broker_users_of_its_own(tmp_path: Path):
    run, demo = Stack(var_dir=tmp_path / "run", queue_prefix="perf1."), Stack(var_dir=tmp_path / "demo")
    run.broker_users = demo.broker_users = True
    assert urlsplit(run.broker_url("gateway")).username == "perf1.journal_gateway"
    assert urlsplit(demo.broker_url("gateway")).username == "journal_gateway"
    # Every part of the stack checks publishers against the same names it logs in with.
    assert run.env_for("roster")["JOURNAL_BROKER_USER_TEMPLATE"] == "perf1.journal_{service}"
    assert urlsplit(run.env_for("roster")["JOURNAL_AMQP_URL"]).username == "perf1.journal_roster"
    assert "JOURNAL_BROKER_USER_TEMPLATE" not in demo.env_for("roster")  # the settings' default, as in compose
