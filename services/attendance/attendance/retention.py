"""What attendance holds of a person and for how long (152-ФЗ ст. 21): the internal destruction routes.

The replicas of the person's card and class have no term of their own: roster's card and ties keep them.
"""

from attendance.models import (
    Absence,
    AbsenceChange,
    ClassMember,
    GroupMember,
    Guardianship,
    Person,
    TranscriptAbsence,
)
from chassis.destruction import Holding, retention_router
from chassis.retention_periods import Kind

HOLDINGS = [
    Holding(Kind.JOURNAL_RECORD, AbsenceChange.__table__, "student_id", "changed_at"),
    Holding(Kind.JOURNAL_RECORD, TranscriptAbsence.__table__, "student_id", "date"),
    Holding(Kind.JOURNAL_RECORD, Absence.__table__, "student_id", "created_at"),
    Holding(Kind.PERSON_CARD, ClassMember.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, GroupMember.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, Guardianship.__table__, "guardian_id"),
    Holding(Kind.PERSON_CARD, Guardianship.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, Person.__table__, "id"),
]

router = retention_router(HOLDINGS)
