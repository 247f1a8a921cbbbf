from datetime import UTC, datetime

from chassis.pdf import html_to_pdf
from gateway.privacy.export import as_html, readable


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
