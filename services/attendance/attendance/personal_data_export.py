"""152-ФЗ art. 14: what attendance holds about people (absences, lates and their changes), for the gateway's
export of a subject's request (``chassis.subject_data``)."""

from attendance.models import Base
from chassis.subject_data import personal_data_router

#: Per table, the columns that name a person.
HOLDINGS = {
    "people": ("id",),
    "class_members": ("student_id",),
    "group_members": ("student_id",),
    "guardianships": ("guardian_id", "student_id"),
    "absences": ("student_id",),
    "absence_changes": ("student_id",),
}
router = personal_data_router(Base.metadata, HOLDINGS)
