import pytest

from reporting.domain.indicators import ScoredMark, average, counted_indicators, period_indicators, weighted_average


def test_worked_example_of_domain_md():
    # DOMAIN.md §6: quarter marks 5, 4, 4, 3, 2.
    indicators = period_indicators(["5", "4", "4", "3", "2"])
    assert indicators is not None
    assert indicators.students == 5
    assert indicators.pass_rate == 80
    assert indicators.quality_rate == 60
    assert indicators.average == 3.6
    assert indicators.sou == 56


def test_not_attested_students_count_in_rates_but_not_in_the_average():
    indicators = period_indicators(["5", "5", "н/а", "4"])
    assert indicators is not None
    assert indicators.pass_rate == 75
    assert indicators.quality_rate == 75
    assert indicators.average == pytest.approx(4.67)
    # (1 + 1 + 0.08 + 0.64) / 4
    assert indicators.sou == 68


def test_nobody_gives_no_indicators_and_a_stranger_value_is_refused():
    assert period_indicators([]) is None
    with pytest.raises(ValueError):
        period_indicators(["отл"])


def test_weighted_average_weighs_by_work_type():
    marks = [ScoredMark("5", 2.0), ScoredMark("3", 1.0), ScoredMark("4", 1.0)]
    assert average(marks) == 4.0
    # (10 + 3 + 4) / 4
    assert weighted_average(marks) == 4.25


def test_pass_fail_marks_are_left_out_of_averages():
    marks = [ScoredMark("зач", 0.0), ScoredMark("4", 1.5), ScoredMark("незач", 1.0)]
    assert average(marks) == 4.0
    assert weighted_average(marks) == 4.0
    assert average([ScoredMark("зач", 1.0)]) is None
    assert weighted_average([]) is None


def test_counts_of_each_mark_give_the_worked_example():
    assert counted_indicators({"5": 1, "4": 2, "3": 1, "2": 1}) == period_indicators(["5", "4", "4", "3", "2"])
    assert counted_indicators({"5": 0}) is None


def test_a_stranger_value_is_named_and_the_sou_has_two_decimals():
    with pytest.raises(ValueError, match=r"^not a period mark: 'отл'$"):
        period_indicators(["5", "отл"])
    # (1.00 + 0.64 + 0.36) / 3 = 66.666…%
    assert period_indicators(["5", "4", "3"]).sou == 66.67
