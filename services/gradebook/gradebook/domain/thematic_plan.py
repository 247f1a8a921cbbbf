"""Календарно-тематическое планирование (R-30): a course's ordered topics with their hours.

The plan's hours add up to the curriculum's (000 §4.4.7); lessons take their topics from it in
order, an hour a lesson, and coverage compares the hours planned with the lessons given.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from chassis.problems import Invalid

#: The longest topic title a plan keeps (a lesson topic is at most 1000 characters too).
TITLE_MAX = 1000


@dataclass(frozen=True)
class Topic:
    title: str
    hours: int


@dataclass(frozen=True)
class RowError:
    """A line of an imported plan that cannot be taken, as the teacher sees it in Excel."""

    row: int
    message: str


def check_topic(title: str, hours: object) -> Topic | str:
    """A topic, or why it is not one."""
    title = title.strip()
    if not title:
        return "нет названия темы"
    if len(title) > TITLE_MAX:
        return f"название темы длиннее {TITLE_MAX} символов"
    if isinstance(hours, bool) or not isinstance(hours, int | float) or hours != int(hours) or hours < 1:
        return "часы — целое число не меньше 1"
    return Topic(title, int(hours))


def plan_hours(topics: Iterable[Topic]) -> int:
    return sum(topic.hours for topic in topics)


def hours_word(hours: int) -> str:
    """«1 час», «3 часа», «5 часов»."""
    if hours % 10 == 1 and hours % 100 != 11:
        return f"{hours} час"
    if hours % 10 in (2, 3, 4) and hours % 100 not in (12, 13, 14):
        return f"{hours} часа"
    return f"{hours} часов"


def check_plan(topics: Sequence[Topic], curriculum_hours: int | None) -> None:
    """R-30: the plan has topics, and their hours equal the curriculum's (refused with the difference)."""
    if not topics:
        raise Invalid("В плане нет ни одной темы.")
    if curriculum_hours is None:
        raise Invalid("Для этого предмета в этой параллели нет часов в учебном плане: сначала задайте их.")
    total = plan_hours(topics)
    if total != curriculum_hours:
        gap = curriculum_hours - total
        what = f"не хватает {hours_word(gap)}" if gap > 0 else f"лишних {hours_word(-gap)}"
        raise Invalid(
            f"В плане {hours_word(total)}, а по учебному плану {hours_word(curriculum_hours)}: {what}.",
            planned=total,
            curriculum=curriculum_hours,
            difference=-gap,
        )


def plan_deadline(period_starts: Iterable[date], days_before: int) -> date | None:
    """R-30 (004 app.1 #16): the last day to enter a course's plan, days before its first period; None if unknown."""
    first = min(period_starts, default=None)
    return first - timedelta(days=days_before) if first else None


def plan_late(entered_on: date | None, deadline: date | None) -> bool:
    """A plan first entered after its deadline is flagged (later corrections, R-30's adjustments, are not)."""
    return entered_on is not None and deadline is not None and entered_on > deadline


@dataclass(frozen=True)
class TopicCoverage:
    position: int
    title: str
    hours: int
    given: int


def coverage(topics: Sequence[Topic], lessons_given: int) -> list[TopicCoverage]:
    """Each topic's hours given so far, filling the topics in order an hour a lesson."""
    left = lessons_given
    covered = []
    for position, topic in enumerate(topics, start=1):
        given = min(topic.hours, left)
        left -= given
        covered.append(TopicCoverage(position, topic.title, topic.hours, given))
    return covered


def next_topic(topics: Sequence[Topic], lessons_given: int) -> str | None:
    """The topic the next lesson takes from the plan (the teacher may write another)."""
    return next((c.title for c in coverage(topics, lessons_given) if c.given < c.hours), None)


def topic_from_plan(topics: Sequence[Topic], lessons_given: int) -> str:
    """R-20, R-30: the next topic for a lesson recorded without one; refused when the plan has none left."""
    planned = next_topic(topics, lessons_given)
    if planned is None:
        raise Invalid(
            "Укажите тему урока: в тематическом плане курса не осталось тем."
            if topics
            else "Укажите тему урока: у курса нет тематического плана, из которого её взять."
        )
    return planned
