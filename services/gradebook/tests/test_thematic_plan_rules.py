"""R-30: thematic plan rules and its XLSX form (pure)."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook

from chassis.problems import Invalid
from gradebook.domain.thematic_plan import (
    RowError,
    Topic,
    check_plan,
    check_topic,
    coverage,
    hours_word,
    next_topic,
    plan_deadline,
    plan_late,
    topic_from_plan,
)
from gradebook.plan_xlsx import read_plan, write_plan

PLAN = [Topic("Натуральные числа", 3), Topic("Дроби", 2), Topic("Проценты", 1)]


def workbook(*rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_plan_hours_equal_the_curriculum():
    check_plan(PLAN, 6)
    with pytest.raises(Invalid, match="В плане 6 часов, а по учебному плану 8 часов: не хватает 2 часа") as short:
        check_plan(PLAN, 8)
    assert short.value.extra == {"planned": 6, "curriculum": 8, "difference": -2}
    with pytest.raises(Invalid, match="лишних 1 час"):
        check_plan(PLAN, 5)
    with pytest.raises(Invalid, match="нет часов в учебном плане"):
        check_plan(PLAN, None)
    with pytest.raises(Invalid, match="ни одной темы"):
        check_plan([], 6)


def test_hours_are_counted_in_russian():
    assert [hours_word(n) for n in (1, 2, 5, 11, 21, 34)] == [
        "1 час",
        "2 часа",
        "5 часов",
        "11 часов",
        "21 час",
        "34 часа",
    ]


def test_lessons_fill_the_topics_in_order():
    assert [(c.title, c.given) for c in coverage(PLAN, 4)] == [("Натуральные числа", 3), ("Дроби", 1), ("Проценты", 0)]
    assert next_topic(PLAN, 4) == "Дроби"
    assert next_topic(PLAN, 6) is None


def test_a_lesson_without_a_topic_takes_the_plans_next_or_is_refused():
    assert topic_from_plan(PLAN, 4) == "Дроби"
    with pytest.raises(Invalid, match=r"^Укажите тему урока: в тематическом плане курса не осталось тем\.$"):
        topic_from_plan(PLAN, 6)
    with pytest.raises(Invalid, match=r"^Укажите тему урока: у курса нет тематического плана, из которого её взять\.$"):
        topic_from_plan([], 0)


def test_a_topic_needs_a_title_and_whole_hours():
    assert check_topic("  Дроби ", 2) == Topic("Дроби", 2)
    assert check_topic("", 2) == "нет названия темы"
    assert check_topic("Дроби", 1.5) == "часы — целое число не меньше 1"
    assert check_topic("Дроби", "два") == "часы — целое число не меньше 1"
    assert check_topic("Дроби", 0) == "часы — целое число не меньше 1"


def test_an_exported_plan_reads_back():
    assert read_plan(write_plan(PLAN, "5А · Математика")) == (PLAN, [])


def test_broken_rows_are_named_by_their_excel_row():
    data = workbook(
        ("№", "Тема", "Часы"), (1, "Дроби", 2), (2, "", 1), (), (3, "Проценты", "много"), (4, "Уравнения", "3")
    )
    topics, errors = read_plan(data)
    assert topics == [Topic("Дроби", 2), Topic("Уравнения", 3)]
    assert errors == [RowError(3, "нет названия темы"), RowError(5, "часы — целое число не меньше 1")]


def test_a_file_that_is_not_a_plan_is_refused():
    with pytest.raises(Invalid, match="не читается как книга Excel"):
        read_plan(b"not a workbook")
    with pytest.raises(Invalid, match="столбцы «Тема» и «Часы»"):
        read_plan(workbook(("Название", "Количество")))


def test_a_plan_is_due_days_before_the_first_period_and_flagged_when_first_entered_later():
    starts = [date(2026, 11, 5), date(2026, 9, 1)]
    assert plan_deadline(starts, 7) == date(2026, 8, 25)
    assert plan_deadline(starts, 0) == date(2026, 9, 1)
    assert plan_deadline([], 7) is None
    assert plan_late(date(2026, 8, 25), date(2026, 8, 25)) is False
    assert plan_late(date(2026, 8, 26), date(2026, 8, 25)) is True
    assert plan_late(None, date(2026, 8, 25)) is False
    assert plan_late(date(2026, 10, 1), None) is False
