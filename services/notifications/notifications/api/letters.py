"""The class teacher's letter to the parents of the class (R-51, 004 app.5 #2: the weekly letter).

One letter, one conversation per family (the parents of one student, or of brothers and sisters in
the class): families never see each other, and each answers the class teacher alone. Every parent
gets it in the inbox and by the channels they chose for «Сообщения».
"""

from collections import defaultdict
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden, Invalid
from notifications.api.conversations import MessageIn, checked_message, post_message
from notifications.domain.messaging import letter_families
from notifications.models import ClassTeacher, Conversation, ConversationMember, Enrolment, Guardianship

router = APIRouter(prefix="/schools/{school_id}/class-letters", tags=["conversations"])


class LetterIn(MessageIn):
    class_id: UUID
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class LetterOut(BaseModel):
    letter_id: UUID
    #: Conversations started: one per family.
    families: int
    parents: int


@router.post("", status_code=201)
async def send_letter(school_id: UUID, body: LetterIn, caller: CallerDep, session: SchoolSession) -> LetterOut:
    class_teacher = await session.scalar(
        select(ClassTeacher.teacher_id).filter_by(school_id=school_id, class_id=body.class_id)
    )
    if class_teacher != caller.person_id:
        raise Forbidden("Письмо родителям класса пишет его классный руководитель.")
    attachments = checked_message(body)
    students = select(Enrolment.student_id).filter_by(school_id=school_id, class_id=body.class_id)
    guardians_of: dict[UUID, set[UUID]] = defaultdict(set)
    for guardian_id, student_id in await session.execute(
        select(Guardianship.guardian_id, Guardianship.student_id).where(
            Guardianship.school_id == school_id, Guardianship.student_id.in_(students)
        )
    ):
        guardians_of[student_id].add(guardian_id)
    families = letter_families({s: frozenset(g - {caller.person_id}) for s, g in guardians_of.items()})
    if not families:
        raise Invalid("У обучающихся класса нет родителей в журнале: письмо некому отправить.")
    letter_id = uuid4()
    for parents in families:
        conversation = Conversation(
            id=uuid4(),
            school_id=school_id,
            subject=body.subject,
            started_by=caller.person_id,
            class_id=body.class_id,
            letter_id=letter_id,
        )
        session.add(conversation)
        await session.flush()
        members = [caller.person_id, *sorted(parents)]
        await session.execute(
            insert(ConversationMember).values(
                [{"school_id": school_id, "conversation_id": conversation.id, "person_id": p} for p in members]
            )
        )
        await post_message(session, school_id, conversation, caller, sorted(parents), body.body, attachments)
    return LetterOut(letter_id=letter_id, families=len(families), parents=len(set().union(*families)))
