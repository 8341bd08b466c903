"""Driving the SMART timeline app as an EHR and a browser would, with plain httpx."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import httpx

from cds_service.fhir.dev_smart_server import launch_value
from tests.live_server import LiveServer
from tests.scenario_files import scenario

PATIENT_VIEW = "myositis-refractory-patient-view"


@dataclass(frozen=True)
class SmartLink:
    url: str
    app_context: str
    patient_id: str


def smart_link_of_a_card(server: LiveServer, name: str = "statin-and-hmgcr") -> SmartLink:
    """A real patient-view card's ``smart`` link (the request as served for today)."""
    body = httpx.get(f"{server.base_url}/fixtures/{name}/request").json()
    response = httpx.post(f"{server.base_url}/cds-services/{PATIENT_VIEW}", json=body)
    assert response.status_code == 200, response.text
    card = response.json()["cards"][0]
    smart = next(link for link in card["links"] if link["type"] == "smart")
    return SmartLink(smart["url"], smart["appContext"], body["context"]["patientId"])


def ehr_launch_url(server: LiveServer, link: SmartLink, patient_id: str | None = None) -> str:
    """What the EHR opens for a smart link: ``url?iss=...&launch=...`` (the launch names the
    patient in context and carries the card's appContext, as this dev server reads it)."""
    launch = launch_value(patient_id or link.patient_id, link.app_context)
    query = httpx.QueryParams({"iss": f"{server.base_url}/fhir", "launch": launch})
    return f"{link.url}?{query}"


@dataclass
class Browser:
    """Follows redirects one by one, recording them, and keeps cookies as a browser does on
    a loopback address (where ``Secure`` cookies are kept: it counts as a secure context;
    Python's cookie jar would drop them over http, so they are kept here by hand)."""

    client: httpx.Client
    visited: list[str]
    cookies: dict[str, str]
    set_cookie_headers: list[str]

    @classmethod
    def open(cls) -> Browser:
        return cls(httpx.Client(timeout=30.0, follow_redirects=False), [], {}, [])

    def go(self, url: str, limit: int = 6) -> httpx.Response:
        """GET ``url`` and follow at most ``limit - 1`` redirects; the last response."""
        for step in range(limit):
            self.visited.append(url)
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            response = self.client.get(url, headers={"Cookie": cookie} if cookie else {})
            self._keep(response)
            if response.status_code not in (302, 303) or step == limit - 1:
                return response
            url = str(response.url.join(response.headers["location"]))
        raise AssertionError("limit must be positive")

    def _keep(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            self.set_cookie_headers.append(header)
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        self.client.close()


def request_of(name: str) -> dict[str, Any]:
    return copy.deepcopy(scenario(name).request)
