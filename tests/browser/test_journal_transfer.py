"""R-16 in the subject teacher's journal: a pupil who came from another school this year is marked in the class ×
subject grid, and the teacher reads, read only, what the pupil brought in this subject — marks with their dates and
work types, period marks — naming the school it came from, apart from the journal's own marks and averages."""

import os
from pathlib import Path

from playwright.async_api import expect

SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")


def average_text(marks: list[str]) -> str:
    """The plain average as the grid writes it (two decimals, a comma), «—» without marks."""
    return f"{sum(map(int, marks)) / len(marks):.2f}".replace(".", ",") if marks else "—"


async def test_the_journal_marks_a_newcomer_and_shows_what_they_brought_in_its_subject(
    visit, newcomer, widths, axe, russian_only
):
    page = (await visit("teacher")).page
    await page.get_by_role("button", name="5А · Математика").click()
    await page.locator("#journal tbody td.cell").first.wait_for()
    row = page.locator("#journal tbody tr", has=page.locator("th.name-col", has_text=newcomer.name))
    tag = row.locator(".transfer-tag")
    await expect(tag).to_have_text("из др. школы")
    assert await tag.get_attribute("title") == "Из прежней школы: МБОУ СОШ № 7. Показать отметки по предмету"
    # Only the newcomer is marked; the pupils who were here all year are not.
    await expect(page.locator("#journal .transfer-tag")).to_have_count(1)
    # The grid is still one tab stop: the mark is for a click or a tap, the keyboard finds the copy under the grid.
    assert await tag.get_attribute("tabindex") == "-1"
    # The copy's «5» is not the journal's: his average is that of the marks in his own cells.
    own = [m.strip() for m in await row.locator("td.cell .mark").all_inner_texts()]
    await expect(row.locator('[data-average="plain"]')).to_have_text(average_text(own))

    copy = page.locator("#journal-transfers details", has_text=newcomer.name)
    await expect(copy).not_to_have_attribute("open", "")
    await tag.click()
    await expect(copy).to_have_attribute("open", "")
    assert await page.evaluate("document.activeElement.tagName") == "SUMMARY"
    await expect(copy.locator("summary")).to_have_text(f"{newcomer.name} — МБОУ СОШ № 7")
    await expect(copy.locator(".from-school")).to_contain_text(
        f"МБОУ СОШ № 7, {newcomer.academic_year} учебный год. Копия записей прежней школы, только просмотр."
    )
    # This subject only: maths' test mark with its date and work type, and its quarter mark; not the Russian «3».
    await expect(copy.locator("tbody tr")).to_have_count(1)
    cells = copy.locator("tbody tr td")
    await expect(cells).to_have_text([f"{newcomer.day:%d.%m.%Y}", "5", "Контрольная работа, вес 2"])
    label = await cells.nth(1).locator(".mark").get_attribute("aria-label")
    assert label == f"5 за {newcomer.day:%d.%m}, Контрольная работа"
    await expect(copy.locator(".period-copy")).to_have_text("Итоговые отметки: 1 четверть: 4")
    # Read only.
    assert await copy.locator("button, input, select, [contenteditable]").count() == 0
    # The keyboard closes and opens it from its summary.
    await page.keyboard.press("Enter")
    await expect(copy).not_to_have_attribute("open", "")
    await page.keyboard.press("Enter")
    await expect(copy).to_have_attribute("open", "")
    assert await axe(page) == []
    await russian_only(page)
    if SCREENSHOTS:
        await page.locator("#course").screenshot(path=Path(SCREENSHOTS) / "journal-transfer-desktop.png")

    await page.set_viewport_size(widths["phone"])
    await row.scroll_into_view_if_needed()
    await expect(tag).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert await axe(page) == []
    if SCREENSHOTS:
        await page.locator("#course").screenshot(path=Path(SCREENSHOTS) / "journal-transfer-phone.png")
