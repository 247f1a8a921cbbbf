"""deploy/compose.yaml: valid by the Compose Specification, started in a health-checked order,
and in step with the local runner (`make run`): the same parts, ports and JOURNAL_* settings."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from devstack.stack import PORT_OFFSETS, Stack

from .conftest import DEPLOY

COMPOSE = DEPLOY / "compose.yaml"
SCHEMA = DEPLOY / "schemas" / "compose-spec.json"
#: Settings compose gives beyond the local runner's, because containers reach PostgreSQL,
#: RabbitMQ and the collector by name where the local processes use the defaults on 127.0.0.1.
CONTAINER_ONLY = {
    "JOURNAL_PROFILE",
    "JOURNAL_HOST",
    "JOURNAL_AMQP_URL",
    "JOURNAL_ADMIN_DATABASE_URL",
    "JOURNAL_OTLP_ENDPOINT",
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def check_jsonschema(document: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [shutil.which("check-jsonschema") or "check-jsonschema", "--schemafile", str(SCHEMA), str(document)],
        capture_output=True,
        text=True,
    )


def test_compose_is_valid_by_the_compose_specification():
    result = check_jsonschema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_wrong_start_condition(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text(COMPOSE.read_text().replace("condition: service_healthy", "condition: service_ready", 1))
    result = check_jsonschema(broken)
    assert result.returncode != 0
    assert "service_ready" in result.stdout + result.stderr


def _with_defaults(value: str) -> str:
    """A compose value as it is with an empty .env: each ``${NAME:-default}`` replaced by its default."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)


def _service_name(part: str) -> str:
    return part.replace("_", "-")


def test_compose_runs_every_part_of_the_local_runner_on_its_port(compose):
    stack = Stack(var_dir=Path("/nonexistent"))
    for part in PORT_OFFSETS:
        service = compose["services"][_service_name(part)]
        port = str(stack.port(part))
        command = service["command"]
        assert command[:2] == ["uvicorn", f"{part}.main:app"]
        assert command[command.index("--port") + 1] == port
        published = compose["services"]["gateway"]["ports"] if part == "esia_sandbox" else service["ports"]
        assert any(mapping.endswith(f":{port}:{port}") for mapping in published), (part, published)


def test_compose_gives_each_part_the_settings_the_local_runner_gives(compose, monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith(("JOURNAL_", "ESIA_SANDBOX_"))]:
        monkeypatch.delenv(name)
    # As `make run` starts where the broker's management API answers: each part its own RabbitMQ user.
    stack = Stack(var_dir=tmp_path, broker_users=True)
    for part in PORT_OFFSETS:
        local = {k for k in stack.env_for(part) if k.startswith(("JOURNAL_", "ESIA_SANDBOX_"))}
        composed = set(compose["services"][_service_name(part)]["environment"])
        assert local <= composed, f"{part} lacks {sorted(local - composed)}"
        assert composed - local <= CONTAINER_ONLY, f"{part} has unexplained {sorted(composed - local - CONTAINER_ONLY)}"
        for key in local & composed - {"JOURNAL_DATABASE_URL", "JOURNAL_JWKS_URL"}:
            if key.endswith(("_URL", "_PATH", "_FILE", "_DIR")):
                continue  # addresses and paths differ by design: container names, mounted volumes
            composed_value = str(compose["services"][_service_name(part)]["environment"][key])
            assert _with_defaults(composed_value) == stack.env_for(part)[key], (part, key)


def test_the_journal_starts_after_what_it_needs_is_healthy(compose):
    services = compose["services"]
    for part in ["roster", "gradebook", "attendance", "notifications", "reporting", "gateway"]:
        service = services[part]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["depends_on"]["rabbitmq-definitions"]["condition"] == "service_completed_successfully"
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
    for part in ["roster", "gradebook", "attendance", "notifications", "reporting"]:
        assert services["gateway"]["depends_on"][part]["condition"] == "service_healthy"
    for service in services.values():
        for needed, how in (service.get("depends_on") or {}).items():
            if how["condition"] == "service_healthy":
                assert "healthcheck" in services[needed], needed
    assert services["rabbitmq-definitions"]["depends_on"]["rabbitmq"]["condition"] == "service_healthy"


def test_every_file_compose_mounts_is_in_the_repository(compose):
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), source
    assert (DEPLOY / "rabbitmq" / "definitions.json").exists()


def test_env_example_sets_every_variable_compose_requires(compose):
    example = {line.split("=")[0] for line in (DEPLOY / ".env.example").read_text().splitlines() if "=" in line}
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()))
    assert required <= example, sorted(required - example)


def test_each_part_logs_in_to_rabbitmq_as_its_own_user_and_checks_the_publishers(compose):
    services = compose["services"]
    provisioned = services["rabbitmq-users"]
    assert provisioned["command"][:4] == ["python", "-m", "chassis.publishers", "provision"]
    for part in ["roster", "gradebook", "attendance", "notifications", "reporting", "gateway"]:
        environment = services[part]["environment"]
        assert environment["JOURNAL_AMQP_URL"].startswith(f"amqp://journal_{part}:${{JOURNAL_BROKER_{part.upper()}_")
        assert environment["JOURNAL_VERIFY_PUBLISHERS"] == "true"
        assert f"JOURNAL_BROKER_PASSWORD_{part.upper()}" in provisioned["environment"]
        assert services[part]["depends_on"]["rabbitmq-users"]["condition"] == "service_completed_successfully"
    # The state portal's user, read only on the public stream (docs/portal.md).
    assert "JOURNAL_BROKER_PASSWORD_PORTAL" in provisioned["environment"]
