"""The municipal administrator through the gateway (R-10): the schools of their municipality, read only,
nothing of another municipality; and each school's pages show the school's own today."""

from uuid import UUID, uuid4

from sqlalchemy import select

from chassis.tenancy import SYSTEM
from chassis.testing import eventually, refused
from gateway.accounts import grant_region_role
from gateway.models import School

from .test_proxy import region_admin


async def test_a_municipal_administrator_reads_their_municipalitys_schools_only(stack, esia_person):
    async with region_admin(stack, esia_person) as (browser, csrf):
        headers = {"X-CSRF-Token": csrf}
        ids = {}
        for side in ("Север", "Юг"):
            name = f"Район {side} {uuid4().hex[:6]}"
            made = await browser.post("/api/v1/roster/municipalities", json={"name": name}, headers=headers)
            assert made.status_code == 201, made.text
            school = {"name": f"МБОУ СОШ ({side})", "short_name": f"СОШ {side}", "municipality_id": made.json()["id"]}
            school |= {"timezone": "Asia/Vladivostok" if side == "Север" else "Europe/Kaliningrad"}
            created = await browser.post("/api/v1/roster/schools", json=school, headers=headers)
            assert created.status_code == 201, created.text
            ids[side] = (made.json()["id"], created.json()["id"])
    (north, north_school), (south, south_school) = ids["Север"], ids["Юг"]

    async def replicated():
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            found = await session.scalars(select(School.municipality_id).where(School.school_id.in_([north_school])))
            return list(found) == [UUID(north)]

    await eventually(replicated, timeout=20)
    person = await esia_person("Фёдорова", "Галина")
    async with stack.gateway.state.db.transaction(SYSTEM) as session:
        await grant_region_role(
            session,
            esia_oid=str(person.oid),
            role="municipal_admin",
            name="Фёдорова Галина",
            municipality_id=UUID(north),
        )
    async with stack.browser() as browser:
        assert (await stack.log_in(browser, person.oid)).status_code == 303
        me = await browser.get("/api/v1/me")
        assert me.json()["region_roles"] == ["municipal_admin"]
        csrf = {"X-CSRF-Token": me.json()["csrf_token"]}
        schools = await browser.get(f"/api/v1/roster/municipalities/{north}/schools")
        assert [s["id"] for s in schools.json()] == [north_school]
        assert (await browser.get(f"/api/v1/roster/schools/{north_school}")).status_code == 200
        refused(await browser.get(f"/api/v1/roster/schools/{south_school}"), 404)
        refused(await browser.get(f"/api/v1/roster/municipalities/{south}/schools"), 404)
        write = await browser.post(
            f"/api/v1/roster/schools/{north_school}/classes", json={"grade": 5, "letter": "А"}, headers=csrf
        )
        refused(write, 403)
        # The start page offers the municipality's school's journals and not the other municipality's.
        page = (await browser.get("/")).text
        assert north_school in page and south_school not in page
        # Their municipality's figures: the region's indicators, titled for the municipality.
        assert "Школы муниципалитета" in page
        assert (await browser.get("/api/v1/reporting/region/indicators")).status_code == 200
        refused(await browser.get("/api/v1/reporting/region/indicators", params={"school_id": south_school}), 404)

    # The region's administrator moves the southern school into the northern municipality: the gateway follows the
    # settings event, and the municipal administrator's next login reads it.
    async with region_admin(stack, esia_person) as (browser, csrf):
        moved = await browser.put(
            f"/api/v1/roster/schools/{south_school}/municipality",
            json={"municipality_id": north},
            headers={"X-CSRF-Token": csrf},
        )
        assert moved.status_code == 200, moved.text

    async def followed():
        async with stack.gateway.state.db.transaction(SYSTEM) as session:
            found = await session.scalar(select(School.municipality_id).where(School.school_id == UUID(south_school)))
            return found == UUID(north)

    await eventually(followed, timeout=20)
    async with stack.browser() as browser:
        assert (await stack.log_in(browser, person.oid)).status_code == 303
        assert (await browser.get(f"/api/v1/roster/schools/{south_school}")).status_code == 200
