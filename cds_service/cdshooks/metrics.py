"""Prometheus metrics of the service (served at ``GET /metrics``).

Labels hold only bounded, non-patient values: route templates (``/timeline/{ref}``, never the
raw path), service ids, finding codes, card indicators, FHIR resource types and outcome
words. No patient id, FHIR URL, token or free text is ever a label.

Several worker processes: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory writable by
the service before it starts (prometheus-client's multiprocess mode); ``/metrics`` then sums
the workers. Without it each worker counts for itself and a scrape sees one worker.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CALLS_IN_PROGRESS",
    "CALLS_REFUSED",
    "CARDS",
    "FEEDBACK",
    "FEEDBACK_UNMATCHED",
    "FHIR_FETCHES",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "LEDGER_FAILURES",
    "TIMELINE_VIEWS",
    "count_cards",
]

HTTP_REQUESTS = Counter(
    "cds_http_requests_total",
    "HTTP requests answered, by method, route template and status code",
    ("method", "route", "status"),
)
HTTP_LATENCY = Histogram(
    "cds_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template",
    ("method", "route"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CARDS = Counter(
    "cds_cards_total",
    "Cards returned, by service, finding code and indicator",
    ("service", "finding", "indicator"),
)
FHIR_FETCHES = Counter(
    "cds_fhir_fetches_total",
    "Prefetch keys fetched from a FHIR server, by resource type and outcome (ok, error, timeout)",
    ("resource_type", "outcome"),
)
FEEDBACK = Counter(
    "cds_feedback_total",
    "Feedback items received, by service and outcome (accepted, overridden)",
    ("service", "outcome"),
)
FEEDBACK_UNMATCHED = Counter(
    "cds_feedback_unmatched_total",
    "Feedback items stored apart, left out of every rate, by service and reason "
    "(unknown-card: never issued or no longer retained; unknown-suggestion)",
    ("service", "reason"),
)
LEDGER_FAILURES = Counter(
    "cds_card_ledger_failures_total",
    "Calls whose issued cards could not be written to the ledger (the cards were returned)",
    ("service",),
)
TIMELINE_VIEWS = Counter(
    "cds_timeline_views_total",
    "Timeline pages asked for, by outcome (shown, invalid-link, data-unavailable, refused)",
    ("outcome",),
)

CALLS_REFUSED = Counter(
    "cds_calls_refused_total",
    "CDS service calls refused with 503 because the worker had too many in progress",
    ("service",),
)
CALLS_IN_PROGRESS = Gauge(
    "cds_calls_in_progress",
    "CDS service calls in progress (summed over workers in multiprocess mode)",
    multiprocess_mode="livesum",
)


def count_cards(service_id: str, cards: list[dict[str, object]]) -> None:
    for card in cards:
        source = card.get("source")
        topic = source.get("topic") if isinstance(source, dict) else None
        code = topic.get("code") if isinstance(topic, dict) else None
        CARDS.labels(service_id, str(code or "none"), str(card.get("indicator", ""))).inc()
