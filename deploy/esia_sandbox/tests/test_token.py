"""The v3 token endpoint: signed client_secret, single-use codes, PKCE, and the tokens it issues."""

import jwt


async def test_a_code_is_exchanged_for_tokens_with_esia_claims(rp) -> None:
    body = await rp.tokens_for(1000002)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["refresh_token"]
    keys = (await rp.http.get("/sandbox/jwks.json")).json()
    key = jwt.PyJWKSet.from_dict(keys).keys[0]
    access = jwt.decode(body["access_token"], key, algorithms=["RS256"], issuer="http://esia-sandbox.local/")
    assert access["urn:esia:sbj_id"] == 1000002
    assert access["client_id"] == rp.client_id
    assert access["scope"] == rp.scope
    assert access["urn:esia:sid"]
    assert access["exp"] - access["iat"] == 3600
    identity = jwt.decode(body["id_token"], key, algorithms=["RS256"], audience=rp.client_id)
    assert identity["sub"] == "1000002"
    assert identity["iss"] == "http://esia-sandbox.local/"


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
