"""Unsubscribe links (R-51): a signed token that needs no login and cannot be forged."""

from uuid import UUID, uuid4

import pytest

from chassis.problems import NotFound
from notifications.domain.delivery import CHANNELS, KINDS
from notifications.domain.unsubscribe import Unsubscribe, sign, verify

SECRET = b"secret"


def test_a_token_is_the_request_and_a_short_mac_in_unpadded_base64url():
    # A known answer: the format is in every link already sent, so it may not drift.
    token = sign(Unsubscribe(UUID(int=1), UUID(int=2), "mark", "email"), SECRET)
    assert token == (
        "WyIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDEiLCAiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAyIiwg"
        "Im1hcmsiLCAiZW1haWwiXQ.Wgwz52fnK5vaL-Qu5S1TKQ"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channel", CHANNELS)
def test_every_kind_and_channel_comes_back_from_its_token(kind, channel):
    # The kinds' and channels' lengths give the payload every length modulo 4, so every padding is restored.
    request = Unsubscribe(uuid4(), uuid4(), kind, channel)
    assert verify(sign(request, SECRET), SECRET) == request


@pytest.mark.parametrize(
    "spoil",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token.partition(".")[0],
        lambda token: (
            sign(Unsubscribe(UUID(int=1), UUID(int=3), "mark", "email"), SECRET).partition(".")[0]
            + "."
            + token.partition(".")[2]
        ),
    ],
    ids=["mac", "no mac", "another person"],
)
def test_a_spoilt_or_forged_token_leads_nowhere(spoil):
    token = sign(Unsubscribe(UUID(int=1), UUID(int=2), "mark", "email"), SECRET)
    with pytest.raises(NotFound) as refused:
        verify(spoil(token), SECRET)
    assert refused.value.detail == "Ссылка для отписки недействительна."


def test_a_token_of_another_secret_is_refused():
    token = sign(Unsubscribe(uuid4(), uuid4(), "mark", "email"), b"other")
    with pytest.raises(NotFound, match="недействительна"):
        verify(token, SECRET)
