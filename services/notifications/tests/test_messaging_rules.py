"""R-50: who may write to whom, as a full authorization matrix over one small school."""

from uuid import UUID, uuid4

import pytest

from notifications.domain.messaging import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_BODY_CHARS,
    MAX_TOTAL_BYTES,
    Attachment,
    SchoolPeople,
    letter_families,
    may_moderate,
    may_send,
    may_share,
    may_write,
    message_problem,
)

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


def test_one_family_never_sees_another_in_a_conversation() -> None:
    assert may_share(SCHOOL, frozenset({P["teacher_5a"], P["parent_5a"], P["student_5a"], P["director"]}))
    assert not may_share(SCHOOL, frozenset({P["teacher_6b"], P["parent_5a"], P["parent_6b"]}))
    # Two children of one family are one family, though in different classes.
    assert may_share(SCHOOL, frozenset({P["director"], P["student_5a"], P["sibling_6b"]}))


@pytest.mark.parametrize(
    ("body", "attachments", "problem"),
    [
        ("Добрый день", [], None),
        ("я" * MAX_BODY_CHARS, [Attachment("k", "a.pdf", MAX_ATTACHMENT_BYTES)], None),
        (" \n ", [], "Сообщение пустое"),
        ("я" * (MAX_BODY_CHARS + 1), [], "слишком длинное"),
        ("Файл", [Attachment("k", "a.pdf", 0)], "«a.pdf» пустой"),
        ("Файл", [Attachment("k", "a.pdf", MAX_ATTACHMENT_BYTES + 1)], "«a.pdf» больше 20 МБ"),
        ("Файлы", [Attachment(str(i), f"{i}.pdf", 1) for i in range(MAX_ATTACHMENTS + 1)], "Слишком много вложений"),
        ("Файлы", [Attachment("a", "a.pdf", MAX_ATTACHMENT_BYTES)] * 2, "вместе больше 30 МБ"),
    ],
)
def test_what_a_message_may_carry(body: str, attachments: list[Attachment], problem: str | None) -> None:
    found = message_problem(body, attachments)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_the_class_letter_goes_once_to_each_family() -> None:
    mother, father, other = uuid4(), uuid4(), uuid4()
    twins = {uuid4(): frozenset({mother, father}), uuid4(): frozenset({mother, father})}
    families = letter_families({**twins, uuid4(): frozenset({other}), uuid4(): frozenset()})
    assert families == sorted([frozenset({mother, father}), frozenset({other})], key=sorted)


def test_the_director_alone_writes_nothing() -> None:
    assert not may_send(frozenset({"director"}))
    assert may_send(frozenset({"director", "teacher"}))
    assert may_send(frozenset({"guardian"}))


def test_a_class_without_lessons_yet_has_its_class_teacher_and_one_without_a_class_teacher_only_its_teachers() -> None:
    student, class_teacher, teacher = uuid4(), uuid4(), uuid4()
    new_class = SchoolPeople(class_of={student: CLASS_5A}, class_teacher_of={CLASS_5A: class_teacher})
    assert new_class.teachers_of_student(student) == {class_teacher}
    no_class_teacher = SchoolPeople(class_of={student: CLASS_5A}, teachers_of={CLASS_5A: frozenset({teacher})})
    assert no_class_teacher.teachers_of_student(student) == {teacher}


def test_a_guardian_whose_children_are_not_yet_linked_writes_to_no_teacher() -> None:
    parent = uuid4()
    people = SchoolPeople(roles={**SCHOOL.roles, parent: frozenset({"guardian"})}, children_of=SCHOOL.children_of)
    assert not may_write(people, parent, P["teacher_5a"])
    assert may_write(people, parent, P["admin"])


def test_only_a_student_counts_as_a_child_in_their_own_family() -> None:
    # A child who left the school keeps no role there: the guardian's old link does not make them family.
    former, parent = uuid4(), uuid4()
    people = SchoolPeople(roles={parent: frozenset({"guardian"})}, children_of={parent: frozenset({former})})
    assert people.family_of(former) == {former}


def test_the_limits_of_a_message_are_inclusive_and_the_refusals_read_in_full() -> None:
    at_most = [Attachment(str(i), f"{i}.pdf", 1) for i in range(MAX_ATTACHMENTS)]
    assert message_problem("Файлы", at_most) is None
    whole = [
        Attachment("a", "a.pdf", MAX_ATTACHMENT_BYTES),
        Attachment("b", "b.pdf", MAX_TOTAL_BYTES - MAX_ATTACHMENT_BYTES),
    ]
    assert message_problem("Файлы", whole) is None
    assert message_problem(" ", []) == "Сообщение пустое: напишите текст."
    assert message_problem("Файл", [Attachment("k", "a.pdf", 0)]) == "Файл «a.pdf» пустой."


def test_two_people_share_a_conversation_when_only_the_second_may_write_to_the_first() -> None:
    # Sorted by id the student comes first, and a student may not write to the director: the director may.
    student, director = UUID(int=1), UUID(int=2)
    people = SchoolPeople(roles={student: frozenset({"student"}), director: frozenset({"director"})})
    assert not may_write(people, student, director)
    assert may_share(people, frozenset({student, director}))


def test_families_of_the_class_letter_come_in_a_stable_order() -> None:
    families = [frozenset({UUID(int=n)}) for n in range(10, 0, -1)]
    assert letter_families({uuid4(): family for family in families}) == families[::-1]


def test_only_the_school_administrator_moderates() -> None:
    assert may_moderate(frozenset({"school_admin"}))
    assert may_moderate(frozenset({"teacher", "school_admin"}))
    assert not may_moderate(frozenset({"director", "deputy", "teacher", "guardian"}))
