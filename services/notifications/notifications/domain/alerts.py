"""Alerts (R-52: 000 §4.4.4): the class teacher and the parents are told of a failing mark and of a
run of absences, by rules each school sets."""

from dataclasses import dataclass
from datetime import date, timedelta

#: Failing marks of the five-point scale (неудовлетворительно).
FAILING = frozenset({"2", "1"})


@dataclass(frozen=True)
class AlertRules:
    """A school's alert rules; ``absence_days`` 0 turns the absence alert off."""

    failing_mark: bool = True
    #: Days with absences within ``window_days`` that make a run worth an alert.
    absence_days: int = 3
    window_days: int = 7


def failing_mark_alert(rules: AlertRules, value: str) -> bool:
    return rules.failing_mark and value in FAILING


def absence_days_in_window(absent_on: set[date], day: date, window_days: int) -> int:
    """Distinct days with an absence (not a late arrival) in the ``window_days`` ending on ``day``."""
    first = day - timedelta(days=window_days - 1)
    return sum(1 for d in absent_on if first <= d <= day)


def absence_run_alert(rules: AlertRules, absent_on: set[date], day: date) -> int | None:
    """The run's length when this absence makes it reach the threshold (once per run), else None."""
    if rules.absence_days <= 0:
        return None
    count = absence_days_in_window(absent_on, day, rules.window_days)
    before = absence_days_in_window(absent_on - {day}, day, rules.window_days)
    return count if count >= rules.absence_days > before else None
