"""Data shown in a card detail can never become a link, an image or HTML."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cds_service.cards.markdown import escape, table

RENDER = MarkdownIt("commonmark", {"html": True}).enable("table")
ATTACKS = [
    "\\[x\\](https://evil.example/phish)",
    "[click](https://evil.example)",
    "![img](https://evil.example/x.png)",
    "<a href='https://evil.example'>x</a>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "**bold** _it_ `code` ~~strike~~",
    "| broken | table |",
]
AUTOLINKS = re.compile(r"(https?://|www\.|\w@\w)", re.IGNORECASE)


@pytest.mark.parametrize("attack", ATTACKS)
def test_known_injections_render_as_text(attack: str) -> None:
    html = RENDER.render(table(("Evidence", "Value"), [("x", attack)]))
    assert "<a" not in html and "<img" not in html and "<script" not in html
    assert "<strong>" not in html and "<em>" not in html and "<code>" not in html


def test_bare_urls_and_emails_are_defused_for_gfm_autolinks() -> None:
    for text in ("see https://evil.example", "www.evil.example", "mail a@evil.example"):
        assert not AUTOLINKS.search(escape(text))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_ever_becomes_markup(text: str) -> None:
    html = RENDER.render(table(("Evidence", "Value"), [("label", text)]))
    assert "<a" not in html and "<img" not in html and "<script" not in html
    assert not AUTOLINKS.search(escape(text))
