"""The destruction act names whose data went, where, how many records, by whose decision and on what grounds."""

import re
from datetime import UTC, date, datetime
from uuid import uuid4

from gateway.destruction.act import render_html, render_pdf, rows
from gateway.destruction.models import DestructionRun


def finished_run() -> DestructionRun:
    return DestructionRun(
        id=uuid4(),
        school_id=uuid4(),
        person_id=uuid4(),
        person_name="Уничтожаемый Пётр",
        as_of=date(2033, 9, 1),
        confirmed_by=uuid4(),
        confirmed_by_name="Кузнецова Ольга Николаевна",
        confirmed_at=datetime(2033, 9, 1, 10, 30, tzinfo=UTC),
        status="done",
        services={
            "gradebook": {"status": "done", "removed": {"journal_record": 3, "person_card": 2}},
            "gateway": {"status": "done", "removed": {"access_log": 2}},
        },
        finished_at=datetime(2033, 9, 1, 10, 31, tzinfo=UTC),
    )


def test_the_act_lists_each_kind_with_its_count_term_and_grounds():
    lines = rows(finished_run())
    assert lines[0] == {
        "where": "Журнал",
        "title": "записи журнала (отметки, пропуски, итоговые отметки, история изменений)",
        "count": 3,
        "grounds": "5 г. после окончания учебного года; Положение об ЭЖ, п. 6.5: журналы успеваемости хранятся 5 лет",
    }
    assert [line["where"] for line in lines] == ["Журнал", "Журнал", "Учётные записи и журнал доступа"]


def test_the_act_is_russian_and_says_who_what_when_and_why():
    html = render_html(finished_run(), "СОШ № 1")
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S)
    for needed in ("Уничтожаемый Пётр", "Кузнецова Ольга Николаевна", "01.09.2033", "152-ФЗ", "СОШ № 1", "хеш"):
        assert needed in text, needed
    assert render_pdf(finished_run(), "СОШ № 1").startswith(b"%PDF")
