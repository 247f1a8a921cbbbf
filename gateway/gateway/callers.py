"""Session → signed-in caller, cached in each gateway instance for a few seconds.

Reading the caller costs a transaction of four queries; a family opening the diary or a teacher
entering marks asks for the same one many times a second. Each instance keeps it for at most
``TTL_SECONDS`` and drops it the moment PostgreSQL reports a change: triggers on sessions, people,
roles, local logins, compromise reports and region accounts ``NOTIFY gateway_callers`` with the
person's id (migration 0009) at commit, and every instance ``LISTEN``s. A logout, a role change or
a compromise report therefore applies at once on every instance, and within ``TTL_SECONDS`` even if
a notification were lost. While the listener is not connected, nothing is cached.
"""

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar
from uuid import UUID

import asyncpg
import structlog

log = structlog.get_logger()

CHANNEL = "gateway_callers"
#: The notification that clears every entry (a region role changed).
EVERYONE = "*"
TTL_SECONDS = 5.0
#: A bound on memory: past it, the cache starts afresh (entries live seconds anyway).
MAX_ENTRIES = 100_000

T = TypeVar("T")


class CallerCache(Generic[T]):
    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[UUID, T, float]] = {}
        #: False until the listener is connected, and again whenever it loses its connection.
        self.listening = False
        #: Counts changes heard: a caller read before a change is not cached after it.
        self.generation = 0
        #: Reads in flight: requests that miss together wait for one read, not one each.
        self._loading: dict[str, asyncio.Future[T | None]] = {}

    def get(self, key: str) -> T | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry[2]:
            del self._entries[key]
            return None
        return entry[1]

    async def get_or_load(self, key: str, load: Callable[[], Awaitable[tuple[UUID, T, float] | None]]) -> T | None:
        """The cached value, or what ``load`` reads: (person, value, seconds it may be kept), or None."""
        cached = self.get(key)
        if cached is not None:
            return cached
        loading = self._loading.get(key)
        if loading is None:
            loading = asyncio.ensure_future(self._load(key, load))
            self._loading[key] = loading
            loading.add_done_callback(lambda _: self._loading.pop(key, None))
        # Shielded: one waiting request that gives up does not cancel the read for the others.
        return await asyncio.shield(loading)

    async def _load(self, key: str, load: Callable[[], Awaitable[tuple[UUID, T, float] | None]]) -> T | None:
        generation = self.generation
        loaded = await load()
        if loaded is None:
            return None
        person_id, value, lives = loaded
        self.put(key, person_id, value, lives=lives, read_at_generation=generation)
        return value

    def put(self, key: str, person_id: UUID, value: T, *, lives: float, read_at_generation: int) -> None:
        """Keep ``value`` for at most ``lives`` seconds (and the TTL).

        Nothing is kept while not listening, nor when a change was heard since the value was read.
        """
        if not self.listening or lives <= 0 or read_at_generation != self.generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (person_id, value, self._clock() + min(lives, self.ttl))

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def changed(self, payload: str) -> None:
        """A notification: the person's entries go (all of them for ``EVERYONE`` or an unreadable payload)."""
        self.generation += 1
        try:
            person_id = UUID(payload)
        except ValueError:  # EVERYONE
            self._entries.clear()
            return
        for key in [k for k, (p, _, _) in self._entries.items() if p == person_id]:
            del self._entries[key]

    def stopped_listening(self) -> None:
        self.listening = False
        self.generation += 1
        self._entries.clear()

    async def listen_forever(self, dsn: str) -> None:
        """LISTEN with reconnects; the cache is empty and off whenever the connection is down."""
        backoff = 0.5
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(dsn, timeout=10)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, lambda *args: self.changed(args[3]))
                self.listening, backoff = True, 0.5
                await lost.wait()
                log.warning("caller_cache_listener_lost")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("caller_cache_listener_failed", retry_in=backoff)
            finally:
                self.stopped_listening()
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close()
            await asyncio.sleep(backoff * random.uniform(0.8, 1.2))
            backoff = min(backoff * 2, 5.0)
