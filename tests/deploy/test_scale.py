"""`make run SCALE=2`: two instances of the gateway and of gradebook, each pair behind a
round-robin balancer on the part's own port, on one database and one set of queues."""

import importlib
from collections.abc import AsyncIterator

import aio_pika
import httpx
import pytest

from chassis import testing
from chassis.settings import ServiceSettings
from devstack.stack import Stack, free_base_port

# The long form (`make slow`): nine processes beside the suite's own stack on two cores took a minute to
# start. `make test` runs the balancer itself (deploy/local/tests/test_balancer.py).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
async def scaled(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    stack = Stack(
        var_dir=tmp_path_factory.mktemp("scale"),
        base_port=free_base_port(),
        db_prefix=f"{testing.RUN_DATABASE_PREFIX}scale_",
        exchange=f"{testing.test_queue_prefix('scale')}school.events",
        public_exchange=f"{testing.test_queue_prefix('scale')}public.events",
        queue_prefix=testing.test_queue_prefix("scale"),
        log_to_files=True,
        log_level="WARNING",
        test_clock=testing.TEST_NOW,
        scale=2,
        # Nine processes start here, beside whatever else shares the machine's two cores.
        ready_timeout=300,
    )
    try:
        await stack.start()
        yield stack
    finally:
        await stack.stop()
        await stack.drop_databases()


def livez_count(metrics: str) -> float:
    lines = [line for line in metrics.splitlines() if line.startswith("journal_http_request_duration_seconds_count")]
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines if 'route="/livez"' in line)


@pytest.mark.timeout(700)
async def test_each_balancer_spreads_new_connections_over_both_instances(scaled):
    for part in ("gateway", "gradebook"):
        instances = scaled.instances(part)
        assert list(instances) == [f"{part}-1", f"{part}-2"]
        before = {}
        for name, port in instances.items():
            async with httpx.AsyncClient() as client:
                before[name] = livez_count((await client.get(f"http://127.0.0.1:{port}/metrics")).text)
        for _ in range(4):
            async with httpx.AsyncClient() as client:  # a new connection each time, as new browsers make
                assert (await client.get(f"{scaled.url(part)}/livez")).json() == {"status": "ok"}
        for name, port in instances.items():
            async with httpx.AsyncClient() as client:
                served = livez_count((await client.get(f"http://127.0.0.1:{port}/metrics")).text) - before[name]
            assert served == 2, (name, served)


@pytest.mark.timeout(700)
async def test_both_gateways_sign_with_one_key_and_both_gradebooks_consume_one_queue(scaled):
    async with httpx.AsyncClient() as client:
        keys = [
            (await client.get(f"http://127.0.0.1:{port}/.well-known/jwks.json")).json()
            for port in scaled.instances("gateway").values()
        ]
    assert keys[0] == keys[1] and keys[0]["keys"]
    gradebook = importlib.import_module("gradebook.main").app
    connection = await aio_pika.connect(ServiceSettings().amqp_url)
    async with connection:
        channel = await connection.channel()
        for consumer in gradebook.state.consumers:
            queue = await channel.declare_queue(scaled.queue_prefix + consumer.name, passive=True)
            assert queue.declaration_result.consumer_count == 2, consumer.name
