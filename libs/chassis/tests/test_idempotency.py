"""``Idempotency-Key``: the claim, the effect and the stored answer commit together or not at all."""

import asyncio
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import Column, Integer, MetaData, Table, Uuid, func, select

from chassis.app import create_app
from chassis.auth import TokenSigner
from chassis.deps import SchoolSession
from chassis.settings import ServiceSettings
from chassis.tables import idempotency_keys
from chassis.testing import create_tables, person, verifier_for

from .conftest import Probe

lessons_metadata = MetaData()
#: A create without a natural unique key, like a lesson or a person: only the key stops a double.
created = Table(
    "idempotency_probe_created",
    lessons_metadata,
    Column("id", Uuid, primary_key=True),
    Column("school_id", Uuid, nullable=False),
    Column("n", Integer, nullable=False),
)
routes = APIRouter()
#: Set by a test to see the request while it runs, or to make it fail after its effect.
hooks: dict = {}


@routes.post("/schools/{school_id}/created", status_code=201)
async def create(school_id: UUID, session: SchoolSession) -> dict:
    new_id = uuid4()
    await session.execute(created.insert().values(id=new_id, school_id=school_id, n=1))
    if "during" in hooks:
        await hooks["during"]()
    if hooks.get("crash"):
        raise RuntimeError("the process dies after the effect, before the answer")
    return {"id": str(new_id)}


@pytest.fixture(scope="session")
async def keyed(
    probe_app: Probe, probe_settings: ServiceSettings, token_signer: TokenSigner
) -> AsyncIterator[httpx.AsyncClient]:
    """A service beside the probe, on its database (the probe app made it and the chassis tables)."""
    settings = probe_settings.model_copy(update={"run_relay": False, "service_name": "chassis_idempotency"})
    app = create_app(settings, title="idempotency probe", routers=[routes], verifier=verifier_for(token_signer))
    async with app.router.lifespan_context(app):
        await create_tables(settings, lessons_metadata)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


async def rows(client: httpx.AsyncClient, school_id: UUID) -> int:
    async with client.app.state.db.engine.connect() as connection:  # type: ignore[attr-defined]
        return await connection.scalar(
            select(func.count()).select_from(created).where(created.c.school_id == school_id)
        )


async def keys(client: httpx.AsyncClient, key: str) -> int:
    async with client.app.state.db.engine.connect() as connection:  # type: ignore[attr-defined]
        return await connection.scalar(
            select(func.count()).select_from(idempotency_keys).where(idempotency_keys.c.key == key)
        )


@pytest.fixture(autouse=True)
def no_hooks():
    hooks.clear()
    yield
    hooks.clear()


async def test_concurrent_duplicates_create_once_and_both_get_the_first_answer(keyed, as_):
    school = uuid4()
    headers = {**as_(person(school, "teacher")), "Idempotency-Key": f"k-{uuid4()}"}

    async def slow() -> None:
        await asyncio.sleep(0.3)

    hooks["during"] = slow
    first, second = await asyncio.gather(
        keyed.post(f"/schools/{school}/created", headers=headers),
        keyed.post(f"/schools/{school}/created", headers=headers),
    )

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert "true" in (first.headers.get("idempotent-replayed"), second.headers.get("idempotent-replayed"))
    assert await rows(keyed, school) == 1


async def test_the_claim_is_invisible_until_the_effect_commits_with_it(keyed, as_):
    school = uuid4()
    key = f"k-{uuid4()}"
    seen_while_running: list[int] = []

    async def look() -> None:
        seen_while_running.append(await keys(keyed, key))

    hooks["during"] = look
    answer = await keyed.post(
        f"/schools/{school}/created", headers={**as_(person(school, "teacher")), "Idempotency-Key": key}
    )

    assert answer.status_code == 201
    assert seen_while_running == [0]  # from outside, nothing is claimed before the commit
    assert await keys(keyed, key) == 1 and await rows(keyed, school) == 1


async def test_a_request_that_dies_after_its_effect_leaves_neither_and_the_retry_creates_once(keyed, as_):
    school = uuid4()
    key = f"k-{uuid4()}"
    headers = {**as_(person(school, "teacher")), "Idempotency-Key": key}

    hooks["crash"] = True
    died = await keyed.post(f"/schools/{school}/created", headers=headers)
    assert died.status_code == 500
    assert await keys(keyed, key) == 0 and await rows(keyed, school) == 0

    hooks.clear()
    retried = await keyed.post(f"/schools/{school}/created", headers=headers)
    again = await keyed.post(f"/schools/{school}/created", headers=headers)
    assert retried.status_code == again.status_code == 201
    assert again.json() == retried.json()
    assert await rows(keyed, school) == 1
