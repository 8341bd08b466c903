"""Structured JSON logs, one line per CDS call, with no patient data (issue 6, 8).

Allowed in a log line: service id, hookInstance, finding codes, counts, latency, status,
and the names of failed checks. Never: bodies, prefetch, names, identifiers, tokens, URLs.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(level: str = "INFO") -> None:
    """Process-wide logging for the server: JSON lines on stdout (called once at start-up)."""
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper(), force=True)
    configure_structlog(level)


def configure_structlog(level: str = "INFO") -> None:
    """structlog renders JSON through the standard library's logging; chatty loggers muted."""
    # uvicorn's access log prints request paths and client addresses: replaced by our call log.
    logging.getLogger("uvicorn.access").disabled = True
    # httpx and httpcore log every request URL (FHIR server, patient id in the query) at INFO.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )


def get_logger() -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger("cds_service")
    return logger
