"""A pytest plugin (``-p devstack.testing``): the whole journal as separate processes (the runner behind
``make run``) on ports, databases, an exchange and queue names of its own, with the demo school loaded. One
stack per run, shared by the end-to-end tests (``tests/e2e``) and the browser tests (``tests/browser``);
``tests/gateway`` has a ``stack`` of its own, which overrides this one there."""

import importlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import asyncpg
import pytest

from chassis.settings import ServiceSettings
from chassis.testing import RUN_DATABASE_PREFIX, TEST_NOW, delete_queues, test_queue_prefix
from devstack.demo import ensure_demo
from devstack.stack import SERVICES, Stack, free_base_port

E2E_PARTS = [*SERVICES, "gateway"]


async def reset(stack: Stack) -> None:
    """Fresh databases and queues, so one run never sees the last one's leftovers."""
    settings = ServiceSettings(queue_prefix=stack.queue_prefix)
    admin = await asyncpg.connect(settings.admin_database_url)
    try:
        for part in E2E_PARTS:
            await admin.execute(f'DROP DATABASE IF EXISTS "{stack.db_prefix}{part}" WITH (FORCE)')
    finally:
        await admin.close()
    consumer_names = [c.name for part in E2E_PARTS for c in importlib.import_module(f"{part}.main").app.state.consumers]
    await delete_queues(settings, consumer_names)


def _log_tails(var_dir: Path, lines: int = 40) -> str:
    tails = []
    for log in sorted((var_dir / "logs").glob("*.log")):
        tails.append(f"----- {log.name} -----\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:]))
    return "\n".join(tails)


#: The test folders whose tests use this plugin's stack.
STACK_FOLDERS = ("tests/e2e/", "tests/browser/")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """Under ``-n`` (pytest-xdist): every other test folder whole on one worker, so the apps its conftest builds
    are built once per run, and the stack's tests all on one worker, scheduled first as the slowest unit. One
    stack per run: two stacks starting at once on two cores starved each other past their start limit."""
    from xdist.scheduler import LoadScopeScheduling

    class StackScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            folder = nodeid.split("::", 1)[0].rpartition("/")[0] + "/"
            return "stack" if folder.startswith(STACK_FOLDERS) else folder

        def _assign_work_unit(self, node: object) -> None:
            if "stack" in self.workqueue:
                self.workqueue.move_to_end("stack", last=False)
            super()._assign_work_unit(node)

    return StackScheduling(config, log)


@pytest.fixture(scope="session")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    stack = Stack(
        var_dir=tmp_path_factory.mktemp("e2e"),
        base_port=free_base_port(),
        db_prefix=f"{RUN_DATABASE_PREFIX}e2e_",
        exchange=f"{test_queue_prefix('e2e')}school.events",
        public_exchange=f"{test_queue_prefix('e2e')}public.events",
        queue_prefix=test_queue_prefix("e2e"),
        log_to_files=True,
        # What the services log in production (INFO): the R-5 log scan (tests/e2e) reads it for personal data.
        log_level="INFO",
        test_clock=TEST_NOW,
        # A machine shared with other runs may start the stack slowly (``JOURNAL_STACK_READY_SECONDS``).
        ready_timeout=float(os.environ.get("JOURNAL_STACK_READY_SECONDS", "90")),
    )
    await reset(stack)
    try:
        await stack.start()
    except Exception as exc:
        await stack.stop()
        raise RuntimeError(f"the end-to-end stack did not start:\n{_log_tails(stack.var_dir)}") from exc
    yield stack
    await stack.stop()


@pytest.fixture(scope="session")
async def demo_school(stack: Stack) -> UUID:
    """The demo school of ``make run``, loaded by the same loader."""
    return await ensure_demo(stack)
