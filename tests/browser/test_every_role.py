"""Every demo person's start page, at desktop and then phone width in one tab: it loads without errors, passes
axe-core's WCAG 2.1 A/AA checks, speaks Russian only, and fits the screen."""

import os
from pathlib import Path

import pytest

#: Where to save each start page as it looks (``JOURNAL_SCREENSHOTS=docs/screens``, for the README).
SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")

#: What each person's start page shows once loaded (R-1: only what the role may read).
MAIN_SCREEN = {
    "teacher": "#journal tbody tr",
    "parent": "#diary .day, #diary .hint",
    "student": "#diary .day, #diary .hint",
    "school_admin": "#class-chips .chip",
    "region_admin": "#region-status.hint",
    "inspector": "#journal tbody tr",
    "director": "#control-figures li",
    "deputy": "#control-late tbody tr",
    "class_teacher": "#room-parents li",
}


@pytest.mark.parametrize("who", sorted(MAIN_SCREEN))
async def test_the_start_page_of_each_role(visit, axe, russian_only, widths, who):
    page = (await visit(who, "desktop")).page
    for width, size in widths.items():
        if page.viewport_size != size:
            # The same tab turned into a phone: the page is laid out anew for the width it loads at.
            await page.set_viewport_size(size)
            await page.reload()
        await page.locator(MAIN_SCREEN[who]).first.wait_for()
        await page.wait_for_load_state("networkidle")
        assert await page.locator("text=Загрузка…").count() == 0, width

        assert await axe(page) == [], width
        await russian_only(page)
        # Nothing sticks out sideways on a phone (long words and links wrap).
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, width
        if SCREENSHOTS:
            await page.screenshot(path=Path(SCREENSHOTS) / f"{who}-{width}.png", full_page=True)
