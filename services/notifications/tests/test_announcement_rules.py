from datetime import date, timedelta
from uuid import uuid4

import pytest

from chassis.problems import Forbidden, Invalid
from notifications.domain.announcements import check_announcer, check_dates

TODAY = date(2026, 10, 14)


def test_the_administration_announces_to_the_school_and_any_class_a_class_teacher_to_their_own():
    teacher, other = uuid4(), uuid4()
    check_announcer(frozenset({"deputy"}), uuid4(), None, to_class=False)
    check_announcer(frozenset({"school_admin"}), uuid4(), teacher, to_class=True)
    check_announcer(frozenset({"teacher"}), teacher, teacher, to_class=True)
    with pytest.raises(Forbidden, match="классный руководитель"):
        check_announcer(frozenset({"teacher"}), other, teacher, to_class=True)
    with pytest.raises(Forbidden, match="для всей школы"):
        check_announcer(frozenset({"teacher"}), teacher, teacher, to_class=False)
    with pytest.raises(Forbidden):
        check_announcer(frozenset({"guardian"}), uuid4(), None, to_class=False)


def test_the_director_approves_but_publishes_no_announcement():
    # DOMAIN §1: the director reads the whole school and writes nothing but approvals.
    for to_class in (False, True):
        with pytest.raises(Forbidden, match="только читает и утверждает"):
            check_announcer(frozenset({"director"}), uuid4(), None, to_class=to_class)


def test_dates_run_forward_are_not_past_and_not_too_long():
    check_dates(TODAY, TODAY, TODAY)
    check_dates(date(2026, 10, 1), TODAY, TODAY)
    with pytest.raises(Invalid, match="раньше даты начала"):
        check_dates(date(2026, 10, 20), date(2026, 10, 19), TODAY)
    with pytest.raises(Invalid, match="в прошлом"):
        check_dates(date(2026, 10, 1), date(2026, 10, 13), TODAY)
    with pytest.raises(Invalid, match="не дольше 120 дней"):
        check_dates(TODAY, date(2027, 6, 1), TODAY)


def test_each_refusal_says_who_publishes_instead():
    def refusal(roles: frozenset[str], to_class: bool) -> str:
        with pytest.raises(Forbidden) as refused:
            check_announcer(roles, uuid4(), None, to_class=to_class)
        return refused.value.detail

    assert refusal(frozenset({"director"}), False) == (
        "Директор в журнале только читает и утверждает: объявление публикует администратор школы "
        "или заместитель директора."
    )
    assert refusal(frozenset({"teacher"}), True) == (
        "Объявление для класса публикует его классный руководитель или администрация школы."
    )
    assert refusal(frozenset({"teacher"}), False) == "Объявление для всей школы публикует администрация школы."


def test_the_date_refusals_in_full_and_the_longest_showing_allowed():
    with pytest.raises(Invalid) as backwards:
        check_dates(date(2026, 10, 20), date(2026, 10, 19), TODAY)
    assert backwards.value.detail == "Дата окончания показа объявления раньше даты начала."
    with pytest.raises(Invalid) as past:
        check_dates(date(2026, 10, 1), date(2026, 10, 13), TODAY)
    assert past.value.detail == "Объявление уже закончилось: дата окончания показа в прошлом."
    check_dates(TODAY, TODAY + timedelta(days=120), TODAY)
    with pytest.raises(Invalid) as long:
        check_dates(TODAY, TODAY + timedelta(days=121), TODAY)
    assert long.value.detail == "Объявление показывается не дольше 120 дней."
