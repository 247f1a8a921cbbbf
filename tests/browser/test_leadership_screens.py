"""The director's, the deputy's and the class teacher's start pages do their main job (R-1: only what each may
read), from the keyboard: the journal's control lists and reports, and a family's dispute answered."""

import re

from playwright.async_api import Page


async def press_on(page: Page, selector: str, key: str = "Enter") -> None:
    """Keyboard only: the element gets the focus (as Tab would give it) and the key is pressed there."""
    await page.locator(selector).focus()
    await page.keyboard.press(key)


async def test_the_deputy_sees_late_marks_risks_and_disputes_and_opens_the_fill_report(visit):
    page = (await visit("deputy", "phone")).page
    control = page.locator("#control")
    await control.locator("#control-figures li").first.wait_for()
    figures = await control.locator("#control-figures").inner_text()
    assert re.search(r"\d+ класс", figures) and re.search(r"\d+ журнал", figures), figures
    # The demo's literature marks of 5Б's first lesson went in after the school's deadline (R-23).
    late = control.locator("#control-late tbody tr", has_text="5Б · Литература").first
    await late.wait_for()
    assert "Соколова Татьяна" in await late.inner_text()
    assert re.search(r"\d+ (день|дня|дней)", await late.inner_text())
    # Богданов Илья disputed his «3»; the deputy sees it (and whether his teacher has answered yet).
    await control.locator("#control-disputes li", has_text="почему тройка").wait_for()
    await control.locator("#control-risks tbody tr").first.wait_for()
    assert await control.locator("#control-period option").count() >= 4
    # The deputy reads and reports; no answer form and no journal writes (004 app.3).
    assert await control.locator("textarea").count() == 0
    assert await page.locator("#new-lesson").is_hidden()

    more = control.locator("#control-risks-more")
    if await more.is_visible():
        await press_on(page, "#control-risks-more")
        assert await more.is_hidden() and await control.locator("#control-risks tbody tr").count() > 10
    await press_on(page, '#control [data-open-report="journal-fill"]')
    reports = page.locator("#reports")
    await reports.locator("#report-status", has_text="Учителей вели журнал").wait_for()
    assert await page.evaluate("document.activeElement.getAttribute('data-report')") == "journal-fill"
    # The deputy starts the school's summary sheets; the director only reads them.
    assert await reports.locator("#report-school-job").is_visible()


async def test_the_director_reads_every_journal_and_the_control_but_sets_nothing(visit):
    page = (await visit("director")).page
    await page.locator("#control-figures li").first.wait_for()
    await page.locator("#journal tbody td.cell").first.wait_for()
    assert await page.locator("#read-only").is_visible()
    courses = await page.locator("#courses button").all_inner_texts()
    assert {"5А · Математика", "5А · Русский язык", "5Б · Литература"} <= set(courses)
    assert await page.locator("#admin, #disputes, #classroom").count() == 0
    await page.locator("#report-class option").first.wait_for(state="attached")
    assert await page.locator("#report-school-job").is_hidden()


async def test_the_class_teacher_sees_her_class_and_answers_a_pupils_dispute(visit):
    page = (await visit("class_teacher")).page
    room = page.locator("#classroom")
    await room.locator("#room-parents li").first.wait_for()
    # Her class is one link away from the top of a long page.
    await press_on(page, '#section-nav a[href="#classroom"]')
    await page.wait_for_url(re.compile(r"#classroom$"))
    assert await room.locator("#room-classes .chip").all_inner_texts() == ["5Б"]
    assert await room.locator("#room-parents li").count() == 30
    # Only her own courses' journal, and only her class (R-1).
    await page.locator("#courses button").first.wait_for()
    assert await page.locator("#courses button").all_inner_texts() == ["5Б · Литература"]

    disputes = page.locator("#disputes")
    item = disputes.locator("li.waiting", has_text="Богданов Илья")
    await item.wait_for()
    assert "Отметка 3" in await item.locator("h3").inner_text()
    await item.locator("textarea").focus()
    await page.keyboard.type("Илья, басня рассказана с ошибками в третьей строфе; исправить можно на следующем уроке.")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    answered = disputes.locator("li", has_text="Ответ — Соколова Татьяна Игоревна")
    await answered.wait_for()
    assert "третьей строфе" in await answered.inner_text()
    # The keyboard stays on the answered dispute.
    assert await page.evaluate("document.activeElement.classList.contains('dispute-item')")

    deputy = (await visit("deputy")).page
    await deputy.locator("#control-disputes li", has_text="третьей строфе").wait_for()
