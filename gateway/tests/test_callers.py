"""The in-process caller cache: a few seconds at most, and a change heard drops the person's entries."""

import asyncio
from uuid import uuid4

from gateway.callers import EVERYONE, CallerCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def listening_cache(clock: FakeClock) -> CallerCache[str]:
    cache: CallerCache[str] = CallerCache(ttl=5.0, clock=clock)
    cache.listening = True
    return cache


def test_an_entry_lives_the_ttl_at_most_and_no_longer_than_its_session():
    clock = FakeClock()
    cache = listening_cache(clock)
    cache.put("long", uuid4(), "a", lives=3600, read_at_generation=cache.generation)
    cache.put("short", uuid4(), "b", lives=1.0, read_at_generation=cache.generation)
    assert (cache.get("long"), cache.get("short")) == ("a", "b")
    clock.now += 1.0
    assert (cache.get("long"), cache.get("short")) == ("a", None)
    clock.now += 4.0
    assert cache.get("long") is None


def test_a_change_drops_that_persons_entries_only_and_everyone_drops_all():
    cache = listening_cache(FakeClock())
    changed, other = uuid4(), uuid4()
    for key, person in (("k1", changed), ("k2", changed), ("k3", other)):
        cache.put(key, person, key, lives=60, read_at_generation=cache.generation)
    cache.changed(str(changed))
    assert (cache.get("k1"), cache.get("k2"), cache.get("k3")) == (None, None, "k3")
    cache.changed(EVERYONE)
    assert cache.get("k3") is None


def test_a_caller_read_before_a_change_is_not_kept_after_it():
    cache = listening_cache(FakeClock())
    person = uuid4()
    read_at = cache.generation
    cache.changed(str(uuid4()))  # heard while the request was reading the caller
    cache.put("k", person, "stale?", lives=60, read_at_generation=read_at)
    assert cache.get("k") is None


def test_nothing_is_kept_while_the_listener_is_down():
    clock = FakeClock()
    cache: CallerCache[str] = CallerCache(clock=clock)
    cache.put("k", uuid4(), "v", lives=60, read_at_generation=cache.generation)
    assert cache.get("k") is None
    cache.listening = True
    cache.put("k", uuid4(), "v", lives=60, read_at_generation=cache.generation)
    cache.stopped_listening()
    assert cache.get("k") is None


async def test_requests_that_miss_together_wait_for_one_read():
    cache = listening_cache(FakeClock())
    person, reads = uuid4(), []

    async def read() -> tuple:
        reads.append(1)
        await asyncio.sleep(0.01)
        return person, "caller", 60.0

    assert await asyncio.gather(*(cache.get_or_load("k", read) for _ in range(16))) == ["caller"] * 16
    assert len(reads) == 1
    assert await cache.get_or_load("k", read) == "caller"
    assert len(reads) == 1


async def test_a_session_that_is_not_found_is_not_cached():
    cache = listening_cache(FakeClock())

    async def nothing() -> None:
        return None

    assert await cache.get_or_load("k", nothing) is None
    assert cache.get("k") is None
