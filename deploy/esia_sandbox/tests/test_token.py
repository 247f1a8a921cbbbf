"""The v3 token endpoint: signed client_secret, single-use codes, PKCE, and the tokens it issues."""

import asyncio
import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from chassis.signing import GostPublicKey


def _part(token: str, index: int) -> dict:
    text = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def _signature(token: str) -> bytes:
    text = token.rsplit(".", 1)[1]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def test_a_code_is_exchanged_for_tokens_with_esia_claims_signed_with_gost(rp) -> None:
    body = await rp.tokens_for(1000002)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"]
    key = GostPublicKey.from_certificate((await rp.http.get("/sandbox/esia.pem")).content)
    for token, kind in ((body["access_token"], "access"), (body["id_token"], "id")):
        assert _part(token, 0) == {"alg": "GOST3410_2012_256", "typ": "JWT", "sbt": kind, "ver": 1}
        signing_input = token.rsplit(".", 1)[0].encode()
        assert key.verify(signing_input, _signature(token))
        assert not key.verify(signing_input + b"x", _signature(token))
    access = _part(body["access_token"], 1)
    assert access["urn:esia:sbj_id"] == 1000002
    assert access["client_id"] == rp.client_id
    assert access["scope"] == rp.scope
    assert access["urn:esia:sid"]
    assert access["exp"] - access["iat"] == 3600
    assert access["iss"] == "http://esia-sandbox.local/"
    identity = _part(body["id_token"], 1)
    assert identity["sub"] == "1000002"
    assert identity["aud"] == rp.client_id


def _engine_available() -> bool:
    if shutil.which("openssl") is None:
        return False
    return subprocess.run(["openssl", "engine", "gost"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _engine_available(), reason="OpenSSL's GOST engine (libengine-gost-openssl) is not installed")
async def test_openssls_gost_engine_verifies_the_certificate_and_a_tokens_signature(rp, tmp_path: Path) -> None:
    """The cross-check: what the sandbox signs in pure Python, the certified engine's reference verifies."""
    (tmp_path / "esia.pem").write_bytes((await rp.http.get("/sandbox/esia.pem")).content)
    token = (await rp.tokens_for(1000002))["access_token"]
    (tmp_path / "input").write_bytes(token.rsplit(".", 1)[0].encode())
    (tmp_path / "signature").write_bytes(_signature(token))
    engine = ["-engine", "gost"]
    steps = (
        ["openssl", "verify", *engine, "-check_ss_sig", "-CAfile", "esia.pem", "esia.pem"],
        ["openssl", "x509", *engine, "-in", "esia.pem", "-pubkey", "-noout", "-out", "key.pem"],
        ["openssl", "dgst", *engine, "-md_gost12_256", "-verify", "key.pem", "-signature", "signature", "input"],
    )
    for step in steps:
        done = await asyncio.to_thread(subprocess.run, step, cwd=tmp_path, capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
    assert b"Verified OK" in done.stdout
    (tmp_path / "input").write_bytes(b"x" + (tmp_path / "input").read_bytes())
    forged = await asyncio.to_thread(subprocess.run, steps[-1], cwd=tmp_path, capture_output=True, check=False)
    assert forged.returncode != 0


async def test_the_state_is_echoed(rp) -> None:
    form = rp.token_form(await rp.code_for(1000001))
    assert (await rp.exchange(form)).json()["state"] == form["state"]


async def test_a_code_is_single_use(rp) -> None:
    code = await rp.code_for(1000001)
    assert (await rp.exchange(rp.token_form(code))).status_code == 200
    again = await rp.exchange(rp.token_form(code))
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_a_pkce_mismatch_is_refused_and_burns_the_code(rp) -> None:
    code = await rp.code_for(1000001, verifier="a" * 50)
    wrong = await rp.exchange(rp.token_form(code, verifier="b" * 50))
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert (await rp.exchange(rp.token_form(code, verifier="a" * 50))).status_code == 400


async def test_a_bad_client_secret_is_refused_and_keeps_the_code(rp) -> None:
    code = await rp.code_for(1000001)
    forged = await rp.exchange(rp.token_form(code, client_secret=rp.sign("not the message")))
    assert forged.status_code == 401
    assert forged.json()["error"] == "invalid_client"
    assert (await rp.exchange(rp.token_form(code))).status_code == 200


async def test_an_expired_timestamp_is_refused(rp) -> None:
    code = await rp.code_for(1000001)
    response = await rp.exchange(rp.token_form(code, timestamp=rp.timestamp(1.5)))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_the_redirect_uri_must_be_the_one_the_code_was_issued_for(rp) -> None:
    code = await rp.code_for(1000001)
    response = await rp.exchange(rp.token_form(code, redirect_uri="http://journal.test/auth/other"))
    assert response.json()["error"] == "invalid_grant"


async def test_a_code_expires(instant_expiry_rp) -> None:
    rp = instant_expiry_rp
    response = await rp.exchange(rp.token_form(await rp.code_for(1000001)))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_only_the_authorization_code_grant_is_served(rp) -> None:
    response = await rp.exchange(rp.token_form("x", grant_type="client_credentials"))
    assert response.json()["error"] == "unsupported_grant_type"
