"""Notifications tables. Every table is tenant-owned: ``school_id`` with row-level security.

``people`` and ``guardianships`` are replicas of roster data, fed by its events; the
inbox holds one row per recipient of each event that concerns a student.
"""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import DateTime, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Person(Base):
    """A person's name, to say whose news a notification is."""

    __tablename__ = "people"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))


class Guardianship(Base):
    """Родитель (законный представитель) — обучающийся: who is told about a student."""

    __tablename__ = "guardianships"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    guardian_id: Mapped[UUID] = mapped_column(primary_key=True)


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
    body: Mapped[str] = mapped_column(Text)
    student_id: Mapped[UUID]
    event_id: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationPreference(Base):
    """How a person wants notices besides the inbox (R-51, 004 app.9)."""

    __tablename__ = "notification_preferences"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    email: Mapped[bool]
    sms: Mapped[bool]
    email_address: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(12))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
