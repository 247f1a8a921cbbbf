"""Internal mail (R-50): conversations between staff, parents and students, by the rules of who may write to whom.

A person the caller may not write to is answered like a person who does not exist (404, one text for
both), and so is a conversation the caller is not a member of. A new message reaches the other members'
inboxes at once (their unread count) and by the channels each chose for «Сообщения» (kind ``message``),
planned in the transaction that stores it. Attachments are references to files in the file store.
"""

from datetime import datetime
from typing import Annotated
from uuid import UUID, uuid4, uuid5

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import ColumnElement, Uuid, and_, exists, func, literal, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.deps import CallerDep, SchoolSession
from chassis.problems import Forbidden, Invalid, NotFound
from notifications.domain import messaging
from notifications.domain.texts import Notice
from notifications.models import Conversation, ConversationMember, Message, MessageRead
from notifications.planning import plan
from notifications.school import names, school_people

router = APIRouter(prefix="/schools/{school_id}/conversations", tags=["conversations"])

NOBODY = "Получатель не найден."
NO_CONVERSATION = "Переписка не найдена."
#: The full-text configuration as the ``messages_search`` index spells it (a literal, so the index matches).
RUSSIAN = literal_column("'russian'::regconfig")
#: What an e-mail or SMS of a new message quotes of its text; the rest is read in the journal.
PREVIEW_CHARS = 300

ROLE_TITLES = (
    ("director", "директор"),
    ("deputy", "заместитель директора"),
    ("school_admin", "администратор"),
    ("class_teacher", "классный руководитель"),
    ("teacher", "учитель"),
    ("secretary", "секретарь"),
    ("psychologist", "педагог-психолог"),
    ("guardian", "родитель"),
    ("student", "обучающийся"),
)


class AttachmentIn(BaseModel):
    #: The file's key in the file store, as the upload returned it.
    ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    size: int


class MessageIn(BaseModel):
    body: str
    attachments: Annotated[list[AttachmentIn], Field(max_length=100)] = []


class ConversationIn(MessageIn):
    recipients: Annotated[list[UUID], Field(min_length=1, max_length=100)]
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PersonOut(BaseModel):
    id: UUID
    name: str


class ContactOut(PersonOut):
    #: Who they are in the school, e.g. «учитель», «классный руководитель», «родитель».
    role: str


class ReadOut(PersonOut):
    read_at: datetime


class MessageOut(BaseModel):
    id: UUID
    author: PersonOut
    #: Empty for a message the administration hid.
    body: str
    attachments: list[AttachmentIn]
    created_at: datetime
    hidden: bool
    #: Read receipts: the other members who read it, and when.
    read_by: list[ReadOut]


class ConversationOut(BaseModel):
    id: UUID
    subject: str
    members: list[PersonOut]
    class_id: UUID | None
    last_message_at: datetime
    unread: int


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]


class MarkedOut(BaseModel):
    marked: int


def role_title(roles: frozenset[str]) -> str:
    return ", ".join(title for role, title in ROLE_TITLES if role in roles) or "—"


def check_sender(caller: Caller, school_id: UUID) -> None:
    if not messaging.may_send(caller.roles_in(school_id)):
        raise Forbidden("Директор в электронном журнале только читает: писать сообщения он не может.")


def checked_message(body: MessageIn) -> list[dict]:
    """The message's attachments as stored; an empty, oversized or over-attached message is refused."""
    attachments = [messaging.Attachment(a.ref, a.name, a.size) for a in body.attachments]
    problem = messaging.message_problem(body.body, attachments)
    if problem:
        raise Invalid(problem)
    return [{"ref": a.ref, "name": a.name, "size": a.size} for a in attachments]


def unread_messages(school_id: UUID, person_id: UUID) -> ColumnElement[bool]:
    """Messages to the person they have not read: others' visible messages in their conversations."""
    member = select(ConversationMember.conversation_id).filter_by(school_id=school_id, person_id=person_id)
    read = exists().where(MessageRead.message_id == Message.id, MessageRead.person_id == person_id)
    return and_(
        Message.school_id == school_id,
        Message.conversation_id.in_(member),
        Message.author_id != person_id,
        Message.hidden_at.is_(None),
        ~read,
    )


async def unread_message_count(session: AsyncSession, school_id: UUID, person_id: UUID) -> int:
    count = await session.scalar(select(func.count()).select_from(Message).where(unread_messages(school_id, person_id)))
    return count or 0


async def mark_messages_read(
    session: AsyncSession, school_id: UUID, person_id: UUID, conversation_id: UUID | None = None
) -> int:
    """Read receipts for every unread message (of one conversation, when given); returns how many."""
    query = select(Message.school_id, Message.id, literal(person_id, Uuid())).where(
        unread_messages(school_id, person_id)
    )
    if conversation_id is not None:
        query = query.where(Message.conversation_id == conversation_id)
    result = await session.execute(
        insert(MessageRead)
        .from_select(["school_id", "message_id", "person_id"], query)
        .on_conflict_do_nothing()
        .returning(MessageRead.message_id)
    )
    return len(result.all())


async def post_message(
    session: AsyncSession,
    school_id: UUID,
    conversation: Conversation,
    author: Caller,
    recipients: list[UUID],
    body: str,
    attachments: list[dict],
) -> Message:
    """Stores the message and plans its e-mails, SMS and pushes to the other members (R-51, kind ``message``)."""
    message = Message(
        id=uuid4(),
        school_id=school_id,
        conversation_id=conversation.id,
        author_id=author.person_id,
        body=body,
        attachments=attachments,
    )
    session.add(message)
    await session.flush()
    await session.refresh(message)
    conversation.last_message_at = message.created_at
    preview = body if len(body) <= PREVIEW_CHARS else body[:PREVIEW_CHARS].rstrip() + "…"
    notice = Notice(title=f"Новое сообщение: {conversation.subject}", body=f"{author.name}: {preview}")
    # One delivery per (message, recipient, channel): the id is derived, so a repeat plans nothing.
    await plan(session, school_id, [(uuid5(message.id, str(r)), r) for r in recipients], "message", notice)
    return message


async def _member_conversation(
    session: AsyncSession, school_id: UUID, conversation_id: UUID, caller: Caller
) -> Conversation:
    is_member = exists().where(
        ConversationMember.conversation_id == Conversation.id, ConversationMember.person_id == caller.person_id
    )
    found = await session.scalar(
        select(Conversation).where(Conversation.id == conversation_id, Conversation.school_id == school_id, is_member)
    )
    if found is None:
        raise NotFound(NO_CONVERSATION)
    return found


async def _members(session: AsyncSession, conversation_ids: list[UUID]) -> dict[UUID, list[UUID]]:
    members: dict[UUID, list[UUID]] = {c: [] for c in conversation_ids}
    rows = await session.execute(
        select(ConversationMember.conversation_id, ConversationMember.person_id).where(
            ConversationMember.conversation_id.in_(conversation_ids)
        )
    )
    for conversation_id, person_id in rows:
        members[conversation_id].append(person_id)
    return members


async def _listing(
    session: AsyncSession, school_id: UUID, caller: Caller, conversations: list[Conversation]
) -> list[ConversationOut]:
    ids = [c.id for c in conversations]
    members = await _members(session, ids)
    named = await names(session, school_id, {p for people in members.values() for p in people})
    unread = dict(
        (
            await session.execute(
                select(Message.conversation_id, func.count())
                .where(unread_messages(school_id, caller.person_id), Message.conversation_id.in_(ids))
                .group_by(Message.conversation_id)
            )
        ).all()
    )
    return [
        ConversationOut(
            id=c.id,
            subject=c.subject,
            members=[
                PersonOut(id=p, name=named.get(p, "—")) for p in sorted(members[c.id], key=lambda p: named.get(p, ""))
            ],
            class_id=c.class_id,
            last_message_at=c.last_message_at,
            unread=unread.get(c.id, 0),
        )
        for c in conversations
    ]


@router.get("")
async def list_conversations(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ConversationOut]:
    """The caller's conversations, the latest first, each with its unread count; ``q`` searches subjects and texts."""
    query = select(Conversation).where(
        Conversation.school_id == school_id,
        Conversation.id.in_(
            select(ConversationMember.conversation_id).filter_by(school_id=school_id, person_id=caller.person_id)
        ),
    )
    if q and q.strip():
        words = q.strip()
        found_in_text = select(Message.conversation_id).where(
            Message.school_id == school_id,
            Message.hidden_at.is_(None),
            func.to_tsvector(RUSSIAN, Message.body).op("@@")(func.plainto_tsquery(RUSSIAN, words)),
        )
        query = query.where(
            or_(func.strpos(func.lower(Conversation.subject), words.lower()) > 0, Conversation.id.in_(found_in_text))
        )
    rows = list(
        await session.scalars(query.order_by(Conversation.last_message_at.desc(), Conversation.id).limit(limit))
    )
    return await _listing(session, school_id, caller, rows)


@router.get("/contacts")
async def contacts(
    school_id: UUID,
    caller: CallerDep,
    session: SchoolSession,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ContactOut]:
    """Whom the caller may write to (the recipient picker): only those the rules allow, by name."""
    if not messaging.may_send(caller.roles_in(school_id)):
        return []
    people = await school_people(session, school_id, caller)
    named = await names(session, school_id)
    allowed = [p for p in people.roles if p in named and messaging.may_write(people, caller.person_id, p)]
    if q and q.strip():
        words = q.strip().lower().split()
        allowed = [p for p in allowed if all(w in named[p].lower() for w in words)]
    allowed.sort(key=lambda p: named[p])
    return [ContactOut(id=p, name=named[p], role=role_title(people.roles[p])) for p in allowed[:limit]]


@router.post("", status_code=201)
async def start(
    school_id: UUID, body: ConversationIn, caller: CallerDep, session: SchoolSession
) -> ConversationDetailOut:
    """Starts a conversation: the rules are asked for every recipient, and for the members together."""
    check_sender(caller, school_id)
    recipients = list(dict.fromkeys(r for r in body.recipients if r != caller.person_id))
    people = await school_people(session, school_id, caller)
    if not recipients or any(not messaging.may_write(people, caller.person_id, r) for r in recipients):
        raise NotFound(NOBODY)
    if len(recipients) > messaging.MAX_RECIPIENTS:
        raise Invalid(f"Слишком много получателей: {len(recipients)}, можно не больше {messaging.MAX_RECIPIENTS}.")
    if not messaging.may_share(people, frozenset({caller.person_id, *recipients})):
        raise Invalid("В одной переписке не может быть разных семей: напишите каждой семье отдельно.")
    attachments = checked_message(body)
    conversation = Conversation(id=uuid4(), school_id=school_id, subject=body.subject, started_by=caller.person_id)
    session.add(conversation)
    await session.flush()
    await session.execute(
        insert(ConversationMember).values(
            [
                {"school_id": school_id, "conversation_id": conversation.id, "person_id": p}
                for p in [caller.person_id, *recipients]
            ]
        )
    )
    await post_message(session, school_id, conversation, caller, recipients, body.body, attachments)
    return await _detail(session, school_id, caller, conversation)


async def _detail(
    session: AsyncSession, school_id: UUID, caller: Caller, conversation: Conversation
) -> ConversationDetailOut:
    [listed] = await _listing(session, school_id, caller, [conversation])
    named = {m.id: m.name for m in listed.members}
    messages = list(
        await session.scalars(
            select(Message).filter_by(conversation_id=conversation.id).order_by(Message.created_at, Message.id)
        )
    )
    receipts: dict[UUID, list[ReadOut]] = {m.id: [] for m in messages}
    rows = await session.execute(
        select(MessageRead.message_id, MessageRead.person_id, MessageRead.read_at)
        .where(MessageRead.message_id.in_(list(receipts)))
        .order_by(MessageRead.read_at)
    )
    for message_id, person_id, read_at in rows:
        receipts[message_id].append(ReadOut(id=person_id, name=named.get(person_id, "—"), read_at=read_at))
    authors_gone = {m.author_id for m in messages} - set(named)
    named |= await names(session, school_id, authors_gone) if authors_gone else {}
    return ConversationDetailOut(
        **listed.model_dump(),
        messages=[
            MessageOut(
                id=m.id,
                author=PersonOut(id=m.author_id, name=named.get(m.author_id, "—")),
                body="" if m.hidden_at else m.body,
                attachments=[] if m.hidden_at else m.attachments,
                created_at=m.created_at,
                hidden=m.hidden_at is not None,
                read_by=receipts[m.id],
            )
            for m in messages
        ],
    )


@router.get("/{conversation_id}")
async def show(
    school_id: UUID, conversation_id: UUID, caller: CallerDep, session: SchoolSession
) -> ConversationDetailOut:
    """The conversation with its messages and their read receipts; reading it is ``POST …/read``."""
    conversation = await _member_conversation(session, school_id, conversation_id, caller)
    return await _detail(session, school_id, caller, conversation)


@router.post("/{conversation_id}/messages", status_code=201)
async def reply(
    school_id: UUID, conversation_id: UUID, body: MessageIn, caller: CallerDep, session: SchoolSession
) -> MessageOut:
    conversation = await _member_conversation(session, school_id, conversation_id, caller)
    check_sender(caller, school_id)
    attachments = checked_message(body)
    members = (await _members(session, [conversation.id]))[conversation.id]
    others = [p for p in members if p != caller.person_id]
    # Replying is reading: what the caller answers to is read.
    await mark_messages_read(session, school_id, caller.person_id, conversation.id)
    message = await post_message(session, school_id, conversation, caller, others, body.body, attachments)
    return MessageOut(
        id=message.id,
        author=PersonOut(id=caller.person_id, name=caller.name),
        body=message.body,
        attachments=message.attachments,
        created_at=message.created_at,
        hidden=False,
        read_by=[],
    )


@router.post("/{conversation_id}/read")
async def read(school_id: UUID, conversation_id: UUID, caller: CallerDep, session: SchoolSession) -> MarkedOut:
    """Marks the conversation's messages read: their authors see when (read receipts)."""
    await _member_conversation(session, school_id, conversation_id, caller)
    return MarkedOut(marked=await mark_messages_read(session, school_id, caller.person_id, conversation_id))
