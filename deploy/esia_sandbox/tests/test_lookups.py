"""ESIA's REST look-ups of a person and their children."""

import jwt


async def test_a_person_looks_themselves_up(rp) -> None:
    tokens = await rp.tokens_for(1000001)
    response = await rp.look_up("/rs/prns/1000001", tokens["access_token"])
    assert response.status_code == 200
    assert response.json() == {
        "oid": 1000001,
        "firstName": "Мария",
        "lastName": "Иванова",
        "middleName": "Петровна",
        "birthDate": "14.03.1985",
        "snils": "112-233-445 95",
        "trusted": True,
        "status": "REGISTERED",
    }


async def test_a_parent_sees_their_kids(rp) -> None:
    tokens = await rp.tokens_for(1000002)
    response = await rp.look_up("/rs/prns/1000002/kids", tokens["access_token"])
    assert response.status_code == 200
    assert response.json() == {
        "stateFacts": ["hasSize"],
        "size": 1,
        "elements": [
            {
                "id": 1000003,
                "firstName": "Алексей",
                "lastName": "Петров",
                "middleName": "Сергеевич",
                "birthDate": "09.04.2014",
                "snils": "156-342-781 74",
            }
        ],
    }


async def test_a_token_of_another_person_is_forbidden(rp) -> None:
    tokens = await rp.tokens_for(1000002)
    assert (await rp.look_up("/rs/prns/1000004", tokens["access_token"])).status_code == 403
    assert (await rp.look_up("/rs/prns/1000004/kids", tokens["access_token"])).status_code == 403


async def test_without_a_valid_token_nothing_is_told(rp) -> None:
    assert (await rp.http.get("/rs/prns/1000001")).status_code == 401
    tokens = await rp.tokens_for(1000001)
    header, payload, signature = tokens["access_token"].split(".")
    tampered = jwt.utils.base64url_encode(jwt.utils.base64url_decode(payload).replace(b"1000001", b"1000004")).decode()
    assert (await rp.look_up("/rs/prns/1000004", f"{header}.{tampered}.{signature}")).status_code == 401


async def test_only_the_granted_scopes_are_returned(rp) -> None:
    rp.scope = "openid fullname"
    tokens = await rp.tokens_for(1000001)
    body = (await rp.look_up("/rs/prns/1000001", tokens["access_token"])).json()
    assert body["lastName"] == "Иванова"
    assert "snils" not in body
    assert "birthDate" not in body
    assert (await rp.look_up("/rs/prns/1000001/kids", tokens["access_token"])).status_code == 403
