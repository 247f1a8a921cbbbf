from datetime import UTC, datetime

from chassis.pdf import html_to_pdf
from gateway.privacy.export import access_digest, as_html, readable


def test_rows_read_in_russian_and_leave_empty_values_out():
    assert readable([{"last_name": "Петров", "middle_name": None, "weight": 2, "hidden": False}]) == [
        [("фамилия", "Петров"), ("weight", "2"), ("hidden", "нет")]
    ]


def test_the_export_page_names_the_people_and_each_services_tables():
    document = {
        "requester": {"id": "p", "name": "Петров Сергей Иванович"},
        "people": [{"id": "c", "name": "Петров Алексей Сергеевич", "relation": "ребёнок"}],
        "gateway": {"people": [{"last_name": "Петров"}], "access_log_by": []},
        "services": {"gradebook": {"marks": [{"value": "5", "student_id": "c"}], "period_marks": []}},
    }
    html = as_html(document, datetime(2026, 12, 3, 9, tzinfo=UTC))
    assert "Петров Алексей Сергеевич — ребёнок" in html
    assert "Отметки (1)" in html and "Журнал" in html
    # A table with no rows is left out; its title is not shown empty.
    assert "Итоговые отметки" not in html
    assert html_to_pdf(html).startswith(b"%PDF")


def test_the_access_log_prints_one_line_per_day_action_and_address_with_its_count():
    def entry(at: str, path: str, status: int = 200) -> dict:
        return {"at": at, "method": "GET", "path": path, "status": status, "person_id": "p"}

    rows = [
        entry("2026-12-03T08:05:00+00:00", "/api/diary/c/week?start=2026-11-30"),
        entry("2026-12-03T19:40:00+00:00", "/api/diary/c/week?start=2026-12-07"),
        entry("2026-12-03T19:41:00+00:00", "/api/diary/c/week", 404),
        entry("2026-12-04T07:00:00+00:00", "/api/diary/c/week"),
    ]
    assert access_digest(rows) == [
        ("03.12.2026", "08:05–19:40", "p", "GET /api/diary/c/week", "200", 2),
        ("03.12.2026", "19:41", "p", "GET /api/diary/c/week", "404", 1),
        ("04.12.2026", "07:00", "p", "GET /api/diary/c/week", "200", 1),
    ]
    document = {"requester": {"name": "Петров"}, "people": [], "gateway": {"access_log_by": rows}, "services": {}}
    html = as_html(document, datetime(2026, 12, 4, 9, tzinfo=UTC))
    assert "действия под учётной записью (4)" in html, "the heading counts every entry"
    assert html.count("GET /api/diary/c/week") == 3
