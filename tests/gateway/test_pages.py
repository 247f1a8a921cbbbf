"""The web UI's pages: login, the start page by role, the static files."""

import re
from datetime import UTC, datetime
from uuid import uuid4

from chassis.clock import Clock
from chassis.testing import eventually
from contracts.roster import SchoolRegistered, StaffRoleGranted, StudentEnrolled


async def test_login_page_offers_gosuslugi_and_the_start_page_needs_a_session(stack):
    async with stack.browser() as browser:
        login = await browser.get("/login")
        assert login.status_code == 200
        assert "Войти через Госуслуги" in login.text and 'href="/auth/esia"' in login.text
        start = await browser.get("/")
        assert start.status_code == 303 and start.headers["location"] == "/login"


ENTRY_SCRIPT = '<script type="module" src="/static/js/main.js"></script>'
IMPORT = re.compile(r'^import [^;]* from "\./([\w-]+\.js)";$', re.MULTILINE)


async def test_static_files_are_served_from_the_gateway(stack):
    async with stack.browser() as browser:
        style = await browser.get("/static/app.css")
        # Every module the entry point imports, and theirs in turn: a missing one stops the whole page.
        modules, pending = {}, ["main.js"]
        while pending:
            name = pending.pop()
            script = await browser.get(f"/static/js/{name}")
            assert script.status_code == 200, name
            assert "javascript" in script.headers["content-type"], name
            modules[name] = script.text
            pending += [found for found in IMPORT.findall(script.text) if found not in modules and found not in pending]
    assert style.status_code == 200 and "text/css" in style.headers["content-type"]
    assert {"api.js", "dom.js", "journal.js", "diary.js", "admin.js"} <= modules.keys()
    assert "X-CSRF-Token" in modules["api.js"]
    assert "Idempotency-Key" in modules["api.js"]  # every change can be retried without a double


async def test_a_teacher_gets_the_lesson_form_and_a_student_the_diary(stack, esia_person, publish):
    teacher, student = await esia_person(), await esia_person("Петров", "Алексей")
    school_id, teacher_id, student_id = uuid4(), uuid4(), uuid4()
    await publish(
        school_id,
        teacher.registered(teacher_id),
        StaffRoleGranted(person_id=teacher_id, role="teacher"),
        student.registered(student_id),
        StudentEnrolled(student_id=student_id, class_id=uuid4(), class_name="5А", enrolled_on="2025-09-01"),
    )
    async with stack.browser() as browser:
        await eventually(lambda: stack.roles_known(teacher_id, student_id))
        await stack.log_in(browser, teacher.oid)
        page = (await browser.get("/")).text
        assert "Иванова Мария Петровна" in page and "Выйти" in page
        assert "Записать урок" in page and f'"id": "{school_id}"' in page
        # The class journal's grid, the lesson panel and the editing dialog are mounted; the scripts fill them.
        assert 'id="journal"' in page and 'id="lesson-panel"' in page and 'id="editor"' in page
        assert ENTRY_SCRIPT in page
        assert "Дневник" not in page
    async with stack.browser() as browser:
        await stack.log_in(browser, student.oid)
        page = (await browser.get("/")).text
        assert 'id="family"' in page and "Записать урок" not in page and 'id="journal"' not in page
        assert ENTRY_SCRIPT in page
        assert (await browser.get("/login")).status_code == 303


async def test_a_school_admin_gets_the_school_setup_screen(stack, esia_person, publish):
    admin = await esia_person("Кузнецова", "Ольга")
    school_id, admin_id = uuid4(), uuid4()
    await publish(
        school_id,
        SchoolRegistered(school_id=school_id, name="МБОУ СОШ № 7", short_name="СОШ № 7", municipality="Город"),
        admin.registered(admin_id),
        StaffRoleGranted(person_id=admin_id, role="school_admin"),
    )
    async with stack.browser() as browser:
        await eventually(lambda: stack.roles_known(admin_id))
        await stack.log_in(browser, admin.oid)
        page = (await browser.get("/")).text
    assert 'id="admin"' in page and f'value="{school_id}"' in page and "СОШ № 7" in page
    for tab in ("Классы", "Предметы", "Люди", "Нагрузка"):
        assert f">{tab}</button>" in page
    # a person's data is entered only with the consent box ticked.
    assert 'name="consent" required' in page and "Согласие на обработку персональных данных получено" in page
    assert "Зачислить" in page and "Ваши роли" not in page
    # the administration reads every journal of the school, read only.
    assert 'id="teacher"' in page and "Журналы классов (только просмотр)" in page


async def test_a_director_reads_the_journals_and_a_psychologist_sees_the_roles_listed(stack, esia_person, publish):
    director, psychologist = await esia_person("Кузнецова", "Ольга"), await esia_person("Лебедева", "Нина")
    school_id, director_id, psychologist_id = uuid4(), uuid4(), uuid4()
    await publish(
        school_id,
        director.registered(director_id),
        StaffRoleGranted(person_id=director_id, role="director"),
        psychologist.registered(psychologist_id),
        StaffRoleGranted(person_id=psychologist_id, role="psychologist"),
    )
    await eventually(lambda: stack.roles_known(director_id, psychologist_id))
    async with stack.browser() as browser:
        await stack.log_in(browser, director.oid)
        page = (await browser.get("/")).text
    assert "Журналы классов (только просмотр)" in page and f'"id": "{school_id}"' in page
    assert "Ваши роли" not in page and 'id="admin"' not in page
    # The director's start is the journal's control; a teacher's disputes to answer are not his.
    assert "Контроль журнала" in page and 'id="disputes"' not in page
    async with stack.browser() as browser:
        await stack.log_in(browser, psychologist.oid)
        page = (await browser.get("/")).text
    assert "Ваши роли" in page and "педагог-психолог" in page and 'id="teacher"' not in page
    assert 'id="control"' not in page


async def test_the_start_page_gives_the_schools_own_today(stack, esia_person, publish):
    # 15:30 UTC: already the 15th in Владивосток, still the 14th in Калининград.
    pinned, stack.gateway.state.clock = (
        stack.gateway.state.clock,
        Clock.starting_at(datetime(2026, 10, 14, 15, 30, tzinfo=UTC)),
    )
    todays = {}
    try:
        for zone in ("Asia/Vladivostok", "Europe/Kaliningrad"):
            admin = await esia_person("Кузнецова", "Ольга")
            school_id, admin_id = uuid4(), uuid4()
            school = SchoolRegistered(
                school_id=school_id, name="МБОУ СОШ № 9", short_name="СОШ № 9", municipality="Город", timezone=zone
            )
            await publish(
                school_id, school, admin.registered(admin_id), StaffRoleGranted(person_id=admin_id, role="school_admin")
            )
            async with stack.browser() as browser:
                await eventually(lambda admin_id=admin_id: stack.roles_known(admin_id))
                await stack.log_in(browser, admin.oid)
                todays[zone] = re.search(r'data-today="([0-9-]+)"', (await browser.get("/")).text).group(1)
    finally:
        stack.gateway.state.clock = pinned
    assert todays == {"Asia/Vladivostok": "2026-10-15", "Europe/Kaliningrad": "2026-10-14"}
