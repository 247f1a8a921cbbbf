"""How people are named in the diary."""

from reporting.domain.people import full_name


def test_a_name_is_last_then_first_and_none_until_roster_tells_it():
    assert full_name("Абрамова", "Анна") == "Абрамова Анна"
    assert full_name("Абрамова", None) == "Абрамова"
    assert full_name(None, "Анна") == "Анна"
    assert full_name("", "") is None
    assert full_name(None, None) is None
