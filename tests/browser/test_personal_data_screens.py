"""152-ФЗ screens: a parent asks for the family's data and downloads it; the administrator sees the open requests
with their deadlines, records a breach and reads whose data the account reached."""

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

#: Where to save the screens as they look (``JOURNAL_SCREENSHOTS=…``), to look at them.
SCREENSHOTS = os.environ.get("JOURNAL_SCREENSHOTS")


async def shot(page, name: str) -> None:
    if SCREENSHOTS:
        await page.screenshot(path=Path(SCREENSHOTS) / f"privacy-{name}.png", full_page=True)


async def test_a_parent_asks_for_the_familys_data_and_downloads_it(visit, axe, russian_only):
    page = (await visit("parent", "phone")).page
    await page.get_by_role("link", name="Мои персональные данные: запросить или исправить").click()
    # On the new page once its answer has come (the next step waits for what it draws): on a machine running two
    # suites, waiting for the whole load took past the 15 s once.
    await page.wait_for_url("**/privacy", wait_until="commit")
    family = page.locator("#privacy-family")
    await family.locator("#privacy-subject option").first.wait_for(state="attached")
    await family.get_by_role("button", name="Запросить сведения обо мне и детях").click()
    # Assembled while the family waits: every service, then the PDF (slow on a loaded machine).
    status = family.locator("#privacy-access-status.ok, #privacy-access-status.error")
    await status.wait_for(timeout=120_000)
    assert "Готово" in await status.inner_text()
    row = family.locator("#privacy-my-requests li", has_text="Сведения о персональных данных").first
    assert "дан ответ" in await row.inner_text()
    async with page.expect_download() as download:
        await row.get_by_role("link", name="Скачать выписку (PDF)").click()
    assert (await download.value).suggested_filename == "vypiska.pdf"

    await family.get_by_label("Что исправить").select_option(label="телефон")
    await family.get_by_label("Верное значение").fill("+7 900 111-22-33")
    await family.get_by_role("button", name="Отправить запрос").click()
    await family.locator("#privacy-correction-status.ok").wait_for()
    await family.locator("#privacy-my-requests li", has_text="ожидает ответа").first.wait_for()
    await shot(page, "parent-phone")
    assert await axe(page) == []
    await russian_only(page)


async def test_the_administrator_sees_the_deadlines_and_records_a_breach(visit, axe, russian_only):
    parent = (await visit("parent")).page
    # The parent's account reads the child's week: what the breach below finds in the access log.
    await parent.locator("#diary .day").first.wait_for()
    await parent.goto("/privacy")
    family = parent.locator("#privacy-family")
    await family.locator("#privacy-subject option").first.wait_for(state="attached")
    await family.get_by_label("Что исправить").select_option(label="телефон")
    await family.get_by_label("Верное значение").fill("+7 900 555-44-33")
    await family.get_by_role("button", name="Отправить запрос").click()
    await family.locator("#privacy-correction-status.ok").wait_for()

    page = (await visit("school_admin")).page
    await page.get_by_role("link", name="Персональные данные: запросы семей и инциденты").click()
    admin = page.locator("#privacy-admin")
    await admin.locator("#privacy-account option", has_text="Петров Сергей Иванович").wait_for(state="attached")
    request = admin.locator("#privacy-open-requests tbody tr", has_text="555-44-33").first
    await request.wait_for()
    assert "рабоч" in await request.inner_text()
    await request.get_by_label("Ответ заявителю").fill("Телефон исправлен.")
    await request.get_by_role("button", name="Исправить").click()
    await admin.locator("#privacy-answer-status.ok").wait_for()

    # The browser's clock is Moscow's; the access log's moments are real ones.
    now = datetime.now(ZoneInfo("Europe/Moscow"))
    await admin.get_by_label("Обнаружен").fill(f"{now:%Y-%m-%dT%H:%M}")
    await admin.get_by_label("Что произошло").fill("Пароль родителя стал известен посторонним.")
    await admin.get_by_label("Учётная запись, которой воспользовались").select_option(label="Петров Сергей Иванович")
    await admin.get_by_label("Доступ с").fill(f"{now - timedelta(hours=1):%Y-%m-%dT%H:%M}")
    await admin.get_by_role("button", name="Записать инцидент").click()
    await admin.locator("#privacy-breach-status.ok").wait_for()
    await admin.locator("#privacy-affected").wait_for()
    assert "Петров Алексей" in await admin.locator("#privacy-affected").inner_text()
    await admin.get_by_role("link", name="Уведомление для Роскомнадзора (PDF)").wait_for()
    await shot(page, "school-admin")
    assert await axe(page) == []
    await russian_only(page)
