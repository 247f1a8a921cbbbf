"""A service's JSON object passed on with a member put in front, without decoding it."""

import json

import pytest

from gateway.domain.json_objects import with_member_first


@pytest.mark.parametrize(
    "body",
    [
        b'{"student":{"name":"\xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2"},"days":[]}',
        b'  {\n  "days": [1, 2]\n}\n',
        b"{}",
        b"{ }",
    ],
)
def test_the_member_comes_first_and_the_object_is_otherwise_unchanged(body: bytes) -> None:
    passed = with_member_first(body, "school_id", "Школа 1")
    assert passed.startswith('{"school_id": "Школа 1"'.encode())
    assert json.loads(passed) == {"school_id": "Школа 1", **json.loads(body)}


def test_the_objects_own_member_of_that_name_still_wins() -> None:
    assert json.loads(with_member_first(b'{"school_id": "own"}', "school_id", "added")) == {"school_id": "own"}


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"", b"null"])
def test_anything_but_an_object_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError, match="not a JSON object"):
        with_member_first(body, "school_id", "1")
