"""Units as people read them, not as UCUM writes them.

The engine carries units as they arrive (UCUM codes such as ``{score}`` or ``m[IU]/L``); a card
is read by a clinician, so the cards layer rewrites them: ``60 {score}`` becomes ``60 points``,
``m[IU]/L`` becomes ``mIU/L``. Only unit tokens that follow a number (or open a reference range)
are rewritten, so free text in a label is left alone.
"""

from __future__ import annotations

import re

# UCUM annotations and codes with a plainer spelling; other ``{annotation}`` units lose their
# braces ("{repetitions}" -> "repetitions").
_PLAIN: dict[str, str] = {
    "{score}": "points",
    "{#}": "",
    "{count}": "",
    "m[IU]/L": "mIU/L",
    "u[IU]/mL": "µIU/mL",
    "[IU]/L": "IU/L",
    "ug/L": "µg/L",
    "ug/dL": "µg/dL",
    "umol/L": "µmol/L",
    "ukat/L": "µkat/L",
    "10*3/uL": "×10³/µL",
    "10*9/L": "×10⁹/L",
    "1": "",
}
_NUMBER_AND_UNIT = re.compile(
    r"(?<![\w.])(?P<number>\d+(?:\.\d+)?)\s+(?P<unit>\{[^{}\s]*\}|1(?![\w.])|[^\s\d;,()][^\s;,()]*)"
)


def _plain_unit(unit: str) -> str | None:
    if unit in _PLAIN:
        return _PLAIN[unit]
    if unit.startswith("{") and unit.endswith("}"):
        return unit[1:-1]
    return None


def for_people(text: str) -> str:
    """``text`` with every ``<number> <UCUM unit>`` written the way a clinician reads it."""

    def rewrite(match: re.Match[str]) -> str:
        plain = _plain_unit(match.group("unit"))
        if plain is None:
            return match.group(0)
        return f"{match.group('number')} {plain}".rstrip()

    return _NUMBER_AND_UNIT.sub(rewrite, text)
