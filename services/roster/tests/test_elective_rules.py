"""Electives and clubs keep their members by dates (R-14): join on any day of the year, leave after joining."""

from datetime import date

import pytest

from chassis.problems import Conflict, Invalid
from roster.domain.electives import Place, check_join, leave_place

YEAR = (date(2026, 9, 1), date(2027, 5, 31), "2026/2027")


def test_a_student_joins_on_any_day_of_the_year_even_mid_period():
    check_join([], date(2026, 10, 15), *YEAR)
    check_join([Place(date(2026, 9, 1), date(2026, 10, 14))], date(2026, 10, 15), *YEAR)


def test_a_join_outside_the_year_is_refused_with_its_bounds():
    with pytest.raises(Invalid) as refused:
        check_join([], date(2027, 6, 1), *YEAR)
    assert refused.value.detail == "Дата вступления 01.06.2027 вне 2026/2027 учебного года (01.09.2026 – 31.05.2027)."


def test_joining_twice_is_refused():
    with pytest.raises(Conflict) as open_place:
        check_join([Place(date(2026, 9, 1), None)], date(2026, 10, 1), *YEAR)
    assert open_place.value.detail == "Ученик уже занимается в этой группе с 01.09.2026."
    with pytest.raises(Conflict) as overlapping:
        check_join([Place(date(2026, 9, 1), date(2026, 10, 14))], date(2026, 10, 14), *YEAR)
    assert "до 14.10.2026" in overlapping.value.detail


def test_leaving_gives_the_last_day_and_is_refused_before_joining_or_when_not_in():
    assert leave_place([Place(date(2026, 9, 1), None)], date(2026, 9, 2)) == date(2026, 9, 1)
    with pytest.raises(Invalid) as early:
        leave_place([Place(date(2026, 9, 10), None)], date(2026, 9, 10))
    assert early.value.detail == (
        "Ученик записан в группу с 10.09.2026: выйти из неё он может не раньше следующего дня."
    )
    with pytest.raises(Invalid) as absent:
        leave_place([Place(date(2026, 9, 1), date(2026, 9, 30))], date(2026, 10, 5))
    assert absent.value.detail == "Ученик не занимается в этой группе."
