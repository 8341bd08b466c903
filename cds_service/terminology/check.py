"""Check the terminology tables, or recompute their sha256 in the manifest.

python -m cds_service.terminology.check [DIR]                 # exit 1 on problems
python -m cds_service.terminology.check [DIR] --update-hashes # rewrite sha256 lines
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from cds_service.terminology import DEFAULT_MAPPINGS_DIR, check_mappings
from cds_service.terminology.tables import MANIFEST_NAME, file_sha256, read_manifest

_SECTION = re.compile(r"^\s*\[tables\.([^\]]+)\]\s*$")
_SHA_LINE = re.compile(r'^(\s*sha256\s*=\s*)"[^"]*"(.*)$')


def update_hashes(mappings_dir: Path) -> list[str]:
    """Rewrite each table's ``sha256`` line from its file; returns the tables changed."""
    specs, _ = read_manifest(mappings_dir)
    files = {spec.name: mappings_dir / spec.file for spec in specs}
    manifest = mappings_dir / MANIFEST_NAME
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    changed: list[str] = []
    section: str | None = None
    for index, line in enumerate(lines):
        header = _SECTION.match(line)
        if header:
            section = header.group(1)
            continue
        match = _SHA_LINE.match(line)
        if match and section in files and files[section].is_file():
            digest = file_sha256(files[section])
            new = f'{match.group(1)}"{digest}"{match.group(2)}\n'
            if new != line:
                lines[index] = new
                changed.append(section)
    manifest.write_text("".join(lines), encoding="utf-8")
    return changed


def write(text: str) -> None:
    sys.stdout.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cds_service.terminology.check")
    parser.add_argument("mappings_dir", nargs="?", type=Path, default=DEFAULT_MAPPINGS_DIR)
    parser.add_argument("--update-hashes", action="store_true", help="rewrite sha256 values")
    args = parser.parse_args(argv)
    directory: Path = args.mappings_dir
    if args.update_hashes:
        changed = update_hashes(directory)
        write(f"updated sha256 of: {', '.join(changed) if changed else 'nothing'}")
    problems = check_mappings(directory)
    for problem in problems:
        write(problem)
    write(f"{directory}: {'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
