"""The development link key, kept in a file so that links outlive a restart.

Without ``CDS_LINK_SECRET``, development mode keeps 32 random bytes in ``{CDS_VAR_DIR}/link-key``
(mode 0600), created once by whichever worker starts first and read by every other worker and
every later start: a link made by one process opens in another. The file is written under a
temporary name and linked into place, so no process ever reads a half-written key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cds_service.settings import decode_link_secret

__all__ = ["KEY_FILE_NAME", "development_link_key"]

KEY_FILE_NAME = "link-key"
_READ_ATTEMPTS = 3


def development_link_key(var_dir: Path) -> bytes:
    """The key in ``var_dir/link-key``, created there (0600) if it does not exist yet."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / KEY_FILE_NAME
    if not path.exists():
        _create(path)
    for _ in range(_READ_ATTEMPTS):
        text = path.read_text(encoding="ascii").strip()
        if text:
            return decode_link_secret(text)
    raise ValueError(f"{path} holds no key: delete it to make a new one")


def _create(path: Path) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process was first
            os.link(temporary, path)  # atomic: the key appears whole or not at all
    finally:
        temporary.unlink(missing_ok=True)
