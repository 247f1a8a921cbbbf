"""What notifications holds of a person and for how long (152-ФЗ ст. 21): the internal destruction routes.

The family inbox (a person's own notifications and those about their child, with their deliveries), the
person's messages with who read them, their channels and push subscriptions. The conversations stay for the
others in them, without the person's messages. Replicas of the card and ties go with the card.
"""

from chassis.destruction import Holding, retention_router
from chassis.retention_periods import Kind
from notifications.models import (
    AbsenceDay,
    ClassTeacher,
    Consent,
    ConversationMember,
    Delivery,
    Enrolment,
    Guardianship,
    Message,
    MessageRead,
    ModerationEntry,
    Notification,
    NotificationPreference,
    Person,
    PushSubscription,
    StaffRole,
    TeachingAssignment,
)

NOTICE, MESSAGE, CARD = Kind.NOTIFICATION, Kind.MESSAGE, Kind.PERSON_CARD
NOTIFICATIONS = Notification.__table__
HOLDINGS = [
    Holding(NOTICE, Delivery.__table__, "recipient_id", "created_at"),
    Holding(NOTICE, Delivery.__table__, "student_id", "created_at", via=("notification_id", NOTIFICATIONS)),
    Holding(NOTICE, NOTIFICATIONS, "recipient_id", "created_at"),
    Holding(NOTICE, NOTIFICATIONS, "student_id", "created_at"),
    Holding(MESSAGE, MessageRead.__table__, "author_id", "created_at", via=("message_id", Message.__table__)),
    Holding(MESSAGE, ModerationEntry.__table__, "author_id", "created_at", via=("message_id", Message.__table__)),
    Holding(MESSAGE, MessageRead.__table__, "person_id", "read_at"),
    Holding(MESSAGE, Message.__table__, "author_id", "created_at"),
    Holding(CARD, ConversationMember.__table__, "person_id"),
    Holding(CARD, Consent.__table__, "person_id"),
    Holding(CARD, NotificationPreference.__table__, "person_id"),
    Holding(CARD, PushSubscription.__table__, "person_id"),
    Holding(Kind.JOURNAL_RECORD, AbsenceDay.__table__, "student_id"),
    Holding(CARD, Guardianship.__table__, "guardian_id"),
    Holding(CARD, Guardianship.__table__, "student_id"),
    Holding(CARD, Enrolment.__table__, "student_id"),
    Holding(CARD, StaffRole.__table__, "person_id"),
    Holding(CARD, ClassTeacher.__table__, "teacher_id"),
    Holding(CARD, TeachingAssignment.__table__, "teacher_id"),
    Holding(CARD, Person.__table__, "id"),
]

router = retention_router(HOLDINGS)
