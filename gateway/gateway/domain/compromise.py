"""Which operations of a compromise list (R-3) are undone where, and what the administrator is told of each."""

import re
from dataclasses import dataclass
from uuid import UUID

from gateway.domain.access_view import action, section

_ID = r"[0-9a-fA-F-]{36}"
_SCHOOL = rf"/schools/(?P<school>{_ID})"
#: The writes the services undo, as the access log holds them: service, methods, path, what names the records.
_UNDONE = (
    (
        "gradebook",
        frozenset({"POST", "PUT"}),
        re.compile(rf"/api/v1/gradebook{_SCHOOL}/lessons/(?P<id>{_ID})/marks"),
        "lesson_id",
    ),
    ("gradebook", frozenset({"PATCH"}), re.compile(rf"/api/v1/gradebook{_SCHOOL}/marks/(?P<id>{_ID})"), "mark_id"),
    # A lesson's record edited (topic, homework): its values from before the account's edits come back.
    (
        "gradebook",
        frozenset({"PATCH"}),
        re.compile(rf"/api/v1/gradebook{_SCHOOL}/lessons/(?P<id>{_ID})"),
        "edited_lesson_id",
    ),
    (
        "attendance",
        frozenset({"POST"}),
        re.compile(rf"/api/v1/attendance{_SCHOOL}/lessons/(?P<id>{_ID})/absences"),
        "lesson_id",
    ),
)
#: What an operation of the list was, in the administrator's words: the writes a compromise is about by name.
_DESCRIBED = (
    ("POST", rf"/api/v1/gradebook{_SCHOOL}/lessons/{_ID}/marks", "Поставлена отметка"),
    ("PUT", rf"/api/v1/gradebook{_SCHOOL}/lessons/{_ID}/marks", "Выставлены отметки за урок (колонка)"),
    ("PATCH", rf"/api/v1/gradebook{_SCHOOL}/marks/{_ID}", "Изменена отметка"),
    ("DELETE", rf"/api/v1/gradebook{_SCHOOL}/marks/{_ID}", "Удалена отметка"),
    ("PATCH", rf"/api/v1/gradebook{_SCHOOL}/marks/{_ID}/work-type", "Изменён вид работы отметки"),
    ("POST", rf"/api/v1/gradebook{_SCHOOL}/lessons", "Записан урок"),
    ("PATCH", rf"/api/v1/gradebook{_SCHOOL}/lessons/{_ID}", "Изменены тема или домашнее задание урока"),
    ("DELETE", rf"/api/v1/gradebook{_SCHOOL}/lessons/{_ID}", "Удалён урок"),
    ("POST", rf"/api/v1/gradebook{_SCHOOL}/lessons/{_ID}/move", "Перенесён урок"),
    ("POST", rf"/api/v1/gradebook{_SCHOOL}/lessons/{_ID}/homework", "Выдано домашнее задание"),
    ("POST", rf"/api/v1/attendance{_SCHOOL}/lessons/{_ID}/absences", "Отмечен пропуск урока"),
    ("PATCH", rf"/api/v1/attendance{_SCHOOL}/absences/{_ID}", "Изменена причина пропуска"),
    ("DELETE", rf"/api/v1/attendance{_SCHOOL}/absences/{_ID}", "Удалён пропуск урока"),
    ("POST", rf"/api/v1/notifications{_SCHOOL}/conversations", "Начата переписка"),
    ("POST", rf"/api/v1/notifications{_SCHOOL}/conversations/{_ID}/messages", "Отправлено сообщение"),
    ("POST", rf"/api/v1/notifications{_SCHOOL}/announcements", "Опубликовано объявление"),
)
#: Outcomes in the order one of a record outweighs the others in its operation's summary.
OUTCOMES = ("refused", "changed_since", "reverted", "already_reverted")
NOT_REVERTIBLE = (
    "Эту операцию здесь не отменить: отменяются поставленные или изменённые отметки, изменённые тема и домашнее "
    "задание урока и записанные пропуски. Урок, записанный под учётной записью, остаётся в журнале: проверьте его "
    "тему и при необходимости исправьте запись или удалите урок вне расписания в исправлениях журнала; остальное "
    "(сообщения, удалённые отметки, смену вида работы) исправьте вручную."
)


@dataclass(frozen=True)
class RevertTarget:
    """The service's revert to call for an operation: the school and what names the records (a lesson or a mark)."""

    service: str
    school_id: UUID
    body: dict[str, str]


def revert_target(method: str, path: str) -> RevertTarget | None:
    """The owning service's revert of a logged operation; None: not a write undone there (``NOT_REVERTIBLE``)."""
    bare = path.partition("?")[0]
    for service, methods, pattern, key in _UNDONE:
        found = pattern.fullmatch(bare)
        if method in methods and found:
            try:
                return RevertTarget(service, UUID(found["school"]), {key: str(UUID(found["id"]))})
            except ValueError:
                return None
    return None


def operation_outcome(mark_outcomes: list[str]) -> str:
    """One word for an operation from its marks' outcomes: a refusal or a later change is what needs attention."""
    if not mark_outcomes:
        return "nothing_to_revert"
    return min(mark_outcomes, key=OUTCOMES.index)


def describe(method: str, path: str) -> str:
    """An operation of the list in Russian: a write the compromise is about by name, any other request by its
    action and the part of the journal (the access log's words), a login by its way in."""
    bare = path.partition("?")[0]
    for verb, pattern, words in _DESCRIBED:
        if method == verb and re.fullmatch(pattern, bare):
            return words
    return f"{action(method).capitalize()}: {section(path)}"
