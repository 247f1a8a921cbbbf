"""How the invariant checker tells a replica row from its source (``chassis.invariants.mismatch``)."""

import pytest

from chassis.invariants import mismatch


@pytest.mark.parametrize(
    ("source", "replica", "found"),
    [
        (2, (2, False), None),
        (None, (3, True), None),  # deleted at the source, a tombstone in the copy
        (None, None, None),
        (2, None, "нет в копии (источник v2)"),
        (None, (1, False), "нет в источнике (копия v1)"),
        (1, (2, True), "удалена в копии v2, в источнике есть v1"),
        (1, (2, False), "версия расходится: источник v1, копия v2"),
        (3, (2, False), "версия расходится: источник v3, копия v2"),
    ],
)
def test_a_replica_row_differs_from_its_source_only_when_it_should(source, replica, found):
    assert mismatch(source, replica) == found
