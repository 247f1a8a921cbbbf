"""Local logins (R-2): password hashing, temporary passwords, the password policy, login names, lockout, expiry."""

from datetime import UTC, datetime, timedelta

import pytest

from gateway.domain.local_logins import (
    is_staff,
    locked_until,
    login_base,
    must_change_password,
    normalized_login,
    transliterate,
    unique_login,
)
from gateway.domain.passwords import (
    HASHER,
    UNAMBIGUOUS,
    hash_password,
    is_common,
    needs_rehash,
    new_password_problem,
    temporary_password,
    verify_password,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
#: A hash of an earlier release (scrypt, n=1024) of «пароль-для-проверки».
LEGACY = "scrypt$n=1024,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg==$Aq75cQ8QwAlx22DDoj7BngOPjPD+1Wn9zUzTcDjJ/RQ="


def test_a_hash_verifies_its_password_only():
    stored = hash_password("Учитель-2026!")
    assert verify_password("Учитель-2026!", stored)
    assert not verify_password("учитель-2026!", stored)
    assert not verify_password("", stored)


def test_equal_passwords_get_different_salts_and_hashes():
    first, second = hash_password("одинаковый пароль"), hash_password("одинаковый пароль")
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]


def test_hashes_are_argon2id_at_owasp_parameters_with_the_parameters_stored():
    stored = hash_password("пароль-для-проверки")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not needs_rehash(stored)


def test_a_hash_of_an_earlier_release_or_with_other_parameters_verifies_and_needs_rehash():
    assert verify_password("пароль-для-проверки", LEGACY)
    assert not verify_password("пароль-для-провеРки", LEGACY)
    assert needs_rehash(LEGACY)
    weaker = type(HASHER)(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("пароль-для-проверки")
    assert verify_password("пароль-для-проверки", weaker)
    assert needs_rehash(weaker)


def test_common_passwords_are_refused_also_typed_on_a_russian_keyboard():
    assert is_common("qwertyuiop") and is_common("Password123")
    assert is_common("йцукенгшщз")  # qwertyuiop on a Russian keyboard
    assert not is_common("новый-пароль-2026")


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$n=x$a$b", "md5$n=1024,r=8,p=1$AAAA$AAAA", "scrypt$$$"])
def test_a_malformed_hash_matches_nothing_and_needs_rehash(stored):
    assert not verify_password("anything", stored)
    assert needs_rehash(stored)


def test_temporary_passwords_are_long_mixed_unambiguous_and_different():
    passwords = {temporary_password() for _ in range(200)}
    assert len(passwords) == 200
    assert {len(p) for p in passwords} == {12}
    assert len(temporary_password(20)) == 20
    for password in passwords:
        assert set(password) <= set(UNAMBIGUOUS)
        assert not set(password) & set("0Oo1lIi")
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password)


def test_the_password_policy():
    old = hash_password("старый-пароль-1")
    ok = "новый-пароль-2026"

    def problem(new: str, repeated: str | None = None, login: str = "ivanova.mp") -> str | None:
        return new_password_problem(new, new if repeated is None else repeated, login=login, old_hash=old)

    assert problem(ok) is None
    assert problem(ok, "новый-пароль-2025") == "Пароли не совпадают. Введите новый пароль дважды одинаково."
    assert problem("короткий9") == "Пароль слишком короткий: нужно не меньше 10 символов."
    assert problem("a" * 10) is None
    assert problem("ы" * 128) is None
    assert problem("ы" * 129) == "Пароль слишком длинный: не больше 128 символов."
    assert problem("старый-пароль-1") == "Новый пароль должен отличаться от прежнего."
    assert problem("Ivanova.MP2", login="ivanova.mp2") == "Пароль не должен совпадать с логином."
    spaces = "Пароль не должен начинаться или заканчиваться пробелом и содержать служебные символы."
    assert problem(" с пробелом впереди") == spaces
    assert problem("пароль\x00с-нулём") == spaces
    common = "Этот пароль слишком распространён: его подбирают первым. Придумайте другой."
    assert problem("1234567890") == common
    assert problem("ЙЦУКЕНГШЩЗ") == common


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("Иванова", "ivanova"),
        ("Щукин", "shchukin"),
        ("Жуков", "zhukov"),
        ("Хабибуллина", "khabibullina"),
        ("Цой", "tsoi"),
        ("Чайковский", "chaikovskii"),
        ("Юрьев", "iurev"),
        ("Объедкова", "obieedkova"),
        ("Ёлкин", "elkin"),
        ("Салтыков-Щедрин", "saltykovshchedrin"),
        ("Д'Артаньян", "dartanian"),
        ("Smith", "smith"),
    ],
)
def test_transliteration_as_in_passports(text, latin):
    assert transliterate(text) == latin


def test_the_login_is_the_surname_with_initials():
    assert login_base("Иванова", "Мария", "Петровна") == "ivanova.mp"
    assert login_base("Ким", "Юлия", None) == "kim.i"
    assert login_base("Ким", "Юлия", "") == "kim.i"
    assert login_base("Шевченко-Ярошенко", "Ян", "Ильич") == "shevchenkoiaroshenko.ii"
    assert login_base("!!!", "", None) == "user"
    assert len(login_base("Б" * 100, "А", "В")) == 40 + 3


def test_a_taken_login_gets_the_smallest_free_number():
    assert unique_login("ivanova.mp", set()) == "ivanova.mp"
    assert unique_login("ivanova.mp", {"ivanova.mp"}) == "ivanova.mp2"
    assert unique_login("ivanova.mp", {"ivanova.mp", "ivanova.mp2", "ivanova.mp4"}) == "ivanova.mp3"


def test_a_typed_login_ignores_case_and_spaces():
    assert normalized_login("  Ivanova.MP2 ") == "ivanova.mp2"
    assert len(normalized_login("x" * 500)) == 64


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_five_failures_within_fifteen_minutes_lock_for_fifteen_minutes_from_the_fifth():
    assert locked_until(minutes_ago(14, 10, 5, 2, 1), NOW) == NOW - timedelta(minutes=1) + timedelta(minutes=15)
    assert locked_until(minutes_ago(0, 0, 0, 0, 0), NOW) == NOW + timedelta(minutes=15)


def test_four_failures_or_five_spread_over_more_than_fifteen_minutes_do_not_lock():
    assert locked_until(minutes_ago(4, 3, 2, 1), NOW) is None
    assert locked_until(minutes_ago(16, 12, 8, 4, 0.5), NOW) is None


def test_a_lock_ends_fifteen_minutes_after_the_fifth_failure():
    failures = minutes_ago(20, 19, 18, 17, 16)
    assert locked_until(failures, NOW - timedelta(minutes=2)) == NOW - timedelta(minutes=1)
    assert locked_until(failures, NOW) is None


def test_five_failures_exactly_fifteen_minutes_apart_still_lock_and_a_lock_ends_at_its_moment():
    failures = minutes_ago(15, 10, 5, 2, 0)
    assert locked_until(failures, NOW) == NOW + timedelta(minutes=15)
    assert locked_until(failures, NOW + timedelta(minutes=15)) is None


def test_the_latest_lock_counts():
    failures = minutes_ago(40, 39, 38, 37, 36) + minutes_ago(10, 9, 8, 7, 6)
    assert locked_until(failures, NOW) == NOW + timedelta(minutes=9)


def test_staff_are_everyone_but_students_and_guardians():
    assert is_staff({"teacher"}) and is_staff({"guardian", "school_admin"})
    assert not is_staff({"student"}) and not is_staff({"guardian", "student"}) and not is_staff(set())


def test_a_temporary_password_must_always_be_changed():
    assert must_change_password(temporary=True, password_set_at=NOW, staff=False, now=NOW)


def test_staff_change_their_passwords_yearly_families_do_not():
    a_year_ago = NOW - timedelta(days=365)
    almost = NOW - timedelta(days=364, hours=23)
    assert must_change_password(temporary=False, password_set_at=a_year_ago, staff=True, now=NOW)
    assert not must_change_password(temporary=False, password_set_at=almost, staff=True, now=NOW)
    assert not must_change_password(temporary=False, password_set_at=NOW - timedelta(days=900), staff=False, now=NOW)
