"""152-ФЗ art. 14: what notifications holds about people (the inbox, deliveries with their addresses, messages
written, conversations, preferences), for the gateway's export of a subject's request (``chassis.subject_data``)."""

from chassis.subject_data import personal_data_router
from notifications.models import Base

#: Per table, the columns that name a person.
HOLDINGS = {
    "people": ("id",),
    "guardianships": ("guardian_id", "student_id"),
    "enrolments": ("student_id",),
    "staff_roles": ("person_id",),
    "notifications": ("recipient_id", "student_id"),
    "deliveries": ("recipient_id",),
    "notification_preferences": ("person_id",),
    "push_subscriptions": ("person_id",),
    "conversation_members": ("person_id",),
    "messages": ("author_id",),
    "message_reads": ("person_id",),
    "absences": ("student_id",),
}
router = personal_data_router(Base.metadata, HOLDINGS)
