"""Clinical thresholds: documented, configurable defaults (clinical-reference.md §3.2).

Every number a rule compares against lives here, with the section that motivates it. The
service reads overrides from a TOML file (``CDS_THRESHOLDS_FILE``); ``docs/clinical-logic.md``
lists each default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True, slots=True)
class Thresholds:
    # §2.0, §3.2: time on first-line therapy before the disease counts as refractory.
    refractory_weeks: int = 12
    # §3.2: how recent an antibody result must be to be read at all (None: any age).
    antibody_max_age_days: int | None = None


def thresholds_from_mapping(overrides: Mapping[str, object]) -> Thresholds:
    """Defaults with the given overrides; unknown names or wrong types raise ValueError."""
    known = {f.name: f for f in fields(Thresholds)}
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ValueError(f"unknown threshold(s): {', '.join(unknown)}")
    defaults = Thresholds()
    checked: dict[str, object] = {}
    for name, value in overrides.items():
        current = getattr(defaults, name)
        if isinstance(value, bool) or (
            current is not None and not isinstance(value, int | float)
        ):
            raise ValueError(f"threshold {name} must be a number")
        checked[name] = value
    return replace(defaults, **checked)  # type: ignore[arg-type]
