"""Validating the tables and building a ``Terminology`` from them.

Every problem is collected (never the first only), so one run of the check lists all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cds_service.engine.concepts import (
    Agent,
    Analyte,
    Antibody,
    Diagnosis,
    DrugClass,
    Measure,
)
from cds_service.engine.findings import Workup
from cds_service.terminology import required
from cds_service.terminology.checkdigits import code_problem
from cds_service.terminology.model import AgentInfo, CodingKey, Concept, OrderCode, Terminology
from cds_service.terminology.systems import LOINC, RXNORM, SNOMED, normalise_code
from cds_service.terminology.tables import (
    Row,
    TableSpec,
    file_sha256,
    read_manifest,
    read_rows,
)

STATUSES = frozenset({"VERIFIED", "SECONDARY", "PROJECT", "CONTRACT"})
MEASURE_VALUE_TYPES = frozenset({"quantity", "boolean", "grade"})
TTYS = frozenset({"IN", "PIN", "SCD", "SBD"})

_CONCEPT_ENUMS: dict[str, Callable[[str], Concept]] = {
    "labs": Analyte,
    "antibodies": Antibody,
    "measures": Measure,
    "diagnoses": Diagnosis,
    "medication_codes": Agent,
}


@dataclass
class _Collected:
    problems: list[str] = field(default_factory=list)
    codings: dict[CodingKey, Concept] = field(default_factory=dict)
    coding_where: dict[CodingKey, str] = field(default_factory=dict)
    displays: dict[CodingKey, str] = field(default_factory=dict)
    agents: dict[Agent, AgentInfo] = field(default_factory=dict)
    names: dict[str, Agent] = field(default_factory=dict)
    measure_value_types: dict[Measure, str] = field(default_factory=dict)
    order_rows: list[Row] = field(default_factory=list)


# What a suggestion may write: a MedicationRequest is coded in RxNorm, a ServiceRequest for a
# lab test in LOINC and for a procedure or imaging in SNOMED CT.
ORDER_SYSTEMS: dict[type[Agent] | type[Workup], frozenset[str]] = {
    Agent: frozenset({RXNORM}),
    Workup: frozenset({LOINC, SNOMED}),
}


def validate(mappings_dir: Path) -> tuple[Terminology | None, list[str]]:
    """The terminology built from ``mappings_dir``, or None with the problems found."""
    specs, problems = read_manifest(mappings_dir)
    collected = _Collected(problems=problems)
    for spec in specs:
        _check_table(mappings_dir, spec, collected)
    if specs:
        _check_required(collected)
    orders = _check_orders(collected)
    if collected.problems:
        return None, collected.problems
    verified = frozenset((code.system, code.code) for codes in orders.values() for code in codes)
    terminology = Terminology.build(
        collected.codings,
        collected.displays,
        collected.agents,
        collected.measure_value_types,
        orders,
        verified,
    )
    return terminology, []


def _check_table(mappings_dir: Path, spec: TableSpec, out: _Collected) -> None:
    path = mappings_dir / spec.file
    if path.is_file():
        actual = file_sha256(path)
        if actual != spec.sha256:
            out.problems.append(
                f"{spec.file}: sha256 in manifest.toml does not match the file (file has {actual})"
            )
    rows, problems = read_rows(path, spec.file, spec.kind)
    out.problems.extend(problems)
    for row in rows:
        if spec.kind == "medications":
            _check_medication_row(row, out)
        elif spec.kind == "orders":
            _check_order_row(row, spec, out)
        elif spec.kind in _CONCEPT_ENUMS:
            _check_coded_row(row, spec, out)


def _check_coded_row(row: Row, spec: TableSpec, out: _Collected) -> None:
    enum = _CONCEPT_ENUMS[spec.kind]
    try:
        concept = enum(row.get("concept"))
    except ValueError:
        out.problems.append(f"{row.where}: unknown concept '{row.get('concept')}'")
        return
    system, code = row.get("system"), row.get("code")
    if system not in spec.code_systems:
        out.problems.append(f"{row.where}: system {system} is not declared for {spec.name}")
        return
    problem = code_problem(system, code)
    if problem:
        out.problems.append(f"{row.where}: {problem} ({code})")
        return
    if row.get("status") not in STATUSES:
        out.problems.append(f"{row.where}: status must be one of {sorted(STATUSES)}")
    if not row.get("provenance"):
        out.problems.append(f"{row.where}: provenance is empty")
    if spec.kind == "measures":
        _check_measure(row, concept, out)
    if spec.kind == "medication_codes":
        _check_medication_code(row, concept, out)
    key = (system, normalise_code(system, code))
    previous = out.codings.get(key)
    if previous is not None:
        if type(previous) is not type(concept) or previous != concept:
            out.problems.append(
                f"{row.where}: code {code} is mapped to two concepts "
                f"({previous} at {out.coding_where[key]}, {concept} here)"
            )
        else:
            out.problems.append(f"{row.where}: code {code} is listed twice")
        return
    out.codings[key] = concept
    out.coding_where[key] = row.where
    out.displays[key] = row.get("display")


def _check_measure(row: Row, concept: Concept, out: _Collected) -> None:
    value_type = row.get("value_type")
    if value_type not in MEASURE_VALUE_TYPES:
        out.problems.append(f"{row.where}: value_type must be one of {sorted(MEASURE_VALUE_TYPES)}")
    elif isinstance(concept, Measure):
        out.measure_value_types[concept] = value_type


def _check_medication_code(row: Row, concept: Concept, out: _Collected) -> None:
    tty = row.get("tty")
    if tty not in TTYS:
        out.problems.append(f"{row.where}: tty must be one of {sorted(TTYS)}")


def _order_key(text: str) -> Agent | Workup | None:
    for enum in (Agent, Workup):
        try:
            return enum(text)
        except ValueError:
            continue
    return None


def _check_order_row(row: Row, spec: TableSpec, out: _Collected) -> None:
    """Checks one row on its own; ``_check_orders`` checks it against the reading tables."""
    order = _order_key(row.get("order"))
    if order is None:
        out.problems.append(f"{row.where}: unknown order '{row.get('order')}'")
        return
    system, code = row.get("system"), row.get("code")
    allowed = ORDER_SYSTEMS[type(order)] & set(spec.code_systems)
    if system not in allowed:
        out.problems.append(
            f"{row.where}: {order} cannot be ordered in {system} (allowed: {sorted(allowed)})"
        )
        return
    problem = code_problem(system, code)
    if problem:
        out.problems.append(f"{row.where}: {problem} ({code})")
        return
    if row.get("status") != "VERIFIED":
        out.problems.append(
            f"{row.where}: a create action's code must be VERIFIED ({code} is "
            f"'{row.get('status')}'); leave an unverified order out of orders.csv"
        )
    if not row.get("provenance") or not row.get("display"):
        out.problems.append(f"{row.where}: display and provenance must not be empty")
    out.order_rows.append(row)


def _check_orders(out: _Collected) -> dict[str, tuple[OrderCode, ...]]:
    """The codes each order writes, once every table is read.

    A medication order's RxNorm code must be read back as the same agent (medication_codes.csv),
    so that what the service writes and what it reads agree; a LOINC code that the reading
    tables also hold must carry the same display there (its label means the same test).
    """
    orders: dict[str, list[OrderCode]] = {}
    for row in out.order_rows:
        order, system, code = row.get("order"), row.get("system"), row.get("code")
        key = (system, normalise_code(system, code))
        read_as = out.codings.get(key)
        if system == RXNORM and (not isinstance(read_as, Agent) or read_as.value != order):
            out.problems.append(
                f"{row.where}: RxNorm {code} is read as {read_as or 'nothing'} in "
                f"medication_codes.csv, not as {order}"
            )
            continue
        known_display = out.displays.get(key)
        if known_display is not None and known_display != row.get("display"):
            out.problems.append(
                f"{row.where}: display of {code} differs from the reading table's "
                f"('{known_display}')"
            )
            continue
        codes = orders.setdefault(order, [])
        if any(c.system == system and c.code == code for c in codes):
            out.problems.append(f"{row.where}: {code} is listed twice for {order}")
            continue
        if system == RXNORM and codes:
            out.problems.append(f"{row.where}: a medication order has one RxNorm code")
            continue
        codes.append(OrderCode(system=system, code=code, display=row.get("display")))
    return {order: tuple(codes) for order, codes in orders.items()}


def _check_medication_row(row: Row, out: _Collected) -> None:
    try:
        agent = Agent(row.get("concept"))
    except ValueError:
        out.problems.append(f"{row.where}: unknown agent '{row.get('concept')}'")
        return
    if agent in out.agents:
        out.problems.append(f"{row.where}: agent {agent} is listed twice")
        return
    try:
        drug_class = DrugClass(row.get("drug_class"))
    except ValueError:
        out.problems.append(f"{row.where}: unknown drug_class '{row.get('drug_class')}'")
        return
    line_text = row.get("usual_line")
    if line_text not in {"", "1", "2", "3"}:
        out.problems.append(f"{row.where}: usual_line must be 1, 2, 3 or empty")
        return
    factor = _factor(row, drug_class, out)
    names = tuple(n.strip() for n in row.get("names").split("|") if n.strip())
    if not names:
        out.problems.append(f"{row.where}: {agent} has no names")
    for name in names:
        owner = out.names.get(name.casefold())
        if owner is not None and owner is not agent:
            out.problems.append(f"{row.where}: name '{name}' is mapped to {owner} and {agent}")
        out.names[name.casefold()] = agent
    out.agents[agent] = AgentInfo(
        drug_class=drug_class,
        usual_line=int(line_text) if line_text else None,
        prednisone_factor=factor,
        names=names,
    )


def _factor(row: Row, drug_class: DrugClass, out: _Collected) -> float | None:
    text = row.get("prednisone_factor")
    if not text:
        if drug_class is DrugClass.GLUCOCORTICOID:
            out.problems.append(f"{row.where}: a glucocorticoid needs a prednisone_factor")
        return None
    try:
        factor = float(text)
    except ValueError:
        factor = -1.0
    if not factor > 0:
        out.problems.append(f"{row.where}: prednisone_factor must be a positive number")
        return None
    return factor


def _check_required(out: _Collected) -> None:
    # StrEnum members of different enums compare equal when their values match (Analyte and
    # Measure both have "fvc-percent-predicted"), so compare by (type, value).
    mapped = {(type(concept), str(concept)) for concept in out.codings.values()}
    groups: tuple[tuple[str, type[Concept], frozenset[str]], ...] = (
        ("analyte", Analyte, frozenset(map(str, required.REQUIRED_ANALYTES))),
        ("antibody", Antibody, frozenset(map(str, required.REQUIRED_ANTIBODIES))),
        ("measure", Measure, frozenset(map(str, required.REQUIRED_MEASURES))),
        ("diagnosis", Diagnosis, frozenset(map(str, required.REQUIRED_DIAGNOSES))),
    )
    for label, enum, concepts in groups:
        for value in sorted(concepts):
            if (enum, value) not in mapped:
                out.problems.append(f"required {label} '{value}' has no code in any table")
    for agent in sorted(required.REQUIRED_AGENTS, key=str):
        info = out.agents.get(agent)
        if info is None or not info.names:
            out.problems.append(f"required agent '{agent}' has no row with names in medications")
