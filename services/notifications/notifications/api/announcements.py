"""Announcements (R-53): the administration to the school, a class teacher to their class.

Publishing writes the announcement, its notices to every family concerned (inbox and the
channels the author chose, each family by its own choice among them) and the event the diary
replicates (``notifications.announcement.published.v1``), in one transaction.
"""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import or_, select

from chassis.deps import CallerDep, SchoolSession, SchoolToday
from chassis.events import emit_event
from chassis.problems import NotFound
from contracts.notifications import AnnouncementPublished
from notifications.domain import announcements, texts
from notifications.models import Announcement, ClassTeacher, Enrolment, Guardianship
from notifications.planning import Recipient, deliver

router = APIRouter(prefix="/schools/{school_id}/announcements", tags=["announcements"])

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class AnnouncementIn(BaseModel):
    title: Annotated[Text, StringConstraints(max_length=200)]
    text: Annotated[Text, StringConstraints(max_length=4000)]
    starts_on: date
    ends_on: date
    #: None: the whole school.
    class_id: UUID | None = None
    channels: Annotated[list[Literal["email", "sms", "push"]], Field(max_length=3)] = []


class AnnouncementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: UUID
    class_id: UUID | None
    title: str
    text: str
    starts_on: date
    ends_on: date
    author_id: UUID
    channels: list[str]
    created_at: datetime


class PublishedOut(AnnouncementOut):
    notified: int


@router.post("", status_code=201)
async def publish(
    school_id: UUID, body: AnnouncementIn, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> PublishedOut:
    class_teacher = None
    if body.class_id is not None:
        class_teacher = await session.scalar(
            select(ClassTeacher.teacher_id).filter_by(school_id=school_id, class_id=body.class_id)
        )
    announcements.check_announcer(
        caller.roles_in(school_id), caller.person_id, class_teacher, body.class_id is not None
    )
    announcements.check_dates(body.starts_on, body.ends_on, today)
    students_query = select(Enrolment.student_id).filter_by(school_id=school_id)
    if body.class_id is not None:
        students_query = students_query.filter_by(class_id=body.class_id)
    students = list(await session.scalars(students_query))
    if body.class_id is not None and not students:
        raise NotFound("Класс не найден.")
    announcement = Announcement(
        school_id=school_id,
        class_id=body.class_id,
        title=body.title,
        text=body.text,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        author_id=caller.person_id,
        channels=sorted(set(body.channels)),
    )
    session.add(announcement)
    await session.flush()
    guardians = await session.execute(
        select(Guardianship.guardian_id, Guardianship.student_id).where(
            Guardianship.school_id == school_id, Guardianship.student_id.in_(students)
        )
    )
    recipients = [Recipient(s, s) for s in students] + [Recipient(g, s) for g, s in guardians]
    notice = texts.announcement(body.title, body.text, body.starts_on, body.ends_on)
    notified = await deliver(
        session, school_id, announcement.id, "announcement", notice, recipients, within=frozenset(body.channels)
    )
    await emit_event(
        session,
        AnnouncementPublished(
            announcement_id=announcement.id,
            class_id=body.class_id,
            title=body.title,
            text=body.text,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            author_id=caller.person_id,
        ),
        school_id=school_id,
    )
    await session.refresh(announcement)
    return PublishedOut(**AnnouncementOut.model_validate(announcement).model_dump(), notified=notified)


@router.get("")
async def current(
    school_id: UUID, caller: CallerDep, session: SchoolSession, today: SchoolToday
) -> list[AnnouncementOut]:
    """Announcements shown today to the caller: the school's, and those of the classes of the caller's family."""
    own_classes = select(Enrolment.class_id).where(
        Enrolment.school_id == school_id,
        or_(
            Enrolment.student_id == caller.person_id,
            Enrolment.student_id.in_(
                select(Guardianship.student_id).filter_by(school_id=school_id, guardian_id=caller.person_id)
            ),
        ),
    )
    query = select(Announcement).where(
        Announcement.school_id == school_id, Announcement.starts_on <= today, Announcement.ends_on >= today
    )
    if not caller.roles_in(school_id) & announcements.SEE_EVERY_CLASS:
        query = query.where(or_(Announcement.class_id.is_(None), Announcement.class_id.in_(own_classes)))
    rows = await session.scalars(query.order_by(Announcement.starts_on.desc(), Announcement.created_at.desc()))
    return [AnnouncementOut.model_validate(a) for a in rows]
