"""R-16 in the browser: the class teacher reads what a pupil transferred from another school brought — the year's
marks, period marks and absences, as the receiving school's own read-only rows marked with the school they came
from. The copy arrives as the sending school's gradebook and attendance send it (the services' own tests cover how
they build it from the originals)."""

import re
from datetime import date, timedelta
from uuid import UUID, uuid4

from playwright.async_api import Page, expect

from chassis.settings import ServiceSettings
from chassis.testing import publish_event
from contracts.attendance import AttendanceTranscriptCopied, TranscriptAbsenceLine
from contracts.gradebook import TranscriptCopied, TranscriptMarkLine, TranscriptPeriodMarkLine


async def pupil_of_5a(page: Page, school: UUID, name: str) -> UUID:
    """The pupil's id as the class teacher's own screen reads it, through the gateway."""
    found = await page.evaluate(
        """async ([school, name]) => {
          const get = async (path) => (await fetch("/api/v1" + path)).json();
          const klass = (await get("/roster/schools/" + school + "/classes")).find((c) => c.name === "5А");
          const pupils = await get("/reporting/schools/" + school + "/classes/" + klass.id + "/students");
          return pupils.find((p) => p.name === name).student_id;
        }""",
        [str(school), name],
    )
    return UUID(found)


async def test_the_class_teacher_reads_a_newcomers_marks_and_absences_from_the_previous_school(
    visit, stack, demo_school, axe, russian_only
):
    tab = await visit("teacher")
    page = tab.page
    ivan = await pupil_of_5a(page, demo_school, "Сидоров Иван")
    source, year = uuid4(), "2026/2027"
    day = stack.today() - timedelta(days=20)
    copy = {"student_id": ivan, "source_school_id": source, "source_school_name": "МБОУ СОШ № 7", "academic_year": year}
    marks = TranscriptCopied(
        **copy,
        marks=[
            TranscriptMarkLine(
                mark_id=uuid4(),
                date=day,
                subject_name="Математика",
                value="5",
                work_type="test",
                work_type_title="Контрольная работа",
                weight=2,
            ),
            TranscriptMarkLine(
                mark_id=uuid4(),
                date=day,
                subject_name="Русский язык",
                value="3",
                work_type="answer",
                work_type_title="Ответ на уроке",
                weight=1,
            ),
        ],
        period_marks=[
            TranscriptPeriodMarkLine(
                period_mark_id=uuid4(),
                subject_name="Математика",
                period_kind="quarter",
                period_name="1 четверть",
                starts=date(2026, 9, 1),
                ends=date(2026, 10, 25),
                value="4",
                text="4",
                visible_from=day,
            )
        ],
    )
    absences = AttendanceTranscriptCopied(
        **copy,
        absences=[TranscriptAbsenceLine(absence_id=uuid4(), date=day, subject_name="Математика", reason="ill")],
    )
    settings = ServiceSettings(queue_prefix=stack.queue_prefix, exchange=stack.exchange)
    for event in (marks, absences):
        await publish_event(settings, event, school_id=demo_school)

    room = page.locator("#classroom")
    copy_of_ivan = room.locator("#room-transcripts .transcript", has_text="Сидоров Иван")

    async def shown() -> bool:
        await page.reload()
        await room.locator('#room-transcripts[aria-busy="false"]').wait_for()
        return await copy_of_ivan.locator(".mark").count() == 2 and await copy_of_ivan.locator(".items li").count() == 1

    # Both copies travel through the broker: the screen shows them once both services have filed them.
    for _ in range(40):
        if await shown():
            break
        await page.wait_for_timeout(250)
    await expect(copy_of_ivan.locator(".tag")).to_have_text("Из прежней школы")
    await expect(copy_of_ivan).to_contain_text("МБОУ СОШ № 7, 2026/2027 учебный год")
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
