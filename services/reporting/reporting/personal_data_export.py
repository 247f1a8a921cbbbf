"""152-ФЗ art. 14: what reporting's diary holds about people (students, marks, absences, period marks), for the
gateway's export of a subject's request (``chassis.subject_data``)."""

from chassis.subject_data import personal_data_router
from reporting.models import Base
from reporting.reports.models import FamilyRefusal

#: Per table, the columns that name a person.
HOLDINGS = {
    "people": ("id",),
    "students": ("id",),
    "guardianships": ("guardian_id", "student_id"),
    "group_members": ("student_id",),
    "marks": ("student_id",),
    "absences": ("student_id",),
    "period_marks": ("student_id",),
    # the family's refusal of the electronic service.
    FamilyRefusal.__tablename__: ("student_id",),
}
router = personal_data_router(Base.metadata, HOLDINGS)
