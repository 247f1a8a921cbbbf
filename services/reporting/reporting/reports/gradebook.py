"""Gradebook's mark-change log, read through its API (R-25): reporting never reads another service's database.

The request carries the reader's own internal token, so gradebook checks again who may read its log.
"""

from datetime import date, datetime
from uuid import UUID

import httpx

from chassis.problems import Invalid, NotFound, Unavailable
from reporting.domain.mark_changes import ChainState, LoggedChange

UNAVAILABLE = "Журнал изменений отметок сейчас недоступен: повторите запрос через минуту."


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


async def mark_change_log(
    http: httpx.AsyncClient, token: str, school_id: UUID, start: date, end: date
) -> tuple[ChainState, list[LoggedChange]]:
    try:
        answer = await http.get(
            f"/schools/{school_id}/mark-changes",
            params={"start": start.isoformat(), "end": end.isoformat()},
            headers={"Authorization": f"Bearer {token}"},
        )
    except httpx.HTTPError as error:
        raise Unavailable(UNAVAILABLE) from error
    if answer.status_code in (403, 404):
        raise NotFound("Отчёт не найден.")
    if answer.status_code == 422:
        raise Invalid(answer.json().get("detail", "Проверьте даты отчёта."))
    if answer.status_code != 200:
        raise Unavailable(UNAVAILABLE)
    body = answer.json()
    chain = body["chain"]
    changes = [
        LoggedChange(
            changed_at=datetime.fromisoformat(c["changed_at"]),
            changed_by_name=c["changed_by_name"],
            action=c["action"],
            old_value=c["old_value"],
            new_value=c["new_value"],
            reason=c["reason"],
            lesson_date=_date(c["lesson_date"]),
            class_name=c["class_name"],
            subject_name=c["subject_name"],
            student_name=c["student_name"],
            seal_no=c["seal_no"],
        )
        for c in body["changes"]
    ]
    broken_at = chain["first_broken_at"]
    state = ChainState(
        sealed=chain["sealed"],
        intact=chain["intact"],
        first_broken_no=chain["first_broken_no"],
        first_broken_at=datetime.fromisoformat(broken_at) if broken_at else None,
    )
    return state, changes
