"""Окно редактирования журнала (R-24): how long after a lesson its record and marks may change."""

from dataclasses import dataclass
from datetime import date, timedelta

from chassis.problems import Invalid

#: R-21: homework is posted in advance within the school year, so never more than a year ahead.
MAX_DAYS_AHEAD = 366


@dataclass(frozen=True)
class EditWindow:
    """``days`` after the lesson date the journal stays open; None: open until the year ends.

    R-24 asks for "never", 1, 2, 3 weeks and 1 month; 14 days (000 §3.6) is the default.
    """

    days: int | None = 14

    def is_open(self, lesson_date: date, today: date) -> bool:
        # Counted back from today: adding days to a far-future lesson date would overflow.
        return self.days is None or lesson_date >= today - timedelta(days=self.days)

    def check(self, lesson_date: date, today: date) -> None:
        # back-dating beyond the window is forbidden (003).
        if not self.is_open(lesson_date, today):
            raise Invalid(f"Окно редактирования закрыто: урок {lesson_date:%d.%m.%Y} был более {self.days} дн. назад.")


def check_lesson_record(lesson_date: date, today: date, window: EditWindow, *, has_homework: bool) -> None:
    """A lesson is recorded on or after its day; only homework may be posted in advance (R-21, R-24)."""
    if lesson_date > today and not has_homework:
        raise Invalid("Урок нельзя записать будущей датой; заранее можно задать только домашнее задание.")
    if (lesson_date - today).days > MAX_DAYS_AHEAD:
        raise Invalid("Домашнее задание можно задать заранее не более чем на год вперёд.")
    window.check(lesson_date, today)


def check_mark_date(lesson_date: date, today: date, window: EditWindow) -> None:
    """A mark goes into the column of a lesson that has taken place, within the window (R-22, R-24)."""
    if lesson_date > today:
        raise Invalid("Отметку нельзя поставить за урок, который ещё не прошёл.")
    window.check(lesson_date, today)
