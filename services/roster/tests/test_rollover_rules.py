"""The year's rollover (R-11): the subgroups and loads a promoted class takes into the new year."""

from datetime import date
from uuid import uuid4

from roster.domain.movement import ClassInfo, Decision, Outcome, plan_promotion
from roster.domain.rollover import CarriedGroup, CarriedLoad, ClassCarry, Load, OldGroup, plan_carry

YEAR = "2025/2026"
START = date(2026, 9, 1)
ENGLISH, MATHS = uuid4(), uuid4()
TEACHER = uuid4()


def school():
    """5А with a subgroup of three pupils (one repeats the year) and a load; 11А with a load (it graduates)."""
    fifth, eleventh = ClassInfo(uuid4(), 5, "А", YEAR), ClassInfo(uuid4(), 11, "А", YEAR)
    plain, debtor, repeater, graduate = uuid4(), uuid4(), uuid4(), uuid4()
    decisions = {
        repeater: Decision(Outcome.REPEATING),
        debtor: Decision(Outcome.CONDITIONAL, ("Математика",), date(2026, 10, 15)),
    }
    students = [(plain, fifth.id), (debtor, fifth.id), (repeater, fifth.id), (graduate, eleventh.id)]
    plan = plan_promotion(YEAR, START, [fifth, eleventh], students, decisions, [])
    group = OldGroup(uuid4(), fifth.id, ENGLISH, "Группа 1")
    places = [(group.id, plain), (group.id, debtor), (group.id, repeater)]
    loads = [Load(TEACHER, MATHS, fifth.id), Load(TEACHER, MATHS, eleventh.id)]
    return plan, group, places, loads, (plain, debtor)


def test_a_promoted_class_takes_its_subgroups_with_the_pupils_who_moved_on_and_its_loads():
    plan, group, places, loads, moved_on = school()
    carry = plan_carry(plan, [group], places, loads, [], [], [])
    assert carry.groups == [CarriedGroup((6, "А"), ENGLISH, "Группа 1", False, tuple(sorted(moved_on)))]
    # The graduating 11А carries nothing; the repeater's new 5А nothing either.
    assert carry.loads == [CarriedLoad((6, "А"), TEACHER, MATHS)]
    assert carry.per_class() == {(6, "А"): ClassCarry(subgroups=1, members=2, loads=1)}


def test_what_the_new_year_already_has_is_kept_and_not_made_again():
    plan, group, places, loads, (plain, debtor) = school()
    sixth = (6, "А")
    carry = plan_carry(
        plan,
        [group],
        places,
        loads,
        [(sixth, ENGLISH, "Группа 1")],
        [(sixth, ENGLISH, "Группа 1", plain)],
        [(sixth, TEACHER, MATHS)],
    )
    # The subgroup made by hand gets the pupil not yet in it; the load is not given twice.
    assert carry.groups == [CarriedGroup(sixth, ENGLISH, "Группа 1", True, (debtor,))]
    assert carry.loads == []
    assert carry.per_class() == {sixth: ClassCarry(subgroups=0, members=1, loads=0)}
    everything = [(sixth, ENGLISH, "Группа 1", s) for s in (plain, debtor)]
    again = plan_carry(
        plan, [group], places, loads, [(sixth, ENGLISH, "Группа 1")], everything, [(sixth, TEACHER, MATHS)]
    )
    assert again.groups == [] and again.loads == [] and again.per_class() == {}


def test_a_class_of_the_last_grade_carries_nothing():
    eleventh = ClassInfo(uuid4(), 11, "Б", YEAR)
    student = uuid4()
    plan = plan_promotion(YEAR, START, [eleventh], [(student, eleventh.id)], {}, [])
    group = OldGroup(uuid4(), eleventh.id, ENGLISH, "Группа 1")
    carry = plan_carry(plan, [group], [(group.id, student)], [Load(TEACHER, MATHS, eleventh.id)], [], [], [])
    assert carry.groups == [] and carry.loads == []
