"""R-14: bells, the weekly template, generation of dated lessons, regeneration and clashes (pure rules)."""

from datetime import date, time
from uuid import uuid4

import pytest

from chassis.problems import Conflict, Invalid
from roster.domain.calendar import SchoolCalendar, Span, Transfer
from roster.domain.timetable import (
    Bell,
    Booking,
    BuildingMove,
    ExistingLesson,
    Slot,
    TemplatePeriod,
    Week,
    building_moves,
    check_bells,
    check_lesson_day,
    check_template,
    find_clash,
    generate,
    horizon,
    regenerate,
    week_of,
)

YEAR = Span(date(2026, 9, 1), date(2027, 5, 31))
NORMAL = [Bell(1, time(8, 30), time(9, 15)), Bell(2, time(9, 25), time(10, 10)), Bell(3, time(10, 30), time(11, 15))]
SHORT = [Bell(1, time(8, 30), time(9, 0)), Bell(2, time(9, 10), time(9, 40))]
MATHS, RUSSIAN = uuid4(), uuid4()
IVANOVA, PETROVA = uuid4(), uuid4()
ROOM_12 = uuid4()


def slot(weekday, number, course=MATHS, teacher=IVANOVA, week=None, room=ROOM_12) -> Slot:
    return Slot(weekday=weekday, number=number, assignment_id=course, teacher_id=teacher, room_id=room, week=week)


def days(start: date, end: date) -> Span:
    return Span(start, end)


def test_bells_run_in_order():
    check_bells(NORMAL)
    with pytest.raises(Invalid, match="нет урока № 2"):
        check_bells([NORMAL[0], NORMAL[2]])
    with pytest.raises(Invalid, match="раньше, чем закончился урок № 1"):
        check_bells([NORMAL[0], Bell(2, time(9, 0), time(9, 45))])


def test_a_template_puts_nobody_twice_in_one_place():
    check_template([slot(0, 1), slot(0, 1, teacher=PETROVA, room=None, course=RUSSIAN)], NORMAL, 5)
    with pytest.raises(Conflict, match="Учитель стоит в шаблоне дважды: понедельник, урок № 1"):
        check_template([slot(0, 1), slot(0, 1, course=RUSSIAN, room=None)], NORMAL, 5)
    with pytest.raises(Conflict, match="Кабинет занят дважды"):
        check_template([slot(0, 1), slot(0, 1, course=RUSSIAN, teacher=PETROVA)], NORMAL, 5)
    # A and B weeks share a slot without clashing.
    check_template([slot(0, 1, week=Week.A), slot(0, 1, course=RUSSIAN, week=Week.B)], NORMAL, 5)
    with pytest.raises(Invalid, match="уроков в суббота нет"):
        check_template([slot(5, 1)], NORMAL, 5)
    with pytest.raises(Invalid, match="Урока № 7 нет"):
        check_template([slot(0, 7)], NORMAL, 5)


def test_generation_skips_holidays_and_weekends_and_honours_transfers():
    calendar = SchoolCalendar(
        year=YEAR,
        holidays=frozenset(Span(date(2026, 11, 2), date(2026, 11, 4)).days()),
        transfers=(Transfer(date(2026, 10, 31), 0),),
    )
    template = TemplatePeriod(YEAR, (slot(0, 1), slot(4, 2, course=RUSSIAN, teacher=PETROVA)))
    lessons = generate(calendar, [template], days(date(2026, 10, 26), date(2026, 11, 9)), None, NORMAL)
    assert [(lesson.day, lesson.number, lesson.assignment_id) for lesson in lessons] == [
        (date(2026, 10, 26), 1, MATHS),
        (date(2026, 10, 30), 2, RUSSIAN),
        # Saturday 31 October works as a Monday; Monday 2 November is a holiday.
        (date(2026, 10, 31), 1, MATHS),
        (date(2026, 11, 6), 2, RUSSIAN),
        (date(2026, 11, 9), 1, MATHS),
    ]
    assert lessons[0].starts == time(8, 30)


def test_a_and_b_weeks_alternate_from_the_years_first_week():
    assert week_of(date(2026, 9, 1), YEAR.start) is Week.A
    assert week_of(date(2026, 9, 7), YEAR.start) is Week.B
    assert week_of(date(2026, 9, 14), YEAR.start) is Week.A
    calendar = SchoolCalendar(year=YEAR)
    template = TemplatePeriod(YEAR, (slot(0, 1, week=Week.A), slot(0, 1, course=RUSSIAN, week=Week.B)))
    lessons = generate(calendar, [template], days(date(2026, 9, 7), date(2026, 9, 14)), None, NORMAL)
    assert [(lesson.day, lesson.assignment_id) for lesson in lessons] == [
        (date(2026, 9, 7), RUSSIAN),
        (date(2026, 9, 14), MATHS),
    ]


def test_a_shortened_day_takes_its_times_and_drops_lessons_past_its_last_bell():
    calendar = SchoolCalendar(year=YEAR)
    template = TemplatePeriod(YEAR, (slot(1, 2), slot(1, 3, course=RUSSIAN, teacher=PETROVA)))
    short_day = date(2026, 12, 29)
    lessons = generate(calendar, [template], days(short_day, short_day), {short_day: SHORT}, NORMAL)
    assert [(lesson.number, lesson.starts, lesson.ends) for lesson in lessons] == [(2, time(9, 10), time(9, 40))]


def test_each_period_has_its_own_template():
    calendar = SchoolCalendar(year=YEAR)
    first = TemplatePeriod(Span(YEAR.start, date(2026, 12, 28)), (slot(0, 1),))
    second = TemplatePeriod(Span(date(2027, 1, 11), YEAR.end), (slot(0, 2, course=RUSSIAN),))
    lessons = generate(calendar, [first, second], days(date(2026, 12, 28), date(2027, 1, 11)), None, NORMAL)
    # 4 January lies between the periods (the winter break): no template covers it.
    assert [(lesson.day, lesson.assignment_id) for lesson in lessons] == [
        (date(2026, 12, 28), MATHS),
        (date(2027, 1, 11), RUSSIAN),
    ]


def test_the_horizon_is_two_weeks_within_the_year():
    assert horizon(date(2026, 10, 14), YEAR) == Span(date(2026, 10, 14), date(2026, 10, 28))
    assert horizon(date(2026, 8, 20), YEAR) == Span(YEAR.start, date(2026, 9, 3))
    assert horizon(date(2027, 5, 25), YEAR) == Span(date(2027, 5, 25), YEAR.end)


def test_regeneration_touches_only_unfrozen_lessons():
    calendar = SchoolCalendar(year=YEAR)
    span = days(date(2026, 10, 19), date(2026, 10, 27))
    old = generate(calendar, [TemplatePeriod(YEAR, (slot(0, 1), slot(1, 1)))], span, None, NORMAL)
    recorded, free_monday, free_tuesday, next_monday = old[0], old[1], old[2], old[3]
    existing = [
        ExistingLesson(uuid4(), recorded, frozen=True),
        ExistingLesson(uuid4(), free_monday, frozen=False),
        ExistingLesson(uuid4(), free_tuesday, frozen=False),
        ExistingLesson(uuid4(), next_monday, frozen=False),
    ]
    # Mondays move to lesson 2; Tuesdays stay; the room of Tuesdays changes.
    new_room = uuid4()
    wanted = generate(calendar, [TemplatePeriod(YEAR, (slot(0, 2), slot(1, 1, room=new_room)))], span, None, NORMAL)
    change = regenerate(existing, wanted)
    assert {(lesson.day, lesson.number) for lesson in change.added} == {
        (date(2026, 10, 19), 2),
        (date(2026, 10, 26), 2),
    }
    assert {lesson.planned.day for lesson in change.removed} == {date(2026, 10, 26)}
    assert [(old.planned.day, new.room_id) for old, new in change.changed] == [
        (date(2026, 10, 20), new_room),
        (date(2026, 10, 27), new_room),
    ]
    assert recorded not in {lesson.planned for lesson in change.removed}
    assert regenerate([ExistingLesson(uuid4(), lesson, frozen=False) for lesson in old], old).empty


def test_a_clash_names_the_lesson_and_what_clashes():
    day = date(2026, 10, 19)
    first = Booking(uuid4(), day, time(8, 30), time(9, 15), IVANOVA, ROOM_12)
    same_teacher = Booking(uuid4(), day, time(9, 0), time(9, 45), IVANOVA, None)
    same_room = Booking(uuid4(), day, time(8, 30), time(9, 15), PETROVA, ROOM_12)
    after = Booking(uuid4(), day, time(9, 15), time(10, 0), IVANOVA, ROOM_12)
    assert find_clash(same_teacher, [first]) == ("teacher", first)
    assert find_clash(same_room, [first]) == ("room", first)
    assert find_clash(after, [first]) is None
    assert find_clash(first, [first]) is None


def test_no_lesson_on_a_holiday():
    calendar = SchoolCalendar(year=YEAR, holidays=frozenset([date(2026, 11, 4)]))
    check_lesson_day(calendar, date(2026, 11, 5))
    with pytest.raises(Invalid, match="нерабочий день"):
        check_lesson_day(calendar, date(2026, 11, 4))
    with pytest.raises(Invalid, match="вне учебного года"):
        check_lesson_day(calendar, date(2027, 6, 1))


def test_a_move_between_buildings_between_consecutive_lessons_is_flagged():
    main, annex = uuid4(), uuid4()
    room_in_annex, room_unnamed = uuid4(), uuid4()
    class_5a, class_6b = uuid4(), uuid4()
    class_of = {MATHS: class_5a, RUSSIAN: class_6b}
    building_of = {ROOM_12: main, room_in_annex: annex}
    slots = [
        slot(0, 1),
        # Иванова teaches 6Б next, in the annex: she moves; 5А stays (its next lesson is Петрова's, in the main one).
        slot(0, 2, course=RUSSIAN, room=room_in_annex),
        slot(0, 2, teacher=PETROVA),
        # A gap of a lesson is not «between consecutive lessons»; a room of no named building is never flagged.
        slot(1, 1),
        slot(1, 3, room=room_in_annex),
        slot(2, 1),
        slot(2, 2, room=room_unnamed),
        # A-week and B-week lessons never follow each other.
        slot(3, 1, week=Week.A),
        slot(3, 2, week=Week.B, room=room_in_annex),
        slot(4, 1, week=Week.A),
        slot(4, 2, room=room_in_annex),
    ]
    assert building_moves(slots, building_of, class_of) == [
        BuildingMove(0, 1, "teacher", IVANOVA, main, annex),
        BuildingMove(4, 1, "class", class_5a, main, annex, Week.A),
        BuildingMove(4, 1, "teacher", IVANOVA, main, annex, Week.A),
    ]
