"""Здания и кабинеты in the browser (R-10): the school administrator adds a building and a room in it on the school
year's tab; the room is listed with its building. On the same tab, a club (R-14) takes pupils of 5А and 5Б."""

import os
from pathlib import Path
from uuid import uuid4

from playwright.async_api import expect

SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")


async def test_the_administrator_adds_a_building_a_room_in_it_and_a_club_of_two_classes(visit, axe, russian_only):
    page = (await visit("school_admin")).page
    await page.get_by_role("tab", name="Учебный год").click()
    panel = page.locator("#tab-calendar")
    building = f"Корпус {uuid4().int % 900_000 + 100_000}"
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

    club = f"Шахматы {uuid4().int % 900_000 + 100_000}"
    form = panel.locator("#elective-form")
    await form.get_by_label("Вид").select_option(label="Кружок")
    await form.get_by_label("Название группы").fill(club)
    await form.get_by_label("Учитель").select_option(label="Иванова Мария Петровна")
    await form.get_by_role("button", name="Создать группу").click()
    await expect(panel.locator("#elective-status")).to_have_text("Группа создана.")
    await panel.get_by_role("button", name=f"Состав: {club}").click()
    members = panel.locator("#elective-member-form")
    for pupil in ("Петров Алексей", "Богданов Илья"):
        option = await members.locator("option", has_text=pupil).first.text_content()
        await members.get_by_label("Ученик").select_option(label=option)
        await members.get_by_role("button", name="Записать").click()
        await expect(panel.locator("#elective-status")).to_contain_text(pupil)
    await expect(panel.locator("#elective-status")).to_contain_text("(5А)")
    await expect(panel.locator("#elective-status")).to_contain_text("(5Б)")
    assert await axe(page) == []
    await russian_only(page)
    if SCREENSHOTS:
        await panel.screenshot(path=Path(SCREENSHOTS) / "buildings-desktop.png")


async def test_the_buildings_and_clubs_read_on_a_phone(visit, axe):
    page = (await visit("school_admin", "phone")).page
    await page.get_by_role("tab", name="Учебный год").click()
    panel = page.locator("#tab-calendar")
    await panel.locator("#elective-form").get_by_role("button", name="Создать группу").wait_for()
    await panel.locator("#building-form").scroll_into_view_if_needed()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert await axe(page) == []
    if SCREENSHOTS:
        await panel.locator("#elective-form").screenshot(path=Path(SCREENSHOTS) / "electives-phone.png")
