"""The mutation runner's targets name files that exist: a pattern matching nothing made mutmut run every test of
the folder while the docs said which ones ran."""

import importlib.util
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("mutation_run", Path(__file__).with_name("run.py"))
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


@pytest.mark.parametrize("name", sorted({**run.TARGETS, **run.CHASSIS, **run.QUICK}))
def test_every_target_mutates_and_tests_files_that_exist(name: str):
    target = {**run.TARGETS, **run.CHASSIS, **run.QUICK}[name]
    project = run.ROOT / target.project
    for pattern in target.tests:
        assert list((project / "tests").glob(pattern)), f"{name}: no test matches {pattern}"
    for path in target.mutate:
        assert (project / path).exists(), f"{name}: {path} does not exist"
