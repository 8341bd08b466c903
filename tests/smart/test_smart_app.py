"""The SMART timeline app against the embedded SMART server (tokens required), end to end
over real sockets: a card's smart link, the EHR launch, the authorization, the callback, the
page; and each refusal, which shows no patient data.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from cds_service.api.routes.smart import COOKIE
from tests.live_server import LiveServer, live_server
from tests.scenario_files import scenario
from tests.smart.flow import Browser, SmartLink, ehr_launch_url, smart_link_of_a_card

OTHER_PATIENT = scenario("suspect-ibm").request["context"]["patientId"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("smart")
    with live_server(
        database_url=f"sqlite:///{folder / 'f.sqlite3'}",
        var_dir=folder,
        dev_fhir_require_tokens=True,
    ) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Browser]:
    opened = Browser.open()
    yield opened
    opened.close()


@pytest.fixture
def link(server: LiveServer) -> SmartLink:
    return smart_link_of_a_card(server)


def test_the_card_carries_a_smart_link_to_the_app(server: LiveServer, link: SmartLink) -> None:
    assert link.url == f"{server.base_url}/smart/launch"
    assert link.app_context and link.patient_id not in link.app_context


def test_ehr_launch_authorizes_and_draws_the_timeline(
    server: LiveServer, link: SmartLink, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    page = browser.go(ehr_launch_url(server, link))
    assert page.status_code == 200, page.text
    assert '<main id="timeline">' in page.text
    assert 'data-series="ck"' in page.text and 'class="cited"' in page.text
    assert 'data-finding="statin-and-hmgcr"' in page.text
    _launch, authorize, callback = browser.visited
    assert urlsplit(authorize).path == "/fhir/auth/authorize"
    request = parse_qs(urlsplit(authorize).query)
    assert request["code_challenge_method"] == ["S256"]
    assert request["aud"] == [f"{server.base_url}/fhir"]
    assert "launch" in request["scope"][0].split()
    assert len(request["state"][0]) >= 32
    assert urlsplit(callback).path == "/smart/callback"
    session_cookie = next(h for h in browser.set_cookie_headers if h.startswith(f"{COOKIE}="))
    attributes = {part.strip().lower() for part in session_cookie.split(";")}
    assert {"httponly", "secure", "samesite=lax", "path=/smart"} <= attributes
    assert COOKIE not in browser.cookies  # cleared after the callback
    # The token: never in a URL, on the page, or in a log line.
    code = parse_qs(urlsplit(callback).query)["code"][0]
    for text in [*browser.visited, page.text, *(r.getMessage() for r in caplog.records)]:
        assert "access_token" not in text and "Bearer" not in text
    assert code not in page.text
    assert not any(code in r.getMessage() for r in caplog.records)


def test_a_replayed_callback_is_refused(
    server: LiveServer, link: SmartLink, browser: Browser
) -> None:
    browser.go(ehr_launch_url(server, link))
    callback = browser.visited[-1]
    again = browser.go(callback)
    assert again.status_code == 400
    assert "Sign-in expired" in again.text and "data-series" not in again.text


def refused(page: httpx.Response, status: int, title: str) -> None:
    assert page.status_code == status, page.text
    assert f"<h1>{title}</h1>" in page.text
    assert '<main id="message">' in page.text
    assert "data-series" not in page.text and "syn-" not in page.text


def test_a_wrong_state_is_refused(server: LiveServer, link: SmartLink, browser: Browser) -> None:
    first = browser.go(ehr_launch_url(server, link), limit=1)  # stop before authorizing
    assert first.status_code == 302
    authorize = first.headers["location"]
    answer = httpx.get(authorize)
    callback = answer.headers["location"].replace("state=", "state=tampered")
    refused(browser.go(callback), 400, "Sign-in not accepted")


def test_an_iss_no_trusted_client_lists_is_refused(
    server: LiveServer, link: SmartLink, browser: Browser
) -> None:
    query = httpx.QueryParams({"iss": "https://ehr.example.org/fhir", "launch": "x"})
    page = browser.go(f"{link.url}?{query}")
    refused(page, 403, "Not a trusted FHIR server")
    assert COOKIE not in browser.cookies


def test_a_token_for_another_patient_than_the_links_is_refused(
    server: LiveServer, link: SmartLink, browser: Browser
) -> None:
    page = browser.go(ehr_launch_url(server, link, patient_id=OTHER_PATIENT))
    refused(page, 403, "Different patient")


def test_an_expired_session_is_refused(
    server: LiveServer, link: SmartLink, browser: Browser
) -> None:
    assert server.app is not None
    sessions = server.app.state.service.smart.sessions
    first = browser.go(ehr_launch_url(server, link), limit=1)
    callback = httpx.get(first.headers["location"]).headers["location"]
    real_clock = sessions._clock
    sessions._clock = lambda: real_clock() + 3600  # an hour later
    try:
        page = browser.go(callback)
    finally:
        sessions._clock = real_clock
    refused(page, 400, "Sign-in expired")


def test_a_callback_without_a_session_is_refused(server: LiveServer) -> None:
    page = httpx.get(f"{server.base_url}/smart/callback", params={"code": "c", "state": "s"})
    refused(page, 400, "Sign-in expired")


def test_with_tokens_required_the_absolute_link_goes_through_the_authorization(
    server: LiveServer, browser: Browser
) -> None:
    body = httpx.get(f"{server.base_url}/fixtures/statin-and-hmgcr/request").json()
    card = httpx.post(
        f"{server.base_url}/cds-services/myositis-refractory-patient-view", json=body
    ).json()["cards"][0]
    absolute = next(link["url"] for link in card["links"] if link["type"] == "absolute")
    page = browser.go(absolute)
    assert page.status_code == 200, page.text
    assert 'data-series="ck"' in page.text
    paths = [urlsplit(url).path for url in browser.visited]
    assert paths[1:] == [
        paths[1],  # /smart/standalone/{ref}
        "/fhir/auth/authorize",
        "/smart/callback",
    ]
    assert paths[1].startswith("/smart/standalone/")
    authorize = parse_qs(urlsplit(browser.visited[2]).query)
    assert "launch/patient" in authorize["scope"][0].split()


def test_an_expired_link_offers_a_fresh_launch_that_works(
    server: LiveServer, browser: Browser
) -> None:
    assert server.app is not None
    links = server.app.state.service.links
    body = httpx.get(f"{server.base_url}/fixtures/statin-and-hmgcr/request").json()
    card = httpx.post(
        f"{server.base_url}/cds-services/myositis-refractory-patient-view", json=body
    ).json()["cards"][0]
    absolute = next(link["url"] for link in card["links"] if link["type"] == "absolute")
    real_clock = links._clock
    links._clock = lambda: real_clock() + 7200  # two hours later, for the whole launch
    try:
        expired = browser.go(absolute)
        assert expired.status_code == 410
        action = re.search(r'<a id="action" href="([^"]+)"', expired.text)
        assert action is not None
        page = browser.go(f"{server.base_url}{action.group(1)}")
    finally:
        links._clock = real_clock
    assert page.status_code == 200, page.text
    assert 'data-series="ck"' in page.text


def test_a_launch_without_its_parameters_is_refused(server: LiveServer) -> None:
    refused(httpx.get(f"{server.base_url}/smart/launch"), 400, "Launch incomplete")


def test_a_card_for_another_fhir_server_is_refused(server: LiveServer, browser: Browser) -> None:
    assert server.app is not None
    made = server.app.state.service.links.make(
        patient_id=scenario("statin-and-hmgcr").request["context"]["patientId"],
        fhir_server="http://127.0.0.1:9/fhir",  # not the server the EHR launch names
        finding_codes=["statin-and-hmgcr"],
        evaluated_on=date(2026, 11, 15),
    )
    assert made is not None
    link = SmartLink(
        f"{server.base_url}/smart/launch",
        made.ref,
        scenario("statin-and-hmgcr").request["context"]["patientId"],
    )
    refused(browser.go(ehr_launch_url(server, link)), 403, "Different record")
