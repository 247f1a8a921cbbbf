"""Показатели успеваемости региона in the browser (R-61, R-66): the inspector drills from the municipality to a
parallel's subjects, sorts a column and downloads the table; the region administrator reads it on a phone."""

import os
import re
from pathlib import Path

from playwright.async_api import Page, expect

from chassis.russian import collation_key

SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")


async def a_quarter_mark_is_set(visit) -> None:
    """The teacher gives 5А's first pupil a quarter mark in maths, unless the quarter is closed already."""
    page = (await visit("teacher")).page
    await page.get_by_role("button", name="5А · Математика").click()
    await page.locator("#pm-table tbody tr").first.wait_for()
    field = page.locator("#pm-table tbody tr").first.locator("select")
    if await field.count():
        await field.select_option("5")
        await expect(page.locator("#pm-table tbody tr").first.locator("select option").first).to_have_text("5")


async def indicators_shown(page: Page) -> None:
    """The period marks reach reporting by events: the page is opened again until the table shows them."""
    status = page.locator("#region-status")
    for _ in range(20):
        await expect(status).not_to_have_text(re.compile(r"^(Загрузка…)?$"))
        if await page.locator("#region-table tbody tr").count():
            return
        assert "error" not in (await status.get_attribute("class") or ""), await status.inner_text()
        await page.wait_for_timeout(500)
        await page.reload()
    raise AssertionError("the region's indicators never showed the demo's quarter marks")


async def test_the_inspector_drills_down_sorts_and_downloads(visit, axe, russian_only):
    await a_quarter_mark_is_set(visit)
    page = (await visit("inspector")).page
    region = page.locator("#region")
    await indicators_shown(page)
    table = region.locator("#region-table")
    await expect(table.locator("thead")).to_contain_text("Муниципалитет")
    await expect(table.locator("tbody")).to_contain_text("Городской округ Энск")
    await expect(region.locator("#region-period")).to_contain_text("1 четверть")
    assert await axe(page) == []
    await russian_only(page)

    await region.locator("#region-by").select_option("school")
    await expect(table.locator("thead")).to_contain_text("Школа")
    await table.get_by_role("button", name="школа № 1").first.click()
    await expect(table.locator("thead")).to_contain_text("Параллель")
    await table.get_by_role("button", name="5 классы").click()
    await expect(table.locator("thead")).to_contain_text("Предмет")
    await expect(table.locator("tbody")).to_contain_text("Математика")
    subjects = [t.split("\t")[1] for t in await table.locator("tbody tr:not(.foot)").all_inner_texts()]
    assert subjects == sorted(subjects, key=collation_key)
    # The way back up names each level chosen; the region's is a button.
    await expect(region.locator("#region-path li")).to_have_count(3)

    await table.get_by_role("button", name="Упорядочить по столбцу «Средний балл»").click()
    await expect(table.locator('th[aria-sort="descending"]')).to_contain_text("Средний балл")
    link = region.get_by_role("link", name="Скачать XLSX")
    response = await page.request.get(await link.get_attribute("href"))
    assert response.ok and "spreadsheetml" in response.headers["content-type"]
    if SCREENSHOTS:
        await region.screenshot(path=Path(SCREENSHOTS) / "region-indicators-desktop.png")

    await region.get_by_role("button", name="Регион").click()
    await expect(table.locator("thead")).to_contain_text("Школа")


async def test_the_region_administrator_reads_it_on_a_phone(visit, axe):
    await a_quarter_mark_is_set(visit)
    page = (await visit("region_admin", "phone")).page
    await indicators_shown(page)
    # The table scrolls inside its frame; the page itself does not run wider than the phone.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert await axe(page) == []
    if SCREENSHOTS:
        await page.locator("#region").screenshot(path=Path(SCREENSHOTS) / "region-indicators-phone.png")
