"""Взлом учётной записи in the browser (R-3): the school administrator reports a teacher's account compromised from a
moment, reads what was done under it in Russian, reverts the lesson edit and reads its outcome, then lifts the block;
the tab reads on a phone. The teacher is the test's own: a block ends her sessions, the demo people's are shared."""

import os
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from devstack.browser import Browser, new_teacher

#: The demo school's administrator (``devstack.demo``): she also calls the API beside her tab, as in the e2e test.
ADMIN_OID = "1000006"
SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")
EDITED = "Изменены тема или домашнее задание урока"


async def test_the_administrator_blocks_a_stolen_account_and_reverts_its_edit(visit, stack, axe, russian_only):
    admin = Browser(stack.url("gateway"))
    teacher = None
    try:
        await admin.login(ADMIN_OID)
        school = admin.school_of("school_admin")
        teacher, course = await new_teacher(stack, admin, school, ("Лебедева", "Нина"), "История", "5Б")
        # The page's field takes minutes, in the browser's zone (the tests' tabs run in Moscow's).
        since = (datetime.now(ZoneInfo("Europe/Moscow")) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
        body = {"course_id": course["id"], "date": stack.today().isoformat(), "topic": "Реформы Петра I"}
        lesson = await teacher.api("POST", f"/gradebook/schools/{school}/lessons", json=body)
        assert lesson.status_code == 201, lesson.text
        lesson_url = f"/gradebook/schools/{school}/lessons/{lesson.json()['id']}"
        edited = await teacher.api("PATCH", lesson_url, json={"topic": "Чужая тема"})
        assert edited.status_code == 200, edited.text

        page = (await visit("school_admin")).page
        await page.locator("#class-chips .chip").first.wait_for(state="attached")
        await page.get_by_role("tab", name="Взлом учётной записи").click()
        panel = page.locator("#tab-compromise")
        await panel.get_by_placeholder("Начните вводить фамилию").fill("Лебедева Нина")
        await panel.locator("input[name=since]").fill(since)
        await panel.get_by_role("button", name="Заблокировать и показать действия").click()
        await expect(panel.locator("#compromise-status")).to_contain_text("Учётная запись заблокирована")
        # Her sessions ended at once: the thief's next call is refused.
        assert (await teacher.api("GET", "/me")).status_code == 401
        table = panel.locator("#compromise-table")
        await expect(table.locator("tbody tr", has_text="Записан урок")).to_contain_text("выполнено")
        await panel.get_by_role("checkbox", name=re.compile("^Отменить: " + EDITED)).check()
        await panel.get_by_role("button", name="Отменить выбранные").click()
        row = table.locator("tbody tr", has_text=EDITED)
        await expect(row.locator("td.outcome")).to_have_text("Отменено. Тема урока снова «Реформы Петра I».")
        await expect(panel.locator("#compromise-status")).to_contain_text("Отменено 1 из 1")
        # The lesson reads as before the edit.
        course_lessons = await admin.api("GET", f"/gradebook/schools/{school}/courses/{course['id']}/lessons")
        assert [x["topic"] for x in course_lessons.json()] == ["Реформы Петра I"]
        # A lesson recorded under the account has nothing to tick: the screen offers only what the revert undoes.
        assert await table.locator("tbody tr", has_text="Записан урок").locator("input").count() == 0
        assert await axe(page) == []
        await russian_only(page)
        if SCREENSHOTS:
            await panel.screenshot(path=Path(SCREENSHOTS) / "compromise-desktop.png")

        phone = (await visit("school_admin", "phone")).page
        await phone.locator("#class-chips .chip").first.wait_for(state="attached")
        await phone.get_by_role("tab", name="Взлом учётной записи").click()
        on_phone = phone.locator("#tab-compromise")
        await on_phone.get_by_placeholder("Начните вводить фамилию").fill("Лебедева Нина")
        await on_phone.get_by_role("button", name="Показать действия (уже заблокирована)").click()
        await expect(on_phone.locator("#compromise-table tbody tr", has_text=EDITED)).to_be_visible()
        assert await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert await axe(phone) == []
        if SCREENSHOTS:
            await on_phone.screenshot(path=Path(SCREENSHOTS) / "compromise-phone.png")

        await panel.get_by_role("button", name="Снять блокировку").click()
        await expect(panel.locator("#compromise-status")).to_contain_text("Блокировка снята")
        assert (await admin.api("GET", f"/compromise/{teacher.me['person_id']}/operations")).status_code == 404
    finally:
        if teacher is not None:
            await admin.api("DELETE", f"/compromise/{teacher.me['person_id']}")
            await teacher.close()
        await admin.close()
