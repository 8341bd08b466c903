"""The feedback store and the JWT replay cache on each database the service supports.

Two engines on one database stand for two processes (workers or replicas): each item is stored
once whichever engine receives it, and a jti recorded through one is a replay through the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import Engine

from cds_service.cdshooks.auth import SqlReplayCache
from cds_service.cdshooks.feedback_store import FeedbackRecord, FeedbackStore
from cds_service.storage import make_engine, upgrade_database
from tests.auth.helpers import NOW, FakeClock

ROUNDS = 5
T = TypeVar("T")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade_database(url)
    first, second = make_engine(url), make_engine(url)
    yield first, second
    first.dispose()
    second.dispose()


def all_at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Each call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    results: list[T] = []
    lock = threading.Lock()

    def run(call: Callable[[], T]) -> None:
        barrier.wait(timeout=30)
        answer = call()
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == len(calls)
    return results


def record(index: int) -> FeedbackRecord:
    return FeedbackRecord(
        service_id="myositis-refractory-patient-view",
        card_uuid=f"card-{index}",
        outcome="accepted",
        outcome_timestamp=f"2026-11-15T10:{index:02d}:00+00:00",
        accepted_suggestions=("suggestion-1",),
    )


def test_feedback_counts_stored_and_duplicates(two_engines: tuple[Engine, Engine]) -> None:
    store = FeedbackStore(two_engines[0])
    first = store.store([record(1), record(2), record(1)])
    assert (first.stored, first.duplicates) == (2, 1)
    again = store.store([record(2)])
    assert (again.stored, again.duplicates) == (0, 1)
    assert store.count() == 2
    assert store.records("card-1")[0].accepted_suggestions == ("suggestion-1",)


def test_the_same_items_through_two_processes_at_once_are_stored_once(
    two_engines: tuple[Engine, Engine],
) -> None:
    stores = [FeedbackStore(engine) for engine in two_engines]
    batch = [record(index) for index in range(10)]
    results = all_at_once([partial(store.store, batch) for store in stores * 2])
    assert sum(result.stored for result in results) == 10
    assert sum(result.duplicates for result in results) == 30
    assert stores[1].count() == 10


def test_a_jti_is_accepted_by_exactly_one_of_two_processes(
    two_engines: tuple[Engine, Engine],
) -> None:
    clock = FakeClock()
    caches = [SqlReplayCache(engine, clock=clock) for engine in two_engines]
    for attempt in range(ROUNDS):
        key = f"jti-{attempt}"
        answers = all_at_once([partial(cache.seen_before, key, NOW + 60) for cache in caches * 2])
        assert sorted(answers) == [False, True, True, True]
    assert caches[0].seen_before("jti-0", NOW + 60) is True


def test_an_expired_jti_is_taken_over_by_one_process_only(
    two_engines: tuple[Engine, Engine],
) -> None:
    clock = FakeClock()
    caches = [SqlReplayCache(engine, clock=clock) for engine in two_engines]
    assert caches[0].seen_before("k", NOW + 10) is False
    clock.now = NOW + 11
    answers = all_at_once([partial(cache.seen_before, "k", NOW + 100) for cache in caches])
    assert sorted(answers) == [False, True]
