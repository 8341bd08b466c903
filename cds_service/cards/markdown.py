"""GitHub-Flavored Markdown for card details, with values escaped so data cannot inject markup."""

from __future__ import annotations

from collections.abc import Sequence

# Backslash first (an escaped bracket must not be un-escaped by a data backslash), then every
# character GFM gives meaning to inline; HTML-significant characters become entities.
_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
        "[": "\\[",
        "]": "\\]",
        "(": "\\(",
        ")": "\\)",
        "!": "\\!",
        "#": "\\#",
        "~": "\\~",
        "@": "&#64;",
        "\n": " ",
        "\r": " ",
    }
)


def escape(text: str) -> str:
    """Data as inert text: no emphasis, links, images, HTML or autolinks (GFM links bare
    ``http://`` and ``www.`` text and e-mail addresses)."""
    escaped = text.translate(_ESCAPES)
    return escaped.replace("://", "&#58;//").replace("www.", "www&#46;").replace("WWW.", "WWW&#46;")


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(escape(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines.extend("| " + " | ".join(escape(cell) or "—" for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {escape(item)}" for item in items)
