"""Which operations of a compromise list (R-3) are undone where, and what the administrator is told of each."""

import re
from dataclasses import dataclass
from uuid import UUID

_ID = r"[0-9a-fA-F-]{36}"
#: The journal's writes of marks as the access log holds them, and what names the marks each wrote.
_MARK_WRITES = (
    (
        frozenset({"POST", "PUT"}),
        re.compile(rf"/api/v1/gradebook/schools/(?P<school>{_ID})/lessons/(?P<id>{_ID})/marks"),
    ),
    (frozenset({"PATCH"}), re.compile(rf"/api/v1/gradebook/schools/(?P<school>{_ID})/marks/(?P<id>{_ID})")),
)
#: Outcomes in the order one of a mark outweighs the others in its operation's summary.
OUTCOMES = ("refused", "changed_since", "reverted", "already_reverted")
NOT_REVERTIBLE = (
    "Эту операцию здесь не отменить: отменяются отметки, поставленные или изменённые под учётной записью. "
    "Остальное исправьте вручную."
)


@dataclass(frozen=True)
class RevertTarget:
    """The service's revert to call for an operation: the school and what names the marks (a lesson or a mark)."""

    school_id: UUID
    body: dict[str, str]


def revert_target(method: str, path: str) -> RevertTarget | None:
    """The journal's revert of a logged operation; None: not a write of marks (``NOT_REVERTIBLE``)."""
    bare = path.partition("?")[0]
    for methods, pattern in _MARK_WRITES:
        found = pattern.fullmatch(bare)
        if method in methods and found:
            key = "lesson_id" if "/lessons/" in bare else "mark_id"
            try:
                return RevertTarget(UUID(found["school"]), {key: str(UUID(found["id"]))})
            except ValueError:
                return None
    return None


def operation_outcome(mark_outcomes: list[str]) -> str:
    """One word for an operation from its marks' outcomes: a refusal or a later change is what needs attention."""
    if not mark_outcomes:
        return "nothing_to_revert"
    return min(mark_outcomes, key=OUTCOMES.index)
