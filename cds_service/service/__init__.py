"""The service object: everything a running CDS service holds, assembled once.

``build_service(settings)`` is the one composition root; every face of the service (the HTTP
app in ``cds_service.app``, the command line in ``cds_service.cli``) is a thin adapter over
the ``CdsService`` it returns. See docs/architecture.md "The service object".
"""

from cds_service.service.build import build_service, load_thresholds
from cds_service.service.core import (
    CdsService,
    Course,
    CourseUnavailable,
    NotReady,
    ReportUnavailable,
)
from cds_service.service.feedback import feedback_records

__all__ = [
    "CdsService",
    "Course",
    "CourseUnavailable",
    "NotReady",
    "ReportUnavailable",
    "build_service",
    "feedback_records",
    "load_thresholds",
]
