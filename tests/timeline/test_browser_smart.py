"""The SMART launch in a real headless Chromium, against the embedded SMART server set to
require tokens, on the real clock: from a real patient-view card's ``smart`` link, through
the EHR launch, the authorization and the callback, to a drawn timeline.

Chromium follows the redirects itself and keeps the session cookie (``Secure`` cookies are
kept on a loopback address). The screenshot is kept in tests/output/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import LiveServer, live_server
from tests.smart.flow import ehr_launch_url, smart_link_of_a_card
from tests.timeline.png import near, pixels
from tests.timeline.test_browser import OUTPUT, chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("smart-browser")
    with live_server(
        today=None,  # the real clock: the fixtures are served moved to today
        database_url=f"sqlite:///{folder / 'f.sqlite3'}",
        var_dir=folder,
        dev_fhir_require_tokens=True,
    ) as running:
        yield running


@pytest.fixture(scope="module")
def launch_url(server: LiveServer) -> str:
    return ehr_launch_url(server, smart_link_of_a_card(server))


def test_the_endpoint_really_requires_a_token(server: LiveServer) -> None:
    patient = httpx.get(f"{server.base_url}/fixtures/statin-and-hmgcr/request").json()
    read = httpx.get(f"{server.base_url}/fhir/Patient/{patient['context']['patientId']}")
    assert read.status_code == 401


def test_launch_authorize_callback_then_the_timeline_is_drawn(
    launch_url: str, tmp_path: Path
) -> None:
    result = chromium(tmp_path / "profile", "--dump-dom", launch_url)
    dom = result.stdout
    assert '<main id="timeline">' in dom, (dom[-1500:], result.stderr[-1500:])
    for marker in (
        'data-series="ck"',
        'data-mri="edema"',
        'data-drug-class="statin"',
        'data-finding="statin-and-hmgcr"',
        'class="cited"',
    ):
        assert marker in dom, marker
    assert "Read with your own authorization" in dom


def test_the_screenshot_of_the_timeline_reached_through_the_smart_launch(
    launch_url: str, tmp_path: Path
) -> None:
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "timeline-smart-launch.png"
    shot.unlink(missing_ok=True)
    result = chromium(
        tmp_path / "profile", f"--screenshot={shot}", "--window-size=1100,950", launch_url
    )
    assert shot.exists(), result.stderr[-2000:]
    width, height, counts = pixels(shot)
    assert (width, height) == (1100, 950)
    painted = {
        "CK points and line": near(counts, "#c0392b", 4),
        "MMT-8 points and line": near(counts, "#117a65", 4),
        "statin bar": near(counts, "#7f8c8d", 4),
    }
    assert all(count >= 25 for count in painted.values()), painted
