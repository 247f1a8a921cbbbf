"""The internal token's check: a token verified once is known until its ``exp``, and never after it."""

import asyncio
from uuid import uuid4

import pytest

from chassis.auth import Caller, TokenSigner
from chassis.problems import Unauthorized
from chassis.testing import verifier_for

ISSUER, AUDIENCE = "https://gateway.test", "journal.test"


async def test_a_known_token_answers_its_caller_until_it_expires_and_is_refused_after():
    signer = TokenSigner.generate(issuer=ISSUER, audience=AUDIENCE)
    verifier = verifier_for(signer)
    caller = Caller(uuid4(), "Иванова Мария", frozenset({(uuid4(), "teacher")}))
    token = signer.issue(caller, ttl_seconds=2)
    first = await verifier.verify(token)
    assert first.person_id == caller.person_id
    assert await verifier.verify(token) is first, "known: answered without a second signature check"
    await asyncio.sleep(3.1)
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


async def test_a_token_changed_by_one_character_is_refused_after_the_real_one_was_verified():
    signer = TokenSigner.generate(issuer=ISSUER, audience=AUDIENCE)
    verifier = verifier_for(signer)
    token = signer.issue(Caller(uuid4(), "Иванова Мария", frozenset({(uuid4(), "teacher")})))
    await verifier.verify(token)
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}{signature[-1]}"
    with pytest.raises(Unauthorized):
        await verifier.verify(forged)
