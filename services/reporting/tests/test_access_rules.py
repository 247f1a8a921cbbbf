from uuid import uuid4

import pytest

from reporting.domain.access import staff_reads_diary

SMIRNOVA, PETROVA = uuid4(), uuid4()


@pytest.mark.parametrize("role", ["school_admin", "director", "deputy"])
def test_the_administration_reads_every_diary_of_the_school(role):
    assert staff_reads_diary(SMIRNOVA, frozenset({role}), None)
    assert staff_reads_diary(SMIRNOVA, frozenset({role}), PETROVA)


def test_a_class_teacher_reads_the_diaries_of_the_class_they_lead_only():
    roles = frozenset({"teacher", "class_teacher"})
    assert staff_reads_diary(SMIRNOVA, roles, SMIRNOVA)
    assert not staff_reads_diary(SMIRNOVA, roles, PETROVA)
    assert not staff_reads_diary(SMIRNOVA, roles, None)


def test_without_the_class_teacher_role_the_assignment_opens_nothing():
    assert not staff_reads_diary(SMIRNOVA, frozenset({"teacher"}), SMIRNOVA)
    assert not staff_reads_diary(SMIRNOVA, frozenset({"psychologist", "secretary"}), None)
