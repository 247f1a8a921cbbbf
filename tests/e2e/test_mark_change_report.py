"""The year's mark-change report across two services (R-25): the teacher corrects a mark in gradebook; the
school administrator's report in reporting lists it — who, when, old → new — from gradebook's log read through
its API, with the chain the sealing job made of it; the same as XLSX and PDF."""

import asyncio
import io
import time
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from devstack.browser import Browser
from devstack.stack import Stack

TEACHER_OID, ADMIN_OID, PARENT_OID = "1000001", "1000006", "1000002"
#: The sealing job leaves an entry 10 s to settle and runs every 5 s; a loaded machine takes longer.
PATIENCE_SECONDS = 60.0


@pytest.fixture
async def people(stack: Stack, demo_school):
    opened: list[Browser] = []

    async def login(oid: str) -> Browser:
        browser = Browser(stack.url("gateway"))
        opened.append(browser)
        await browser.login(oid)
        return browser

    yield login
    for browser in opened:
        await browser.close()


async def test_a_corrected_mark_is_in_the_years_report(people, stack: Stack):
    teacher, admin = await people(TEACHER_OID), await people(ADMIN_OID)
    school = teacher.school_of("teacher")
    today = stack.today().isoformat()
    courses = (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
    maths = next(c for c in courses if c["subject_name"] == "Математика" and c["class_name"] == "5А")
    lesson = await teacher.api(
        "POST",
        f"/gradebook/schools/{school}/lessons",
        json={"course_id": maths["id"], "date": today, "topic": "Проверка журнала изменений"},
    )
    assert lesson.status_code == 201, lesson.text
    children = (await (await people(PARENT_OID)).api("GET", "/diary")).json()
    alexey = children[0]["student_id"]
    mark = await teacher.api(
        "POST",
        f"/gradebook/schools/{school}/lessons/{lesson.json()['id']}/marks",
        json={"student_id": alexey, "value": "2", "work_type": "answer"},
    )
    assert mark.status_code == 201, mark.text
    changed = await teacher.api("PATCH", f"/gradebook/schools/{school}/marks/{mark.json()['id']}", json={"value": "4"})
    assert changed.status_code == 200, changed.text

    url = f"/reporting/schools/{school}/reports/mark-changes"
    # The log is written by the database's clock; the stack's journal runs on a pinned day: the real days.
    days = {
        "start": (date.today() - timedelta(days=30)).isoformat(),
        "end": (date.today() + timedelta(days=1)).isoformat(),
    }
    started = time.monotonic()
    while True:
        report = await admin.api("GET", url, params=days)
        assert report.status_code == 200, report.text
        body = report.json()
        mine = [r for r in body["rows"] if r[6] == "Петров Алексей" and r[8:10] == ["2", "4"]]
        if mine and "не нарушен" in body["subtitle"][2] and "Ещё не опечатано" not in body["subtitle"][2]:
            break
        assert time.monotonic() - started < PATIENCE_SECONDS, body["subtitle"]
        await asyncio.sleep(1)
    (row,) = mine[-1:]
    assert row[2] == "Иванова Мария Петровна" or row[2].startswith("Иванова Мария")
    assert row[3:5] == ["5А", "Математика"] and row[7] == "отметка изменена"

    xlsx = await admin.api("GET", url, params={**days, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert any("Петров Алексей" in row and "отметка изменена" in row for row in sheet.iter_rows(values_only=True))
    pdf = await admin.api("GET", url, params={**days, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # The teacher reads no school-wide log (R-25: the administration's), in reporting nor in gradebook.
    assert (await teacher.api("GET", url, params=days)).status_code == 404
    assert (
        await teacher.api("GET", f"/gradebook/schools/{school}/mark-changes", params={"start": today, "end": today})
    ).status_code == 404
