"""The portal pull's pure rules: scopes, ranges and the diary → schedule translation."""

from datetime import date

import pytest

from gateway.domain.portal_pull import (
    CHANGES_MAX_LIMIT,
    SCHEDULE_MAX_DAYS,
    PortalRefusal,
    changes_limit,
    granted_scopes,
    schedule_lessons,
    schedule_period_marks,
    schedule_range,
)

HELD = frozenset({"schedule", "changes"})


def test_no_scope_asked_grants_what_the_client_holds_and_a_subset_only_itself():
    assert granted_scopes(None, HELD) == HELD
    assert granted_scopes("  ", HELD) == HELD
    assert granted_scopes("changes", HELD) == {"changes"}
    assert granted_scopes("changes schedule", HELD) == HELD


def test_a_scope_the_client_does_not_hold_is_refused_by_name():
    with pytest.raises(PortalRefusal) as refused:
        granted_scopes("schedule marks", frozenset({"schedule"}))
    assert (refused.value.status, refused.value.outcome.code) == (400, "invalid_scope")
    assert refused.value.outcome.text == "Клиенту не выдан доступ: marks."
    assert str(refused.value) == "Клиенту не выдан доступ: marks."
    with pytest.raises(PortalRefusal) as two:
        granted_scopes("marks schedule people", frozenset({"schedule"}))
    assert two.value.outcome.text == "Клиенту не выдан доступ: marks, people."


def test_a_month_may_be_pulled_and_a_day_more_or_a_reversed_range_may_not():
    start = date(2026, 10, 1)
    last = date(2026, 10, SCHEDULE_MAX_DAYS)
    assert schedule_range(start, last) == (start, last)
    assert schedule_range(start, start) == (start, start)
    with pytest.raises(PortalRefusal) as too_long:
        schedule_range(start, date(2026, 11, 1))
    assert (too_long.value.status, too_long.value.outcome.code) == (422, "range_too_long")
    assert too_long.value.outcome.text == "Период не может быть длиннее 31 дней."
    with pytest.raises(PortalRefusal) as reversed_range:
        schedule_range(start, date(2026, 9, 30))
    assert (reversed_range.value.status, reversed_range.value.outcome.code) == (422, "bad_range")
    assert reversed_range.value.outcome.text == "Конец периода (30.09.2026) раньше его начала (01.10.2026)."


@pytest.mark.parametrize("limit", [0, CHANGES_MAX_LIMIT + 1, -5])
def test_a_page_size_outside_the_bounds_is_refused(limit):
    with pytest.raises(PortalRefusal) as refused:
        changes_limit(limit)
    assert (refused.value.status, refused.value.outcome.code) == (422, "bad_limit")
    assert refused.value.outcome.text == "limit должен быть от 1 до 1000."


def test_page_sizes_at_the_bounds_are_accepted():
    assert changes_limit(1) == 1
    assert changes_limit(CHANGES_MAX_LIMIT) == CHANGES_MAX_LIMIT


def test_the_diary_becomes_lessons_with_attendance_and_scaled_marks():
    diary = {
        "student": {"id": "s", "name": "Петров Алексей", "class_name": "5А"},
        "days": [
            {
                "date": "2026-10-12",
                "lessons": [
                    {
                        "lesson_id": "l1",
                        "subject": "Математика",
                        "topic": "Дроби",
                        "homework": "№ 5",
                        "marks": [
                            {
                                "mark_id": "m1",
                                "version": 2,
                                "value": "5",
                                "work_type": "test",
                                "work_type_title": "Контрольная работа",
                                "weight": 2.0,
                            },
                            {
                                "mark_id": "m2",
                                "value": "зач",
                                "work_type": "credit",
                                "work_type_title": "",
                                "weight": 1.0,
                            },
                        ],
                        "absence": {"reason": "late", "code": "О"},
                        "number": 2,
                        "starts": "09:00:00",
                        "ends": "09:45:00",
                        "room": "14",
                        "status": "scheduled",
                        "timetable_lesson_id": "t1",
                        "timetable_version": 3,
                    },
                    {"lesson_id": "l2", "subject": "Музыка", "marks": [], "absence": None, "status": "cancelled"},
                ],
            },
            {"date": "2026-10-13", "lessons": []},
        ],
    }
    first, second = schedule_lessons(diary)
    assert first == {
        "lesson_id": "l1",
        "date": "2026-10-12",
        "number": 2,
        "starts": "09:00:00",
        "ends": "09:45:00",
        "subject": "Математика",
        "topic": "Дроби",
        "homework": "№ 5",
        "room": "14",
        "cancelled": False,
        "timetable_lesson_id": "t1",
        "timetable_version": 3,
        "attendance": "О",
        "marks": [
            {
                "mark_id": "m1",
                "version": 2,
                "value": "5",
                "weight": 2.0,
                "work_type": "Контрольная работа",
                "scale": "five_point",
            },
            {
                "mark_id": "m2",
                "version": None,
                "value": "зач",
                "weight": 1.0,
                "work_type": "credit",
                "scale": "pass_fail",
            },
        ],
    }
    assert second["cancelled"] is True and second["attendance"] is None and second["number"] is None
    assert (second["timetable_lesson_id"], second["timetable_version"]) == (None, None)
    assert "Петров" not in str(schedule_lessons(diary))


def test_period_marks_go_to_the_portal_without_the_reason_of_not_attested():
    common = {"subject": "Математика", "period_kind": "quarter", "period_name": "I четверть"}
    dates = {"starts": "2026-09-01", "ends": "2026-10-25", "text": "…"}
    diary = {
        "period_marks": [
            {**common, **dates, "value": "5", "not_attested_reason": None, "extended_to": None},
            {**common, **dates, "value": None, "not_attested_reason": "болезнь", "extended_to": None},
            {**common, **dates, "value": None, "not_attested_reason": None, "extended_to": "2026-11-15"},
        ]
    }
    marks = schedule_period_marks(diary)
    assert [(m["value"], m["extended_to"], m["not_attested"]) for m in marks] == [
        ("5", None, False),
        (None, None, True),
        (None, "2026-11-15", False),
    ]
    assert "болезнь" not in str(marks) and "not_attested_reason" not in marks[1]
    assert schedule_period_marks({"days": []}) == []
