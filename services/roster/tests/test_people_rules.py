import pytest

from roster.domain.people import class_name, normalize_snils


def test_valid_snils_is_normalized():
    assert normalize_snils("11223344595") == "112-233-445 95"
    assert normalize_snils("112-233-445 95") == "112-233-445 95"


def test_snils_with_wrong_control_number_is_rejected():
    with pytest.raises(ValueError, match="контрольная"):
        normalize_snils("112-233-445 96")


def test_snils_of_wrong_length_is_rejected():
    with pytest.raises(ValueError, match="11 цифр"):
        normalize_snils("123")


def test_control_sum_of_exactly_100_gives_00():
    # 0·9+0·8+1·7+0·6+1·5+9·4+9·3+8·2+9·1 = 100
    assert normalize_snils("00101998900") == "001-019-989 00"
    with pytest.raises(ValueError):
        normalize_snils("00101998901")


def test_small_numbers_carry_no_checked_control():
    assert normalize_snils("00100199812") == "001-001-998 12"


def test_class_name_joins_grade_and_upper_letter():
    assert class_name(5, " а") == "5А"


def test_snils_control_number_is_taken_mod_101_then_mod_100():
    # 999-999-999: Σ = 405, 405 mod 101 = 1.
    assert normalize_snils("999-999-999 01") == "999-999-999 01"
    with pytest.raises(ValueError) as wrong:
        normalize_snils("999-999-999 99")
    assert str(wrong.value) == "Неверная контрольная сумма СНИЛС"


def test_snils_from_001_001_999_on_carry_a_checked_control_number():
    assert normalize_snils("001-001-998 42") == "001-001-998 42"
    # 001-001-999: Σ = 65.
    assert normalize_snils("001-001-999 65") == "001-001-999 65"
    with pytest.raises(ValueError, match=r"^Неверная контрольная сумма СНИЛС$"):
        normalize_snils("001-001-999 00")


def test_a_snils_without_eleven_digits_is_refused_in_plain_words():
    with pytest.raises(ValueError) as short:
        normalize_snils("112-233-445")
    assert str(short.value) == "СНИЛС должен содержать 11 цифр"
