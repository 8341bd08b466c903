"""Where a card points for its reasoning: a section of docs/clinical-logic.md.

The service serves that document rendered at ``/reference/clinical-logic`` (GitHub-style
heading anchors), so ``source.url`` is ``{CDS_PUBLIC_BASE_URL}/reference/clinical-logic#<anchor>``
and always opens the text of the version that issued the card. Each rule names its section
(``SECTION`` in the rule registry, carried by the finding as ``reference_section``); the card
cites it by that title (tests keep every rule's section in the document).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from cds_service.engine.findings import Finding

CLINICAL_LOGIC_PATH = "/reference/clinical-logic"


def clinical_logic_section(finding: Finding) -> str:
    """The title of the finding's section in docs/clinical-logic.md (the rule's ``SECTION``;
    the finding code's own section when the rule names none)."""
    return finding.reference_section or finding.code.value


def anchor(title: str) -> str:
    """The heading anchor GitHub (and the served page) gives a section title."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def clinical_logic_url(base_url: str, title: str) -> str:
    return quote(f"{base_url.rstrip('/')}{CLINICAL_LOGIC_PATH}#{anchor(title)}", safe=":/#%?=&")


# A parenthesis holding a section mark, "(§2.4)" or "(see §2.1, §3.2)"; then a bare mark or an
# internal file name left in running text.
_MARKED_PARENTHESIS = re.compile(r"\s*\([^()]*§[^()]*\)")
_BARE_MARK = re.compile(
    r"\s*(?:(?:clinical-reference|contract|architecture)(?:\.md)?\s*)?§\s*\d+(?:\.\d+)*(?:,\s*§?\s*\d+(?:\.\d+)*)*"
)


def without_internal_references(text: str) -> str:
    """Engine text as a clinician reads it: section marks of the team's working notes
    ("(§2.4)") are dropped; the card cites docs/clinical-logic.md by section title instead."""
    return _BARE_MARK.sub("", _MARKED_PARENTHESIS.sub("", text)).strip()
