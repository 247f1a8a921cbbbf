from datetime import date

from chassis.destruction import latest, refusal


def test_everything_may_go_on_the_latest_of_the_terms_copies_aside():
    assert latest([date(2030, 9, 1), None, date(2031, 9, 1)]) == date(2031, 9, 1)
    assert latest([None, None]) is None, "only copies: they go with the person, no term of their own"
    assert latest([]) is None


def test_a_destruction_before_the_last_term_is_refused_with_its_date():
    assert refusal(date(2031, 9, 1), date(2031, 8, 31)) == (
        "Срок хранения данных этого человека ещё не истёк: уничтожить их можно с 01.09.2031."
    )
    assert refusal(date(2031, 9, 1), date(2031, 9, 1)) is None, "on the day itself it may go"
    assert refusal(None, date(2031, 9, 1)) is None
