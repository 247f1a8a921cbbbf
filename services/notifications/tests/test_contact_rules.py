import pytest

from chassis.problems import Invalid
from notifications.domain.contacts import check_channels, normalize_email, normalize_phone


def test_russian_phones_are_normalized_to_plus_seven():
    assert normalize_phone("+7 (912) 345-67-89") == "+79123456789"
    assert normalize_phone("89123456789") == "+79123456789"
    assert normalize_phone("+79123456789") == "+79123456789"


@pytest.mark.parametrize("raw", ["+1 212 555 0100", "912345678", "+7912345678", "+7912345678a", "79123456789", ""])
def test_other_phones_are_refused(raw):
    with pytest.raises(ValueError, match=r"\+7XXXXXXXXXX"):
        normalize_phone(raw)


def test_email_addresses_are_checked_and_their_domain_lowercased():
    assert normalize_email(" Ivanova.M@Mail.RU ") == "Ivanova.M@mail.ru"
    for bad in ("ivanova", "ivanova@", "@mail.ru", "iva nova@mail.ru", "ivanova@mail", "a@b@mail.ru"):
        with pytest.raises(ValueError, match="электронной почты"):
            normalize_email(bad)
    with pytest.raises(ValueError):
        normalize_email("a" * 250 + "@mail.ru")


def test_a_chosen_channel_needs_its_address():
    check_channels({}, None, None)
    check_channels({"mark": ["push"]}, None, None)
    check_channels({"mark": ["email"], "absence": ["sms"]}, "a@mail.ru", "+79123456789")
    with pytest.raises(Invalid, match="адрес"):
        check_channels({"mark": ["email"]}, None, "+79123456789")
    with pytest.raises(Invalid, match="телефона"):
        check_channels({"absence": ["email", "sms"]}, "a@mail.ru", None)


def test_the_refusals_in_full():
    with pytest.raises(ValueError) as email:
        normalize_email("ivanova")
    assert str(email.value) == "Некорректный адрес электронной почты"
    with pytest.raises(ValueError) as phone:
        normalize_phone("912345678")
    assert str(phone.value) == "Телефон должен быть российским номером в формате +7XXXXXXXXXX"
    with pytest.raises(Invalid) as no_address:
        check_channels({"mark": ["email"]}, None, None)
    assert no_address.value.detail == "Для уведомлений по электронной почте укажите адрес (email_address)."
    with pytest.raises(Invalid) as no_phone:
        check_channels({"mark": ["sms"]}, None, None)
    assert no_phone.value.detail == "Для уведомлений по SMS укажите номер телефона (phone)."


def test_an_address_of_254_characters_is_the_longest_accepted():
    # RFC 5321's limit for a path: 254 characters.
    longest = "a" * 246 + "@mail.ru"
    assert normalize_email(longest) == longest
    with pytest.raises(ValueError, match="электронной почты"):
        normalize_email("a" + longest)
