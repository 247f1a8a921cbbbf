"""R-16 in the browser: the class teacher reads what a pupil transferred from another school brought — the year's
marks, period marks and absences, as the receiving school's own read-only rows marked with the school they came
from. The copy arrives as the sending school's gradebook and attendance send it (the services' own tests cover how
they build it from the originals)."""

import re

from playwright.async_api import expect


async def test_the_class_teacher_reads_a_newcomers_marks_and_absences_from_the_previous_school(
    visit, newcomer, axe, russian_only
):
    page = (await visit("teacher")).page
    day = newcomer.day
    room = page.locator("#classroom")
    copy_of_ivan = room.locator("#room-transcripts .transcript", has_text="Сидоров Иван")

    await room.locator('#room-transcripts[aria-busy="false"]').wait_for()
    await expect(copy_of_ivan.locator(".mark")).to_have_count(2)
    await expect(copy_of_ivan.locator(".tag")).to_have_text("Из прежней школы")
    await expect(copy_of_ivan).to_contain_text(f"МБОУ СОШ № 7, {newcomer.academic_year} учебный год")
    maths = copy_of_ivan.locator("tbody tr", has_text="Математика")
    await expect(maths.locator(".mark")).to_have_text("5")
    await expect(maths.locator("td").last).to_have_text("1 четверть: 4")
    assert await maths.locator(".mark").get_attribute("aria-label") == f"5 за {day:%d.%m}, Контрольная работа"
    await expect(copy_of_ivan.locator("tbody tr", has_text="Русский язык").locator(".mark")).to_have_text("3")
    absence = copy_of_ivan.locator(".items li")
    await expect(absence).to_have_text(re.compile(rf"{day:%d\.%m\.%Y} · Математика\s*Б"))
    # Read only, and only the newcomer: the pupils who were here all year have no copy.
    assert await copy_of_ivan.locator("button, input, select, [contenteditable]").count() == 0
    assert await room.locator("#room-transcripts .transcript", has_text="Петров Алексей").count() == 0
    assert await axe(page) == []
    await russian_only(page)
