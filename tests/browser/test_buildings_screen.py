"""Здания и кабинеты in the browser (R-10): the school administrator adds a building and a room in it on the school
year's tab; the room is listed with its building."""

import os
from pathlib import Path
from uuid import uuid4

from playwright.async_api import expect

SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")


async def test_the_administrator_adds_a_building_and_a_room_in_it(visit, axe, russian_only):
    page = (await visit("school_admin")).page
    await page.get_by_role("tab", name="Учебный год").click()
    panel = page.locator("#tab-calendar")
    building = f"Корпус {uuid4().hex[:4].upper()}"
    await panel.locator("#building-form").get_by_label("Здание").fill(building)
    await panel.get_by_role("button", name="Добавить здание").click()
    await expect(panel.locator("#room-status")).to_have_text("Здание добавлено.")
    await expect(panel.locator("#building-list")).to_contain_text(building)

    room = f"{uuid4().int % 900 + 100}"
    form = panel.locator("#room-form")
    await form.get_by_label("Кабинет").fill(room)
    await form.locator("select[name=building_id]").select_option(label=building)
    await form.get_by_role("button", name="Добавить").click()
    await expect(panel.locator("#room-status")).to_have_text("Кабинет добавлен.")
    await expect(panel.locator("#room-list")).to_contain_text(f"{room} · {building}")
    assert await axe(page) == []
    await russian_only(page)
    if SCREENSHOTS:
        await panel.screenshot(path=Path(SCREENSHOTS) / "buildings-desktop.png")
