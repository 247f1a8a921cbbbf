"""152-ФЗ through the whole stack: a parent's request for the family's data returns exactly what every service holds
(compared with each service's database), another family gets 404, a correction reaches roster through the office,
and the breach register lists whose data an account read."""

import importlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest

from chassis.settings import ServiceSettings
from chassis.subject_data import json_value
from devstack.browser import Browser
from devstack.stack import Stack

PARENT_OID, STUDENT_OID, OTHER_PARENT_OID, ADMIN_OID = "1000002", "1000003", "1000004", "1000006"
SERVICES = ("roster", "gradebook", "attendance", "notifications", "reporting")
#: The export is assembled while the family waits: five services and a PDF, slow on a loaded machine.
EXPORT_SECONDS = 120


@pytest.fixture
async def browsers(stack: Stack, demo_school) -> AsyncIterator[Callable[[str], Awaitable[Browser]]]:
    opened: list[Browser] = []

    async def login(oid: str) -> Browser:
        browser = Browser(stack.url("gateway"))
        opened.append(browser)
        await browser.login(oid)
        return browser

    yield login
    for browser in opened:
        await browser.close()


@pytest.fixture(scope="module")
async def answered(stack: Stack, demo_school) -> AsyncIterator[tuple[dict, dict, float, dict]]:
    """The parent's request for the family's data, answered: the request, the child, the seconds it took, and what
    every service's database held of the family right after it (this module's other tests change the card).
    Made once for this module's tests: the export is assembled while the family waits, the slowest request here."""
    parent = Browser(stack.url("gateway"))
    try:
        await parent.login(PARENT_OID)
        [child] = (await parent.api("GET", "/diary")).json()
        # Something of the child's in the access log and the gateway: the parent reads the diary first.
        assert (await parent.api("GET", f"/diary/{child['student_id']}")).status_code == 200
        started = time.monotonic()
        asked = await parent.api("POST", "/privacy/requests", json={"kind": "access"}, timeout=EXPORT_SECONDS)
        assert asked.status_code == 201, asked.text
        seconds = time.monotonic() - started
        family = [UUID(parent.me["person_id"]), UUID(child["student_id"])]
        held = {service: await held_by(stack, service, family) for service in SERVICES}
        yield asked.json(), child, seconds, held
    finally:
        await parent.close()


async def superuser(stack: Stack, part: str) -> asyncpg.Connection:
    """Reads every school's rows (row-level security does not bind it); JSONB decoded as the services read it."""
    server = ServiceSettings().admin_database_url.rsplit("/", 1)[0]
    connection = await asyncpg.connect(f"{server}/{stack.db_prefix}{part}")
    for kind in ("json", "jsonb"):
        await connection.set_type_codec(kind, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    return connection


def canonical(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows)


async def held_by(stack: Stack, service: str, people: list[UUID]) -> dict[str, list[str]]:
    """What the service's database holds about ``people``, table by table, read straight from PostgreSQL."""
    holdings = importlib.import_module(f"{service}.personal_data_export").HOLDINGS
    connection = await superuser(stack, service)
    try:
        found = {}
        for table, columns in holdings.items():
            where = " OR ".join(
                f'"{c}" = ANY($1::uuid[])'
                if isinstance(c, str)
                else f'"{c.column}" IN (SELECT id FROM "{c.parent}" WHERE "{c.person}" = ANY($1::uuid[]))'
                for c in columns
            )
            rows = await connection.fetch(f'SELECT * FROM "{table}" WHERE {where}', people)
            found[table] = canonical([{k: json_value(v) for k, v in dict(r).items()} for r in rows])
        return found
    finally:
        await connection.close()


async def test_a_parents_request_returns_exactly_what_every_service_holds(answered, browsers, stack: Stack):
    made, child, seconds, held_then = answered
    print(f"the family's export took {seconds:.1f} s")
    parent = await browsers(PARENT_OID)
    assert made["status"] == "answered" and made["files"] == ["json", "pdf"]
    assert made["deadline"] > made["received_at"][:10]

    exported = await parent.api("GET", f"/privacy/requests/{made['id']}/export.json")
    assert exported.status_code == 200
    document = exported.json()
    people = [UUID(p["id"]) for p in document["people"]]
    assert people == [UUID(parent.me["person_id"]), UUID(child["student_id"])]
    for service in SERVICES:
        given = {table: canonical(rows) for table, rows in document["services"][service].items()}
        assert given == held_then[service], f"{service}: the export differs from the database"
    # The diary's service holds the child's marks and the gateway's log the parent's reading of the diary.
    assert document["services"]["roster"]["people"] and document["services"]["reporting"]["students"]
    assert any(child["student_id"] in e["path"] for e in document["gateway"]["access_log_by"])

    pdf = await parent.api("GET", f"/privacy/requests/{made['id']}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    listed = (await parent.api("GET", "/privacy/requests")).json()
    assert made["id"] in [r["id"] for r in listed]
    kept = next(r for r in listed if r["id"] == made["id"])
    assert kept["answered_by_name"] and kept["answered_at"]


async def test_another_familys_request_is_404_with_nothing_hinted(answered, browsers, stack: Stack):
    made, *_ = answered
    parent = await browsers(PARENT_OID)
    other = await browsers(OTHER_PARENT_OID)
    [other_child] = (await other.api("GET", "/diary")).json()

    for path in (f"/privacy/requests/{made['id']}", f"/privacy/requests/{made['id']}/export.json"):
        theirs, nobodys = await other.api("GET", path), await other.api("GET", path.replace(made["id"], str(uuid4())))
        assert theirs.status_code == nobodys.status_code == 404
        assert theirs.json()["detail"] == nobodys.json()["detail"]
    # The services' export answers the gateway's own token only, and the proxy never forwards ``/internal`` at all.
    internal = f"/internal/schools/{other_child['school_id']}/personal-data?person_id={other_child['student_id']}"
    for service in SERVICES:
        assert (await parent.api("GET", f"/{service}{internal}")).status_code == 404
    connection = await superuser(stack, "gateway")
    try:
        before = await connection.fetchval("SELECT count(*) FROM subject_requests")
        stranger = await parent.api(
            "POST",
            "/privacy/requests",
            json={"kind": "correction", "subject_id": other_child["student_id"], "field": "phone", "value": "+7 900"},
        )
        assert stranger.status_code == 404
        assert stranger.json()["detail"] == "Человек не найден."
        unknown = await parent.api(
            "POST", "/privacy/requests", json={"kind": "correction", "field": "salary", "value": "1"}
        )
        assert unknown.status_code == 422 and "Такого поля нет" in unknown.json()["detail"]
        assert await connection.fetchval("SELECT count(*) FROM subject_requests") == before
    finally:
        await connection.close()


async def test_a_minor_student_is_told_a_parent_asks(browsers):
    student = await browsers(STUDENT_OID)
    refused = await student.api("POST", "/privacy/requests", json={"kind": "access"})
    assert refused.status_code == 403
    assert "родитель" in refused.json()["detail"]


async def test_a_correction_goes_to_the_office_and_is_made_in_roster(browsers, stack: Stack):
    parent = await browsers(PARENT_OID)
    admin = await browsers(ADMIN_OID)
    school = admin.school_of("school_admin")
    phone = f"+7 900 {uuid4().int % 10_000_000:07d}"
    asked = await parent.api("POST", "/privacy/requests", json={"kind": "correction", "field": "phone", "value": phone})
    assert asked.status_code == 201, asked.text
    made = asked.json()
    assert made["status"] == "open" and made["owner"] == "roster" and made["field_title"] == "телефон"

    waiting = (await admin.api("GET", f"/privacy/schools/{school}/requests?only_open=true")).json()
    assert made["id"] in [r["id"] for r in waiting]
    assert next(r for r in waiting if r["id"] == made["id"])["working_days_left"] > 0
    done = await admin.api(
        "POST",
        f"/privacy/schools/{school}/requests/{made['id']}/answer",
        json={"outcome": "done", "text": "Телефон исправлен."},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "answered" and done.json()["answered_by_name"]
    card = await admin.api("GET", f"/roster/schools/{school}/people/{parent.me['person_id']}")
    assert card.json()["phone"] == phone
    again = await admin.api(
        "POST",
        f"/privacy/schools/{school}/requests/{made['id']}/answer",
        json={"outcome": "refused", "text": "Повторно."},
    )
    assert again.status_code == 409


async def test_the_breach_register_lists_whom_the_account_read(browsers, stack: Stack):
    parent = await browsers(PARENT_OID)
    admin = await browsers(ADMIN_OID)
    school = admin.school_of("school_admin")
    start = datetime.now(UTC) - timedelta(seconds=1)
    [child] = (await parent.api("GET", "/diary")).json()
    assert (await parent.api("GET", f"/diary/{child['student_id']}")).status_code == 200
    detected = datetime.now(UTC) + timedelta(seconds=1)
    recorded = await admin.api(
        "POST",
        f"/privacy/schools/{school}/breaches",
        json={
            "detected_at": detected.isoformat(),
            "description": "Посторонний вошёл под учётной записью родителя.",
            "account_id": parent.me["person_id"],
            "window_start": start.isoformat(),
        },
    )
    # Detection a second ahead is refused as the future: the register takes moments that have passed.
    assert recorded.status_code == 422
    recorded = await admin.api(
        "POST",
        f"/privacy/schools/{school}/breaches",
        json={
            "detected_at": datetime.now(UTC).isoformat(),
            "description": "Посторонний вошёл под учётной записью родителя.",
            "account_id": parent.me["person_id"],
            "window_start": start.isoformat(),
        },
    )
    assert recorded.status_code == 201, recorded.text
    incident = recorded.json()
    due = datetime.fromisoformat(incident["first_notice_due"]) - datetime.fromisoformat(incident["detected_at"])
    assert due == timedelta(hours=24)

    detail = (await admin.api("GET", f"/privacy/schools/{school}/breaches/{incident['id']}")).json()
    reached = {p["person_id"]: p for p in detail["affected"]}
    assert child["student_id"] in reached and reached[child["student_id"]]["how"] == "named"
    assert reached[child["student_id"]]["name"].startswith("Петров Алексей")
    notice = await admin.api("GET", f"/privacy/schools/{school}/breaches/{incident['id']}/notice.pdf")
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")
    assert (await parent.api("GET", f"/privacy/schools/{school}/breaches")).status_code == 403


async def test_a_marks_correction_goes_to_its_teacher_and_comes_back_answered(browsers, stack: Stack):
    teacher = await browsers("1000001")
    parent = await browsers(PARENT_OID)
    school = teacher.school_of("teacher")
    [child] = (await parent.api("GET", "/diary")).json()
    maths = next(
        c
        for c in (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
        if c["subject_name"] == "Математика"
    )
    lesson = await teacher.api(
        "POST",
        f"/gradebook/schools/{school}/lessons",
        json={"course_id": maths["id"], "date": stack.today().isoformat(), "topic": f"Дроби ({uuid4().hex[:6]})"},
    )
    assert lesson.status_code == 201, lesson.text
    mark = await teacher.api(
        "POST",
        f"/gradebook/schools/{school}/lessons/{lesson.json()['id']}/marks",
        json={"student_id": child["student_id"], "value": "3", "work_type": "test"},
    )
    assert mark.status_code == 201, mark.text

    asked = await parent.api(
        "POST",
        "/privacy/requests",
        json={
            "kind": "correction",
            "subject_id": child["student_id"],
            "field": "mark",
            "mark_id": mark.json()["id"],
            "value": "Контрольная написана на 4, отметка стоит 3.",
        },
    )
    assert asked.status_code == 201, asked.text
    made = asked.json()
    assert made["owner"] == "gradebook" and made["status"] == "open"
    [dispute] = [
        d
        for d in (await teacher.api("GET", f"/gradebook/schools/{school}/courses/{maths['id']}/disputes")).json()
        if d["mark_id"] == mark.json()["id"]
    ]
    answered = await teacher.api(
        "POST", f"/gradebook/schools/{school}/disputes/{dispute['id']}/answer", json={"answer": "Исправлено на 4."}
    )
    assert answered.status_code == 200, answered.text
    kept = (await parent.api("GET", f"/privacy/requests/{made['id']}")).json()
    assert kept["status"] == "answered" and kept["answer"] == "Исправлено на 4."
