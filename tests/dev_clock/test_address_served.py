"""``CDS_PUBLIC_BASE_URL`` defaults to the address served: links and the ready-made requests'
``fhirServer`` name the port the service runs on (``CDS_PORT=8811 make run``)."""

from __future__ import annotations

from pathlib import Path

from cds_service.settings import Settings
from tests.app_client import app_client


def dev(**values: object) -> Settings:
    return Settings.model_validate({"env": "dev", "auth_required": False, **values})


def test_the_default_base_url_is_the_address_served() -> None:
    assert dev(port=8811).public_base_url == "http://127.0.0.1:8811"
    assert dev(host="0.0.0.0", port=9000).public_base_url == "http://127.0.0.1:9000"  # noqa: S104
    assert dev(port=8811, public_base_url="https://cds.example.org").public_base_url == (
        "https://cds.example.org"
    )


def test_links_and_fhir_server_name_the_port_served(tmp_path: Path) -> None:
    with app_client(tmp_path, port=8811) as client:
        body = client.get("/fixtures/statin-and-hmgcr/request").json()
        assert body["fhirServer"] == "http://127.0.0.1:8811/fhir"
        response = client.post("/cds-services/myositis-refractory-patient-view", json=body)
        links = [link["url"] for card in response.json()["cards"] for link in card["links"]]
    assert links and all(url.startswith("http://127.0.0.1:8811/") for url in links)
