"""GitHub-Flavored Markdown for card details, with values escaped so data cannot inject markup."""

from __future__ import annotations

from collections.abc import Sequence

_ESCAPES = str.maketrans(
    {
        "|": "\\|",
        "<": "&lt;",
        ">": "&gt;",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
        "[": "\\[",
        "]": "\\]",
        "\n": " ",
        "\r": " ",
    }
)


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(escape(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines.extend("| " + " | ".join(escape(cell) or "—" for cell in row) + " |" for row in rows)
    return "\n".join(lines)


def bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {escape(item)}" for item in items)
