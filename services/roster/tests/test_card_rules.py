"""Who reads a person's card and how much of it (R-1, R-5): the rule without a database."""

import pytest

from roster.domain.cards import WHOLE_SCHOOL_READERS, CardView, Tie, card_view

NO_TIES: frozenset[Tie] = frozenset()


@pytest.mark.parametrize("role", WHOLE_SCHOOL_READERS)
def test_the_administration_reads_every_card_in_full(role):
    assert card_view(frozenset({role}), False, NO_TIES) is CardView.FULL


def test_the_inspector_reads_every_card_in_full():
    assert card_view(frozenset(), True, NO_TIES) is CardView.FULL


def test_oneself_and_ones_child_in_full():
    assert card_view(frozenset({"student"}), False, frozenset({Tie.SELF})) is CardView.FULL
    assert card_view(frozenset({"guardian"}), False, frozenset({Tie.CHILD})) is CardView.FULL


def test_a_family_reads_its_teachers_by_name_only():
    for role in ("student", "guardian"):
        assert card_view(frozenset({role}), False, frozenset({Tie.TEACHES_READER})) is CardView.NAME


def test_a_class_teacher_reads_their_class_in_full_only_while_a_class_teacher():
    assert card_view(frozenset({"class_teacher"}), False, frozenset({Tie.IN_READERS_CLASS})) is CardView.FULL
    assert card_view(frozenset({"teacher"}), False, frozenset({Tie.IN_READERS_CLASS})) is None


def test_a_subject_teacher_reads_their_students_by_name_only_while_a_teacher():
    assert card_view(frozenset({"teacher"}), False, frozenset({Tie.TAUGHT_BY_READER})) is CardView.NAME
    assert card_view(frozenset({"guardian"}), False, frozenset({Tie.TAUGHT_BY_READER})) is None


@pytest.mark.parametrize("roles", [frozenset(), frozenset({"guardian"}), frozenset({"teacher", "class_teacher"})])
def test_no_tie_and_no_reading_role_sees_nothing(roles):
    assert card_view(roles, False, NO_TIES) is None
