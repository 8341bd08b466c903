"""Every card a service returns is in the ledger, under a pseudonym; a broken ledger never
costs the clinician the cards."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from pathlib import Path

from sqlalchemy import select

from cds_service.storage import make_engine
from cds_service.storage.schema import issued_cards_table
from tests.app_client import app_client
from tests.scenario_files import scenario

KEY_HEX = "5a" * 32
URL = "/cds-services/myositis-refractory-patient-view"


def test_each_card_returned_is_recorded_with_a_pseudonymous_patient_key(tmp_path: Path) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["hookInstance"] = str(uuid.uuid4())
    with app_client(tmp_path, ledger_key=KEY_HEX) as client:
        cards = client.post(URL, json=body).json()["cards"]
        again = client.post(URL, json=body).json()["cards"]  # the same hookInstance
    assert [c["uuid"] for c in again] == [c["uuid"] for c in cards]
    engine = make_engine(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")
    with engine.connect() as connection:
        rows = connection.execute(select(issued_cards_table)).mappings().all()
    engine.dispose()
    assert sorted(r["card_uuid"] for r in rows) == sorted(c["uuid"] for c in cards)
    patient = body["context"]["patientId"]
    expected_key = hmac.new(bytes.fromhex(KEY_HEX), patient.encode(), hashlib.sha256).hexdigest()
    for row in rows:
        card = next(c for c in cards if c["uuid"] == row["card_uuid"])
        assert row["finding_code"] == card["source"]["topic"]["code"]
        assert row["indicator"] == card["indicator"]
        assert json.loads(row["suggestion_uuids"]) == [
            s["uuid"] for s in card.get("suggestions", [])
        ]
        assert row["hook_instance"] == body["hookInstance"] and row["hook"] == "patient-view"
        assert row["rule_id"] and row["rule_version"]
        assert row["patient_key"] == expected_key
        assert patient not in json.dumps({k: str(v) for k, v in row.items()})


def test_cards_are_returned_when_the_ledger_cannot_be_written(tmp_path: Path) -> None:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    with app_client(tmp_path) as client:
        engine = make_engine(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE issued_cards")
        engine.dispose()
        answer = client.post(URL, json=body)
        metrics = client.get("/metrics").text
    assert answer.status_code == 200 and answer.json()["cards"]
    assert 'cds_card_ledger_failures_total{service="myositis-refractory-patient-view"}' in metrics
