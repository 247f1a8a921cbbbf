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


#: Roles that read the school's journals only (DOMAIN §1): holding no other role, they write no messages.
READ_ONLY_ROLES = frozenset({"director"})


def may_send(roles: frozenset[str]) -> bool:
    """Whether a caller with these roles in the school writes messages at all (the rules then say to whom)."""
    return bool(roles - READ_ONLY_ROLES)


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


def may_share(people: SchoolPeople, members: frozenset[UUID]) -> bool:
    """Whether these people may be in one conversation: each pair may write to each other one way or the other.

    A teacher may write to two families, but a conversation would show each family the other: families
    from different homes are never members of one conversation (the class letter goes to each apart).
    """
    ordered = sorted(members)
    return all(
        may_write(people, a, b) or may_write(people, b, a) for i, a in enumerate(ordered) for b in ordered[i + 1 :]
    )


#: Who hides messages: the school's administrator (the director and the deputy read, §1).
MODERATOR_ROLES = frozenset({"school_admin"})


def may_moderate(roles: frozenset[str]) -> bool:
    """The school's administrator hides messages (moderation); teachers and families do not."""
    return bool(roles & MODERATOR_ROLES)


#: A message's text: about four printed pages.
MAX_BODY_CHARS = 10_000
#: Attachments are files in the school's file store, referred to by key.
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 30 * 1024 * 1024
#: People addressed by one conversation besides the sender (the class letter goes family by family).
MAX_RECIPIENTS = 30


@dataclass(frozen=True)
class Attachment:
    """A file in the file store: its key there, the name the reader sees, its size in bytes."""

    ref: str
    name: str
    size: int


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} МБ"


def message_problem(body: str, attachments: list[Attachment]) -> str | None:
    """Why a message cannot be sent as it is (in Russian), or None when it can."""
    if not body.strip():
        return "Сообщение пустое: напишите текст."
    if len(body) > MAX_BODY_CHARS:
        return f"Сообщение слишком длинное: {len(body)} знаков, можно не больше {MAX_BODY_CHARS}."
    if len(attachments) > MAX_ATTACHMENTS:
        return f"Слишком много вложений: {len(attachments)}, можно не больше {MAX_ATTACHMENTS}."
    for attachment in attachments:
        if attachment.size <= 0:
            return f"Файл «{attachment.name}» пустой."
        if attachment.size > MAX_ATTACHMENT_BYTES:
            return f"Файл «{attachment.name}» больше {_megabytes(MAX_ATTACHMENT_BYTES)}."
    if sum(a.size for a in attachments) > MAX_TOTAL_BYTES:
        return f"Вложения вместе больше {_megabytes(MAX_TOTAL_BYTES)}."
    return None


def letter_families(guardians_of: dict[UUID, frozenset[UUID]]) -> list[frozenset[UUID]]:
    """R-51: the class letter goes to each family apart — one conversation per set of guardians.

    ``guardians_of``: each student of the class → their guardians. Brothers and sisters in one class
    share their parents: their parents get the letter once. A student without guardians gets none.
    """
    return sorted({g for g in guardians_of.values() if g}, key=lambda group: sorted(group))
