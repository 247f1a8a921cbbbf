"""R-21: homework's content, its students, its due date and the posting deadline."""

from datetime import UTC, date, datetime, time
from uuid import uuid4

import pytest

from chassis.problems import Invalid
from gradebook.domain.homework import (
    DEFAULT_DEADLINE_HOURS,
    check_due,
    homework_content,
    homework_students,
    posted_late,
    posting_deadline,
)

DAY = date(2026, 10, 14)
MOSCOW = "Europe/Moscow"


def test_homework_has_a_text_pages_or_exercises_and_web_links():
    content = homework_content(" Выучить правило ", " с. 40 ", "", [" https://resh.edu.ru/subject/12 "])
    assert (content.text, content.pages, content.exercises, content.links) == (
        "Выучить правило",
        "с. 40",
        None,
        ("https://resh.edu.ru/subject/12",),
    )
    assert homework_content("", None, "№ 101, 103", []).exercises == "№ 101, 103"
    with pytest.raises(Invalid, match=r"^Домашнее задание пустое"):
        homework_content(" ", " ", None, [])
    for bad in ("resh.edu.ru", "javascript:alert(1)", "ftp://files/x", "https://"):
        with pytest.raises(Invalid, match="не адрес веб-страницы"):
            homework_content("Задание", None, None, [bad])


def test_individual_homework_is_for_students_of_the_class_and_none_means_everyone():
    anna, boris = uuid4(), uuid4()
    assert homework_students([], {anna, boris}, "5А") == ()
    assert homework_students([boris, boris], {anna, boris}, "5А") == (boris,)
    with pytest.raises(Invalid, match=r"^Индивидуальное задание можно дать только обучающимся класса 5А\.$"):
        homework_students([uuid4()], {anna}, "5А")


def test_homework_is_due_at_a_later_lesson():
    check_due(DAY, date(2026, 10, 15))
    with pytest.raises(Invalid, match=r"сдаётся на одном из следующих уроков, а не 14\.10\.2026"):
        check_due(DAY, DAY)


def test_the_deadline_is_hours_after_the_classs_last_lesson_in_the_schools_time():
    assert DEFAULT_DEADLINE_HOURS == 2
    deadline = posting_deadline(DAY, time(14, 5), 2, MOSCOW)
    assert deadline == datetime(2026, 10, 14, 13, 5, tzinfo=UTC)  # 16:05 in Moscow
    assert not posted_late(datetime(2026, 10, 14, 13, 5, tzinfo=UTC), deadline)
    assert posted_late(datetime(2026, 10, 14, 13, 6, tzinfo=UTC), deadline)
    assert not posted_late(datetime(2026, 10, 10, 9, 0, tzinfo=UTC), deadline)  # in advance
    whole_day = posting_deadline(DAY, None, 2, MOSCOW)
    assert whole_day == datetime(2026, 10, 14, 21, 0, tzinfo=UTC)  # midnight in Moscow
