"""End to end: real calls and feedback of each kind through the HTTP API of a served app, then
the report, as JSON from the CLI and as the page, gives the exact counts. Feedback naming a card
never issued, or a suggestion the card did not carry, is counted as unmatched (in the report and
in /metrics) and changes no rate."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from cds_service.cdshooks.feedback_report import wilson_interval
from cds_service.cli import app as cli_app
from cds_service.engine.rules import escalate_second_line, statin_and_hmgcr
from tests.feedback_session import (
    NEVER_ISSUED,
    accepted,
    call,
    of_finding,
    overridden,
    send,
)
from tests.live_server import LiveServer, live_server

CALLS = 15
JKU = "https://ehr.example.org/jwks"
UNMATCHED_METRIC = re.compile(
    r'cds_feedback_unmatched_total\{reason="([\w-]+)",'
    r'service="myositis-refractory-patient-view"\} (\S+)'
)
STATIN = "statin-and-hmgcr"
ESCALATE = "escalate-second-line"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str, Any]]:
    database = f"sqlite:///{tmp_path_factory.mktemp('report') / 'feedback.sqlite3'}"
    with live_server(database_url=database) as server:
        answers = call(server.base_url, "statin-and-hmgcr", CALLS)
        yield server, database, answers


def report_json(database: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli_app, ["feedback", "report", "--json"], env={"CDS_DATABASE_URL": database}
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def unmatched_metric(server: LiveServer) -> dict[str, float]:
    text = httpx.get(f"{server.base_url}/metrics").text
    found = UNMATCHED_METRIC.findall(text)
    return {reason: float(value) for reason, value in found}


def rate(successes: int, trials: int) -> dict[str, Any]:
    low, high = wilson_interval(successes, trials)
    return {"rate": round(successes / trials, 4), "ci95": [round(low, 4), round(high, 4)]}


def test_the_report_counts_every_kind_of_feedback_exactly(
    session: tuple[LiveServer, str, Any],
) -> None:
    server, database, answers = session
    statin, escalate = of_finding(answers, STATIN), of_finding(answers, ESCALATE)
    assert len({card["uuid"] for card in statin}) == CALLS  # a new uuid per call

    first = send(
        server.base_url,
        [accepted(card) for card in statin[:5]]
        + [overridden(card, "data-outdated", "CK repeated today") for card in statin[5:10]]
        + [accepted(card, suggestion=1) for card in escalate[:6]]
        + [overridden(card, "already-addressed") for card in escalate[6:8]],
    )
    assert first == {"stored": 18, "duplicates": 0}
    assert send(server.base_url, [accepted(statin[0])]) == {"stored": 0, "duplicates": 1}
    # A later decision on the same card replaces the earlier one: accepted, then overridden.
    late = overridden(statin[4], "patient-preference")
    late["outcomeTimestamp"] = "2026-11-16T11:00:00Z"
    assert send(server.base_url, [late])["stored"] == 1
    before_unmatched = report_json(database)
    metric_before = unmatched_metric(server)

    stray = accepted(escalate[14])
    stray["acceptedSuggestions"] = [{"id": statin[0]["suggestions"][0]["uuid"]}]  # not its own
    unknown = overridden({"uuid": NEVER_ISSUED}, "reviewed-not-applicable")
    assert send(server.base_url, [stray, unknown]) == {"stored": 2, "duplicates": 0}

    document = report_json(database)
    assert document["rows"] == before_unmatched["rows"]  # unmatched feedback changes no rate
    assert document["unmatchedFeedback"] == {"unknown-card": 1, "unknown-suggestion": 1}
    metric_after = unmatched_metric(server)
    assert metric_after.get("unknown-card", 0) - metric_before.get("unknown-card", 0) == 1
    assert (
        metric_after.get("unknown-suggestion", 0) - metric_before.get("unknown-suggestion", 0) == 1
    )

    rows = {row["findingCode"]: row for row in document["rows"]}
    assert set(rows) == {STATIN, ESCALATE}
    stop_label = statin[0]["suggestions"][0]["label"]
    assert rows[STATIN] == {
        "findingCode": STATIN,
        "ruleVersion": statin_and_hmgcr.RULE_VERSION,
        "ruleIds": [statin_and_hmgcr.RULE_ID],
        "shown": 15,
        "accepted": "<5",  # 5 accepted, then one of them overridden later: 4
        "acceptedBySuggestion": {stop_label: "<5"},
        "overridden": 6,
        "overriddenByReason": {"data-outdated": 5, "patient-preference": "<5"},
        "comments": 5,
        "noFeedback": 5,
        "acceptanceRate": "<5",
        "overrideRate": rate(6, 15),
    }
    second_label = escalate[0]["suggestions"][1]["label"]
    assert rows[ESCALATE] == {
        "findingCode": ESCALATE,
        "ruleVersion": escalate_second_line.RULE_VERSION,
        "ruleIds": [escalate_second_line.RULE_ID],
        "shown": 15,
        "accepted": 6,
        "acceptedBySuggestion": {second_label: 6},
        "overridden": "<5",
        "overriddenByReason": {"already-addressed": "<5"},
        "comments": 0,
        "noFeedback": 7,
        "acceptanceRate": rate(6, 15),
        "overrideRate": "<5",
    }
    assert document["ruleVersionChanges"] == {}
    (week,) = document["weekly"][ESCALATE]
    assert week["shown"] == 15 and week["acceptanceRate"] == rate(6, 15)

    page = httpx.get(f"{server.base_url}/reports/feedback")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    cells = page_cells(page.text)
    assert cells[STATIN] == {
        "shown": "15",
        "accepted": "<5",
        "overridden": "6",
        "comments": "5",
        "no-feedback": "5",
    }
    assert cells[ESCALATE] == {
        "shown": "15",
        "accepted": "6",
        "overridden": "<5",
        "comments": "0",
        "no-feedback": "7",
    }
    assert "Unmatched feedback, left out of every rate: 2" in page.text
    assert "CK repeated today" not in page.text  # comments are counted, never shown
    assert 'class="version-marker"' not in page.text
    json_page = httpx.get(f"{server.base_url}/reports/feedback", params={"format": "json"})
    assert json_page.json()["rows"] == document["rows"]


def page_cells(html: str) -> dict[str, dict[str, str]]:
    """The first number of each counting cell of the page's table, by finding code."""
    rows = re.findall(r'<tr data-finding="([\w-]+)" data-version="[^"]+">(.*?)</tr>', html)
    cells = {}
    for code, row in rows:
        found = re.findall(r'<td class="n ([\w-]+)">([^<]*)', row)
        cells[code] = {name: value.replace("&lt;", "<") for name, value in found}
    return cells


def test_the_report_is_limited_to_its_period_and_checks_its_dates(
    session: tuple[LiveServer, str, Any],
) -> None:
    server, database, _answers = session
    result = CliRunner().invoke(
        cli_app,
        ["feedback", "report", "--json", "--since", "2020-01-01", "--until", "2020-12-31"],
        env={"CDS_DATABASE_URL": database},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == []
    bad = CliRunner().invoke(
        cli_app, ["feedback", "report", "--since", "yesterday"], env={"CDS_DATABASE_URL": database}
    )
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    reversed_ = httpx.get(
        f"{server.base_url}/reports/feedback",
        params={"since": "2026-12-01", "until": "2026-11-01"},
    )
    assert reversed_.status_code == 400
    assert reversed_.json()["resourceType"] == "OperationOutcome"
    assert httpx.get(f"{server.base_url}/reports/feedback?since=x").status_code == 422
    text = CliRunner().invoke(cli_app, ["feedback", "report"], env={"CDS_DATABASE_URL": database})
    assert text.exit_code == 0 and "statin-and-hmgcr" in text.stdout


def test_the_page_needs_the_operations_token_in_production(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from cds_service.app import create_app
    from tests.app_client import migrated, settings_for_tests

    clients = tmp_path / "clients.json"
    clients.write_text(json.dumps({"clients": [{"iss": "https://ehr.example.org", "jku": [JKU]}]}))
    common = {
        "env": "prod",
        "auth_required": True,
        "trusted_clients": str(clients),
        "public_base_url": "https://cds.example.org",
        "today": None,
    }
    closed = create_app(migrated(settings_for_tests(tmp_path, **common)))
    with TestClient(closed) as client:
        assert client.get("/reports/feedback").status_code == 403
    token = "a-long-operations-token"
    guarded = create_app(settings_for_tests(tmp_path, operations_token=token, **common))
    with TestClient(guarded) as client:
        assert client.get("/reports/feedback").status_code == 401
        assert (
            client.get("/reports/feedback", headers={"Authorization": "Bearer nope"}).status_code
            == 401
        )
        ok = client.get("/reports/feedback", headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and "No card was issued" in ok.text
