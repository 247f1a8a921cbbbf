"""Each role's own screen does its main job, and shows only what the role may read (R-1)."""

import re

from playwright.async_api import Request


async def test_the_class_teacher_sees_her_class_by_week_with_reasons_marks_and_parents(visit):
    page = (await visit("teacher")).page
    room = page.locator("#classroom")
    await room.locator("#room-parents li").first.wait_for()
    pupils = await room.locator("#room-parents .person-name").all_inner_texts()
    assert len(pupils) == 10 and pupils[0] == "Александрова Дарья"
    parents = await room.locator("#room-parents li", has_text="Петров Алексей").inner_text()
    assert "Петров Сергей (родитель)" in parents
    # The demo's Сидоров Иван missed yesterday's maths lesson without a good reason.
    await room.locator("#room-attendance tbody tr").first.wait_for()
    ivan = room.locator("#room-attendance tbody tr", has_text="Сидоров Иван")
    absence = ivan.locator(".absence", has_text="Н").first
    assert await absence.get_attribute("aria-label") == "Математика, без уважительной причины"
    await room.locator("#room-marks tbody tr").first.wait_for()
    heads = await room.locator("#room-marks thead th").all_inner_texts()
    assert "Математика" in heads
    alexey = await room.locator("#room-marks tbody tr", has_text="Петров Алексей").inner_text()
    assert "5,00" in alexey


async def test_the_inspector_reads_the_journal_and_cannot_write_in_it(visit):
    page = (await visit("inspector", "phone")).page
    await page.locator("#journal tbody td.cell").first.wait_for()
    assert await page.locator("#new-lesson").is_hidden()
    assert await page.locator("#column-tools").is_hidden()
    assert await page.locator("#read-only").is_visible()
    writes: list[Request] = []
    page.on("request", lambda r: writes.append(r) if r.method != "GET" else None)
    cell = page.locator("#journal tbody td.cell").first
    before = await cell.inner_text()
    await cell.click()
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("2")
    await page.keyboard.press("y")
    assert not await page.locator("#editor").is_visible()
    assert writes == [] and await cell.inner_text() == before
    # The arrows still move through the journal for reading.
    assert await page.evaluate("document.activeElement.dataset.row") == "1"
    assert "Школы региона" in await page.locator("#region h1").inner_text()


async def test_the_school_admin_sets_the_edit_window_and_sees_the_class_teachers(visit):
    page = (await visit("school_admin")).page
    # The tabs work once the screen's scripts have loaded the school.
    await page.locator("#class-chips .chip").first.wait_for(state="attached")
    await page.get_by_role("tab", name="Правила журнала").click()
    window = page.locator("#window-form select[name=edit_window]")
    await window.locator("option").nth(1).wait_for(state="attached")
    original = await window.input_value()
    other = next(
        v for v in await window.locator("option").evaluate_all("(os) => os.map((o) => o.value)") if v != original
    )
    await window.select_option(other)
    await page.locator("#window-form button[type=submit]").click()
    await page.locator("#window-status", has_text="Сохранено").wait_for()

    await page.reload()
    await page.locator("#class-chips .chip").first.wait_for(state="attached")
    await page.get_by_role("tab", name="Правила журнала").click()
    await page.locator("#class-teachers li").first.wait_for()
    assert await window.input_value() == other
    assert await page.locator("#class-teachers select").first.evaluate("(s) => s.selectedOptions[0].text") == (
        "Иванова Мария Петровна"
    )
    # Put the school's rule back for the other tests.
    await window.select_option(original)
    await page.locator("#window-form button[type=submit]").click()
    await page.locator("#window-status", has_text="Сохранено").wait_for()


async def test_a_parent_sees_only_their_own_child_and_the_weeks_homework(visit):
    page = (await visit("parent")).page
    await page.locator("#diary .day").first.wait_for()
    assert await page.locator("#children .chip").all_inner_texts() == ["Петров Алексей, 5А"]
    week = await page.locator("#diary").inner_text()
    assert "Домашнее задание:" in week
    assert re.search(r"\d\d\.\d\d\.\d{4}", await page.locator("#week-title").inner_text())
    assert await page.locator("#journal, #admin, #classroom").count() == 0


async def test_the_class_teacher_shows_and_downloads_the_summary_sheet(visit):
    page = (await visit("teacher")).page
    reports = page.locator("#reports")
    await reports.locator("#report-class option").first.wait_for(state="attached")
    await reports.get_by_role("button", name="Сводная ведомость").click()
    await reports.locator("#report-status", has_text="Класс").wait_for()
    await reports.locator("#report-table tbody tr").first.wait_for()
    assert "Сидоров Иван" in await reports.locator("#report-table tbody").inner_text()
    assert "Математика: ср. взв." in await reports.locator("#report-table thead").inner_text()
    link = reports.get_by_role("link", name="Скачать XLSX")
    response = await page.request.get(await link.get_attribute("href"))
    assert response.ok and "spreadsheetml" in response.headers["content-type"]
    # The administration's reports are not the class teacher's.
    assert await reports.get_by_role("button", name="Заполнение журнала").is_hidden()


async def test_the_inspector_reads_the_journal_fill_of_a_school(visit):
    page = (await visit("inspector")).page
    reports = page.locator("#reports")
    await reports.locator("#report-class option").first.wait_for(state="attached")
    await reports.get_by_role("button", name="Заполнение журнала").click()
    await reports.locator("#report-status", has_text="Учителей вели журнал").wait_for()
    await reports.locator("#report-table tbody tr").first.wait_for()
    assert await reports.locator("#report-school-job").is_hidden()  # the inspector starts nothing
