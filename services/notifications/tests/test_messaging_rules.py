"""R-50: who may write to whom, as a full authorization matrix over one small school."""

from uuid import UUID, uuid4

import pytest

from notifications.domain.messaging import SchoolPeople, may_write

CLASS_5A, CLASS_6B = uuid4(), uuid4()
P = {
    name: uuid4()
    for name in (
        "director",
        "admin",
        "class_teacher_5a",
        "teacher_5a",
        "teacher_6b",
        "student_5a",
        "sibling_6b",
        "student_6b",
        "parent_5a",
        "parent_6b",
    )
}
SCHOOL = SchoolPeople(
    roles={
        P["director"]: frozenset({"director"}),
        P["admin"]: frozenset({"school_admin"}),
        P["class_teacher_5a"]: frozenset({"teacher"}),
        P["teacher_5a"]: frozenset({"teacher"}),
        P["teacher_6b"]: frozenset({"teacher"}),
        P["student_5a"]: frozenset({"student"}),
        P["sibling_6b"]: frozenset({"student"}),
        P["student_6b"]: frozenset({"student"}),
        P["parent_5a"]: frozenset({"guardian"}),
        P["parent_6b"]: frozenset({"guardian"}),
    },
    class_of={P["student_5a"]: CLASS_5A, P["sibling_6b"]: CLASS_6B, P["student_6b"]: CLASS_6B},
    teachers_of={CLASS_5A: frozenset({P["teacher_5a"]}), CLASS_6B: frozenset({P["teacher_6b"]})},
    class_teacher_of={CLASS_5A: P["class_teacher_5a"]},
    children_of={
        P["parent_5a"]: frozenset({P["student_5a"], P["sibling_6b"]}),
        P["parent_6b"]: frozenset({P["student_6b"]}),
    },
)

# Rows: sender; columns: recipients, in the order of P. 1 — may write, 0 — may not (404 to them).
ORDER = list(P)
MATRIX = {
    #                  dir adm ct5 t5a t6b s5a sib s6b p5a p6b
    "director":         (0,  1,  1,  1,  1,  1,  1,  1,  1,  1),
    "admin":            (1,  0,  1,  1,  1,  1,  1,  1,  1,  1),
    "class_teacher_5a": (1,  1,  0,  1,  1,  1,  1,  1,  1,  1),
    "teacher_5a":       (1,  1,  1,  0,  1,  1,  1,  1,  1,  1),
    "teacher_6b":       (1,  1,  1,  1,  0,  1,  1,  1,  1,  1),
    # A student: their own teachers and class teacher, their own family — no one else.
    "student_5a":       (0,  0,  1,  1,  0,  0,  1,  0,  1,  0),
    "sibling_6b":       (0,  0,  0,  0,  1,  1,  0,  0,  1,  0),
    "student_6b":       (0,  0,  0,  0,  1,  0,  0,  0,  0,  1),
    # A parent: the administration, every child's teachers and class teacher, their own family.
    "parent_5a":        (1,  1,  1,  1,  1,  1,  1,  0,  0,  0),
    "parent_6b":        (1,  1,  0,  0,  1,  0,  0,  1,  0,  0),
}  # fmt: skip


@pytest.mark.parametrize("sender", ORDER)
def test_who_may_write_to_whom(sender: str) -> None:
    allowed = tuple(int(may_write(SCHOOL, P[sender], P[recipient])) for recipient in ORDER)
    assert allowed == MATRIX[sender]


def test_nobody_writes_to_a_stranger_to_the_school() -> None:
    stranger: UUID = uuid4()
    assert not may_write(SCHOOL, P["director"], stranger)
    assert not may_write(SCHOOL, stranger, P["director"])
