"""deploy/Dockerfile: no Docker engine runs here, so the build is checked by what it must say."""

import re
import tomllib

from .conftest import DEPLOY, REPO

DOCKERFILE = (DEPLOY / "Dockerfile").read_text()


def test_the_image_is_built_in_two_stages_on_python_slim_and_runs_as_no_root():
    stages = re.findall(r"^FROM (\S+)", DOCKERFILE, re.MULTILINE)
    assert stages == ["python:3.11-slim", "python:3.11-slim"]
    runtime = DOCKERFILE.split("\nFROM ")[-1]
    assert re.search(r"^USER 10001$", runtime, re.MULTILINE)
    assert "uv" not in runtime.split("COPY --from=build")[0], "uv stays in the build stage"
    assert "uv sync --frozen --no-dev" in DOCKERFILE


def test_every_workspace_member_is_copied_before_the_dependency_layer():
    members = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]["members"]
    dependency_layer = DOCKERFILE.split("--no-install-workspace")[0]
    for pattern in members:
        for pyproject in REPO.glob(f"{pattern}/pyproject.toml"):
            relative = pyproject.relative_to(REPO).as_posix()
            assert f"COPY {relative} " in dependency_layer, relative


def test_the_build_context_leaves_out_local_state_and_secrets():
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    for path in [".git", "var", "**/.venv", "deploy/.env*"]:
        assert path in ignored
