from uuid import uuid4

import pytest

from chassis.problems import Invalid
from gradebook.domain.marks import (
    ColumnRow,
    ScoredMark,
    average,
    check_column,
    check_marks_allowed,
    mark_value,
    weighted_average,
)
from gradebook.domain.work_types import work_type


@pytest.mark.parametrize("raw", ["5", "4", "3", "2", "1", " 5 "])
def test_five_point_marks_are_accepted(raw):
    assert mark_value(raw, work_type("answer")) == raw.strip()


@pytest.mark.parametrize("raw", ["6", "0", "5+", "зач", "н", ""])
def test_anything_else_is_not_a_mark(raw):
    with pytest.raises(Invalid, match="пятибалльной"):
        mark_value(raw, work_type("test"))


def test_pass_fail_only_for_the_credit():
    assert mark_value("ЗАЧ", work_type("credit")) == "зач"
    assert mark_value("незач", work_type("credit")) == "незач"
    with pytest.raises(Invalid, match="«зач» или «незач»"):
        mark_value("5", work_type("credit"))


def test_no_marks_in_grade_one():
    with pytest.raises(Invalid, match="первом классе"):
        check_marks_allowed(1)
    check_marks_allowed(2)
    check_marks_allowed(None)


def test_weighted_average_weighs_by_work_type():
    # (5·2 + 3·1 + 4·1.5) / (2 + 1 + 1.5) = 19 / 4.5
    marks = [ScoredMark("5", 2.0), ScoredMark("3", 1.0), ScoredMark("4", 1.5)]
    assert weighted_average(marks) == 4.22
    assert average(marks) == 4.0


def test_pass_fail_marks_are_left_out_of_both_averages():
    marks = [ScoredMark("4", 1.0), ScoredMark("зач", 0.0), ScoredMark("незач", 0.0), ScoredMark("2", 1.0)]
    assert average(marks) == 3.0
    assert weighted_average(marks) == 3.0


def test_no_counted_marks_means_no_average():
    assert average([]) is None
    assert weighted_average([ScoredMark("зач", 0.0)]) is None


def test_a_column_is_checked_row_by_row():
    anna, boris, stranger = uuid4(), uuid4(), uuid4()
    rows = [ColumnRow(anna, " 5 "), ColumnRow(boris, "зач"), ColumnRow(stranger, "4"), ColumnRow(anna, "4")]
    values, errors = check_column(rows, work_type("answer"), {anna, boris}, "5А")
    assert values == {anna: "5"}
    assert [(e.row, e.student_id) for e in errors] == [(1, boris), (2, stranger), (3, anna)]
    assert [e.detail for e in errors] == [
        "Отметка «зач» не по пятибалльной шкале: допустимы 5, 4, 3, 2, 1.",
        "Обучающийся не числится в классе 5А.",
        "Обучающийся указан в столбце дважды.",
    ]


def test_a_pass_fail_column_takes_pass_fail_values():
    anna = uuid4()
    values, errors = check_column([ColumnRow(anna, "ЗАЧ")], work_type("credit"), {anna}, "5А")
    assert (values, errors) == ({anna: "зач"}, [])


def test_averages_are_rounded_to_two_decimals():
    marks = [ScoredMark("5", 1.0), ScoredMark("4", 1.0), ScoredMark("4", 1.0)]
    assert average(marks) == 4.33
    assert weighted_average([ScoredMark("5", 2.0), ScoredMark("4", 1.0)]) == 4.67


def test_marks_of_a_weightless_work_type_do_not_count_in_the_weighted_average():
    assert weighted_average([ScoredMark("5", 0.0)]) is None
    assert weighted_average([ScoredMark("5", 0.0), ScoredMark("3", 1.0)]) == 3.0


def test_no_marks_in_the_first_grade_in_plain_words():
    with pytest.raises(Invalid) as refused:
        check_marks_allowed(1)
    assert refused.value.detail == "В первом классе отметки не ставятся."
    check_marks_allowed(2)
    check_marks_allowed(None)


def test_an_unknown_work_type_lists_the_known_ones():
    with pytest.raises(Invalid) as refused:
        work_type("эссе")
    assert refused.value.detail == (
        "Неизвестный вид работы «эссе». Допустимые: answer, homework, independent, test, dictation, practical, "
        "lab, diagnostic, credit."
    )


def test_a_pass_fail_subject_takes_only_zach_whatever_the_work_type():
    assert mark_value(" Зач ", work_type("answer"), pass_fail_subject=True) == "зач"
    assert mark_value("незач", work_type("credit"), pass_fail_subject=True) == "незач"
    with pytest.raises(Invalid, match=r"^Предмет оценивается зачётом: ставится «зач» или «незач», а не «5»\.$"):
        mark_value("5", work_type("test"), pass_fail_subject=True)
