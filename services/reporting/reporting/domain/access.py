"""Which staff read a student's diary (R-1)."""

from uuid import UUID

#: School roles that read every diary of the school: the administration.
DIARY_READ_ROLES = frozenset({"school_admin", "director", "deputy"})


def staff_reads_diary(person_id: UUID, roles: frozenset[str], class_teacher_id: UUID | None) -> bool:
    """R-1: the administration reads every diary; a class teacher those of the class they lead
    (004 app.5 §5.2), ``class_teacher_id`` being the class teacher of the student's current class."""
    if roles & DIARY_READ_ROLES:
        return True
    return "class_teacher" in roles and class_teacher_id == person_id
