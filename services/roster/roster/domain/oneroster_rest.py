"""OneRoster 1.2 REST reads (rostering): the ``filter`` on ``dateLastModified``, sorting and paging as the
standard writes them: ``?filter=dateLastModified>'2026-10-01T00:00:00Z'&sort=familyName&orderBy=asc&limit=100``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import eq, ge, gt, le, lt, ne
from typing import Any

from chassis.problems import Invalid

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {"=": eq, "!=": ne, ">": gt, ">=": ge, "<": lt, "<=": le}
#: One predicate: field, operator, quoted value.
PREDICATE = re.compile(r"^\s*(\w+)\s*(!=|>=|<=|=|>|<)\s*'([^']*)'\s*$")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def parse_timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Invalid(f"«{text}» — не дата и время ISO 8601, например 2026-10-01T00:00:00Z.") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Predicate:
    field: str
    operator: str
    value: datetime | str

    def holds(self, record: dict[str, Any]) -> bool:
        stored = record.get(self.field)
        if isinstance(self.value, datetime):
            stored = parse_timestamp(stored) if isinstance(stored, str) else stored
        return stored is not None and OPERATORS[self.operator](stored, self.value)


def parse_filter(text: str | None, fields: frozenset[str]) -> list[Predicate]:
    """Predicates joined by AND (OR is not supported: refused, not misread)."""
    if not text:
        return []
    if re.search(r"\sOR\s", text):
        raise Invalid("В фильтре поддерживается только AND.")
    predicates = []
    for part in re.split(r"\s+AND\s+", text.strip()):
        found = PREDICATE.match(part)
        if not found:
            raise Invalid(f"Фильтр «{part}» не разобран: пишите поле, оператор и значение в кавычках.")
        field, operator, value = found.groups()
        if field not in fields:
            raise Invalid(f"Фильтр по полю «{field}» не поддерживается; можно по: {', '.join(sorted(fields))}.")
        predicates.append(Predicate(field, operator, parse_timestamp(value) if field == "dateLastModified" else value))
    return predicates


def select_page(
    records: list[dict[str, Any]],
    predicates: list[Predicate],
    sort: str | None,
    order_by: str,
    limit: int,
    offset: int,
    sortable: frozenset[str],
) -> tuple[list[dict[str, Any]], int]:
    """The page of the filtered, sorted records, and how many there are in all."""
    if sort is not None and sort not in sortable:
        raise Invalid(f"Сортировка по полю «{sort}» не поддерживается; можно по: {', '.join(sorted(sortable))}.")
    if order_by not in ("asc", "desc"):
        raise Invalid("orderBy — asc или desc.")
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise Invalid(f"limit — от 1 до {MAX_LIMIT}, offset — не меньше 0.")
    kept = [r for r in records if all(p.holds(r) for p in predicates)]
    key = sort or "sourcedId"
    kept.sort(key=lambda r: (r.get(key) is None, str(r.get(key) or "")), reverse=order_by == "desc")
    return kept[offset : offset + limit], len(kept)


def link_header(base: str, query: dict[str, str], total: int, limit: int, offset: int) -> str:
    """RFC 8288 links to the next, previous, first and last pages, as OneRoster asks."""

    def url(at: int) -> str:
        params = {**query, "limit": str(limit), "offset": str(at)}
        return base + "?" + "&".join(f"{k}={v}" for k, v in params.items())

    links = [f'<{url(0)}>; rel="first"', f'<{url(max(0, (total - 1) // limit * limit))}>; rel="last"']
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>; rel="next"')
    if offset > 0:
        links.append(f'<{url(max(0, offset - limit))}>; rel="prev"')
    return ", ".join(links)


def timestamp(value: datetime) -> str:
    """``dateLastModified`` as OneRoster writes it: UTC with milliseconds and Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
