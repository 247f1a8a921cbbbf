"""The v2 authorization endpoint and the login form."""

from cryptography.hazmat.primitives.asymmetric import ec

from esia_sandbox.oauth import SESSION_COOKIE


async def test_a_valid_request_shows_the_login_form_with_the_test_people(rp) -> None:
    response = await rp.http.get("/aas/oauth2/v2/ac", params=rp.authorization_params())
    assert response.status_code == 200
    assert "Вход в Госуслуги (тестовый контур)" in response.text
    assert "Иванова Мария Петровна" in response.text
    assert "Орлова Елена Сергеевна" in response.text


async def test_picking_a_person_redirects_with_a_code_and_the_state(rp) -> None:
    params = rp.authorization_params()
    request_id = await rp.login_form(params)
    response = await rp.http.post("/aas/oauth2/v2/ac", data={"request_id": request_id, "oid": "1000001"})
    query = rp.redirect_query(response)
    assert query["state"] == params["state"]
    assert len(query["code"]) > 20


async def test_login_by_snils_or_phone_needs_the_test_password(rp) -> None:
    request_id = await rp.login_form(rp.authorization_params())
    wrong = await rp.http.post(
        "/aas/oauth2/v2/ac", data={"request_id": request_id, "login": "112-233-445 95", "password": "nope"}
    )
    assert wrong.status_code == 200
    assert "Неверный логин или пароль" in wrong.text
    by_snils = await rp.http.post(
        "/aas/oauth2/v2/ac", data={"request_id": request_id, "login": "112-233-445 95", "password": "test"}
    )
    assert "code" in rp.redirect_query(by_snils)
    request_id = await rp.login_form(rp.authorization_params())
    by_phone = await rp.http.post(
        "/aas/oauth2/v2/ac", data={"request_id": request_id, "login": "+7 900 100-00-02", "password": "test"}
    )
    tokens = await rp.exchange(rp.token_form(rp.redirect_query(by_phone)["code"]))
    assert (await rp.look_up("/rs/prns/1000002", tokens.json()["access_token"])).json()["lastName"] == "Петров"


async def test_a_bad_client_secret_signature_goes_back_with_an_error(rp) -> None:
    params = rp.authorization_params()
    forged = rp.authorization_params(state=params["state"], client_secret=rp.sign("something else"))
    response = await rp.http.get("/aas/oauth2/v2/ac", params=forged)
    query = rp.redirect_query(response)
    assert query["error"] == "invalid_client"
    assert query["state"] == params["state"]
    assert "code" not in query


async def test_a_secret_signed_by_another_key_is_refused(rp) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    params = rp.authorization_params()
    message = params["client_id"] + params["scope"] + params["timestamp"] + params["state"] + params["redirect_uri"]
    params["client_secret"] = rp.sign(message, stranger)
    assert rp.redirect_query(await rp.http.get("/aas/oauth2/v2/ac", params=params))["error"] == "invalid_client"


async def test_an_unregistered_redirect_uri_is_refused_without_redirecting(rp) -> None:
    params = rp.authorization_params(redirect_uri="http://evil.test/auth/esia/callback")
    response = await rp.http.get("/aas/oauth2/v2/ac", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "Адрес возврата не зарегистрирован" in response.text


async def test_an_unknown_client_is_refused_without_redirecting(rp) -> None:
    response = await rp.http.get("/aas/oauth2/v2/ac", params=rp.authorization_params(client_id="STRANGER"))
    assert response.status_code == 400
    assert "location" not in response.headers


async def test_an_expired_timestamp_is_refused(rp) -> None:
    response = await rp.http.get("/aas/oauth2/v2/ac", params=rp.authorization_params(timestamp=rp.timestamp(2)))
    assert rp.redirect_query(response)["error"] == "invalid_request"


async def test_a_timestamp_in_another_format_is_refused(rp) -> None:
    params = rp.authorization_params(timestamp="2025-09-01T08:30:00+03:00")
    assert rp.redirect_query(await rp.http.get("/aas/oauth2/v2/ac", params=params))["error"] == "invalid_request"


async def test_state_must_be_a_uuid(rp) -> None:
    response = await rp.http.get("/aas/oauth2/v2/ac", params=rp.authorization_params(state="12345"))
    query = rp.redirect_query(response)
    assert query["error"] == "invalid_request"
    assert query["state"] == "12345"


async def test_pkce_is_required(rp) -> None:
    params = rp.authorization_params(code_challenge_method="plain")
    assert rp.redirect_query(await rp.http.get("/aas/oauth2/v2/ac", params=params))["error"] == "invalid_request"


async def test_an_unknown_scope_is_refused(rp) -> None:
    params = rp.authorization_params(scope="openid fullname passport_everything")
    assert rp.redirect_query(await rp.http.get("/aas/oauth2/v2/ac", params=params))["error"] == "invalid_scope"


async def test_cancelling_sends_access_denied(rp) -> None:
    params = rp.authorization_params()
    request_id = await rp.login_form(params)
    response = await rp.http.post("/aas/oauth2/v2/ac", data={"request_id": request_id, "cancel": "1"})
    query = rp.redirect_query(response)
    assert query["error"] == "access_denied"
    assert query["state"] == params["state"]


async def test_a_login_form_is_used_once(rp) -> None:
    request_id = await rp.login_form(rp.authorization_params())
    await rp.http.post("/aas/oauth2/v2/ac", data={"request_id": request_id, "oid": "1000001"})
    again = await rp.http.post("/aas/oauth2/v2/ac", data={"request_id": request_id, "oid": "1000001"})
    assert again.status_code == 400
    assert "Время на вход истекло" in again.text


async def test_the_login_session_is_offered_until_logout(rp) -> None:
    await rp.code_for(1000004)
    form = await rp.http.get("/aas/oauth2/v2/ac", params=rp.authorization_params())
    assert "Продолжить как Сидорова Анна Викторовна" in form.text
    logout = await rp.http.get(
        "/idp/ext/Logout", params={"client_id": rp.client_id, "redirect_url": "http://journal.test/auth/logged-out"}
    )
    assert logout.status_code == 302
    assert logout.headers["location"] == "http://journal.test/auth/logged-out"
    assert SESSION_COOKIE not in rp.http.cookies
    form = await rp.http.get("/aas/oauth2/v2/ac", params=rp.authorization_params())
    assert "Продолжить как" not in form.text


async def test_logout_does_not_redirect_to_an_unregistered_address(rp) -> None:
    response = await rp.http.get(
        "/idp/ext/Logout", params={"client_id": rp.client_id, "redirect_url": "http://evil.test/"}
    )
    assert response.status_code == 400
    assert "location" not in response.headers
