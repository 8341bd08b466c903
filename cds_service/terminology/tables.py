"""Reading ``mappings/``: the manifest and its CSV tables, as plain rows.

Nothing here judges content; ``validation`` does. Reading problems (missing file, bad TOML, a
missing column) are returned as problem strings so that every problem can be listed at once.
"""

from __future__ import annotations

import csv
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "manifest.toml"

# Columns each kind of table must have (extra columns are allowed).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "labs": ("concept", "system", "code", "display", "unit", "status", "provenance"),
    "antibodies": ("concept", "system", "code", "display", "status", "provenance"),
    "measures": (
        "concept",
        "system",
        "code",
        "display",
        "value_type",
        "unit",
        "status",
        "provenance",
    ),
    "diagnoses": ("concept", "system", "code", "display", "status", "provenance"),
    "medications": ("concept", "drug_class", "usual_line", "prednisone_factor", "names"),
    "medication_codes": (
        "concept",
        "system",
        "code",
        "tty",
        "display",
        "status",
        "provenance",
    ),
    "orders": ("order", "system", "code", "display", "status", "provenance"),
}


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One ``[tables.<name>]`` entry of the manifest."""

    name: str
    file: str
    kind: str
    code_systems: tuple[str, ...]
    sha256: str


@dataclass(frozen=True, slots=True)
class Row:
    """One CSV row; ``line`` is the 1-based line number in the file (header is line 1)."""

    table: str
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    @property
    def where(self) -> str:
        return f"{self.table} line {self.line}"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(mappings_dir: Path) -> tuple[list[TableSpec], list[str]]:
    """Table entries of the manifest, and the problems found reading it."""
    path = mappings_dir / MANIFEST_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [], [f"{MANIFEST_NAME}: not found in {mappings_dir}"]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [], [f"{MANIFEST_NAME}: cannot be read ({exc})"]
    tables = data.get("tables")
    if not isinstance(tables, dict) or not tables:
        return [], [f"{MANIFEST_NAME}: no [tables.*] entries"]
    specs: list[TableSpec] = []
    problems: list[str] = []
    for name, entry in tables.items():
        spec, entry_problems = _table_spec(name, entry)
        problems.extend(entry_problems)
        if spec is not None:
            specs.append(spec)
    return specs, problems


def _table_spec(name: str, entry: object) -> tuple[TableSpec | None, list[str]]:
    where = f"{MANIFEST_NAME} [tables.{name}]"
    if not isinstance(entry, dict):
        return None, [f"{where}: not a table"]
    problems = [
        f"{where}: missing or empty '{key}'"
        for key in ("file", "kind", "source", "version", "licence", "sha256")
        if not isinstance(entry.get(key), str) or not entry.get(key)
    ]
    systems = entry.get("code_systems")
    if not isinstance(systems, list) or not all(isinstance(s, str) for s in systems):
        problems.append(f"{where}: 'code_systems' must be a list of URIs")
        systems = []
    kind = entry.get("kind")
    if isinstance(kind, str) and kind and kind not in REQUIRED_COLUMNS:
        problems.append(f"{where}: unknown kind '{kind}'")
    file = entry.get("file")
    if not isinstance(file, str) or not file or not isinstance(kind, str):
        return None, problems
    sha = entry.get("sha256")
    return (
        TableSpec(
            name=name,
            file=file,
            kind=kind,
            code_systems=tuple(systems),
            sha256=sha if isinstance(sha, str) else "",
        ),
        problems,
    )


def read_rows(path: Path, table: str, kind: str) -> tuple[list[Row], list[str]]:
    """Rows of one CSV table, and the problems found reading it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [f"{table}: file {path.name} not found"]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [f"{table}: cannot be read ({exc})"]
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS.get(kind, ()) if c not in header]
    if missing:
        return [], [f"{table}: missing column(s) {', '.join(missing)}"]
    rows = []
    for line, values in enumerate(reader, start=2):
        if not any((v or "").strip() for v in values.values() if isinstance(v, str)):
            continue
        rows.append(Row(table=table, line=line, values={k: v or "" for k, v in values.items()}))
    return rows, []
