"""The administrator's destruction screen (152-ФЗ ст. 21): the proposal of a student whose terms are over,
the confirmation, the run's outcome and the act's download, in Russian and accessible."""

import os

from devstack.browser import Browser
from devstack.expired import age, databases, left_student
from devstack.stack import Stack

TEACHER_OID, ADMIN_OID = "1000001", "1000006"


async def test_the_administrator_confirms_a_proposed_destruction_and_downloads_the_act(
    visit, axe, russian_only, stack: Stack
):
    admin, teacher = Browser(stack.url("gateway")), Browser(stack.url("gateway"))
    try:
        await admin.login(ADMIN_OID)
        await teacher.login(TEACHER_OID)
        async with databases(stack) as dbs:
            student = await left_student(stack, admin, teacher, dbs)
            await age(dbs, student.id, 7)
    finally:
        await admin.close()
        await teacher.close()

    page = (await visit("school_admin")).page
    section = page.locator("#destruction")
    proposal = section.locator("#destruction-proposals li", has_text=student.surname)
    await proposal.wait_for()
    assert "записи журнала — 1" in await proposal.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    await proposal.get_by_role("button", name="Уничтожить").click()
    await section.locator("#destruction-status", has_text="Данные уничтожены").wait_for()
    assert await section.locator("#destruction-proposals li", has_text=student.surname).count() == 0
    run = section.locator("#destruction-runs li", has_text=student.surname)
    assert "уничтожено" in await run.inner_text()
    if directory := os.environ.get("JOURNAL_SCREENSHOTS"):
        await section.screenshot(path=f"{directory}/destruction-desktop.png")
    async with page.expect_download() as download_info:
        await run.get_by_role("link", name="Акт (PDF)").click()
    download = await download_info.value
    assert (await download.path()).read_bytes().startswith(b"%PDF")
    assert await axe(page) == []
    await russian_only(page)
