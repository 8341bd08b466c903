"""The loaded terminology: immutable lookups from codes to engine concepts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cds_service.engine.concepts import (
    Agent,
    Analyte,
    Antibody,
    Diagnosis,
    DrugClass,
    Measure,
)
from cds_service.terminology.systems import normalise_code

Concept = Analyte | Antibody | Measure | Diagnosis | Agent
CodingKey = tuple[str, str]


class TerminologyError(Exception):
    """The tables under ``mappings/`` are not fit to use; ``problems`` lists every reason."""

    def __init__(self, problems: tuple[str, ...] | list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(
            f"{len(self.problems)} terminology problem(s):\n" + "\n".join(self.problems)
        )


@dataclass(frozen=True, slots=True)
class AgentInfo:
    """What the medication tables say about one agent."""

    drug_class: DrugClass
    usual_line: int | None
    prednisone_factor: float | None
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrderCode:
    """One code a suggestion writes into the resource it creates (``orders.csv``).

    Every row is VERIFIED (the loader refuses any other status): an order the EHR acts on
    carries only codes checked against a source, and what is not coded is not ordered.
    """

    system: str
    code: str
    display: str


@dataclass(frozen=True, slots=True)
class Terminology:
    """Lookups from (system, code) to concepts; immutable, every lookup O(1).

    Built by ``load_terminology``; ICD-10-CM codes are matched with or without their dot.
    """

    codings: Mapping[CodingKey, Concept]
    displays: Mapping[CodingKey, str]
    agents: Mapping[Agent, AgentInfo]
    measure_value_types: Mapping[Measure, str] = field(default_factory=dict)
    orders: Mapping[str, tuple[OrderCode, ...]] = field(default_factory=dict)
    verified: frozenset[CodingKey] = frozenset()
    _names: Mapping[str, Agent] = field(default_factory=dict)
    _name_pattern: re.Pattern[str] | None = None

    @classmethod
    def build(
        cls,
        codings: dict[CodingKey, Concept],
        displays: dict[CodingKey, str],
        agents: dict[Agent, AgentInfo],
        measure_value_types: dict[Measure, str],
        orders: dict[str, tuple[OrderCode, ...]] | None = None,
        verified: frozenset[CodingKey] = frozenset(),
    ) -> Terminology:
        names = {name.casefold(): agent for agent, info in agents.items() for name in info.names}
        # Longest names first so that "mycophenolate mofetil" wins over "mycophenolate".
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if names else None
        return cls(
            codings=MappingProxyType(dict(codings)),
            displays=MappingProxyType(dict(displays)),
            agents=MappingProxyType(dict(agents)),
            measure_value_types=MappingProxyType(dict(measure_value_types)),
            orders=MappingProxyType(dict(orders or {})),
            verified=verified,
            _names=MappingProxyType(names),
            _name_pattern=pattern,
        )

    def _concept(self, system: str, code: str) -> Concept | None:
        found = self.codings.get((system, code))
        if found is None and isinstance(system, str) and isinstance(code, str):
            found = self.codings.get((system, normalise_code(system, code)))
        return found

    def lab(self, system: str, code: str) -> Analyte | None:
        found = self._concept(system, code)
        return found if isinstance(found, Analyte) else None

    def antibody(self, system: str, code: str) -> Antibody | None:
        found = self._concept(system, code)
        return found if isinstance(found, Antibody) else None

    def measure(self, system: str, code: str) -> Measure | None:
        found = self._concept(system, code)
        return found if isinstance(found, Measure) else None

    def diagnosis(self, system: str, code: str) -> Diagnosis | None:
        found = self._concept(system, code)
        return found if isinstance(found, Diagnosis) else None

    def medication(self, system: str, code: str) -> Agent | None:
        """The agent of an RxNorm ingredient code or of a known product (SCD/SBD) code."""
        found = self._concept(system, code)
        return found if isinstance(found, Agent) else None

    def medication_by_name(self, text: str) -> Agent | None:
        """The agent whose name (ingredient, synonym or brand) occurs as whole words in text.

        Case-insensitive; the leftmost name in the text wins.
        """
        if self._name_pattern is None or not isinstance(text, str):
            return None
        match = self._name_pattern.search(text)
        return self._names.get(match.group(0).casefold()) if match else None

    def drug_class(self, agent: Agent) -> DrugClass:
        return self.agents[agent].drug_class

    def usual_line(self, agent: Agent) -> int | None:
        return self.agents[agent].usual_line

    def order_codes(self, order: str) -> tuple[OrderCode, ...]:
        """The codes a suggestion to order ``order`` (an ``Agent`` or ``Workup`` value) writes:
        one for a medication, one per test for work-up; empty when none is verified, and then
        the suggestion offers no create action."""
        return self.orders.get(order, ())

    def is_verified(self, system: object, code: object) -> bool:
        """True when (system, code) is a VERIFIED row of ``orders.csv``."""
        return (system, code) in self.verified

    def order_display(self, system: str, code: str) -> str | None:
        """The display of a row of ``orders.csv``."""
        for codes in self.orders.values():
            for found in codes:
                if (found.system, found.code) == (system, code):
                    return found.display
        return None

    def prednisone_factor(self, agent: Agent) -> float | None:
        """mg prednisone per mg of this glucocorticoid (None for other agents)."""
        info = self.agents.get(agent)
        return info.prednisone_factor if info else None

    def agent_names(self, agent: Agent) -> tuple[str, ...]:
        info = self.agents.get(agent)
        return info.names if info else ()

    def measure_value_type(self, measure: Measure) -> str:
        """``quantity``, ``boolean`` or ``grade`` (measures.csv)."""
        return self.measure_value_types.get(measure, "")

    def is_relevant(self, system: str, code: str) -> bool:
        return self._concept(system, code) is not None

    def display(self, system: str, code: str) -> str | None:
        found = self.displays.get((system, code))
        if found is None and isinstance(system, str) and isinstance(code, str):
            found = self.displays.get((system, normalise_code(system, code)))
        return found
