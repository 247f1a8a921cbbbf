"""Окно редактирования журнала (R-24): how long after a lesson its record and marks may change."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from chassis.problems import Invalid

#: R-21: homework is posted in advance within the school year, so never more than a year ahead.
MAX_DAYS_AHEAD = 366


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 January + 1 month = 28/29 February).

    Past the calendar's end it stays at ``date.max``: a window cannot overflow.
    """
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    if year > date.max.year:
        return date.max
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class EditWindow:
    """The journal stays open ``months`` and then ``days`` after the lesson date, that day included.

    ``days`` None: open until the year ends. R-24 asks for "never", 1, 2, 3 weeks and 1 month;
    14 days (000 §3.6) is the default.
    """

    days: int | None = 14
    months: int = 0

    def last_open_day(self, lesson_date: date) -> date | None:
        if self.days is None:
            return None
        after_months = add_months(lesson_date, self.months)
        if (date.max - after_months).days < self.days:
            return date.max
        return after_months + timedelta(days=self.days)

    def check(self, lesson_date: date, today: date) -> None:
        # back-dating beyond the window is forbidden (003).
        last = self.last_open_day(lesson_date)
        if last is not None and today > last:
            raise Invalid(
                f"Окно редактирования закрыто: запись урока {lesson_date:%d.%m.%Y} "
                f"можно было изменить до {last:%d.%m.%Y} включительно."
            )


@dataclass(frozen=True)
class EditWindowChoice:
    """One of the windows the school administrator may choose (R-24)."""

    code: str
    title: str
    window: EditWindow


#: R-24 (004 §3.6): never, 1, 2, 3 weeks, 1 month; 7 days (000 §4.1.11) and 14 days (000 §3.6) among them.
EDIT_WINDOW_CHOICES = (
    EditWindowChoice("never", "Никогда не закрывается (до конца учебного года)", EditWindow(None)),
    EditWindowChoice("7d", "1 неделя после урока", EditWindow(7)),
    EditWindowChoice("14d", "2 недели после урока", EditWindow(14)),
    EditWindowChoice("21d", "3 недели после урока", EditWindow(21)),
    EditWindowChoice("1m", "1 месяц после урока", EditWindow(0, months=1)),
)
_BY_CODE = {choice.code: choice for choice in EDIT_WINDOW_CHOICES}


def edit_window_choice(code: str) -> EditWindowChoice:
    """The choice named ``code``; anything else is refused with the list of what is allowed."""
    found = _BY_CODE.get(code)
    if found is None:
        allowed = "; ".join(f"«{choice.code}» — {choice.title.lower()}" for choice in EDIT_WINDOW_CHOICES)
        raise Invalid(
            f"Такого окна редактирования нет. Допустимые значения: {allowed}.",
            allowed=[{"code": choice.code, "title": choice.title} for choice in EDIT_WINDOW_CHOICES],
        )
    return found


def default_choice(days: int | None) -> EditWindowChoice:
    """The choice a school has before its administrator sets one: the region's default in days."""
    for choice in EDIT_WINDOW_CHOICES:
        if choice.window == EditWindow(days):
            return choice
    raise ValueError(f"the default edit window of {days} days is not one of R-24's choices")


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
