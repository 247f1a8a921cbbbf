from datetime import date

import pytest

from chassis.retention_periods import RULES, Kind, academic_year_end, expired, may_go_from, term


def test_the_academic_year_ends_on_the_31st_of_august():
    assert academic_year_end(date(2020, 8, 31)) == date(2020, 8, 31)
    assert academic_year_end(date(2020, 9, 1)) == date(2021, 8, 31)
    assert academic_year_end(date(2021, 1, 15)) == date(2021, 8, 31)


def test_a_journal_record_goes_five_years_after_its_academic_year_ends():
    # A mark of March 2020 belongs to the year 2019/20, which ends on 31 August 2020 (000 §6.5).
    assert may_go_from(Kind.JOURNAL_RECORD, date(2020, 3, 10)) == date(2025, 9, 1)
    assert not expired(Kind.JOURNAL_RECORD, date(2020, 3, 10), date(2025, 8, 31)), "never a day early"
    assert expired(Kind.JOURNAL_RECORD, date(2020, 3, 10), date(2025, 9, 1))
    # September starts the next year, so its term ends a year later.
    assert may_go_from(Kind.JOURNAL_RECORD, date(2020, 9, 1)) == date(2026, 9, 1)


def test_a_summary_sheet_is_kept_twenty_five_years():
    assert may_go_from(Kind.SUMMARY_SHEET, date(2020, 5, 25)) == date(2045, 9, 1)
    assert not expired(Kind.SUMMARY_SHEET, date(2000, 5, 25), date(2025, 8, 31))


def test_terms_counted_from_the_event_itself():
    assert may_go_from(Kind.ACCESS_LOG, date(2020, 3, 10)) == date(2025, 3, 11)
    assert may_go_from(Kind.SESSION, date(2026, 1, 1)) == date(2026, 2, 1)
    assert may_go_from(Kind.EXPORT, date(2026, 1, 1)) == date(2026, 2, 1)


def test_a_term_from_the_29th_of_february_ends_on_the_28th():
    assert may_go_from(Kind.ACCESS_LOG, date(2024, 2, 29)) == date(2029, 3, 1)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_has_a_term_and_its_grounds(kind):
    rule = RULES[kind]
    assert rule.years or rule.days, f"{kind}: no term"
    assert rule.grounds and rule.title, f"{kind}: the act must cite its grounds"
    assert may_go_from(kind, date(2020, 1, 1)) > date(2020, 1, 1)


def test_docs_list_every_term_as_the_code_has_it():
    from pathlib import Path

    text = (Path(__file__).parents[3] / "docs" / "retention.md").read_text()
    for kind, rule in RULES.items():
        term = f"{rule.years} years" if rule.years else f"{rule.days} days"
        assert f"| `{kind.value}` | {rule.title} | {term} |" in text, kind


def test_the_register_states_each_term_in_words():
    assert term(Kind.JOURNAL_RECORD) == "5 лет после окончания учебного года"
    assert term(Kind.SUMMARY_SHEET) == "25 лет после окончания учебного года"
    assert term(Kind.MESSAGE) == "1 год после окончания учебного года"
    assert term(Kind.SESSION) == "30 дней с даты записи"
