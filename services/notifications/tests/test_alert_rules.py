from datetime import date, timedelta

from notifications.domain.alerts import AlertRules, absence_days_in_window, absence_run_alert, failing_mark_alert

DAY = date(2026, 10, 14)


def days_before(*offsets: int) -> set[date]:
    return {DAY - timedelta(days=n) for n in offsets}


def test_a_failing_mark_alerts_when_the_school_keeps_the_rule():
    assert failing_mark_alert(AlertRules(), "2") and failing_mark_alert(AlertRules(), "1")
    assert not failing_mark_alert(AlertRules(), "3")
    assert not failing_mark_alert(AlertRules(failing_mark=False), "2")


def test_a_run_of_absences_alerts_once_when_it_reaches_the_threshold():
    rules = AlertRules(absence_days=3, window_days=7)
    assert absence_run_alert(rules, days_before(0, 1), DAY) is None
    assert absence_run_alert(rules, days_before(0, 1, 2), DAY) == 3
    # The fourth day of the same run does not alert again; a second absence on a day already counted neither.
    assert absence_run_alert(rules, days_before(0, 1, 2, 3), DAY) is None
    # Days outside the window do not count.
    assert absence_run_alert(rules, days_before(0, 1, 8), DAY) is None
    assert absence_run_alert(AlertRules(absence_days=0), days_before(0, 1, 2), DAY) is None


def test_the_window_holds_its_first_day_and_not_the_day_before():
    assert absence_days_in_window(days_before(6), DAY, 7) == 1
    assert absence_days_in_window(days_before(7), DAY, 7) == 0


def test_a_threshold_of_one_day_alerts_on_the_first_absence():
    assert absence_run_alert(AlertRules(absence_days=1), days_before(0), DAY) == 1
