"""The destruction runs: the gateway's record of each confirmed destruction, and the act's source."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chassis.personal_data import personal_data
from gateway.models import Base


class DestructionRun(Base):
    """One person's destruction in one school, confirmed by an administrator (152-ФЗ ст. 21 ч. 4–5).

    The person's name stays here: the act must name whose data were destroyed (приказ Роскомнадзора № 179).
    """

    __tablename__ = "destruction_runs"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID] = mapped_column(index=True)
    person_id: Mapped[UUID]
    person_name: Mapped[str] = mapped_column(String(300))
    #: The day every term was over, as checked at the confirmation; the services check it again.
    as_of: Mapped[date]
    confirmed_by: Mapped[UUID]
    confirmed_by_name: Mapped[str] = mapped_column(
        String(300), info=personal_data("ФИО утвердившего уничтожение", purpose="security", retention="access_log")
    )
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: ``done`` or ``incomplete`` (a service was not reached; a retry finishes it).
    status: Mapped[str] = mapped_column(String(16))
    #: Service → {"status": "done"|"failed", "removed": {kind: rows}, "error": text}.
    services: Mapped[dict] = mapped_column(JSONB)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
