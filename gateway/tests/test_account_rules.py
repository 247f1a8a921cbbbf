from datetime import UTC, date, datetime
from uuid import uuid4

from gateway.domain.accounts import (
    Account,
    EsiaIdentity,
    NoMatch,
    confirmed_children,
    match_account,
    same_person,
    snils_digits,
    vouched_by_school,
)
from gateway.domain.sessions import csrf_required, csrf_valid, session_expiry, token_hash

IDENTITY = EsiaIdentity(
    oid="1000001",
    last_name="Иванова",
    first_name="Мария",
    birth_date=date(1985, 3, 14),
    snils="112-233-445 95",
    trusted=True,
)


def account(**changes: object) -> Account:
    values: dict = {
        "person_id": uuid4(),
        "last_name": "Иванова",
        "first_name": "Мария",
        "birth_date": date(1985, 3, 14),
        "snils_digits": "11223344595",
        "esia_oid": None,
        "school_id": uuid4(),
    }
    return Account(**{**values, **changes})


def test_snils_is_compared_by_its_digits():
    assert snils_digits("112-233-445 95") == snils_digits("11223344595") == "11223344595"
    assert snils_digits("112-233") is None
    assert snils_digits(None) is None


def test_first_login_matches_snils_names_and_birth_date():
    assert same_person(account(), IDENTITY)
    assert same_person(account(last_name="ИВАНОВА", first_name=" Мария "), IDENTITY)


def test_yo_and_ye_are_the_same_letter_in_names():
    assert same_person(account(last_name="Королёва"), EsiaIdentity(**{**IDENTITY.__dict__, "last_name": "Королева"}))


def test_any_differing_fact_is_no_match():
    assert not same_person(account(snils_digits="12345678964"), IDENTITY)
    assert not same_person(account(first_name="Марина"), IDENTITY)
    assert not same_person(account(birth_date=date(1985, 3, 15)), IDENTITY)
    assert not same_person(account(birth_date=None), IDENTITY)
    assert not same_person(account(), EsiaIdentity(**{**IDENTITY.__dict__, "snils": None}))


def test_an_account_bound_to_the_oid_counts_whatever_its_names_are_now():
    bound = account(esia_oid="1000001", last_name="Другая")
    assert match_account(IDENTITY, [bound], []) == {bound.person_id}


def test_an_account_bound_to_another_oid_is_not_taken():
    assert match_account(IDENTITY, [], [account(esia_oid="999")]) is NoMatch.UNKNOWN


def test_two_candidates_in_one_school_are_left_to_the_school():
    school = uuid4()
    assert match_account(IDENTITY, [], [account(school_id=school), account(school_id=school)]) is NoMatch.AMBIGUOUS


def test_accounts_in_several_schools_all_match_and_the_person_chooses():
    bound, other = account(esia_oid="1000001"), account()
    assert match_account(IDENTITY, [bound], [other]) == {bound.person_id, other.person_id}


def test_an_unconfirmed_esia_account_binds_nothing_new():
    unconfirmed = EsiaIdentity(**{**IDENTITY.__dict__, "trusted": False})
    assert match_account(unconfirmed, [], [account()]) is NoMatch.UNTRUSTED
    bound = account(esia_oid="1000001")
    assert match_account(unconfirmed, [bound], [account()]) == {bound.person_id}


def test_an_oid_the_school_typed_in_binds_only_the_person_esia_knows():
    stated = account(stated_oid="1000001", snils_digits=None)
    assert vouched_by_school(stated, IDENTITY)
    assert match_account(IDENTITY, [], [stated]) == {stated.person_id}
    # A secretary typing someone else's oid into an account gives that someone nothing.
    planted = account(stated_oid="1000001", last_name="Петрова", snils_digits=None)
    assert not vouched_by_school(planted, IDENTITY)
    assert match_account(IDENTITY, [], [planted]) is NoMatch.UNKNOWN
    assert not vouched_by_school(account(stated_oid="1000001", snils_digits="12345678964"), IDENTITY)
    # СНИЛС where both have it must agree, and then it is enough with the names and birth date.
    assert vouched_by_school(account(stated_oid="1000001"), IDENTITY)


def test_nobody_matches_an_unknown_person():
    assert match_account(IDENTITY, [], []) is NoMatch.UNKNOWN


def test_a_child_is_confirmed_when_esia_lists_them_by_snils_names_and_birth_date():
    listed, stranger = account(), account(snils_digits="12345678964")
    assert confirmed_children([IDENTITY], [listed, stranger]) == {listed.person_id}
    assert confirmed_children([], [listed]) == set()


def test_only_state_changing_methods_need_the_csrf_token():
    assert not csrf_required("GET") and not csrf_required("head")
    assert csrf_required("POST") and csrf_required("PATCH") and csrf_required("DELETE")


def test_csrf_token_must_be_present_and_equal():
    assert csrf_valid("abc", "abc")
    assert not csrf_valid("abc", "abd")
    assert not csrf_valid("abc", None)
    assert not csrf_valid("abc", "")


def test_session_lasts_its_ttl_and_only_hashes_are_stored():
    now = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
    assert session_expiry(now, 12) == datetime(2025, 9, 1, 20, 0, tzinfo=UTC)
    assert token_hash("secret") != "secret" and len(token_hash("secret")) == 64
