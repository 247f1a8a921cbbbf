"""Итоговые отметки as the family reads them (R-27)."""

from datetime import date

from reporting.domain.period_marks import period_mark_text


def test_what_a_period_mark_says():
    assert period_mark_text("5", None, None) == "5"
    # A mark set stands, whatever was said before it.
    assert period_mark_text("4", "болезнь", date(2026, 11, 20)) == "4"
    assert period_mark_text(None, "болезнь", None) == "не аттестован"
    assert period_mark_text(None, "болезнь", date(2026, 11, 20)) == "не аттестован"
    assert period_mark_text(None, None, date(2026, 11, 20)) == "продлено до 20.11.2026"
    assert period_mark_text(None, None, None) == ""
