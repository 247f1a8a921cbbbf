"""What roster holds of a person and for how long (152-ФЗ ст. 21): the internal destruction routes.

The card's term (5 years after the academic year of its last change, of the last movement, of the last ended
tie) starts only once the person has no live tie: an enrolment, a guardianship, a staff role, a teaching
assignment, a class or a timetable lesson keeps the person (``CURRENT``) for as long as it exists. Leaving the
school ends the enrolment and the guardianships (``roster.movements``), and the count starts.
"""

from chassis.destruction import CURRENT, Holding, retention_router
from chassis.retention_periods import Kind
from roster.models import (
    Assignment,
    Consent,
    EndedLink,
    Enrolment,
    GroupMember,
    Guardianship,
    IncomingTransfer,
    Movement,
    Person,
    PersonChange,
    SchoolClass,
    StaffRole,
    TimetableLesson,
)

CARD = Kind.PERSON_CARD
HOLDINGS = [
    Holding(CARD, Enrolment.__table__, "student_id", CURRENT),
    Holding(CARD, Guardianship.__table__, "guardian_id", CURRENT),
    Holding(CARD, Guardianship.__table__, "student_id", CURRENT),
    Holding(CARD, StaffRole.__table__, "person_id", CURRENT),
    Holding(CARD, Assignment.__table__, "teacher_id", CURRENT),
    Holding(CARD, SchoolClass.__table__, "class_teacher_id", CURRENT),
    Holding(CARD, TimetableLesson.__table__, "teacher_id", CURRENT),
    Holding(CARD, TimetableLesson.__table__, "substitute_teacher_id", CURRENT),
    Holding(CARD, GroupMember.__table__, "student_id", "ends"),
    Holding(CARD, PersonChange.__table__, "person_id", "changed_at"),
    Holding(CARD, Movement.__table__, "student_id", "moved_on"),
    Holding(CARD, EndedLink.__table__, "person_id", "ended_on"),
    Holding(CARD, IncomingTransfer.__table__, "person_id", "left_on"),
    # A consent the person signed for their child stays with the child's record, without the signer (SET NULL).
    Holding(CARD, Consent.__table__, "person_id", "recorded_at"),
    Holding(CARD, Person.__table__, "id", "modified_at"),
]

router = retention_router(HOLDINGS)
