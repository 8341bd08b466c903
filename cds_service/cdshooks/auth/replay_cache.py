"""Replay protection: remember every accepted ``jti`` until its token can no longer be valid.

``ReplayCache.seen_before(key, expires_at)`` atomically records ``key`` and answers whether it
was already recorded (and not yet expired). Two implementations:

* ``InMemoryReplayCache`` - one process only (tests, ``--workers 1``). Bounded: when full it
  first drops expired entries; if every entry is still unexpired it raises ``ReplayCacheFull``
  and the token is refused. Refusing is the chosen trade-off: forgetting an unexpired jti would
  silently re-open a replay window, whereas a full cache is loud (401s and a log reason) and
  only reachable by an authenticated client sending more than ``max_entries`` tokens within a
  token lifetime.
* ``SqlReplayCache`` - shared by all worker processes, and all machines on PostgreSQL, through
  the database; the primary key makes the insert the atomic test-and-set, so two workers (or
  replicas) cannot both accept the same jti. Its table is made by the migrations.
"""

from __future__ import annotations

import contextlib
import heapq
import threading
import time
from collections.abc import Callable
from typing import Protocol

from sqlalchemy import Engine, delete, insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from cds_service.cdshooks.auth.errors import ReplayCacheFull, ReplayCacheUnavailable
from cds_service.storage.schema import replay_table

__all__ = ["InMemoryReplayCache", "ReplayCache", "SqlReplayCache"]


class ReplayCache(Protocol):
    def seen_before(self, key: str, expires_at: float) -> bool:
        """Record ``key`` until ``expires_at`` (epoch seconds) and return ``False``; return
        ``True`` if ``key`` is already recorded and unexpired (a replay). Atomic. May raise
        ``ReplayCacheFull`` or ``ReplayCacheUnavailable`` (the caller refuses the token)."""
        ...


class InMemoryReplayCache:
    """Bounded, thread-safe, single-process replay cache (see module docstring)."""

    def __init__(
        self, *, max_entries: int = 100_000, clock: Callable[[], float] = time.time
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be positive")
        self._max_entries = max_entries
        self._clock = clock
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def seen_before(self, key: str, expires_at: float) -> bool:
        with self._lock:
            now = self._clock()
            recorded = self._expiry.get(key)
            if recorded is not None and recorded > now:
                return True
            self._evict_expired(now)
            if len(self._expiry) >= self._max_entries:
                raise ReplayCacheFull
            self._expiry[key] = expires_at
            heapq.heappush(self._heap, (expires_at, key))
            return False

    def _evict_expired(self, now: float) -> None:
        while self._heap and self._heap[0][0] <= now:
            expires_at, key = heapq.heappop(self._heap)
            if self._expiry.get(key) == expires_at:  # skip stale heap items of re-recorded keys
                del self._expiry[key]


class SqlReplayCache:
    """Replay cache in a SQL table shared by every worker process.

    ``seen_before`` inserts the key; a primary-key violation means another request (in any
    process) recorded it first. An expired row with the same key is taken over by a
    conditional ``UPDATE ... WHERE expires_at <= now``, which only one writer can win. Expired
    rows are purged at most every ``purge_interval_seconds``. Database errors raise
    ``ReplayCacheUnavailable`` (fail closed).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        purge_interval_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._table = replay_table
        self._purge_interval = purge_interval_seconds
        self._clock = clock
        self._next_purge = clock() + purge_interval_seconds
        self._purge_lock = threading.Lock()

    def seen_before(self, key: str, expires_at: float) -> bool:
        now = self._clock()
        self._maybe_purge(now)
        try:
            if self._insert(key, expires_at):
                return False
            # The key exists: a replay, unless that row has expired and we win the takeover.
            return not self._take_over_expired(key, expires_at, now)
        except SQLAlchemyError as error:
            raise ReplayCacheUnavailable from error

    def _insert(self, key: str, expires_at: float) -> bool:
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(self._table).values(key=key, expires_at=expires_at))
        except IntegrityError:
            return False
        return True

    def _take_over_expired(self, key: str, expires_at: float, now: float) -> bool:
        table = self._table
        with self._engine.begin() as connection:
            result = connection.execute(
                update(table)
                .where(table.c.key == key, table.c.expires_at <= now)
                .values(expires_at=expires_at)
            )
            return result.rowcount == 1

    def purge_expired(self) -> int:
        """Delete expired rows now; returns how many were deleted."""
        with self._engine.begin() as connection:
            result = connection.execute(
                delete(self._table).where(self._table.c.expires_at <= self._clock())
            )
            return result.rowcount

    def _maybe_purge(self, now: float) -> None:
        with self._purge_lock:
            if now < self._next_purge:
                return
            self._next_purge = now + self._purge_interval
        with contextlib.suppress(SQLAlchemyError):  # housekeeping; the next interval retries
            self.purge_expired()
