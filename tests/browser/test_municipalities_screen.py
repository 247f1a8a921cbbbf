"""Муниципалитеты in the browser (R-10): the region administrator adds a municipality, renames it and moves a school
into it; the list shows each municipality's schools. Checked at desktop and phone width."""

import os
import re
from pathlib import Path
from uuid import uuid4

from playwright.async_api import expect

SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")


async def test_the_region_administrator_keeps_the_municipalities(visit, axe, russian_only):
    admin = await visit("region_admin")
    # The refused name below: the browser logs the 409 as a failed load.
    admin.expected.append(re.compile(r"status of 409"))
    page = admin.page
    section = page.locator("#municipalities")
    listed = section.locator("#municipality-list")
    # The demo school's municipality, with its school.
    await expect(listed.locator("li", has_text="Городской округ Энск")).to_contain_text("СОШ № 1")

    name = f"Район Заречный {uuid4().int % 900_000 + 100_000}"
    await section.get_by_label("Новый муниципалитет").fill(name)
    await section.get_by_role("button", name="Добавить").click()
    await expect(section.locator("#municipalities-status")).to_have_text(f"Муниципалитет «{name}» добавлен.")
    added = listed.locator("li", has=page.get_by_role("heading", name=name))
    await expect(added).to_contain_text("Школ пока нет.")

    renamed = name.replace("Заречный", "Приозёрный")
    await added.get_by_label("Название").fill(renamed)
    await added.get_by_role("button", name="Переименовать").click()
    await expect(section.locator("#municipalities-status")).to_have_text(f"Муниципалитет переименован: «{renamed}».")
    moved_to = listed.locator("li", has=page.get_by_role("heading", name=renamed))

    # A school of its own, registered where a school is (the region's API), then moved with the form.
    csrf = (await (await page.request.get("/api/v1/me")).json())["csrf_token"]
    short = f"Школа № {uuid4().int % 900 + 100}"
    municipality = f"Район {uuid4().int % 900_000 + 100_000}"
    school = {"name": f"МБОУ «{short}»", "short_name": short, "municipality": municipality}
    made = await page.request.post("/api/v1/roster/schools", data=school, headers={"X-CSRF-Token": csrf})
    assert made.ok, await made.text()
    await page.reload()
    await page.locator("html[data-started]").wait_for(state="attached")
    await section.locator("#move-school").select_option(label=f"{short} ({school['municipality']})")
    await section.locator("#move-municipality").select_option(label=renamed)
    await section.get_by_role("button", name="Перенести").click()
    await expect(section.locator("#school-move-status")).to_have_text(f"«{short}» теперь в муниципалитете «{renamed}».")
    await expect(moved_to).to_contain_text(f"1 школа: {short}")

    # A name already taken is refused in Russian beside the form, and nothing changes.
    await moved_to.get_by_label("Название").fill("Городской округ Энск")
    await moved_to.get_by_role("button", name="Переименовать").click()
    await expect(moved_to.locator(".status")).to_contain_text("уже зарегистрирован")
    assert await axe(page) == []
    await russian_only(page)
    if SCREENSHOTS:
        await section.screenshot(path=Path(SCREENSHOTS) / "municipalities-desktop.png")


async def test_the_municipalities_fit_a_phone(visit, axe):
    page = (await visit("region_admin", "phone")).page
    await expect(page.locator("#municipality-list li").first).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert await axe(page) == []
    if SCREENSHOTS:
        await page.locator("#municipalities").screenshot(path=Path(SCREENSHOTS) / "municipalities-phone.png")
