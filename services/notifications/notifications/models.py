"""Notifications tables. Every table but ``deliveries`` is tenant-owned: ``school_id`` with row-level security.

``people`` and ``guardianships`` are replicas of roster data, fed by its events; the
inbox holds one row per recipient of each event that concerns a student. ``deliveries`` is
the service's own queue of e-mails, SMS and pushes, drained for every school by one sender
loop, like the chassis outbox; routes read it only filtered by the caller's school.
"""

from datetime import date, datetime, time
from uuid import UUID, uuid4

from sqlalchemy import BigInteger, DateTime, Identity, Index, Integer, String, Text, Time, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.personal_data import personal_data


class Base(DeclarativeBase):
    pass


class Person(Base):
    """A person's name, to say whose news a notification is."""

    __tablename__ = "people"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("фамилия", purpose="notifications", retention="person_card")
    )
    first_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("имя", purpose="notifications", retention="person_card")
    )
    #: The card's version (roster's ``Person.version``; a registration is 1): a replica keeps the highest.
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class Guardianship(Base):
    """Родитель (законный представитель) — обучающийся: who is told about a student."""

    __tablename__ = "guardianships"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    guardian_id: Mapped[UUID] = mapped_column(primary_key=True)


class Consent(Base):
    """A person's consent for one purpose as roster last told it (R-5); no row: given, as at entry.

    A notice goes by e-mail, SMS or push only while both the recipient and the student it is about
    consent to that channel (``planning.plan``).
    """

    __tablename__ = "consents"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30), primary_key=True)
    granted: Mapped[bool]
    #: Roster's number of the person's consent record: a late older event never overwrites a newer one.
    version: Mapped[int]


class Enrolment(Base):
    """Which class a student is in: who is told of a class's homework (R-51)."""

    __tablename__ = "enrolments"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    class_id: Mapped[UUID] = mapped_column(index=True)
    #: The enrolment's date: the latest wins (R-16), in whatever order the events come; None before it was kept.
    enrolled_on: Mapped[date | None]


class ClassTeacher(Base):
    """Классный руководитель of a class: may announce to it (R-53), writes the class letter (R-51)."""

    __tablename__ = "class_teachers"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    class_id: Mapped[UUID] = mapped_column(primary_key=True)
    teacher_id: Mapped[UUID]
    #: Roster's version of the class's assignment: an older event never overwrites a newer one.
    version: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class StaffRole(Base):
    """A staff role of a person in the school (roster's StaffRoleGranted): who may write to whom (R-50)."""

    __tablename__ = "staff_roles"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class TeachingAssignment(Base):
    """Нагрузка: a teacher gives a subject in a class (roster's AssignmentCreated); a family writes to them (R-50)."""

    __tablename__ = "teaching_assignments"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    assignment_id: Mapped[UUID] = mapped_column(primary_key=True)
    teacher_id: Mapped[UUID]
    class_id: Mapped[UUID] = mapped_column(index=True)
    subject_name: Mapped[str] = mapped_column(String(200))


class Announcement(Base):
    """Объявление школы или класса (R-53), with the dates it is shown in the diary."""

    __tablename__ = "announcements"
    __table_args__ = (Index("announcements_shown", "school_id", "ends_on"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    #: None: the whole school.
    class_id: Mapped[UUID | None]
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    author_id: Mapped[UUID]
    #: The channels the author sent it by (each family still by the channels it chose).
    channels: Mapped[list[str]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AbsenceDay(Base):
    """A student's absence, kept to see a run of absences (R-52).

    Only ``counted`` rows make a run: a late arrival is not one, and a withdrawn absence stays as an
    uncounted tombstone, so its record arriving late (or handled at the same moment) cannot revive it.
    The absence's highest ``version`` wins.
    """

    __tablename__ = "absences"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    absence_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(index=True)
    date: Mapped[date]
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    counted: Mapped[bool] = mapped_column(default=True, server_default=text("true"))


class SchoolAlertRules(Base):
    """A school's alert rules (R-52); absent: ``domain.alerts.AlertRules`` defaults."""

    __tablename__ = "school_alert_rules"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    failing_mark: Mapped[bool]
    absence_days: Mapped[int]
    window_days: Mapped[int]


class Notification(Base):
    """One notice in one person's inbox (R-51)."""

    __tablename__ = "notifications"
    __table_args__ = (
        # One notice per recipient per event, whatever the broker redelivers.
        UniqueConstraint("recipient_id", "event_id"),
        Index("notifications_inbox", "school_id", "recipient_id", "created_at"),
    )
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    recipient_id: Mapped[UUID]
    #: "mark" or "absence".
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(
        Text, info=personal_data("текст уведомления во входящих", purpose="notifications", retention="notification")
    )
    student_id: Mapped[UUID]
    event_id: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationPreference(Base):
    """How a person wants notices besides the inbox (R-51, 004 app.9): channels per kind of notice."""

    __tablename__ = "notification_preferences"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    email_address: Mapped[str | None] = mapped_column(
        String(254),
        info=personal_data("адрес электронной почты для уведомлений", purpose="notifications", retention="person_card"),
    )
    phone: Mapped[str | None] = mapped_column(
        String(12), info=personal_data("телефон для СМС", purpose="notifications", retention="person_card")
    )
    #: Kind of notice → the channels it goes by, e.g. {"mark": ["email", "push"]}.
    channels: Mapped[dict[str, list[str]]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    #: E-mails come once a day as one digest instead of one by one.
    digest: Mapped[bool] = mapped_column(server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SchoolDeliverySettings(Base):
    """A school's delivery rules: quiet hours in its time zone, the digest time, the monthly SMS budget."""

    __tablename__ = "school_delivery_settings"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    quiet_start: Mapped[time] = mapped_column(Time, default=time(21), server_default=text("'21:00'"))
    quiet_end: Mapped[time] = mapped_column(Time, default=time(8), server_default=text("'08:00'"))
    digest_time: Mapped[time] = mapped_column(Time, default=time(18), server_default=text("'18:00'"))
    #: SMS parts the school pays for per calendar month; past it SMS are skipped, not sent.
    sms_monthly_limit: Mapped[int] = mapped_column(Integer, default=1000, server_default=text("1000"))
    #: The digest moment the last digests were made for: each moment gives one digest, never two.
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PushSubscription(Base):
    """A browser's Web Push subscription (RFC 8030 endpoint, RFC 8291 keys) of one person."""

    __tablename__ = "push_subscriptions"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    endpoint: Mapped[str] = mapped_column(
        String(1000),
        primary_key=True,
        info=personal_data("адрес push-подписки браузера", purpose="notifications", retention="person_card"),
    )
    person_id: Mapped[UUID]
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Delivery(Base):
    """One notice on one channel: the delivery outbox (R-51).

    Written in the transaction that writes the notice, so none is lost; the unique
    (notification, channel) key means none is planned twice; the sender locks a row while it
    sends it, so none is sent twice by two senders.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        Index("deliveries_due", "not_before", postgresql_where=text("state = 'pending'")),
        Index("deliveries_school_state", "school_id", "state"),
    )
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    #: A number for providers whose message ids are numbers (SMSC.ru's ``id``).
    seq: Mapped[int] = mapped_column(BigInteger, Identity())
    school_id: Mapped[UUID]
    recipient_id: Mapped[UUID]
    #: The inbox notice sent, or for a digest the digest's own id.
    notification_id: Mapped[UUID]
    channel: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    #: E-mail address or phone; None for push (the person's subscriptions at sending time).
    address: Mapped[str | None] = mapped_column(
        String(254),
        info=personal_data(
            "адрес электронной почты или телефон отправки", purpose="notifications", retention="notification"
        ),
    )
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(
        Text, info=personal_data("текст отправленного уведомления", purpose="notifications", retention="notification")
    )
    #: One of ``domain.delivery.STATES``.
    state: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    #: Not to be sent before (retry backoff, quiet hours); None: at once.
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(100))
    #: SMS parts it cost (the budget counts them).
    sms_parts: Mapped[int | None] = mapped_column(Integer)
    digest_id: Mapped[UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Conversation(Base):
    """Переписка (R-50): a subject and its members; a class letter (R-51) is one conversation per family."""

    __tablename__ = "conversations"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    subject: Mapped[str] = mapped_column(String(200))
    started_by: Mapped[UUID]
    #: The class of a class letter (all its conversations share ``letter_id``); None for a plain one.
    class_id: Mapped[UUID | None]
    letter_id: Mapped[UUID | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ConversationMember(Base):
    __tablename__ = "conversation_members"
    __table_args__ = (Index("conversation_members_person", "school_id", "person_id"),)
    school_id: Mapped[UUID]
    conversation_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)


class Message(Base):
    """One message of a conversation. Hidden by the administration: its text is no longer shown (moderation)."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("messages_conversation", "conversation_id", "created_at"),
        Index("messages_search", text("to_tsvector('russian', body)"), postgresql_using="gin"),
    )
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    conversation_id: Mapped[UUID]
    author_id: Mapped[UUID]
    body: Mapped[str] = mapped_column(
        Text, info=personal_data("текст сообщения переписки", purpose="notifications", retention="message")
    )
    #: Files by reference: [{"ref": key in the file store, "name": ..., "size": bytes}].
    attachments: Mapped[list[dict]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MessageRead(Base):
    """A read receipt: the member read the message at ``read_at``."""

    __tablename__ = "message_reads"
    __table_args__ = (Index("message_reads_person", "school_id", "person_id"),)
    school_id: Mapped[UUID]
    message_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ModerationEntry(Base):
    """The moderation log: who hid which message, when and why."""

    __tablename__ = "moderation_log"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(index=True)
    message_id: Mapped[UUID]
    moderator_id: Mapped[UUID]
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
