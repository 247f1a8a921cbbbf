"""OneRoster 1.2 REST: filter, sorting and paging rules."""

from datetime import UTC, datetime

import pytest

from chassis.problems import Invalid
from roster.domain.oneroster_rest import link_header, parse_filter, select_page, timestamp

FIELDS = frozenset({"dateLastModified", "status"})
RECORDS = [
    {"sourcedId": "b", "familyName": "Петров", "dateLastModified": "2026-10-02T10:00:00.000Z"},
    {"sourcedId": "a", "familyName": "Иванова", "dateLastModified": "2026-09-01T08:00:00.000Z"},
    {"sourcedId": "c", "familyName": "Сидоров", "dateLastModified": "2026-10-14T09:00:00.000Z"},
]
SORTABLE = frozenset({"sourcedId", "dateLastModified", "familyName"})


def test_filter_on_date_last_modified_with_and():
    predicates = parse_filter(
        "dateLastModified>'2026-10-01T00:00:00Z' AND dateLastModified<='2026-10-02T10:00:00Z'", FIELDS
    )
    page, total = select_page(RECORDS, predicates, None, "asc", 100, 0, SORTABLE)
    assert [r["sourcedId"] for r in page] == ["b"] and total == 1


def test_sorting_and_paging():
    page, total = select_page(RECORDS, [], "familyName", "desc", 2, 0, SORTABLE)
    assert [r["familyName"] for r in page] == ["Сидоров", "Петров"] and total == 3
    page, _ = select_page(RECORDS, [], None, "asc", 2, 2, SORTABLE)
    assert [r["sourcedId"] for r in page] == ["c"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("familyName='Иванова'", "не поддерживается"),
        ("dateLastModified>'вчера'", "не дата"),
        ("dateLastModified>2026", "не разобран"),
        ("status='active' OR status='tobedeleted'", "только AND"),
    ],
)
def test_bad_filters_are_refused_in_russian(text, message):
    with pytest.raises(Invalid, match=message):
        parse_filter(text, FIELDS)


def test_bad_sort_and_limits():
    with pytest.raises(Invalid, match="Сортировка"):
        select_page(RECORDS, [], "snils", "asc", 10, 0, SORTABLE)
    with pytest.raises(Invalid, match="limit"):
        select_page(RECORDS, [], None, "asc", 0, 0, SORTABLE)


def test_links_and_timestamps():
    links = link_header("/users", {"sort": "familyName"}, total=250, limit=100, offset=100)
    assert '<?sort=familyName&limit=100&offset=200>; rel="next"' in links.replace("/users", "")
    assert 'offset=0>; rel="prev"' in links and 'offset=200>; rel="last"' in links
    assert timestamp(datetime(2026, 10, 14, 9, 0, 0, 123456, tzinfo=UTC)) == "2026-10-14T09:00:00.123Z"
