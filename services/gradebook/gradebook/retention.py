"""What the journal holds of a person and for how long (152-ФЗ ст. 21): the internal destruction routes.

Children before parents: a mark's and a period mark's change history go before the marks. Replicas of the
person's card and ties (people, class and group members, guardianships, absences) have no term of their own: roster's
card and ties keep the person while they last.
"""

from chassis.destruction import Holding, retention_router
from chassis.retention_periods import Kind
from gradebook.models import (
    Absence,
    AttestationExemption,
    ClassMember,
    GroupMember,
    Guardianship,
    Mark,
    MarkChange,
    MarkDispute,
    PeriodMark,
    PeriodMarkChange,
    Person,
    TranscriptMark,
    TranscriptPeriodMark,
)

JOURNAL = Kind.JOURNAL_RECORD
HOLDINGS = [
    Holding(JOURNAL, MarkChange.__table__, "student_id", "created_at", via=("mark_id", Mark.__table__)),
    Holding(JOURNAL, MarkDispute.__table__, "student_id", "raised_at"),
    Holding(JOURNAL, TranscriptMark.__table__, "student_id", "date"),
    Holding(JOURNAL, Mark.__table__, "student_id", "created_at"),
    Holding(JOURNAL, PeriodMarkChange.__table__, "student_id", "set_on", via=("period_mark_id", PeriodMark.__table__)),
    Holding(JOURNAL, PeriodMark.__table__, "student_id", "set_on"),
    Holding(JOURNAL, TranscriptPeriodMark.__table__, "student_id", "ends"),
    Holding(JOURNAL, AttestationExemption.__table__, "student_id", "created_at"),
    Holding(JOURNAL, Absence.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, ClassMember.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, GroupMember.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, Guardianship.__table__, "guardian_id"),
    Holding(Kind.PERSON_CARD, Guardianship.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, Person.__table__, "id"),
]

router = retention_router(HOLDINGS)
