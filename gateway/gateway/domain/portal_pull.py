"""R-70, the pull half: what the state-services portal may ask and how a diary becomes its answer.

Pure rules, no I/O: the scopes a client may hold, the ranges it may ask for, and the translation of
reporting's diary into the portal's schedule. The portal sees the lessons, homework, attendance and marks
of a student it names by ESIA id, never names of staff, СНИЛС or birth dates (152-ФЗ: only what it shows).
"""

import hashlib
from dataclasses import dataclass
from datetime import date

#: What a portal client may be granted; a token carries a subset.
SCOPES = frozenset({"schedule", "changes"})
#: A pull covers at most a month, like the family's diary.
SCHEDULE_MAX_DAYS = 31
#: A change feed page holds at most this many changes.
CHANGES_MAX_LIMIT = 1000


@dataclass(frozen=True)
class Outcome:
    """A structured error the portal can act on: a stable ``code`` and a Russian ``text`` for people."""

    code: str
    text: str


class PortalRefusal(Exception):
    """A request the portal must change before asking again (HTTP ``status``)."""

    def __init__(self, status: int, outcome: Outcome) -> None:
        super().__init__(outcome.text)
        self.status = status
        self.outcome = outcome


def secret_digest(secret: str) -> str:
    """Client secrets and access tokens are 256-bit random strings: one SHA-256 keeps them unreadable at rest
    (a password hash's cost buys nothing against a secret nobody can guess)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def granted_scopes(asked: str | None, allowed: frozenset[str]) -> frozenset[str]:
    """RFC 6749 §3.3: no ``scope`` means everything the client holds; asking for more is refused."""
    if asked is None or not asked.strip():
        return allowed
    wanted = frozenset(asked.split())
    if not wanted <= allowed:
        unknown = ", ".join(sorted(wanted - allowed))
        raise PortalRefusal(400, Outcome("invalid_scope", f"Клиенту не выдан доступ: {unknown}."))
    return wanted


def schedule_range(start: date, end: date) -> tuple[date, date]:
    if end < start:
        raise PortalRefusal(
            422, Outcome("bad_range", f"Конец периода ({end:%d.%m.%Y}) раньше его начала ({start:%d.%m.%Y}).")
        )
    if (end - start).days + 1 > SCHEDULE_MAX_DAYS:
        raise PortalRefusal(422, Outcome("range_too_long", f"Период не может быть длиннее {SCHEDULE_MAX_DAYS} дней."))
    return start, end


def changes_limit(limit: int) -> int:
    if not 1 <= limit <= CHANGES_MAX_LIMIT:
        raise PortalRefusal(422, Outcome("bad_limit", f"limit должен быть от 1 до {CHANGES_MAX_LIMIT}."))
    return limit


def _scale(value: str) -> str:
    return "five_point" if value.isdigit() else "pass_fail"


def schedule_lessons(diary: dict) -> list[dict]:
    """Reporting's diary of one student as the portal's lessons: time, subject, topic, homework,
    attendance and marks (value, weight, work type and scale), cancelled lessons marked as such."""
    lessons = []
    for day in diary["days"]:
        for lesson in day["lessons"]:
            absence = lesson.get("absence")
            lessons.append(
                {
                    "lesson_id": lesson["lesson_id"],
                    "date": day["date"],
                    "number": lesson.get("number"),
                    "starts": lesson.get("starts"),
                    "ends": lesson.get("ends"),
                    "subject": lesson["subject"],
                    "topic": lesson.get("topic"),
                    "homework": lesson.get("homework"),
                    "room": lesson.get("room"),
                    "cancelled": lesson.get("status") == "cancelled",
                    # The timetable's lesson as the feed's timetable changes name it, and its state: the portal
                    # keeps the newest, so a replayed older change does nothing.
                    "timetable_lesson_id": lesson.get("timetable_lesson_id"),
                    "timetable_version": lesson.get("timetable_version"),
                    "attendance": absence["code"] if absence else None,
                    "marks": [
                        {
                            "mark_id": mark.get("mark_id"),
                            "version": mark.get("version"),
                            "value": mark["value"],
                            "weight": mark["weight"],
                            "work_type": mark["work_type_title"] or mark["work_type"],
                            "scale": _scale(mark["value"]),
                        }
                        for mark in lesson["marks"]
                    ],
                }
            )
    return lessons


def schedule_period_marks(diary: dict) -> list[dict]:
    """The period marks the diary shows in the range (the family's, once visible): the reason of «не аттестован»
    stays at the school."""
    return [
        {
            "subject": mark["subject"],
            "period_kind": mark["period_kind"],
            "period_name": mark["period_name"],
            "starts": mark["starts"],
            "ends": mark["ends"],
            "value": mark["value"],
            "extended_to": mark["extended_to"],
            "not_attested": mark["value"] is None and mark["extended_to"] is None,
        }
        for mark in diary.get("period_marks", [])
    ]
