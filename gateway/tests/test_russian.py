import pytest

from gateway.domain.russian import plural_form


@pytest.mark.parametrize(
    ("count", "form"),
    [
        (1, "школа"),
        (2, "школы"),
        (4, "школы"),
        (5, "школ"),
        (11, "школ"),
        (12, "школ"),
        (14, "школ"),
        (21, "школа"),
        (22, "школы"),
        (25, "школ"),
        (101, "школа"),
        (111, "школ"),
        (0, "школ"),
    ],
)
def test_the_plural_form_follows_the_last_two_digits(count, form):
    assert plural_form(count, "школа", "школы", "школ") == form
