"""Schools registered before the zones were announced: roster announces their settings once, on start."""

from uuid import UUID, uuid4

from sqlalchemy import update

from chassis.tenancy import Tenant
from chassis.testing import person
from roster.models import School
from roster.zone_backfill import announce_unheard_zones


async def test_a_school_registered_before_the_zones_is_announced_once(app, client, as_, region_admin, outbox_events):
    body = {
        "name": "МБОУ СОШ № 7",
        "short_name": "СОШ № 7",
        "municipality": f"Владивостокский ГО {uuid4().hex[:6]}",
        "timezone": "Asia/Vladivostok",
    }
    made = await client.post("/schools", json=body, headers=as_(region_admin))
    assert made.status_code == 201, made.text
    school_id = UUID(made.json()["id"])
    # A new school announces its zone in its registration: nothing to do for it.
    assert await announce_unheard_zones(app.state.db) == 0
    # As the migration leaves a school registered before: its zone never announced.
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        await session.execute(update(School).where(School.id == school_id).values(zone_announced=False))

    assert await announce_unheard_zones(app.state.db) == 1
    changed = [e for e in await outbox_events(school_id) if e["type"] == "roster.school.settings_changed.v1"]
    # A new version: every replica (kept by version) takes it over the region's zone it assumed.
    assert [e["data"] for e in changed] == [
        {
            "school_id": str(school_id),
            "version": 1,
            "timezone": "Asia/Vladivostok",
            "days_per_week": 5,
            "municipality_id": made.json()["municipality_id"],
            "municipality": body["municipality"],
        }
    ]
    # Once: a restart announces nothing again, and the school's own later change follows on.
    assert await announce_unheard_zones(app.state.db) == 0
    patched = await client.patch(
        f"/schools/{school_id}/settings", json={"days_per_week": 6}, headers=as_(person(school_id, "school_admin"))
    )
    assert patched.status_code == 200, patched.text
    changed = [e for e in await outbox_events(school_id) if e["type"] == "roster.school.settings_changed.v1"]
    assert [e["data"]["version"] for e in changed] == [1, 2]
