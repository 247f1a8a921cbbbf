"""Журнал доступа in the browser (R-5): the school administrator reads who read whose data, filters by the person
who acted and pages back; the screen reads on a phone."""

import os
from datetime import date, timedelta
from pathlib import Path

from playwright.async_api import expect

SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")


async def test_the_administrator_reads_who_read_whose_data(visit, axe, russian_only):
    # The teacher reads her class's journal: that is in the log under her name.
    await (await visit("teacher")).page.locator("#journal tbody td.cell").first.wait_for()
    page = (await visit("school_admin")).page
    await page.locator("#class-chips .chip").first.wait_for(state="attached")
    await page.get_by_role("tab", name="Журнал доступа").click()
    panel = page.locator("#tab-access")
    # The log is written by the database's clock, the page's today is the journal's pinned one: the real days.
    await panel.locator("#access-start").fill((date.today() - timedelta(days=1)).isoformat())
    await panel.locator("#access-end").fill((date.today() + timedelta(days=1)).isoformat())
    await panel.get_by_role("button", name="Показать").click()
    table = panel.locator("#access-table")
    # Newest first: the administrator's own reads of this run may fill the first page, so only its shape here.
    await expect(table.locator("tbody tr").first).to_contain_text("просмотр")
    await expect(panel.locator("#access-status")).to_contain_text("страница 1 из")
    assert await axe(page) == []
    await russian_only(page)

    teacher = await panel.locator("#access-person option", has_text="Иванова Мария").first.get_attribute("value")
    await panel.locator("#access-person").select_option(teacher)
    await panel.get_by_role("button", name="Показать").click()
    await expect(table.locator("tbody tr").first).to_contain_text("Иванова Мария")
    who = await table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert who and all(name.startswith("Иванова Мария") for name in who)
    assert "журнал и отметки" in await table.locator("tbody").inner_text()
    if SCREENSHOTS:
        await panel.screenshot(path=Path(SCREENSHOTS) / "access-log-desktop.png")


async def test_the_access_log_reads_on_a_phone(visit, axe):
    page = (await visit("school_admin", "phone")).page
    await page.locator("#class-chips .chip").first.wait_for(state="attached")
    await page.get_by_role("tab", name="Журнал доступа").click()
    panel = page.locator("#tab-access")
    await panel.locator("#access-start").fill((date.today() - timedelta(days=1)).isoformat())
    await panel.locator("#access-end").fill((date.today() + timedelta(days=1)).isoformat())
    await panel.get_by_role("button", name="Показать").click()
    await panel.locator("#access-table tbody tr").first.wait_for()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert await axe(page) == []
    if SCREENSHOTS:
        await panel.screenshot(path=Path(SCREENSHOTS) / "access-log-phone.png")
