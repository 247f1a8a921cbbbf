"""Whose data an account reached, read from the paths of its access-log entries (R-5, 152-ФЗ art. 21 part 3.1).

A path names a person after ``students``, ``people``, ``diary`` or ``guardians`` (the diary, a card, a
student's marks); after ``classes`` or ``courses`` it names a whole class's journal, whose pupils were all
reached. Only answered requests count: a refused one (4xx, 5xx) showed nothing.
"""

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

PERSON_SEGMENTS = frozenset({"students", "people", "diary", "guardians", "local-logins"})
GROUP_SEGMENTS = {"classes": "class", "courses": "course"}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@dataclass(frozen=True)
class Reached:
    people: frozenset[UUID]
    #: (``class`` or ``course``, its id)
    groups: frozenset[tuple[str, UUID]]


def reached_by(path: str) -> Reached:
    """The people and classes one path names (its query left out)."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    people: set[UUID] = set()
    groups: set[tuple[str, UUID]] = set()
    for kind, value in itertools.pairwise(segments):
        if not _UUID.match(value):
            continue
        if kind in PERSON_SEGMENTS:
            people.add(UUID(value))
        elif kind in GROUP_SEGMENTS:
            groups.add((GROUP_SEGMENTS[kind], UUID(value)))
    return Reached(frozenset(people), frozenset(groups))


@dataclass
class Exposure:
    """Per person (or class), the first and last moment the account reached them and how many times."""

    people: dict[UUID, tuple[datetime, datetime, int]] = field(default_factory=dict)
    groups: dict[tuple[str, UUID], tuple[datetime, datetime, int]] = field(default_factory=dict)


def _seen(found: dict, key: object, at: datetime) -> None:
    first, last, count = found.get(key, (at, at, 0))
    found[key] = (min(first, at), max(last, at), count + 1)


def exposure(entries: Iterable[tuple[datetime, str, int]]) -> Exposure:
    """From (moment, path, status) of the account's requests: whom they reached, leaving out refused ones."""
    found = Exposure()
    for at, path, status in entries:
        if status >= 400:
            continue
        reached = reached_by(path)
        for person in reached.people:
            _seen(found.people, person, at)
        for group in reached.groups:
            _seen(found.groups, group, at)
    return found
