"""Municipalities as records (R-10) and the municipal administrator, who reads their municipality's schools only."""

from uuid import UUID, uuid4

from chassis.auth import Caller
from chassis.testing import person, refused


def municipal_admin(municipality_id: str, *schools: str) -> Caller:
    """As the gateway signs them: the municipality and the schools it has heard of in it."""
    return Caller(
        person_id=uuid4(),
        name="Администратор Муниципалитета",
        region_roles=frozenset({"municipal_admin"}),
        municipality_id=UUID(municipality_id),
        municipal_schools=frozenset(UUID(s) for s in schools),
    )


async def test_municipalities_are_records_with_their_schools(client, as_, region_admin):
    name = f"Городской округ {uuid4().hex[:8]}"
    made = await client.post("/municipalities", json={"name": f"  {name} "}, headers=as_(region_admin))
    assert made.status_code == 201, made.text
    municipality = made.json()
    assert municipality["name"] == name
    refused(
        await client.post("/municipalities", json={"name": name}, headers=as_(region_admin)), 409, "уже зарегистрирован"
    )
    refused(await client.post("/municipalities", json={"name": "  "}, headers=as_(region_admin)), 422)
    refused(
        await client.post("/municipalities", json={"name": "Район"}, headers=as_(person(uuid4(), "school_admin"))), 403
    )

    by_id = {"name": "МБОУ СОШ № 1", "short_name": "СОШ № 1", "municipality_id": municipality["id"]}
    first = await client.post("/schools", json=by_id, headers=as_(region_admin))
    assert first.status_code == 201, first.text
    assert (first.json()["municipality_id"], first.json()["municipality"]) == (municipality["id"], name)
    # A school named by its municipality's name joins the same record.
    by_name = {"name": "МБОУ СОШ № 2", "short_name": "СОШ № 2", "municipality": name}
    second = (await client.post("/schools", json=by_name, headers=as_(region_admin))).json()
    assert second["municipality_id"] == municipality["id"]

    unknown = by_id | {"municipality_id": str(uuid4())}
    refused(await client.post("/schools", json=unknown, headers=as_(region_admin)), 422, "Муниципалитет не найден")
    both = by_id | {"municipality": name}
    refused(await client.post("/schools", json=both, headers=as_(region_admin)), 422)
    neither = {"name": "МБОУ СОШ № 3", "short_name": "СОШ № 3"}
    refused(await client.post("/schools", json=neither, headers=as_(region_admin)), 422)

    listed = await client.get(f"/municipalities/{municipality['id']}/schools", headers=as_(region_admin))
    assert [s["short_name"] for s in listed.json()] == ["СОШ № 1", "СОШ № 2"]
    assert municipality in (await client.get("/municipalities", headers=as_(region_admin))).json()


async def test_a_municipal_administrator_reads_their_schools_and_nothing_of_others(client, as_, region_admin):
    municipalities, schools = [], []
    for suffix in ("Север", "Юг"):
        body = {"name": f"Район {suffix} {uuid4().hex[:8]}"}
        municipality = (await client.post("/municipalities", json=body, headers=as_(region_admin))).json()
        school = {"name": f"МБОУ СОШ ({suffix})", "short_name": suffix, "municipality_id": municipality["id"]}
        municipalities.append(municipality)
        schools.append((await client.post("/schools", json=school, headers=as_(region_admin))).json()["id"])
    north, south = municipalities
    north_school, south_school = schools
    admin = municipal_admin(north["id"], north_school)
    school_admin = person(UUID(north_school), "school_admin")
    made = await client.post(
        f"/schools/{north_school}/classes", json={"grade": 5, "letter": "А"}, headers=as_(school_admin)
    )
    assert made.status_code == 201, made.text

    assert (await client.get("/municipalities", headers=as_(admin))).json() == [north]
    assert [
        s["id"] for s in (await client.get(f"/municipalities/{north['id']}/schools", headers=as_(admin))).json()
    ] == [north_school]
    assert (await client.get(f"/schools/{north_school}", headers=as_(admin))).json()["municipality"] == north["name"]
    classes = await client.get(f"/schools/{north_school}/classes", headers=as_(admin))
    assert [c["name"] for c in classes.json()] == ["5А"]

    # Another municipality's list and school answer as if they did not exist.
    refused(await client.get(f"/municipalities/{south['id']}/schools", headers=as_(admin)), 404)
    refused(await client.get(f"/schools/{south_school}", headers=as_(admin)), 404)
    refused(await client.get(f"/schools/{south_school}/classes", headers=as_(admin)), 404)
    # Read only: no set-up in their own municipality's school either.
    write = await client.post(f"/schools/{north_school}/classes", json={"grade": 6, "letter": "Б"}, headers=as_(admin))
    refused(write, 403)
    refused(await client.post("/municipalities", json={"name": "Ещё район"}, headers=as_(admin)), 403)
    # A school's people do not list the municipalities.
    refused(await client.get("/municipalities", headers=as_(school_admin)), 403)
    refused(await client.get(f"/municipalities/{north['id']}/schools", headers=as_(school_admin)), 404)


async def test_the_region_renames_a_municipality_and_moves_a_school_with_their_settings(
    client, as_, region_admin, outbox_events
):
    made = []
    for side in ("Левый", "Правый"):
        name = {"name": f"Район {side} {uuid4().hex[:8]}"}
        made.append((await client.post("/municipalities", json=name, headers=as_(region_admin))).json())
    first, second = made
    body = {"name": "МБОУ СОШ № 12", "short_name": "СОШ № 12", "municipality_id": first["id"]}
    school = (await client.post("/schools", json=body, headers=as_(region_admin))).json()

    def settings(events: list[dict]) -> list[dict]:
        return [e["data"] for e in events if e["type"] == "roster.school.settings_changed.v1"]

    renamed_to = f"Городской округ {uuid4().hex[:8]}"
    renamed = await client.patch(f"/municipalities/{first['id']}", json={"name": renamed_to}, headers=as_(region_admin))
    assert renamed.json() == {"id": first["id"], "name": renamed_to}
    assert (await client.get(f"/schools/{school['id']}", headers=as_(region_admin))).json()[
        "municipality"
    ] == renamed_to
    # Each of its schools announces the new name as a new version of its settings.
    (announced,) = settings(await outbox_events(UUID(school["id"])))
    assert (announced["version"], announced["municipality_id"], announced["municipality"]) == (
        1,
        first["id"],
        renamed_to,
    )

    moved = await client.put(
        f"/schools/{school['id']}/municipality", json={"municipality_id": second["id"]}, headers=as_(region_admin)
    )
    assert (moved.json()["municipality_id"], moved.json()["municipality"]) == (second["id"], second["name"])
    assert settings(await outbox_events(UUID(school["id"])))[-1]["version"] == 2
    listed = await client.get(f"/municipalities/{second['id']}/schools", headers=as_(region_admin))
    assert [s["id"] for s in listed.json()] == [school["id"]]
    assert (await client.get(f"/municipalities/{first['id']}/schools", headers=as_(region_admin))).json() == []
    # The same municipality again changes nothing and announces nothing.
    again = await client.put(
        f"/schools/{school['id']}/municipality", json={"municipality_id": second["id"]}, headers=as_(region_admin)
    )
    assert again.status_code == 200
    assert len(settings(await outbox_events(UUID(school["id"])))) == 2

    # Bad input: a taken or empty name, an unknown municipality or school, someone else than the region's administrator.
    taken = await client.patch(
        f"/municipalities/{first['id']}", json={"name": second["name"]}, headers=as_(region_admin)
    )
    refused(taken, 409, "уже зарегистрирован")
    refused(await client.patch(f"/municipalities/{first['id']}", json={"name": " "}, headers=as_(region_admin)), 422)
    refused(await client.patch(f"/municipalities/{uuid4()}", json={"name": "Район"}, headers=as_(region_admin)), 404)
    unknown = {"municipality_id": str(uuid4())}
    refused(
        await client.put(f"/schools/{school['id']}/municipality", json=unknown, headers=as_(region_admin)),
        422,
        "Муниципалитет не найден",
    )
    to_first = {"municipality_id": first["id"]}
    refused(await client.put(f"/schools/{uuid4()}/municipality", json=to_first, headers=as_(region_admin)), 404)
    inspector = person(region_roles=("inspector",), name="Инспектор")
    refused(await client.patch(f"/municipalities/{first['id']}", json={"name": "Район"}, headers=as_(inspector)), 403)
    refused(await client.put(f"/schools/{school['id']}/municipality", json=to_first, headers=as_(inspector)), 403)
    assert (await client.get(f"/schools/{school['id']}", headers=as_(region_admin))).json()["municipality"] == second[
        "name"
    ]
