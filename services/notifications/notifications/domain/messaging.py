"""Who may write to whom in the school's internal mail (R-50: 000 §2.10, 004 app.3 #6).

- Staff (teachers, the administration) write to anyone in the school.
- A parent writes to their child's teachers, the child's class teacher, the administration,
  and within their own family.
- A student writes to their own teachers and class teacher, and within their own family.
- Nobody writes to another family: to the sender such a person does not exist (404, no hint).
"""

from dataclasses import dataclass, field
from uuid import UUID

#: Roles of the school's staff (roster's StaffRole) that may write to anyone in the school.
STAFF_ROLES = frozenset({"teacher", "class_teacher", "school_admin", "director", "deputy", "secretary", "psychologist"})
#: The administration (администрация): reachable by every parent.
ADMINISTRATION_ROLES = frozenset({"school_admin", "director", "deputy"})


@dataclass(frozen=True)
class SchoolPeople:
    """What the rules need to know about the school, from roster's events."""

    #: Person → their roles in the school (staff roles, ``guardian``, ``student``).
    roles: dict[UUID, frozenset[str]] = field(default_factory=dict)
    #: Student → class.
    class_of: dict[UUID, UUID] = field(default_factory=dict)
    #: Class → the teachers who give lessons there (нагрузка).
    teachers_of: dict[UUID, frozenset[UUID]] = field(default_factory=dict)
    #: Class → its class teacher.
    class_teacher_of: dict[UUID, UUID] = field(default_factory=dict)
    #: Guardian → their children.
    children_of: dict[UUID, frozenset[UUID]] = field(default_factory=dict)

    def family_of(self, person: UUID) -> frozenset[UUID]:
        """The person, their children, those children's guardians, and all of those guardians' children."""
        children = self.children_of.get(person, frozenset()) | (
            {person} if "student" in self.roles.get(person, frozenset()) else set()
        )
        guardians = {g for g, kids in self.children_of.items() if kids & children}
        siblings = {kid for g in guardians for kid in self.children_of[g]}
        return frozenset({person, *children, *guardians, *siblings})

    def teachers_of_student(self, student: UUID) -> frozenset[UUID]:
        school_class = self.class_of.get(student)
        if school_class is None:
            return frozenset()
        class_teacher = self.class_teacher_of.get(school_class)
        return self.teachers_of.get(school_class, frozenset()) | ({class_teacher} if class_teacher else set())


def may_write(people: SchoolPeople, sender: UUID, recipient: UUID) -> bool:
    """R-50: whether ``sender`` may start a conversation with (or write to) ``recipient``."""
    if sender == recipient or recipient not in people.roles:
        return False
    sender_roles = people.roles.get(sender, frozenset())
    recipient_roles = people.roles[recipient]
    if sender_roles & STAFF_ROLES:
        return True
    if recipient in people.family_of(sender):
        return True
    if "guardian" in sender_roles:
        if recipient_roles & ADMINISTRATION_ROLES:
            return True
        children = people.children_of.get(sender, frozenset())
        return any(recipient in people.teachers_of_student(child) for child in children)
    if "student" in sender_roles:
        return recipient in people.teachers_of_student(sender)
    return False
