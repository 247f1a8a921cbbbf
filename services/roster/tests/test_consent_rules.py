"""Who gives and withdraws consent for whom (152-ФЗ ст. 9, ГК РФ ст. 26, 28): by age on the day."""

from datetime import date
from uuid import uuid4

import pytest

from roster.domain.consents import Parties, Standing, age_on, giving_refusal, standing, withdrawal_refusal

CHILD, MOTHER, FATHER, STRANGER = uuid4(), uuid4(), uuid4(), uuid4()
BORN = date(2012, 10, 14)


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 10, 13), Standing.REPRESENTATIVE),  # the day before the 14th birthday
        (date(2026, 10, 14), Standing.TOGETHER),  # the birthday itself
        (date(2030, 10, 13), Standing.TOGETHER),  # the day before the 18th
        (date(2030, 10, 14), Standing.SELF),
    ],
)
def test_who_signs_changes_on_the_birthday(day, expected):
    assert standing(True, BORN, day) is expected


def test_a_leap_day_birthday_comes_on_the_first_of_march():
    assert age_on(date(2012, 2, 29), date(2026, 2, 28)) == 13
    assert age_on(date(2012, 2, 29), date(2026, 3, 1)) == 14


def test_parents_and_staff_sign_for_themselves_and_a_student_needs_a_birth_date():
    assert standing(False, None, date(2026, 10, 14)) is Standing.SELF
    with pytest.raises(ValueError):
        standing(True, None, date(2026, 10, 14))


def parties(signer, co_signer=None):
    return Parties(CHILD, signer, co_signer, frozenset({MOTHER, FATHER}))


def test_under_14_a_parent_alone_gives_it():
    assert giving_refusal(parties(MOTHER), Standing.REPRESENTATIVE) is None
    assert "родитель" in giving_refusal(parties(CHILD), Standing.REPRESENTATIVE)
    assert "только родитель" in giving_refusal(parties(MOTHER, CHILD), Standing.REPRESENTATIVE)
    assert giving_refusal(parties(STRANGER), Standing.REPRESENTATIVE)


def test_from_14_the_student_gives_it_with_a_parent():
    assert giving_refusal(parties(CHILD, FATHER), Standing.TOGETHER) is None
    assert "вместе с родителем" in giving_refusal(parties(CHILD), Standing.TOGETHER)
    assert giving_refusal(parties(MOTHER), Standing.TOGETHER)
    assert giving_refusal(parties(CHILD, STRANGER), Standing.TOGETHER)


def test_an_adult_gives_it_alone():
    assert giving_refusal(parties(CHILD), Standing.SELF) is None
    assert giving_refusal(parties(MOTHER), Standing.SELF) == "Согласие даёт сам человек."
    assert giving_refusal(parties(CHILD, MOTHER), Standing.SELF)


def test_a_child_under_14_cannot_withdraw_but_either_parent_can():
    gave = frozenset({MOTHER})
    assert withdrawal_refusal(MOTHER, parties(MOTHER), Standing.REPRESENTATIVE, gave) is None
    assert withdrawal_refusal(FATHER, parties(FATHER), Standing.REPRESENTATIVE, gave) is None
    assert "только тот, кто его дал" in withdrawal_refusal(CHILD, parties(CHILD), Standing.REPRESENTATIVE, gave)
    assert withdrawal_refusal(STRANGER, parties(STRANGER), Standing.REPRESENTATIVE, gave)


def test_from_14_the_student_may_withdraw_what_a_parent_gave():
    gave = frozenset({MOTHER})
    assert withdrawal_refusal(CHILD, parties(CHILD), Standing.TOGETHER, gave) is None
    assert withdrawal_refusal(MOTHER, parties(MOTHER), Standing.TOGETHER, gave) is None


def test_at_18_the_parent_who_gave_it_no_longer_may():
    gave = frozenset({MOTHER, CHILD})
    assert withdrawal_refusal(CHILD, parties(CHILD), Standing.SELF, gave) is None
    assert "только сам человек" in withdrawal_refusal(MOTHER, parties(MOTHER), Standing.SELF, gave)
    assert "только тот, кто его дал" in withdrawal_refusal(FATHER, parties(FATHER), Standing.SELF, gave)
