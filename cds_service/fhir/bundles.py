"""FHIR Bundles built from a list of resources: the one place their shape is decided.

``searchset`` is what a FHIR server answers to a search (and what a CDS client puts in a
prefetch key); ``collection`` is how a CDS client sends ``draftOrders``. Entries carry a
relative ``fullUrl`` (``Type/id``); a searchset's entries say ``search.mode = match``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

JsonObject = dict[str, Any]


def searchset(
    resources: Sequence[JsonObject],
    *,
    self_url: str | None = None,
    total: int | None = None,
    next_url: str | None = None,
) -> JsonObject:
    """A searchset Bundle of ``resources``; with ``self_url``, the ``self`` link a server gives;
    a page of a longer result gives its ``total`` and the ``next`` page's URL."""
    count = len(resources) if total is None else total
    bundle: JsonObject = {"resourceType": "Bundle", "type": "searchset", "total": count}
    if self_url is not None:
        bundle["link"] = [{"relation": "self", "url": self_url}]
        if next_url is not None:
            bundle["link"].append({"relation": "next", "url": next_url})
    bundle["entry"] = [
        {"fullUrl": _full_url(r), "resource": r, "search": {"mode": "match"}} for r in resources
    ]
    return bundle


def collection(resources: Sequence[JsonObject]) -> JsonObject:
    """A collection Bundle of ``resources`` (CDS Hooks ``draftOrders``)."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": _full_url(r), "resource": r} for r in resources],
    }


def _full_url(resource: JsonObject) -> str:
    return f"{resource.get('resourceType')}/{resource.get('id')}"
