"""Итоговые отметки in the browser (R-27 … R-29): the teacher sets the quarter's period marks beside the forecast
and closes the quarter; the administrator reopens it with a reason; the family sees the forecast."""

import re

from playwright.async_api import expect


async def test_the_teacher_closes_the_quarter_and_the_administrator_reopens_it(visit, axe, russian_only):
    tab = await visit("teacher")
    page = tab.page
    await page.get_by_role("button", name="5А · Математика").click()
    await page.locator("#journal thead th", has_text="Прогноз").wait_for()
    rows = page.locator("#pm-table tbody tr")
    await rows.first.wait_for()
    await expect(page.locator("#pm-title")).to_contain_text("1 четверть")
    # Петров Алексей has marks in the demo: his forecast stands beside his averages in the grid.
    alexey = page.locator("#journal tbody tr", has_text="Петров Алексей")
    await expect(alexey.locator('td[data-period="forecast"]')).to_have_text(re.compile(r"^[2-5]"))

    for i in range(await rows.count()):
        field = page.locator("#pm-table tbody tr").nth(i).locator("select")
        await field.select_option("4")
        await expect(page.locator("#pm-table tbody tr").nth(i).locator("select option").first).to_have_text("4")
    assert await axe(page) == []
    await russian_only(page)

    close = page.locator("#pm-close")
    await close.click()
    await expect(close).to_have_text("Подтвердите: закрыть «1 четверть»")
    await close.click()
    await expect(page.locator("#pm-status")).to_contain_text("Период закрыт")
    await expect(alexey.locator('td[data-period="mark"]')).to_have_text("4")
    assert await page.locator("#pm-table select").count() == 0

    admin = (await visit("school_admin")).page
    await admin.get_by_role("button", name="5А · Математика").click()
    reopen = admin.locator("#pm-reopen")
    await reopen.wait_for()
    await reopen.locator("input[name=reason]").fill("Исправить ошибочную отметку")
    await reopen.get_by_role("button", name="Открыть период заново").click()
    await expect(admin.locator("#pm-status")).to_contain_text("Итоговые отметки — до")
    assert await axe(admin) == []


async def test_the_family_sees_the_forecast_and_what_would_lift_it(visit, russian_only):
    page = (await visit("parent", "phone")).page
    table = page.locator("#family-marks table")
    await table.wait_for()
    maths = table.locator("tbody tr", has_text="Математика")
    await expect(maths).to_contain_text("1 четверть")
    await russian_only(page)
