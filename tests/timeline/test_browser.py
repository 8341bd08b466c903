"""The timeline in a real headless Chromium, opened from the link of a real card.

The browser loads the page from a live server, its DOM is dumped (``--dump-dom``) and a
screenshot is taken (``--screenshot``, kept in tests/output/ for a person to look at); the
screenshot's pixels show that the series, markers and bars were actually painted.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer, live_server
from tests.scenario_files import scenario
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
    "--disable-quic",
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


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(  # noqa: S603 - our own arguments
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.fixture(scope="module")
def timeline_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser") / "feedback.sqlite3"
    with live_server(database_url=f"sqlite:///{db}") as server:
        yield card_link(server)


def card_link(server: LiveServer) -> str:
    body = copy.deepcopy(scenario("statin-and-hmgcr").request)
    body["fhirServer"] = f"{server.base_url}/fhir"
    response = httpx.post(
        f"{server.base_url}/cds-services/myositis-refractory-patient-view", json=body
    )
    assert response.status_code == 200, response.text
    card = next(c for c in response.json()["cards"] if c["indicator"] == "critical")
    url: str = card["links"][0]["url"]
    return url


def test_the_browser_builds_the_pages_dom(timeline_url: str, tmp_path: Path) -> None:
    result = chromium(tmp_path / "profile", "--dump-dom", timeline_url)
    dom = result.stdout
    assert "<svg" in dom, result.stderr[-2000:]
    assert "<title>Disease course</title>" in dom
    for marker in (
        'data-series="ck"',
        'data-series="ldh"',
        'data-series="mmt8-80"',
        'data-uln="1"',
        'data-mri="edema"',
        'data-mri="fatty-replacement"',
        'data-drug-class="statin"',
        'data-drug-class="glucocorticoid"',
        'data-finding="statin-and-hmgcr"',
        'data-finding="escalate-second-line"',
    ):
        assert marker in dom, marker


def test_the_screenshot_shows_the_series_drawn(timeline_url: str, tmp_path: Path) -> None:
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "timeline-statin-and-hmgcr.png"
    shot.unlink(missing_ok=True)
    result = chromium(
        tmp_path / "profile", f"--screenshot={shot}", "--window-size=1100,950", timeline_url
    )
    assert shot.exists(), result.stderr[-2000:]
    width, height, counts = pixels(shot)
    assert (width, height) == (1100, 950)
    assert len(counts) > 50  # not a blank or error page
    painted = {
        "CK points and line": near(counts, "#c0392b", 4),
        "LDH point": near(counts, "#1f618d", 4),
        "MMT-8 points and line": near(counts, "#117a65", 4),
        "MRI edema marker": near(counts, "#cb4335", 4),
        "statin bar": near(counts, "#7f8c8d", 4),
        "glucocorticoid bar": near(counts, "#e67e22", 4),
        "antimetabolite bar": near(counts, "#2874a6", 4),
    }
    assert all(count >= 25 for count in painted.values()), painted


@pytest.fixture(scope="module")
def order_statin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("browser-order") / "feedback.sqlite3"
    with live_server(database_url=f"sqlite:///{db}") as server:
        body = copy.deepcopy(scenario("order-statin-with-hmgcr-order-select").request)
        body["fhirServer"] = f"{server.base_url}/fhir"
        response = httpx.post(f"{server.base_url}/cds-services/myositis-order-select", json=body)
        assert response.status_code == 200, response.text
        (card,) = response.json()["cards"]
        yield str(card["links"][0]["url"])


def test_the_statin_order_page_paints_the_antibody_and_the_draft_statin_ringed(
    order_statin_url: str, tmp_path: Path
) -> None:
    dom = chromium(tmp_path / "profile", "--dump-dom", order_statin_url).stdout
    assert 'data-antibody="hmgcr" data-status="positive"' in dom
    assert 'data-draft="true" data-drug-class="statin"' in dom
    assert dom.count('class="cited"') == 2  # the card cites the antibody and the draft
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "timeline-order-statin-with-hmgcr.png"
    shot.unlink(missing_ok=True)
    result = chromium(
        tmp_path / "profile", f"--screenshot={shot}", "--window-size=1100,950", order_statin_url
    )
    assert shot.exists(), result.stderr[-2000:]
    _, _, counts = pixels(shot)
    painted = {
        # the patient has no statin: this grey is the draft bar's dashed outline alone
        "draft statin outline": near(counts, "#7f8c8d", 4),
        "draft statin's pale fill (25 % over white)": near(counts, "#dfe2e2", 3),
        "positive antibody mark and finding labels": near(counts, "#922b21", 4),
        "methotrexate bar": near(counts, "#2874a6", 4),
    }
    assert all(count >= 25 for count in painted.values()), painted
