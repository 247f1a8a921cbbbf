"""The gateway's 152-ФЗ records: subjects' requests and the breach register (R-5)."""

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chassis.personal_data import personal_data
from gateway.models import Base


class SubjectRequest(Base):
    """A subject's request: for their data (``access``, art. 14) or to correct it (``correction``, arts. 20, 21).

    Answered within ten working days (``deadline``); the answer is logged: who, when, what was sent.
    """

    __tablename__ = "subject_requests"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(index=True)
    #: The parent or adult student who asked.
    requester_id: Mapped[UUID] = mapped_column(index=True)
    requester_name: Mapped[str] = mapped_column(String(300))
    #: ``access`` or ``correction``.
    kind: Mapped[str] = mapped_column(String(20))
    #: Whose data: the requester, or their child.
    subject_id: Mapped[UUID]
    subject_name: Mapped[str] = mapped_column(String(300))
    #: A correction: the card's field (roster) or ``mark``; with the mark and what the family says is right.
    field: Mapped[str | None] = mapped_column(String(40))
    mark_id: Mapped[UUID | None]
    wanted: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    received_on: Mapped[date]
    deadline: Mapped[date]
    #: ``open``, ``answered`` (done), ``refused``.
    status: Mapped[str] = mapped_column(String(20))
    #: Who answers: ``gateway`` (the export), ``roster`` (the school's office), ``gradebook`` (the mark's teacher).
    owner: Mapped[str] = mapped_column(String(20))
    #: The gradebook's dispute of a mark correction.
    owner_ref: Mapped[UUID | None]
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_by: Mapped[UUID | None]
    answered_by_name: Mapped[str | None] = mapped_column(
        String(300), info=personal_data("ФИО ответившего на запрос", purpose="security", retention="access_log")
    )
    answer: Mapped[str | None] = mapped_column(Text)
    #: What was sent: the export's files with their SHA-256 and the rows per service and table.
    sent: Mapped[dict | None] = mapped_column(JSONB)


class BreachIncident(Base):
    """A personal-data breach recorded by the school's administrator (152-ФЗ art. 21 part 3.1)."""

    __tablename__ = "breach_incidents"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(index=True)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    description: Mapped[str] = mapped_column(Text)
    #: The account used without its owner (the security issue's compromise), if the breach was one.
    account_id: Mapped[UUID | None]
    #: The window in which the account was not its owner's.
    window_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    measures: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[UUID]
    recorded_by_name: Mapped[str] = mapped_column(
        String(300), info=personal_data("ФИО записавшего инцидент", purpose="security", retention="access_log")
    )
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
