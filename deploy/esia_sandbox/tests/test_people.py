"""Adding test people at run time (sandbox only)."""


async def test_an_added_person_logs_in_and_is_seen_as_a_kid(rp) -> None:
    kid = await rp.http.post(
        "/sandbox/people",
        json={"last_name": "Петрова", "first_name": "Ольга", "birth_date": "2016-05-01", "snils": "10001899900"},
    )
    assert kid.status_code == 201
    kid_oid = kid.json()["oid"]
    parent = await rp.http.post(
        "/sandbox/people",
        json={
            "oid": 2000001,
            "last_name": "Петрова",
            "first_name": "Ирина",
            "middle_name": "Олеговна",
            "birth_date": "1988-02-03",
            "snils": "200-008-989 01",
            "kids": [kid_oid],
        },
    )
    assert parent.status_code == 201
    assert parent.json() == {"oid": 2000001}
    tokens = await rp.tokens_for(2000001)
    kids = (await rp.look_up("/rs/prns/2000001/kids", tokens["access_token"])).json()
    assert [(k["id"], k["firstName"], k["snils"], k["birthDate"]) for k in kids["elements"]] == [
        (kid_oid, "Ольга", "100-018-999 00", "01.05.2016")
    ]


async def test_a_snils_failing_the_control_number_is_refused(rp) -> None:
    response = await rp.http.post(
        "/sandbox/people",
        json={"last_name": "Ошибкин", "first_name": "Пётр", "birth_date": "1990-01-01", "snils": "112-233-445 96"},
    )
    assert response.status_code == 422
    assert "контрольного числа" in response.json()["detail"]


async def test_a_taken_oid_or_snils_is_a_conflict(rp) -> None:
    taken_oid = await rp.http.post(
        "/sandbox/people",
        json={"oid": 1000001, "last_name": "Двойник", "first_name": "Иван", "birth_date": "1990-01-01",
              "snils": "100-018-999 00"},
    )  # fmt: skip
    assert taken_oid.status_code == 409
    taken_snils = await rp.http.post(
        "/sandbox/people",
        json={"last_name": "Двойник", "first_name": "Иван", "birth_date": "1990-01-01", "snils": "112-233-445 95"},
    )
    assert taken_snils.status_code == 409


async def test_unknown_kids_are_refused(rp) -> None:
    response = await rp.http.post(
        "/sandbox/people",
        json={"last_name": "Родитель", "first_name": "Иван", "birth_date": "1990-01-01", "snils": "100-018-999 00",
              "kids": [999]},
    )  # fmt: skip
    assert response.status_code == 422
