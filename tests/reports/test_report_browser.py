"""The feedback report page in a real headless Chromium, after a scripted session.

The database first gets six weeks of history through the service's own stores (the ledger and
the feedback store): weeks under the previous version of the statin rule (1.0.0, as the
previous release issued them), then weeks under the current one. Then the live session: real
calls on the fixture scenario and feedback of each kind through the HTTP API. The page is
dumped (``--dump-dom``) and photographed (``--screenshot``, kept in tests/output/ for a person
to look at); the pixels show the rate lines and the version marker were painted.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cds_service.cdshooks.card_ledger import CardLedger, IssuedCard
from cds_service.cdshooks.feedback_report.chart_svg import (
    ACCEPT_COLOUR,
    MARKER_COLOUR,
    OVERRIDE_COLOUR,
)
from cds_service.cdshooks.feedback_store import FeedbackRecord, FeedbackStore
from cds_service.engine.rules import statin_and_hmgcr
from cds_service.storage import make_engine
from tests.feedback_session import NEVER_ISSUED, accepted, call, of_finding, overridden, send
from tests.live_server import live_server
from tests.timeline.png import near, pixels

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUT = Path(__file__).resolve().parent.parent / "output"
CHROMIUM = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
        if (found := shutil.which(name))
    ),
    None,
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
if CHROMIUM is None:
    pytest.skip(
        "no Chromium binary on PATH (apt-get install chromium; .ci/run installs it)",
        allow_module_level=True,
    )
PREVIOUS_VERSION = "1.0.0"
# (weeks ago, rule version, accepted, overridden, no feedback) of statin-and-hmgcr cards.
HISTORY = (
    (6, PREVIOUS_VERSION, 5, 11, 4),
    (5, PREVIOUS_VERSION, 6, 10, 5),
    (4, PREVIOUS_VERSION, 5, 12, 5),
    (3, statin_and_hmgcr.RULE_VERSION, 12, 5, 5),
    (2, statin_and_hmgcr.RULE_VERSION, 13, 5, 0),
    (1, statin_and_hmgcr.RULE_VERSION, 14, 5, 5),
)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(  # noqa: S603 - our own arguments
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def seed_history(database: str, stop_label: str) -> None:
    engine = make_engine(database)
    ledger, store = CardLedger(engine, retention_days=400), FeedbackStore(engine)
    now = datetime.now(UTC)
    for weeks_ago, version, n_accepted, n_overridden, n_silent in HISTORY:
        issued_at = now - timedelta(weeks=weeks_ago)
        cards = []
        for _ in range(n_accepted + n_overridden + n_silent):
            cards.append(
                IssuedCard(
                    service_id="myositis-refractory-patient-view",
                    card_uuid=str(uuid.uuid4()),
                    hook="patient-view",
                    hook_instance=str(uuid.uuid4()),
                    finding_code="statin-and-hmgcr",
                    indicator="warning",
                    rule_id=statin_and_hmgcr.RULE_ID,
                    rule_version=version,
                    suggestion_uuids=(str(uuid.uuid4()),),
                    suggestion_labels=(stop_label,),
                    issued_at=issued_at,
                    patient_key=None,
                )
            )
        ledger.record(cards)
        when = issued_at.isoformat()
        store.store(
            [
                FeedbackRecord(c.service_id, c.card_uuid, "accepted", when, c.suggestion_uuids)
                for c in cards[:n_accepted]
            ]
            + [
                FeedbackRecord(
                    c.service_id,
                    c.card_uuid,
                    "overridden",
                    when,
                    override_reason={"reason": {"code": "data-outdated"}},
                )
                for c in cards[n_accepted : n_accepted + n_overridden]
            ]
        )
    engine.dispose()


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = f"sqlite:///{tmp_path_factory.mktemp('report-browser') / 'feedback.sqlite3'}"
    with live_server(database_url=database) as server:
        answers = call(server.base_url, "statin-and-hmgcr", 15)
        statin = of_finding(answers, "statin-and-hmgcr")
        escalate = of_finding(answers, "escalate-second-line")
        seed_history(database, statin[0]["suggestions"][0]["label"])
        send(
            server.base_url,
            [accepted(card) for card in statin[:8]]
            + [overridden(card, "data-outdated", "repeat CK first") for card in statin[8:13]]
            + [accepted(card, suggestion=1) for card in escalate[:5]]
            + [overridden(card, "already-addressed") for card in escalate[5:7]]
            + [overridden({"uuid": NEVER_ISSUED}, "reviewed-not-applicable")],
        )
        yield f"{server.base_url}/reports/feedback"


def test_the_browser_builds_the_report(report_url: str, tmp_path: Path) -> None:
    result = chromium(tmp_path / "profile", "--dump-dom", report_url)
    dom = result.stdout
    assert '<table id="report">' in dom, result.stderr[-2000:]
    for marker in (
        f'data-finding="statin-and-hmgcr" data-version="{PREVIOUS_VERSION}"',
        f'data-finding="statin-and-hmgcr" data-version="{statin_and_hmgcr.RULE_VERSION}"',
        'data-finding="escalate-second-line"',
        'class="version-marker"',
        f"rule {statin_and_hmgcr.RULE_VERSION}",
        'class="acceptance-line"',
        'class="override-line"',
        "Unmatched feedback, left out of every rate: 1",
    ):
        assert marker in dom, marker
    assert "repeat CK first" not in dom


def test_the_screenshot_shows_the_rates_and_the_version_marker(
    report_url: str, tmp_path: Path
) -> None:
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "feedback-report.png"
    shot.unlink(missing_ok=True)
    result = chromium(
        tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1250", report_url
    )
    assert shot.exists(), result.stderr[-2000:]
    width, height, counts = pixels(shot)
    assert (width, height) == (1200, 1250)
    painted = {
        "acceptance line and points": near(counts, ACCEPT_COLOUR, 4),
        "override line and points": near(counts, OVERRIDE_COLOUR, 4),
        "rule version marker": near(counts, MARKER_COLOUR, 4),
    }
    assert all(count >= 25 for count in painted.values()), painted
