"""The browser tests: Debian's Chromium, driven by Playwright, against the end-to-end stack with the demo school.

Each person logs in the way a person does (the gateway's login page, the ESIA sandbox's form), at desktop or
phone width. Whatever the page writes to the console as an error, and any uncaught exception, fails the test
that opened it; ``axe`` checks a page against WCAG 2.1 A and AA with axe-core (``make test`` installs both).
"""

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright

from chassis.settings import ServiceSettings
from chassis.testing import eventually, publish_event
from contracts.attendance import AttendanceTranscriptCopied, TranscriptAbsenceLine
from contracts.gradebook import TranscriptCopied, TranscriptMarkLine, TranscriptPeriodMarkLine
from devstack.stack import Stack

CHROMIUM = Path(os.environ.get("JOURNAL_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}

#: The demo school's people by their ESIA oid (``devstack.demo``).
PEOPLE = {
    "teacher": "1000001",
    "parent": "1000002",
    "student": "1000003",
    "parent_2": "1000004",
    "school_admin": "1000006",
    "region_admin": "1000007",
    "inspector": "1000008",
    "director": "1000009",
    "deputy": "1000010",
    "class_teacher": "1000011",
}


def _require_installed() -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package")
    if not AXE.exists():
        pytest.fail(f"no axe-core at {AXE}: `make test` installs it with npm")


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    _require_installed()
    async with async_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's own sandbox refuses to start.
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        await browser.close()


@dataclass
class Visit:
    """One person's browser tab, and what went wrong in it."""

    who: str
    page: Page
    context: BrowserContext
    errors: list[str] = field(default_factory=list)
    #: Console errors the test provokes on purpose (a refused save is logged by the browser as a failed load).
    expected: list[re.Pattern[str]] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} ({message.location.get('url', '')})")

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.expected)]


async def log_in(page: Page, oid: str) -> None:
    """«Войти через Госуслуги», then the test person in the ESIA sandbox, back to the start page."""
    await page.goto("/login")
    await page.get_by_role("link", name="Войти через Госуслуги").click()
    await page.locator(f'button.person[value="{oid}"]').click()
    await page.wait_for_url(re.compile(r"/$"))
    await page.locator("main").wait_for()


@pytest.fixture(scope="session")
def logged_in() -> dict[str, dict]:
    """Each demo person's cookies after their first login in the run (Playwright's storage state): later tabs
    of that person start from them instead of going through ESIA again, as a person's browser keeps its session."""
    return {}


@pytest.fixture
async def visit(
    chromium: Browser, stack: Stack, demo_school, logged_in: dict[str, dict]
) -> AsyncIterator[Callable[..., Awaitable[Visit]]]:
    """``await visit("teacher", "phone")``: a fresh browser tab, logged in as that demo person at that width;
    ``own_login=True`` logs in anew (a test that logs out must not end the session other tests share)."""
    opened: list[Visit] = []

    async def open_as(who: str, width: str = "desktop", *, own_login: bool = False) -> Visit:
        shared = None if own_login else logged_in.get(who)
        context = await chromium.new_context(
            viewport=WIDTHS[width],
            locale="ru-RU",
            timezone_id="Europe/Moscow",
            base_url=stack.url("gateway"),
            storage_state=shared,
        )
        page = await context.new_page()
        page.set_default_timeout(15_000)
        visit = Visit(who, page, context)
        opened.append(visit)
        if shared is None:
            # Watched from the start page on: the ESIA sandbox's pages are not ours (it serves no favicon, say).
            await log_in(page, PEOPLE[who])
            if not own_login:
                logged_in[who] = await context.storage_state()
        page.on("console", visit.on_console)
        page.on("pageerror", lambda error: visit.errors.append(f"uncaught: {error}"))
        await page.goto("/")
        await page.locator("main").wait_for()
        # The screens' scripts have attached their handlers (main.js marks the page when they have).
        await page.locator("html[data-started]").wait_for(state="attached")
        return visit

    yield open_as
    problems = []
    for visit in opened:
        problems += [f"{visit.who}: {e}" for e in visit.unexpected_errors()]
        await visit.context.close()
    assert not problems, "the page reported errors:\n" + "\n".join(problems)


async def axe_violations(page: Page) -> list[str]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol: the page's CSP (script-src 'self') stays
        # in force for the page itself, and a script tag of ours would be refused by it.
        await page.evaluate(AXE.read_text())
    result = await page.evaluate(
        "async () => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def widths() -> dict[str, dict[str, int]]:
    return WIDTHS


@pytest.fixture
def axe() -> Callable[[Page], Awaitable[list[str]]]:
    return axe_violations


#: Latin words a school user may read: the names of file formats on download buttons (as «Скачать PDF» reads in
#: any Russian service) and of the OneRoster standard a secretary's import names; any other word found is a
#: leftover English text or a raw field name.
LATIN_ALLOWED: frozenset[str] = frozenset({"PDF", "XLSX", "CSV", "JSON", "zip", "OneRoster"})
_LATIN_WORD = re.compile(r"\b[A-Za-z][A-Za-z_]+\b")


async def latin_words(page: Page) -> set[str]:
    """Latin words in what the page shows (its text, labels read aloud and placeholders)."""
    text = await page.evaluate(
        """() => [document.body.innerText,
          ...Array.from(document.querySelectorAll('[aria-label],[title],[placeholder]')).flatMap(
            (n) => [n.getAttribute('aria-label'), n.getAttribute('title'), n.getAttribute('placeholder')])
        ].filter(Boolean).join(' ')"""
    )
    return set(_LATIN_WORD.findall(text)) - LATIN_ALLOWED


@pytest.fixture
def russian_only() -> Callable[[Page], Awaitable[None]]:
    async def check(page: Page) -> None:
        found = await latin_words(page)
        assert not found, f"English words or raw field names on the page: {sorted(found)}"

    return check


@dataclass(frozen=True)
class Newcomer:
    """A pupil of 5А who came this year from another school of the region (R-16), and what the copy holds: in
    maths a «5» for a test and «4» for the first quarter, in Russian a «3» for an answer, an absence in maths (ill)."""

    student_id: UUID
    name: str
    source_school_name: str
    academic_year: str
    #: The day of the copied marks and absence, inside the journal's first four weeks.
    day: date


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


@pytest.fixture(scope="session")
def newcomers() -> dict[str, Newcomer]:
    """The run's newcomer once made: the copy is sent once, so every test reads the same rows in any order."""
    return {}


@pytest.fixture
async def newcomer(visit, stack: Stack, demo_school: UUID, newcomers: dict[str, Newcomer]) -> Newcomer:
    """Сидоров Иван as a pupil transferred to 5А: his copy sent the way the sending school's gradebook and attendance
    send it (their own tests cover how they build it from the originals), waited for until both services filed it."""
    if "5А" in newcomers:
        return newcomers["5А"]
    page = (await visit("teacher")).page
    name, day = "Сидоров Иван", stack.today() - timedelta(days=20)
    first = day.year if day.month >= 9 else day.year - 1
    year = f"{first}/{first + 1}"
    found = Newcomer(await pupil_of_5a(page, demo_school, name), name, "МБОУ СОШ № 7", year, day)
    copy = {
        "student_id": found.student_id,
        "source_school_id": uuid4(),
        "source_school_name": found.source_school_name,
        "academic_year": found.academic_year,
    }
    marks = TranscriptCopied(
        **copy,
        marks=[
            TranscriptMarkLine(
                mark_id=uuid4(),
                date=found.day,
                subject_name="Математика",
                value="5",
                work_type="test",
                work_type_title="Контрольная работа",
                weight=2,
            ),
            TranscriptMarkLine(
                mark_id=uuid4(),
                date=found.day,
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
                starts=date(first, 9, 1),
                ends=date(first, 10, 25),
                value="4",
                text="4",
                visible_from=found.day,
            )
        ],
    )
    absences = AttendanceTranscriptCopied(
        **copy,
        absences=[TranscriptAbsenceLine(absence_id=uuid4(), date=found.day, subject_name="Математика", reason="ill")],
    )
    settings = ServiceSettings(queue_prefix=stack.queue_prefix, exchange=stack.exchange)
    for event in (marks, absences):
        await publish_event(settings, event, school_id=demo_school)

    async def filed() -> bool:
        # Both copies travel through the broker: they count once both services have filed them.
        return await page.evaluate(
            """async (path) => {
              const get = async (service) => (await fetch("/api/v1/" + service + path)).json();
              const [marks, absences] = await Promise.all([get("gradebook"), get("attendance")]);
              return marks.marks.length === 2 && marks.period_marks.length === 1 && absences.length === 1;
            }""",
            f"/schools/{demo_school}/students/{found.student_id}/transcript",
        )

    await eventually(filed, timeout=10.0, interval=0.25)
    newcomers["5А"] = found
    return found
