"""Movement rules (R-16): transfers, leaving, academic debt, the plan of a promotion."""

from datetime import date
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chassis.problems import Conflict, Invalid
from roster.domain.movement import (
    ClassInfo,
    Decision,
    Outcome,
    check_debt,
    check_leaving,
    check_transfer,
    next_year_name,
    one_year_after,
    plan_promotion,
)

YEAR = "2025/2026"
START = date(2026, 9, 1)


def klass(grade: int, letter: str = "А", year: str = YEAR) -> ClassInfo:
    return ClassInfo(uuid4(), grade, letter, year)


def test_transfer_within_a_year_after_enrolment_passes():
    check_transfer(klass(5), klass(5, "Б"), date(2026, 1, 12), date(2025, 9, 1))


def test_transfer_to_a_class_of_another_year_is_refused():
    with pytest.raises(Invalid, match="того же года"):
        check_transfer(klass(5), klass(6, "А", "2026/2027"), date(2026, 1, 12), date(2025, 9, 1))


def test_transfer_into_the_same_class_is_a_conflict():
    same = klass(5)
    with pytest.raises(Conflict, match="уже учится в классе 5А"):
        check_transfer(same, same, date(2026, 1, 12), date(2025, 9, 1))


def test_transfer_on_or_before_the_enrolment_day_is_refused():
    with pytest.raises(Invalid, match="позже даты зачисления"):
        check_transfer(klass(5), klass(5, "Б"), date(2025, 9, 1), date(2025, 9, 1))


def test_leaving_before_enrolment_is_refused():
    with pytest.raises(Invalid, match="раньше даты зачисления"):
        check_leaving(date(2025, 9, 1), date(2025, 8, 30), "12-у")


def test_leaving_needs_an_order_number():
    with pytest.raises(Invalid, match="номер приказа"):
        check_leaving(date(2025, 9, 1), date(2025, 10, 1), "  ")


def test_debt_needs_subjects_and_a_deadline_within_a_year():
    check_debt(["Математика"], date(2026, 10, 15), START)
    with pytest.raises(Invalid, match="предметы"):
        check_debt([], date(2026, 10, 15), START)
    with pytest.raises(Invalid, match="срок"):
        check_debt(["Математика"], None, START)
    with pytest.raises(Invalid, match="позже даты перевода"):
        check_debt(["Математика"], START, START)
    with pytest.raises(Invalid, match="одного года"):
        check_debt(["Математика"], date(2027, 9, 2), START)


def test_a_year_after_29_february_is_28_february():
    assert one_year_after(date(2028, 2, 29)) == date(2029, 2, 28)


def test_next_year_name():
    assert next_year_name("2025/2026") == "2026/2027"


def test_promotion_moves_up_graduates_the_last_grade_and_applies_decisions():
    fifth, fifth_b, eleventh, ninth = klass(5), klass(5, "Б"), klass(11), klass(9)
    plain, repeater, debtor, graduate, leaver = (uuid4() for _ in range(5))
    decisions = {
        repeater: Decision(Outcome.REPEATING),
        debtor: Decision(Outcome.CONDITIONAL, ("Математика",), date(2026, 10, 15)),
        leaver: Decision(Outcome.LEFT),
    }
    plan = plan_promotion(
        YEAR,
        START,
        [fifth, fifth_b, eleventh, ninth, klass(7, "А", "2024/2025")],
        [(plain, fifth.id), (repeater, fifth.id), (debtor, fifth_b.id), (graduate, eleventh.id), (leaver, ninth.id)],
        decisions,
        existing=[(6, "Б")],
    )
    assert plan.to_year == "2026/2027"
    moves = {m.student_id: m for m in plan.moves}
    assert moves[plain].to == (6, "А") and moves[plain].outcome is Outcome.PROMOTED
    assert moves[repeater].to == (5, "А") and moves[repeater].outcome is Outcome.REPEATING
    assert moves[debtor].to == (6, "Б") and moves[debtor].debt_subjects == ("Математика",)
    assert moves[graduate].to is None and moves[graduate].outcome is Outcome.GRADUATED
    assert moves[leaver].to is None and moves[leaver].outcome is Outcome.LEFT
    names = {(c.name, c.exists) for c in plan.new_classes}
    # 6Б exists already; 5А is made for the repeater; 10А continues the empty-of-movers 9А; no 12th grade.
    assert names == {("6А", False), ("6Б", True), ("5А", False), ("10А", False)}
    assert next(c for c in plan.new_classes if c.name == "5А").from_class is None
    assert plan.count(Outcome.PROMOTED) == 1


def test_promotion_refuses_decisions_that_do_not_fit():
    eleventh, fifth = klass(11), klass(5)
    student = uuid4()
    with pytest.raises(Invalid, match="переводить некуда"):
        plan_promotion(YEAR, START, [eleventh], [(student, eleventh.id)], {student: Decision(Outcome.PROMOTED)}, [])
    with pytest.raises(Invalid, match="Выпустить можно только"):
        plan_promotion(YEAR, START, [fifth], [(student, fifth.id)], {student: Decision(Outcome.GRADUATED)}, [])
    with pytest.raises(Invalid, match="которых нет в классах"):
        plan_promotion(YEAR, START, [fifth], [], {student: Decision(Outcome.REPEATING)}, [])
    with pytest.raises(Invalid, match="предметы"):
        plan_promotion(YEAR, START, [fifth], [(student, fifth.id)], {student: Decision(Outcome.CONDITIONAL)}, [])


@given(st.lists(st.tuples(st.integers(1, 11), st.sampled_from("АБВ"), st.integers(0, 30)), max_size=12))
def test_every_student_gets_exactly_one_move_and_a_class_or_leaves(spec):
    classes = {(grade, letter): klass(grade, letter) for grade, letter, _ in spec}
    students = [(uuid4(), classes[(g, letter)].id) for g, letter, count in spec for _ in range(count % 4)]
    plan = plan_promotion(YEAR, START, classes.values(), students, {}, [])
    assert sorted(m.student_id for m in plan.moves) == sorted(s for s, _ in students)
    new = {(c.grade, c.letter) for c in plan.new_classes}
    for move in plan.moves:
        assert (move.to is None) == (move.from_class.grade == 11)
        assert move.to is None or move.to in new
        assert move.to is None or move.to[0] == move.from_class.grade + 1
