"""Everyday robustness: a double click writes once, the diary's last week reads offline, and logging out
forgets it."""

import re
from uuid import uuid4

from playwright.async_api import Request


async def test_a_double_click_on_record_lesson_records_one_lesson(visit):
    tab = await visit("teacher")
    page = tab.page
    await page.get_by_role("button", name="5А · Математика").click()
    await page.locator("#journal tbody td.cell").first.wait_for()
    writes: list[Request] = []
    page.on("request", lambda r: writes.append(r) if r.method == "POST" and r.url.endswith("/lessons") else None)
    await page.get_by_role("button", name="Записать урок").click()
    topic = f"Округление чисел ({str(uuid4().int)[:6]})"
    await page.locator("#lesson-form input[name=topic]").fill(topic)
    await page.locator("#lesson-submit").dblclick()
    await page.locator(f"#journal .col-head[title='{topic}']").wait_for()

    assert len(writes) == 1
    assert re.fullmatch(r"[0-9a-f]{32}", writes[0].headers["idempotency-key"])
    assert await page.locator(f"#journal .col-head[title='{topic}']").count() == 1


async def test_the_last_diary_week_reads_offline_until_logout(visit):
    tab = await visit("parent", "phone", own_login=True)
    page = tab.page
    await page.locator("#diary .day").first.wait_for()
    # The service worker takes charge of the page once it is installed; from then on it keeps what it loads.
    await page.evaluate("navigator.serviceWorker.ready")
    await page.reload()
    await page.locator("#diary .day").first.wait_for()
    week = await page.locator("#diary").inner_text()

    await tab.context.set_offline(True)
    # Offline the browser reports the failed loads (the notifications, say); they are expected here.
    tab.expected.append(re.compile(r"ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource"))
    await page.reload()
    await page.locator("#diary .day").first.wait_for()
    offline = await page.locator("#diary").inner_text()
    assert "Нет связи с сервером" in offline, offline
    assert week in offline

    await tab.context.set_offline(False)
    await page.get_by_role("button", name="Выйти").click()
    await page.wait_for_url(re.compile(r"/login"))
    kept = await page.evaluate(
        """async () => {
          const lists = await Promise.all((await caches.keys()).map(async (n) => (await caches.open(n)).keys()));
          return lists.flat().map((request) => new URL(request.url).pathname);
        }"""
    )
    # Only the shared files stay (the login page's style sheet, say): nothing of the person.
    assert all(path.startswith("/static/") for path in kept), kept


async def test_the_family_disputes_a_mark_from_the_diary(visit):
    """004 app.8: the teacher puts a mark; the parent sees it in the diary and disputes it with a few words."""
    teacher = (await visit("teacher")).page
    await teacher.get_by_role("button", name="5А · Математика").click()
    await teacher.locator("#journal tbody td.cell").first.wait_for()
    await teacher.get_by_role("button", name="Записать урок").click()
    topic = f"Площадь ({str(uuid4().int)[:6]})"
    await teacher.locator("#lesson-form input[name=topic]").fill(topic)
    await teacher.locator("#lesson-submit").click()
    await teacher.locator(f"#journal .col-head[title='{topic}']").wait_for()
    heads = await teacher.locator("#journal thead .col-head").evaluate_all("(bs) => bs.map((b) => b.title)")
    names = await teacher.locator("#journal tbody th.name-col").all_inner_texts()
    row = names.index("Петров Алексей")
    # Focus, not a click: a click opens the cell's choices.
    await teacher.locator(f'#journal td.cell[data-row="{row}"][data-col="{heads.index(topic)}"]').focus()
    await teacher.keyboard.press("2")
    await teacher.locator("#journal .pending").first.wait_for(state="detached")

    parent = (await visit("parent")).page
    button = parent.get_by_role("button", name="Оспорить отметку 2 — Математика").last
    await button.wait_for()
    await button.click()
    await parent.locator("#dispute-text").fill("Сын отвечал у доски, оценка за другой ответ")
    await parent.get_by_role("button", name="Отправить учителю").click()
    await parent.locator("#dispute-dialog .status", has_text="Обращение отправлено учителю").wait_for()

    # The teacher finds it on her start page and answers the family there.
    await teacher.reload()
    waiting = teacher.locator("#disputes li.waiting", has_text="Сын отвечал у доски")
    await waiting.wait_for()
    await waiting.locator("textarea").fill("Отметка за самостоятельную работу; ответ у доски оценю отдельно.")
    await waiting.get_by_role("button", name="Ответить").click()
    answered = teacher.locator("#disputes li", has_text="Ответ — Иванова Мария Петровна")
    await answered.filter(has_text="Сын отвечал у доски").wait_for()
