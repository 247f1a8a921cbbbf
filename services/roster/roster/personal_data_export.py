"""152-ФЗ art. 14: what roster holds about people (cards, links, enrolment, movement, card history), for the
gateway's export of a subject's request (``chassis.subject_data``)."""

from chassis.subject_data import personal_data_router
from roster.models import Base

#: Per table, the columns that name a person.
HOLDINGS = {
    "people": ("id",),
    "person_changes": ("person_id",),
    "guardianships": ("guardian_id", "student_id"),
    "enrolments": ("student_id",),
    "group_members": ("student_id",),
    "movements": ("student_id",),
    "incoming_transfers": ("person_id", "source_student_id"),
    "ended_links": ("person_id",),
    "staff_roles": ("person_id",),
    "classes": ("class_teacher_id",),
    "assignments": ("teacher_id",),
}
router = personal_data_router(Base.metadata, HOLDINGS)
