"""The card's personal data: what a correction changes, and the class teacher's monthly check (000 §4.3.5, R-15)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The fields of the card a school corrects, with their Russian names for the history and the check list.
FIELD_TITLES = {
    "last_name": "фамилия",
    "first_name": "имя",
    "middle_name": "отчество",
    "birth_date": "дата рождения",
    "snils": "СНИЛС",
    "phone": "телефон",
    "email": "электронная почта",
    "document_kind": "вид документа",
    "document_number": "серия и номер документа",
}

#: What the monthly check expects on each card: students need identity papers, parents a way to reach them.
EXPECTED = {
    "student": ("birth_date", "snils", "document_kind", "document_number"),
    "guardian": ("snils", "phone"),
}


def as_text(value: Any) -> str | None:
    """A value as the history keeps it: dates in ISO form, empty as None."""
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def changes(current: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    """The fields ``wanted`` really changes: {field: (old, new)} as text; equal values are no change."""
    found = {}
    for name, value in wanted.items():
        old, new = as_text(current.get(name)), as_text(value)
        if old != new:
            found[name] = (old, new)
    return found


@dataclass(frozen=True)
class CheckLine:
    person_id: Any
    name: str
    #: ``student`` or ``guardian``.
    role: str
    #: «фамилия: Иванова → Петрова» for each change of the month.
    changed: list[str]
    #: Titles of the expected fields left empty.
    missing: list[str]


def check_line(
    person_id: Any,
    name: str,
    role: str,
    card: Mapping[str, Any],
    month_changes: list[tuple[str, str | None, str | None]],
) -> CheckLine:
    changed = [f"{FIELD_TITLES.get(f, f)}: {old or '—'} → {new or '—'}" for f, old, new in month_changes]
    missing = [FIELD_TITLES[f] for f in EXPECTED[role] if not card.get(f)]
    return CheckLine(person_id, name, role, changed, missing)
