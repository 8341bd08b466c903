"""Replay caches: in-memory (bounded) and SQL (shared across workers)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select

from cds_service.cdshooks.auth import (
    InMemoryReplayCache,
    ReplayCacheFull,
    ReplayCacheUnavailable,
    SqlReplayCache,
)
from cds_service.storage import upgrade_database
from tests.auth.helpers import NOW, FakeClock


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'replay.sqlite3'}"
    upgrade_database(url)  # the table comes from the migrations
    return url


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    engine = create_engine(sqlite_url)
    yield engine
    engine.dispose()


def race(calls: Sequence[Callable[[], bool]]) -> list[bool]:
    """Run each call in its own thread, all released together; collect the answers."""
    threads = len(calls)
    barrier = threading.Barrier(threads)
    results: list[bool] = []
    lock = threading.Lock()

    def worker(call: Callable[[], bool]) -> None:
        barrier.wait()
        answer = call()
        with lock:
            results.append(answer)

    pool = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=30)
    assert len(results) == threads
    return results


# --- in memory ----------------------------------------------------------------------------


def test_memory_second_use_is_a_replay(clock: FakeClock) -> None:
    cache = InMemoryReplayCache(clock=clock)
    assert cache.seen_before("k", NOW + 60) is False
    assert cache.seen_before("k", NOW + 60) is True
    assert cache.seen_before("other", NOW + 60) is False


def test_memory_key_forgotten_after_expiry(clock: FakeClock) -> None:
    cache = InMemoryReplayCache(clock=clock)
    cache.seen_before("k", NOW + 60)
    clock.now = NOW + 61
    assert cache.seen_before("k", NOW + 120) is False
    assert len(cache) == 1


def test_memory_full_evicts_expired_first(clock: FakeClock) -> None:
    cache = InMemoryReplayCache(max_entries=2, clock=clock)
    cache.seen_before("old", NOW + 10)
    cache.seen_before("young", NOW + 100)
    clock.now = NOW + 11
    assert cache.seen_before("new", NOW + 100) is False
    assert cache.seen_before("young", NOW + 100) is True  # the unexpired one was kept


def test_memory_full_of_unexpired_entries_refuses_rather_than_forgets(clock: FakeClock) -> None:
    cache = InMemoryReplayCache(max_entries=2, clock=clock)
    cache.seen_before("a", NOW + 100)
    cache.seen_before("b", NOW + 100)
    with pytest.raises(ReplayCacheFull):
        cache.seen_before("c", NOW + 100)
    assert cache.seen_before("a", NOW + 100) is True  # nothing was forgotten


def test_memory_threads_racing_one_key(clock: FakeClock) -> None:
    cache = InMemoryReplayCache(clock=clock)
    answers = race([partial(cache.seen_before, "k", NOW + 60)] * 8)
    assert sorted(answers) == [False] + [True] * 7


# --- SQL ----------------------------------------------------------------------------------


def test_sql_second_use_is_a_replay(engine: Engine, clock: FakeClock) -> None:
    cache = SqlReplayCache(engine, clock=clock)
    assert cache.seen_before("k", NOW + 60) is False
    assert cache.seen_before("k", NOW + 60) is True


def test_sql_two_threads_racing_one_key_exactly_one_accepted(
    engine: Engine, clock: FakeClock
) -> None:
    cache = SqlReplayCache(engine, clock=clock)
    for attempt in range(5):
        key = f"race-{attempt}"
        answers = race([partial(cache.seen_before, key, NOW + 60)] * 2)
        assert sorted(answers) == [False, True]


def test_sql_two_engines_on_one_file_share_the_cache(sqlite_url: str, clock: FakeClock) -> None:
    first, second = create_engine(sqlite_url), create_engine(sqlite_url)
    try:
        worker_a = SqlReplayCache(first, clock=clock)
        worker_b = SqlReplayCache(second, clock=clock)
        assert worker_a.seen_before("jti-1", NOW + 60) is False
        assert worker_b.seen_before("jti-1", NOW + 60) is True
        assert worker_b.seen_before("jti-2", NOW + 60) is False
        assert worker_a.seen_before("jti-2", NOW + 60) is True
        answers = race(
            [partial(w.seen_before, "jti-3", NOW + 60) for w in (worker_a, worker_b)] * 2
        )
        assert sorted(answers) == [False, True, True, True]
    finally:
        first.dispose()
        second.dispose()


def test_sql_expired_row_can_be_taken_over_once(engine: Engine, clock: FakeClock) -> None:
    cache = SqlReplayCache(engine, clock=clock)
    cache.seen_before("k", NOW + 10)
    clock.now = NOW + 11
    assert cache.seen_before("k", NOW + 100) is False
    assert cache.seen_before("k", NOW + 100) is True


def test_sql_expired_rows_purged(engine: Engine, clock: FakeClock) -> None:
    cache = SqlReplayCache(engine, clock=clock, purge_interval_seconds=30)
    cache.seen_before("short", NOW + 10)
    cache.seen_before("long", NOW + 1000)
    clock.now = NOW + 31
    cache.seen_before("trigger", NOW + 1000)  # the interval has passed: purge runs first
    table = cache._table
    with engine.connect() as connection:
        keys = set(connection.scalars(select(table.c.key)))
        count = connection.scalar(select(func.count()).select_from(table))
    assert keys == {"long", "trigger"}
    assert count == 2


def test_sql_database_failure_fails_closed(engine: Engine, clock: FakeClock) -> None:
    cache = SqlReplayCache(engine, clock=clock)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE auth_jti_replay")
    with pytest.raises(ReplayCacheUnavailable):
        cache.seen_before("k", NOW + 60)
