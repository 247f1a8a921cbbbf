"""The class journal filled from the keyboard alone: a new lesson, then its whole column of marks and absences,
counting the keys and the server's time; a refusal is shown beside its cell and the entry taken back."""

import re
from datetime import date, timedelta
from uuid import uuid4

from playwright.async_api import Page, Request

from chassis.testing import TEST_NOW

#: The issue's yardstick: 30 marks in at most 40 keystrokes; a class of any size is held to the same rate.
KEYS_PER_MARK = 40 / 30
#: And at most 1 s of server time for the column (the demo class has 10 pupils, so this is looser than 30 marks).
SERVER_SECONDS = 1.0
MARKS_PATH = re.compile(r"/api/v1/gradebook/schools/[^/]+/lessons/[^/]+/marks$")


async def open_course(page: Page, name: str) -> None:
    await page.get_by_role("button", name=name).click()
    await page.locator("#course-title", has_text=name).wait_for()
    await page.locator("#journal tbody td.cell, #journal-status:has-text('уроков нет')").first.wait_for()


async def write_lesson(page: Page, topic: str, day: date | None = None) -> None:
    """«Записать урок» from the keyboard: the form opens with today's date and the cursor in the topic."""
    await page.get_by_role("button", name="Записать урок").focus()
    await page.keyboard.press("Enter")
    if day is not None:
        await page.locator("#lesson-form input[name=date]").fill(day.isoformat())
        await page.locator("#lesson-form input[name=topic]").focus()
    await page.keyboard.type(topic)
    await page.locator("#lesson-form input[name=topic]").press("Enter")
    column = page.locator("#journal .col-head[title='" + topic + "']")
    await page.locator(f"#journal .col-head[title='{topic}'], #lesson-status.error").first.wait_for()
    assert await column.count() == 1, await page.locator("#lesson-status").inner_text()


async def column_of(page: Page, topic: str) -> int:
    heads = await page.locator("#journal thead .col-head").evaluate_all("(bs) => bs.map((b) => b.title)")
    return heads.index(topic)


async def test_a_whole_column_of_marks_from_the_keyboard(visit):
    tab = await visit("teacher")
    page = tab.page
    await open_course(page, "5А · Русский язык")
    topic = f"Диктант ({str(uuid4().int)[:6]})"
    await write_lesson(page, topic)
    col = await column_of(page, topic)
    # The new lesson's column has the keyboard, on its first pupil.
    focused = await page.evaluate("[document.activeElement.dataset.row, document.activeElement.dataset.col]")
    assert focused == ["0", str(col)]
    pupils = await page.locator("#journal tbody tr").count()
    assert pupils >= 10

    saves: list[Request] = []
    page.on("requestfinished", lambda r: saves.append(r) if r.method != "GET" and MARKS_PATH.search(r.url) else None)
    # Marks for all but two pupils, who are absent: one ill (Б), one without a good reason (Н), both typed with
    # the Latin layout on: the keys where Б and Н are on the Russian one count as Б and Н.
    entries = ["5", "4", "3", ",", "5", "4", "y", "5", "2", "4", *["5"] * (pupils - 10)]
    keystrokes = 0
    for key in entries:
        await page.keyboard.press(key)
        keystrokes += 1
    marks = [e for e in entries if e.isdigit()]
    await page.locator("#journal .pending").first.wait_for(state="detached")

    assert keystrokes <= KEYS_PER_MARK * len(entries)
    shown = await page.locator(f'#journal td.cell[data-col="{col}"]').all_inner_texts()
    assert [t.strip() for t in shown] == [{",": "Б", "y": "Н"}.get(e, e) for e in entries]
    # The keyboard stays where the teacher is: on the last pupil of the column.
    focused = await page.evaluate("[document.activeElement.dataset.row, document.activeElement.dataset.col]")
    assert focused == [str(pupils - 1), str(col)]
    # A screen reader hears whose cell it is and what it holds.
    label = await page.locator(f'#journal td.cell[data-row="0"][data-col="{col}"]').get_attribute("aria-label")
    assert label.startswith("5 — Александрова Дарья, урок ") and label.endswith("1 отметка: 5")

    # Column mode: the column's marks went in one request once the teacher stopped typing.
    assert [r.method for r in saves] == ["PUT"]
    response = await saves[0].response()
    assert response is not None and response.status == 200, await response.text()
    assert sorted(m["value"] for m in await response.json()) == sorted(marks)
    timing = saves[0].timing
    server_ms = timing["responseStart"] - timing["requestStart"]
    assert server_ms / 1000 <= SERVER_SECONDS, f"{server_ms:.0f} ms for {len(marks)} marks"

    # Saved, not only shown: a fresh load of the journal has them, with the averages.
    await page.reload()
    await open_course(page, "5А · Русский язык")
    again = await page.locator(f'#journal td.cell[data-col="{await column_of(page, topic)}"]').all_inner_texts()
    assert [t.strip() for t in again] == [t.strip() for t in shown]
    first_average = await page.locator('#journal tbody tr:first-child [data-average="plain"]').inner_text()
    assert first_average == "5,00"


async def test_thirty_marks_of_a_class_of_thirty_in_forty_keystrokes_and_a_second_of_server_time(visit):
    """The issue's yardstick as it stands: 5Б has thirty pupils; its whole column of marks from the keyboard."""
    page = (await visit("class_teacher")).page
    await open_course(page, "5Б · Литература")
    topic = f"Сочинение ({str(uuid4().int)[:6]})"
    await write_lesson(page, topic)
    col = await column_of(page, topic)
    assert await page.locator("#journal tbody tr").count() == 30
    saves: list[Request] = []
    page.on("requestfinished", lambda r: saves.append(r) if r.method != "GET" and MARKS_PATH.search(r.url) else None)
    marks = [str(5 - i % 4) for i in range(30)]
    keystrokes = 0
    for key in marks:
        await page.keyboard.press(key)
        keystrokes += 1
    await page.locator("#journal .pending").first.wait_for(state="detached")

    assert keystrokes <= 40
    shown = await page.locator(f'#journal td.cell[data-col="{col}"]').all_inner_texts()
    assert [t.strip() for t in shown] == marks
    assert [r.method for r in saves] == ["PUT"]
    response = await saves[0].response()
    assert response is not None and response.status == 200, await response.text()
    assert len(await response.json()) == 30
    timing = saves[0].timing
    server_ms = timing["responseStart"] - timing["requestStart"]
    assert server_ms / 1000 <= SERVER_SECONDS, f"{server_ms:.0f} ms for 30 marks"


def closed_school_day() -> date:
    """A weekday the default window (14 days) still holds open and a one-week window has closed."""
    day = TEST_NOW.date() - timedelta(days=8)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


async def set_edit_window(page: Page, code: str) -> None:
    # The tabs work once the screen's scripts have loaded the school.
    await page.locator("#class-chips .chip").first.wait_for(state="attached")
    await page.get_by_role("tab", name="Правила журнала").click()
    window = page.locator("#window-form select[name=edit_window]")
    await window.locator(f'option[value="{code}"]').wait_for(state="attached")
    await window.select_option(code)
    await page.locator("#window-form button[type=submit]").click()
    await page.locator("#window-status", has_text="Сохранено").wait_for()
    await page.locator("#window-status").evaluate("(node) => { node.textContent = ''; }")


async def test_a_refused_column_is_taken_back_and_the_reason_shown_beside_its_cells(visit):
    teacher = await visit("teacher", "phone")
    # The browser logs the refusal as a failed load; that one is expected here.
    teacher.expected.append(re.compile(r"status of 422"))
    page = teacher.page
    await open_course(page, "5А · Русский язык")
    topic = f"Изложение ({str(uuid4().int)[:6]})"
    await write_lesson(page, topic, closed_school_day())
    col = await column_of(page, topic)
    # Meanwhile the administrator shortens the edit window to a week: that lesson is closed now.
    admin = (await visit("school_admin")).page
    await set_edit_window(admin, "7d")
    try:
        await page.keyboard.press("5")
        await page.keyboard.press("4")
        cells = page.locator(f'#journal td.cell[data-col="{col}"]')
        for row in (0, 1):
            cell = cells.nth(row)
            await cell.locator(".cell-error").wait_for()
            assert await cell.locator(".mark").count() == 0
            assert (await cell.locator(".cell-error").inner_text()).startswith("Окно редактирования закрыто")
            assert await cell.get_attribute("aria-invalid") == "true"
        assert "Окно редактирования закрыто" in await page.locator("#journal-note").inner_text()
        # The teacher is where they were: on the next pupil.
        focused = await page.evaluate("[document.activeElement.dataset.row, document.activeElement.dataset.col]")
        assert focused == ["2", str(col)]
    finally:
        await set_edit_window(admin, "14d")


async def test_a_saved_column_is_undone_and_backspace_deletes_a_mark_with_a_reason(visit):
    """R-25: «Отменить» right after a column is saved takes it back; Backspace on a mark asks why and deletes it."""
    page = (await visit("teacher")).page
    await open_course(page, "5А · Русский язык")
    topic = f"Списывание ({str(uuid4().int)[:6]})"
    await write_lesson(page, topic)
    col = await column_of(page, topic)
    cells = page.locator(f'#journal td.cell[data-col="{col}"]')
    for key in ("5", "4"):
        await page.keyboard.press(key)
    await page.locator("#journal .pending").first.wait_for(state="detached")
    await page.get_by_role("button", name="Отменить").click()
    await page.locator("#journal-note", has_text="Ввод отменён").wait_for()
    assert [t.strip() for t in await cells.all_inner_texts()][:2] == ["", ""]

    await cells.nth(0).focus()
    await page.keyboard.press("3")
    await page.locator("#journal .pending").first.wait_for(state="detached")
    await cells.nth(0).focus()
    await page.keyboard.press("Backspace")
    await page.get_by_role("heading", name=re.compile(r"^Удалить отметку 3")).wait_for()
    await page.keyboard.type("поставлена не тому ученику")
    await page.keyboard.press("Enter")
    await page.locator("#journal-note", has_text="Отметка 3 удалена").wait_for()
    assert (await cells.nth(0).inner_text()).strip() == ""
    # The cell has the keyboard back.
    focused = await page.evaluate("[document.activeElement.dataset.row, document.activeElement.dataset.col]")
    assert focused == ["0", str(col)]
