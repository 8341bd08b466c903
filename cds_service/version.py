"""The service's version: read once, here, from the installed package's metadata.

``pyproject.toml`` ``[project] version`` is the only place it is written; the OpenAPI
document and ``myositis-cds --version`` read ``VERSION``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "myositis-cds"

try:
    VERSION = version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0+unknown"
