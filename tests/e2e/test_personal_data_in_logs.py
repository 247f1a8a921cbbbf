"""R-5 (152-ФЗ): СНИЛС and birth dates never reach the logs. The office enters a family with both, corrects the
card, races a duplicate СНИЛС, records and withdraws consents; every service hears of it through the broker;
then every process's log of the run is searched for those values in every form they could be written."""

import asyncio
import random
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from chassis.testing import eventually
from devstack.browser import Browser
from devstack.region import snils_with_check
from devstack.stack import Stack

ADMIN_OID = "1000006"


def forms_of_snils(snils: str) -> list[str]:
    digits = re.sub(r"\D", "", snils)
    return [snils, digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:9]}-{digits[9:]}"]


def forms_of_date(day: date) -> list[str]:
    return [day.isoformat(), f"{day:%d.%m.%Y}", f"{day:%Y%m%d}"]


def leaks(log_dir: Path, secrets: list[str]) -> list[str]:
    found = []
    for log in sorted(log_dir.glob("*.log")):
        for number, line in enumerate(log.read_text(errors="replace").splitlines(), start=1):
            found += [f"{log.name}:{number}: {secret}" for secret in secrets if secret in line]
    return found


@pytest.fixture
async def admin(stack: Stack, demo_school) -> AsyncIterator[Browser]:
    browser = Browser(stack.url("gateway"))
    await browser.login(ADMIN_OID)
    yield browser
    await browser.close()


async def test_no_snils_or_birth_date_of_the_people_entered_reaches_any_log(stack: Stack, admin: Browser):
    school = admin.school_of("school_admin")
    rng = random.Random()
    child_snils, parent_snils = (snils_with_check(rng.randrange(2_000_000, 999_999_999)) for _ in range(2))
    child_born, parent_born = date(2013, 2, rng.randrange(1, 28)), date(1979, 7, rng.randrange(1, 28))

    async def post(path: str, body: dict, status: int = 201) -> dict:
        answer = await admin.api("POST", f"/roster/schools/{school}{path}", json=body)
        assert answer.status_code == status, answer.text
        return answer.json()

    child = await post(
        "/people",
        {
            "last_name": "Журналова",
            "first_name": "Ева",
            "birth_date": child_born.isoformat(),
            "snils": child_snils,
            "consent": True,
        },
    )
    parent = await post(
        "/people",
        {
            "last_name": "Журналов",
            "first_name": "Пётр",
            "birth_date": parent_born.isoformat(),
            "snils": parent_snils,
            "consent": True,
        },
    )
    # A duplicate СНИЛС refused, and a race of three past the first check: the database's own refusal
    # (its message names the key's value) must not be logged as it is.
    await post("/people", {"last_name": "Двойник", "first_name": "Ева", "snils": child_snils, "consent": True}, 409)
    racing_snils = snils_with_check(rng.randrange(2_000_000, 999_999_999))
    raced = await asyncio.gather(
        *(
            admin.api(
                "POST",
                f"/roster/schools/{school}/people",
                json={"last_name": f"Гонка{n}", "first_name": "Ия", "snils": racing_snils, "consent": True},
            )
            for n in range(3)
        )
    )
    assert sorted(r.status_code for r in raced)[0] == 201 and {r.status_code for r in raced} <= {201, 409}
    corrected = await admin.api(
        "PATCH",
        f"/roster/schools/{school}/people/{child['id']}",
        json={"document_kind": "свидетельство о рождении", "document_number": "II-АБ 123456", "reason": "по документу"},
    )
    assert corrected.status_code == 200, corrected.text
    klass = await post("/classes", {"grade": 8, "letter": "Ж"})
    await post("/enrolments", {"student_id": child["id"], "class_id": klass["id"], "enrolled_on": "2026-09-01"})
    await post("/guardianships", {"guardian_id": parent["id"], "student_id": child["id"], "relation": "отец"})
    paper = {"document_kind": "согласие", "document_number": "42", "document_date": "2026-09-01"}
    consents = f"/people/{child['id']}/consents"
    await post(consents, {"purpose": "portal", "action": "given", "signer_id": parent["id"], **paper})
    await post(consents, {"purpose": "notifications_sms", "action": "withdrawn", "signer_id": parent["id"], **paper})

    async def told() -> bool:
        inbox = await admin.api("GET", f"/notifications/schools/{school}/notifications")
        return any(n["title"] == "Отозвано согласие: Журналова Ева" for n in inbox.json())

    await eventually(told, timeout=20)
    secrets = [*forms_of_snils(child_snils), *forms_of_snils(parent_snils), *forms_of_snils(racing_snils)]
    secrets += [*forms_of_date(child_born), *forms_of_date(parent_born)]
    assert leaks(stack.var_dir / "logs", secrets) == []
