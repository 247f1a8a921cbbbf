from datetime import UTC, datetime, timedelta

from esia_sandbox.people import BUILTIN_PEOPLE, People, format_snils, phone_digits, snils_control_number, snils_is_valid
from esia_sandbox.protocol import b64url_decode, parse_timestamp, pkce_matches, timestamp_is_fresh


def test_every_builtin_snils_passes_the_control_number_check() -> None:
    assert all(snils_is_valid(person.snils) for person in BUILTIN_PEOPLE)
    assert len({person.snils for person in BUILTIN_PEOPLE}) == len(BUILTIN_PEOPLE)


def test_snils_control_number() -> None:
    assert snils_control_number("112233445") == 95
    # Sums of exactly 100 and 101 give 00; above 101 the sum is taken mod 101.
    assert snils_control_number("100018999") == 0
    assert snils_control_number("200008989") == 1
    assert snils_is_valid("100-018-999 00")
    assert not snils_is_valid("112-233-445 96")
    assert not snils_is_valid("112-233-445")
    assert snils_is_valid("11223344595")


def test_snils_is_formatted_as_esia_returns_it() -> None:
    assert format_snils("11223344595") == "112-233-445 95"


def test_phone_numbers_compare_whatever_the_writing() -> None:
    assert phone_digits("8 (900) 100-00-01") == phone_digits("+79001000001") == "79001000001"


def test_login_by_snils_or_phone_finds_the_person() -> None:
    people = People()
    assert (found := people.find_by_login("11223344595")) is not None and found.oid == 1000001
    assert (found := people.find_by_login("8 900 100-00-02")) is not None and found.oid == 1000002
    assert people.find_by_login("123") is None


def test_timestamp_must_be_in_esia_format_and_recent() -> None:
    now = datetime(2025, 9, 1, 5, 30, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert parse_timestamp("2025.09.01 08:30:00 +0300") == now
    assert timestamp_is_fresh("2025.09.01 08:00:00 +0300", now, hour)
    assert not timestamp_is_fresh("2025.09.01 07:00:00 +0300", now, hour)
    assert not timestamp_is_fresh("2025-09-01T08:30:00+03:00", now, hour)
    assert not timestamp_is_fresh("2025.09.01 08:30:00", now, hour)


def test_pkce_s256_as_in_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not pkce_matches(verifier[:-1] + "l", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not pkce_matches("short", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")


def test_base64url_with_or_without_padding() -> None:
    assert b64url_decode("YQ") == b64url_decode("YQ==") == b"a"
