"""Отмена действий под скомпрометированной учётной записью (R-3): which absences an account's undo withdraws."""

from collections.abc import Iterable
from datetime import datetime
from typing import Literal
from uuid import UUID


def absence_revert(
    person_id: UUID, since: datetime, recorded_by: UUID, recorded_at: datetime, changed_by: Iterable[UUID]
) -> Literal["withdraw", "changed_since"] | None:
    """An absence recorded under the account since ``since`` is withdrawn, unless someone else has corrected it
    since (a class teacher's reason, R-41: a legitimate change wins); None: not the account's to undo."""
    if recorded_by != person_id or recorded_at < since:
        return None
    return "changed_since" if any(by != person_id for by in changed_by) else "withdraw"
