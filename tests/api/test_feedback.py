"""Feedback is validated, stored durably and idempotently, and survives a restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cds_service.cdshooks.feedback_store import FeedbackStore
from cds_service.storage import make_engine
from tests.app_client import app_client

URL = "/cds-services/myositis-refractory-patient-view/feedback"
CARD = "9f6e4a8e-6f0b-5d3e-8f3c-1a2b3c4d5e6f"


def accepted(card: str = CARD, when: str = "2026-11-15T10:00:00Z") -> dict[str, object]:
    return {
        "card": card,
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": "0e2d7c1a-2b3c-5d4e-8f9a-0b1c2d3e4f5a"}],
        "outcomeTimestamp": when,
    }


def overridden(card: str = CARD) -> dict[str, object]:
    return {
        "card": card,
        "outcome": "overridden",
        "overrideReason": {
            "reason": {
                "code": "data-outdated",
                "system": "https://myositis-cds.org/fhir/CodeSystem/override-reason",
            },
            "userComment": "CK repeated today",
        },
        "outcomeTimestamp": "2026-11-15T10:05:00Z",
    }


def stored_count(tmp_path: Path) -> int:
    return FeedbackStore(make_engine(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")).count()


def test_feedback_is_stored_and_survives_a_restart(tmp_path: Path) -> None:
    with app_client(tmp_path) as client:
        response = client.post(URL, json={"feedback": [accepted(), overridden()]})
        assert response.status_code == 200
        assert response.json() == {"stored": 2, "duplicates": 0}
    assert stored_count(tmp_path) == 2
    with app_client(tmp_path) as restarted:
        again = restarted.post(URL, json={"feedback": [accepted()]})
        assert again.json() == {"stored": 0, "duplicates": 1}
    assert stored_count(tmp_path) == 2


def test_the_same_item_sent_twice_is_stored_once(tmp_path: Path) -> None:
    with app_client(tmp_path) as client:
        client.post(URL, json={"feedback": [accepted()]})
        second = client.post(URL, json={"feedback": [accepted(), accepted()]})
    assert second.json() == {"stored": 0, "duplicates": 2}
    assert stored_count(tmp_path) == 1


def test_accepted_without_suggestions_is_refused(tmp_path: Path) -> None:
    item = accepted()
    del item["acceptedSuggestions"]
    with app_client(tmp_path) as client:
        response = client.post(URL, json={"feedback": [item]})
    assert response.status_code == 422
    assert stored_count(tmp_path) == 0


def test_overridden_without_reason_or_comment_is_refused(tmp_path: Path) -> None:
    item = overridden()
    item["overrideReason"] = {}
    with app_client(tmp_path) as client:
        response = client.post(URL, json={"feedback": [item]})
    assert response.status_code == 422


def test_feedback_for_an_unknown_service_is_404(tmp_path: Path) -> None:
    with app_client(tmp_path) as client:
        response = client.post("/cds-services/nope/feedback", json={"feedback": [accepted()]})
    assert response.status_code == 404


def test_concurrent_feedback_writes_lose_nothing(tmp_path: Path) -> None:
    cards = [f"9f6e4a8e-6f0b-5d3e-8f3c-{i:012d}" for i in range(40)]
    with app_client(tmp_path) as client:

        def send(card: str) -> int:
            response = client.post(URL, json={"feedback": [accepted(card), accepted(card)]})
            return int(response.status_code)

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(send, cards + cards))
    assert statuses == [200] * 80
    assert stored_count(tmp_path) == 40


def test_timestamps_outside_utc_range_are_refused_not_crashed(tmp_path: Path) -> None:
    with app_client(tmp_path) as client:
        for when in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
            response = client.post(URL, json={"feedback": [accepted(when=when)]})
            assert response.status_code == 422, when


def test_overlong_or_control_character_card_ids_are_refused(tmp_path: Path) -> None:
    with app_client(tmp_path) as client:
        for card in ("x" * 65, "abc\u0000def", "with space"):
            response = client.post(URL, json={"feedback": [accepted(card=card)]})
            assert response.status_code == 422, card
    assert stored_count(tmp_path) == 0


def test_a_batch_larger_than_the_cap_is_413(tmp_path: Path) -> None:
    items = [accepted(card=f"card-{i}") for i in range(501)]
    with app_client(tmp_path) as client:
        response = client.post(URL, json={"feedback": items})
    assert response.status_code == 413
    assert stored_count(tmp_path) == 0
