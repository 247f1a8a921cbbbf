"""What the reports' read models hold of a person (152-ФЗ ст. 21): the internal destruction routes.

The signed year-end archive is not here: it is the legal record with its own terms (R-65, 25 years for
summary sheets) and only ``reporting.archive retention`` lists its files when they are due.
"""

from chassis.destruction import Holding, retention_router
from chassis.retention_periods import Kind
from reporting.models import Absence, GroupMember, Guardianship, Mark, PeriodMark, Person, Student
from reporting.reports.models import AbsenceState, FamilyRefusal, MarkState
from reporting.reports.school_models import DiaryVisit, StudentMovement

JOURNAL = Kind.JOURNAL_RECORD
HOLDINGS = [
    # The journal as it stood at each moment (R-64's «журнал на момент»): the same records' history.
    Holding(JOURNAL, MarkState.__table__, "student_id", "date"),
    Holding(JOURNAL, AbsenceState.__table__, "student_id", "date"),
    Holding(JOURNAL, Mark.__table__, "student_id", "date"),
    Holding(JOURNAL, Absence.__table__, "student_id", "date"),
    Holding(JOURNAL, PeriodMark.__table__, "student_id", "ends"),
    Holding(Kind.PERSON_CARD, FamilyRefusal.__table__, "student_id"),
    # the movement report's records, kept as roster keeps the movements themselves.
    Holding(Kind.PERSON_CARD, StudentMovement.__table__, "student_id", "moved_on"),
    # who opened the diary when, a log of access.
    Holding(Kind.ACCESS_LOG, DiaryVisit.__table__, "student_id", "day"),
    Holding(Kind.ACCESS_LOG, DiaryVisit.__table__, "reader_id", "day"),
    Holding(Kind.PERSON_CARD, GroupMember.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, Guardianship.__table__, "guardian_id"),
    Holding(Kind.PERSON_CARD, Guardianship.__table__, "student_id"),
    Holding(Kind.PERSON_CARD, Student.__table__, "id"),
    Holding(Kind.PERSON_CARD, Person.__table__, "id"),
]

router = retention_router(HOLDINGS)
