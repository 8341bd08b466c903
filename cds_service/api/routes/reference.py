"""The clinical logic, served as a page so that every card's ``source.url`` resolves.

Cards link to ``/reference/clinical-logic#<finding-code>``; the page is docs/clinical-logic.md
rendered once to HTML (GitHub-style heading anchors), so the informaticist reviews the same
text the code cites.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter
from fastapi import Path as PathParam
from markdown_it import MarkdownIt
from starlette.responses import HTMLResponse, Response

from cds_service.settings import PROJECT_ROOT

router = APIRouter(prefix="/reference", tags=["reference"])
DOCS = PROJECT_ROOT / "docs"
PAGES = {"clinical-logic": "clinical-logic.md", "hazard-log": "hazard-log.md"}
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>")


def slug(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", text)).strip().lower()
    return re.sub(r"[^\w\- ]", "", plain).replace(" ", "-")


@lru_cache(maxsize=8)
def render_page(path: Path) -> str:
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = renderer.render(path.read_text(encoding="utf-8"))
    body = _HEADING.sub(
        lambda m: f'<h{m.group(1)} id="{slug(m.group(2))}">{m.group(2)}</h{m.group(1)}>', body
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(path.stem)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.25rem .5rem}code{background:#f4f4f4}</style>"
        f"</head><body>{body}</body></html>"
    )


@router.get("/{page}", summary="Clinical logic and hazard log, as HTML")
async def reference_page(
    page: Annotated[str, PathParam(description="clinical-logic or hazard-log")],
) -> Response:
    filename = PAGES.get(page)
    path = DOCS / filename if filename else None
    if path is None or not path.is_file():
        return HTMLResponse("<p>No such page.</p>", status_code=404)
    return HTMLResponse(render_page(path))
