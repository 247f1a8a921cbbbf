"""152-ФЗ art. 14: what the gradebook holds about people (marks, period marks, disputes, absences as it keeps
them), for the gateway's export of a subject's request (``chassis.subject_data``)."""

from chassis.subject_data import Through, personal_data_router
from gradebook.models import Base

#: Per table, the columns that name a person. A change history names the student through its mark (a deleted
#: mark's history names no one any more) and the teacher who changed it directly.
HOLDINGS = {
    "people": ("id",),
    "guardianships": ("guardian_id", "student_id"),
    "class_members": ("student_id",),
    "group_members": ("student_id",),
    "marks": ("student_id",),
    "mark_changes": ("changed_by", Through("mark_id", "marks", "student_id")),
    "period_marks": ("student_id",),
    "period_mark_changes": ("changed_by", Through("period_mark_id", "period_marks", "student_id")),
    "mark_disputes": ("student_id", "raised_by"),
    "attestation_exemptions": ("student_id",),
    "absences": ("student_id",),
}
router = personal_data_router(Base.metadata, HOLDINGS)
