"""Period marks (R-27), attestation checks (R-28), deadlines (R-23), grade rules (R-26): the pure rules."""

from datetime import date
from uuid import uuid4

import pytest

from chassis.problems import Invalid
from gradebook.domain.attestation import attestation_flags
from gradebook.domain.deadlines import MarkDeadlines, deadline_days, mark_days_late
from gradebook.domain.marks import GradeRules, check_homework_allowed, check_marks_allowed
from gradebook.domain.period_policy import PeriodPolicy, period_policy
from gradebook.domain.periods import (
    Lock,
    Period,
    PeriodLocked,
    PeriodMarkEntry,
    check_attested,
    check_close,
    check_entry_writable,
    check_period_started,
    check_unlocked,
    days_late,
    first_half_year_end,
    grade_periods,
    mark_deadline,
    period_mark_entry,
    visible_from,
)

Q1 = Period("quarter", uuid4(), "1 четверть", date(2026, 9, 1), date(2026, 10, 25))
YEAR = Period("year", uuid4(), "2026/2027", date(2026, 9, 1), date(2027, 5, 31))


@pytest.mark.parametrize("raw", ["5", " 4 ", "2", "1", "ЗАЧ", "незач"])
def test_a_period_mark_is_a_value_of_the_scale(raw):
    assert period_mark_entry(raw, None, None, "not_attested", Q1) == PeriodMarkEntry(value=raw.strip().lower())


@pytest.mark.parametrize("raw", ["н/а", "Н/А", "осв", "освобождён", "не аттестован"])
def test_not_attested_and_exempt_are_never_a_value(raw):
    with pytest.raises(Invalid, match=r"не отметка.*«не аттестован» и укажите причину"):
        period_mark_entry(raw, None, None, "not_attested", Q1)
    with pytest.raises(Invalid, match="продлите срок аттестации"):
        period_mark_entry(raw, None, None, "extended", Q1)


def test_other_values_are_off_the_scale():
    with pytest.raises(Invalid, match="не по шкале"):
        period_mark_entry("6", None, None, "not_attested", Q1)


def test_the_schools_regime_decides_between_not_attested_and_extension():
    entry = period_mark_entry(None, " болезнь ", None, "not_attested", Q1)
    assert entry.not_attested_reason == "болезнь" and entry.text == "не аттестован"
    with pytest.raises(Invalid, match="продление срока"):
        period_mark_entry(None, "болезнь", None, "extended", Q1)
    extended = period_mark_entry(None, None, date(2026, 11, 20), "extended", Q1)
    assert extended.text == "продлено до 20.11.2026"
    with pytest.raises(Invalid, match="«не аттестован» с указанием причины"):
        period_mark_entry(None, None, date(2026, 11, 20), "not_attested", Q1)
    with pytest.raises(Invalid, match="после конца периода"):
        period_mark_entry(None, None, Q1.ends, "extended", Q1)
    with pytest.raises(Invalid, match="причину"):
        period_mark_entry(None, " ", None, "not_attested", Q1)


def test_exactly_one_of_the_three():
    with pytest.raises(Invalid, match="одно из трёх"):
        period_mark_entry("5", "болезнь", None, "not_attested", Q1)
    with pytest.raises(Invalid, match="одно из трёх"):
        period_mark_entry(None, None, None, "not_attested", Q1)


def test_no_period_mark_before_the_period_starts_nor_for_an_exempt_subject():
    check_period_started(Q1, Q1.starts)
    with pytest.raises(Invalid, match="ставить рано"):
        check_period_started(Q1, date(2026, 8, 31))
    check_attested("Физкультура", exempt=False)
    with pytest.raises(Invalid, match="не аттестуется"):
        check_attested("Физкультура", exempt=True)


def test_after_the_close_only_an_extended_term_stays_open_until_its_date():
    check_entry_writable(Q1, False, None, date(2026, 10, 26))
    with pytest.raises(PeriodLocked, match="закрыт") as refused:
        check_entry_writable(Q1, True, PeriodMarkEntry(value="4"), date(2026, 10, 26))
    assert refused.value.slug == "period-closed"
    extended = PeriodMarkEntry(extended_to=date(2026, 11, 20))
    check_entry_writable(Q1, True, extended, date(2026, 11, 20))
    with pytest.raises(PeriodLocked):
        check_entry_writable(Q1, True, extended, date(2026, 11, 21))


def test_the_deadline_and_the_familys_view():
    assert mark_deadline(Q1, -2) == date(2026, 10, 23)
    assert mark_deadline(Q1, 7) == date(2026, 11, 1)
    assert days_late(date(2026, 11, 1), date(2026, 11, 1)) is None
    assert days_late(date(2026, 11, 1), date(2026, 11, 4)) == 3
    assert visible_from(date(2026, 10, 26), 3) == date(2026, 10, 29)
    assert visible_from(date(2026, 10, 26), 0) == date(2026, 10, 26)


def test_a_period_closes_when_every_attested_student_has_an_entry():
    anna, boris, vera = uuid4(), uuid4(), uuid4()
    students = {anna: "Абрамова Анна", boris: "Яковлев Борис", vera: "Веселова Вера"}
    entries = {anna: PeriodMarkEntry(value="5")}
    with pytest.raises(Invalid, match="нет итоговой отметки у 1") as refused:
        check_close(Q1, date(2026, 10, 25), students, {vera}, entries)
    assert refused.value.extra["missing"] == ["Яковлев Борис"]
    check_close(Q1, date(2026, 10, 25), students, {vera, boris}, entries)


def test_a_closed_span_is_locked():
    locks = [Lock("1 четверть", Q1.starts, Q1.ends)]
    check_unlocked(date(2026, 10, 26), locks)
    with pytest.raises(PeriodLocked, match=r"1 четверть.*закрыт"):
        check_unlocked(Q1.ends, locks)


def test_a_grade_has_its_schemes_periods_then_year_exam_and_final():
    q2 = Period("quarter", uuid4(), "2 четверть", date(2026, 11, 5), date(2026, 12, 28))
    halves = Period("half_year", uuid4(), "1 полугодие", date(2026, 9, 1), date(2026, 12, 28))
    periods = grade_periods(YEAR, [("quarters", [5, 6], [q2, Q1]), ("half_years", [10, 11], [halves])], 5)
    assert [p.name for p in periods] == ["1 четверть", "2 четверть", "Годовая", "Экзаменационная", "Итоговая"]
    assert all(p.id == YEAR.id for p in periods[2:])
    assert first_half_year_end(YEAR.ends, YEAR.starts, [Q1, q2, Q1, q2]) == Q1.ends
    assert first_half_year_end(YEAR.ends, YEAR.starts, [halves, halves]) == halves.ends
    assert first_half_year_end(YEAR.ends, YEAR.starts, []) == date(2026, 12, 31)


def test_grade_rules_for_grades_one_and_two():
    half = date(2026, 12, 28)
    with pytest.raises(Invalid, match="первом классе"):
        check_marks_allowed(1)
    check_marks_allowed(1, rules=GradeRules(marks_in_grade_1=True))
    with pytest.raises(Invalid, match="втором классе в первом полугодии"):
        check_marks_allowed(2, date(2026, 10, 14), half)
    check_marks_allowed(2, date(2027, 1, 12), half)
    check_marks_allowed(2, date(2026, 10, 14), None)
    check_marks_allowed(2, date(2026, 10, 14), half, GradeRules(marks_in_grade_2_first_half=True))
    with pytest.raises(Invalid, match="домашние задания не задаются"):
        check_homework_allowed(2, date(2026, 10, 14), half)
    check_homework_allowed(3, date(2026, 10, 14), half)


def test_attestation_flags_beside_the_period_mark():
    assert attestation_flags(2, 1, 0, 8, ((2, 5), (4, 9)))[0].code == "few_marks"
    assert attestation_flags(5, 2, 8, 16) == []
    flags = attestation_flags(4, 2, 9, 16)
    assert [f.code for f in flags] == ["few_marks", "missed_half"]
    assert flags[0].text == "Мало текущих отметок: 4 из необходимых 5 (2 ч в неделю)."


def test_mark_deadlines_by_work_type_and_grade():
    rules = MarkDeadlines()
    assert deadline_days("answer", 5, rules) == 7
    assert deadline_days("test", 9, rules) == 7
    assert deadline_days("dictation", 10, rules) == 10
    assert deadline_days("diagnostic", 11, rules) == 1
    assert deadline_days("answer", 5, MarkDeadlines(current_days=5)) == 5
    assert mark_days_late(date(2026, 10, 1), date(2026, 10, 8), 7) is None
    assert mark_days_late(date(2026, 10, 1), date(2026, 10, 10), 7) == 2


def test_the_school_policy_is_checked_and_says_what_is_allowed():
    assert period_policy({}) == PeriodPolicy()
    changed = period_policy({"non_attestation": "extended", "min_marks": [[2, 5], [1, 3]], "forecast_threshold": 60})
    assert changed.min_marks == ((1, 3), (2, 5)) and str(changed.threshold) == "3/5"
    for bad, message in (
        ({"non_attestation": "na"}, "Порядок для неаттестуемых"),
        ({"period_mark_deadline_days": 8}, "от -2 до 7"),
        ({"family_delay_days": 4}, "от 0 до 3"),
        ({"forecast_threshold": 40}, "от 50 до 99"),
        ({"current_days": True}, "от 1 до 14"),
        ({"min_marks": [[1]]}, "список пар"),
        ({"marks_in_grade_1": "да"}, "да или нет"),
        ({"colour": "red"}, "Неизвестные настройки: colour"),
    ):
        with pytest.raises(Invalid, match=message):
            period_policy(bad)
