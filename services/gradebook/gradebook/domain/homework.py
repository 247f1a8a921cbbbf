"""Домашнее задание (R-21): general or for chosen students; text, pages, exercises, links; due by a lesson;
posted on the lesson day no later than the school's hours after the class's last lesson, else flagged late."""

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlparse
from uuid import UUID
from zoneinfo import ZoneInfo

from chassis.problems import Invalid

#: 004 §3.6, 001 §6.2: homework is posted no later than 1–2 hours after the class's last lesson.
DEFAULT_DEADLINE_HOURS = 2
DEADLINE_HOURS_CHOICES = (1, 2, 3, 4)


@dataclass(frozen=True)
class HomeworkContent:
    text: str
    pages: str | None
    exercises: str | None
    links: tuple[str, ...]


def homework_content(text: str, pages: str | None, exercises: str | None, links: Sequence[str]) -> HomeworkContent:
    """What the pupils are to do: a text, or at least pages or exercises; links only to web pages."""
    text, pages, exercises = text.strip(), (pages or "").strip() or None, (exercises or "").strip() or None
    if not (text or pages or exercises):
        raise Invalid("Домашнее задание пустое: напишите задание, страницы или номера упражнений.")
    for link in links:
        parsed = urlparse(link.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise Invalid(f"Ссылка «{link}» — не адрес веб-страницы (нужен http:// или https://).")
    return HomeworkContent(text, pages, exercises, tuple(link.strip() for link in links))


def homework_students(chosen: Sequence[UUID], class_members: Set[UUID], class_name: str) -> tuple[UUID, ...]:
    """Individual homework is for chosen students of the class; none chosen: the whole class (general)."""
    strangers = [s for s in chosen if s not in class_members]
    if strangers:
        raise Invalid(f"Индивидуальное задание можно дать только обучающимся класса {class_name}.")
    return tuple(dict.fromkeys(chosen))


def check_due(given_on: date, due_on: date) -> None:
    """The homework is due at a later lesson than the one it is given at."""
    if due_on <= given_on:
        raise Invalid(
            f"Задание, данное {given_on:%d.%m.%Y}, сдаётся на одном из следующих уроков, а не {due_on:%d.%m.%Y}."
        )


def posting_deadline(day: date, last_lesson_ends: time | None, hours: int, timezone: str) -> datetime:
    """R-21: the last moment to post the homework of ``day``: ``hours`` after the class's last lesson in the
    school's time zone; with no timetable that day, the day's end."""
    zone = ZoneInfo(timezone)
    if last_lesson_ends is None:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return datetime.combine(day, last_lesson_ends, tzinfo=zone) + timedelta(hours=hours)


def posted_late(posted_at: datetime, deadline: datetime) -> bool:
    """Posted after the deadline (R-21): allowed, but flagged to the deputy. Posting in advance is on time."""
    return posted_at > deadline
