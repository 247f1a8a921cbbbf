"""The class teacher's preliminary report and the administration's class fill, diary activity and movement in the
browser (R-60 … R-62): the report is refused in Russian before its two weeks, shown on a day asked for, and the
fill table downloads."""

import os
import re
from pathlib import Path

from playwright.async_api import expect

from chassis.testing import TEST_TODAY

SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")


async def test_the_class_teacher_opens_the_preliminary_report(visit, axe, russian_only):
    teacher = await visit("teacher")
    # The demo's first quarter ends on 31 October: on 14 October the report is not due yet (a 409 the browser logs).
    teacher.expected.append(re.compile("409"))
    page = teacher.page
    reports = page.locator("#reports")
    await reports.locator("#report-period option", has_text="1 четверть").wait_for(state="attached")
    await reports.locator("#report-period").select_option(label="1 четверть")
    await reports.get_by_role("button", name="Предварительный отчёт").click()
    status = reports.locator("#report-status")
    await expect(status).to_contain_text("за две недели до конца периода — с 17.10.2026")
    await reports.locator("#report-on").fill(TEST_TODAY.isoformat())
    await reports.locator("#report-on").dispatch_event("change")
    await expect(status).to_contain_text("В зоне риска")
    table = reports.locator("#report-table")
    await expect(table.locator("thead")).to_contain_text("Математика: прогноз")
    await expect(table.locator("tbody")).to_contain_text("Сидоров Иван")
    link = reports.get_by_role("link", name="Скачать PDF")
    response = await page.request.get(await link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert await axe(page) == []
    await russian_only(page)
    if SCREENSHOTS:
        await reports.screenshot(path=Path(SCREENSHOTS) / "preliminary-report-desktop.png")
    # Class fill and movement are the administration's.
    assert await reports.get_by_role("button", name="Наполняемость классов").is_hidden()


async def test_the_administrator_reads_the_class_fill_on_a_phone(visit, axe, russian_only):
    page = (await visit("school_admin", "phone")).page
    reports = page.locator("#reports")
    await reports.locator("#report-class option").first.wait_for(state="attached")
    await reports.get_by_role("button", name="Наполняемость классов").click()
    table = reports.locator("#report-table")
    await expect(table.locator("tbody")).to_contain_text("5-е классы, итого")
    await expect(table.locator("tbody")).to_contain_text("5А")
    link = reports.get_by_role("link", name="Скачать XLSX")
    response = await page.request.get(await link.get_attribute("href"))
    assert response.ok and "spreadsheetml" in response.headers["content-type"]
    await reports.get_by_role("button", name="Активность по классам").click()
    await expect(table.locator("thead")).to_contain_text("Семей ни разу не заходили")
    await expect(table.locator("tbody")).to_contain_text("5А")
    await reports.get_by_role("button", name="Движение обучающихся").click()
    await expect(table.locator("thead")).to_contain_text("Прибыло")
    assert await axe(page) == []
    await russian_only(page)
    if SCREENSHOTS:
        await reports.screenshot(path=Path(SCREENSHOTS) / "movement-phone.png")
