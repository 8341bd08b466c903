"""Reading a JSON request body within limits: size (413), syntax (400), nesting depth (400)."""

from __future__ import annotations

import re
from typing import Any

import orjson
from fastapi import Request

from cds_service.api.outcome import RequestProblem


async def read_json_object(request: Request, max_bytes: int, max_depth: int) -> dict[str, Any]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RequestProblem(413, "too-costly", f"request body larger than {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise RequestProblem(413, "too-costly", f"request body larger than {max_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise RequestProblem(400, "structure", f"malformed JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise RequestProblem(400, "structure", "the body must be a JSON object")
    if json_depth_exceeds_bytes(body, max_depth):
        raise RequestProblem(400, "too-costly", f"JSON nested deeper than {max_depth} levels")
    return data


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than ``limit``; iterative, so no recursion limit applies.

    Walks the decoded tree in Python (about 13 µs per prefetch Observation): the request path
    uses ``json_depth_exceeds_bytes`` instead; this one stays as the reference its tests use.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend(
                (child, depth + 1) for child in node.values() if isinstance(child, dict | list)
            )
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return False


_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_STRING = re.compile(rb'"[^"]*"')
_INNERMOST_PAIR = re.compile(rb"\[\]|\{\}")


def json_depth_exceeds_bytes(document: bytes, limit: int) -> bool:
    """Whether the containers of a *valid* JSON text nest deeper than ``limit``.

    The same answer as ``json_depth_exceeds`` on the decoded value, from C-speed byte passes
    (about 10x cheaper): drop escaped quotes and backslashes, keep only ``"[]{}``, drop the
    strings (brackets inside them are text), then peel the innermost ``[]``/``{}`` pairs off
    the bracket skeleton, one level per pass. Only for text that ``orjson`` has accepted.
    """
    if b"\\" in document:
        document = document.replace(b"\\\\", b"").replace(b'\\"', b"")
    skeleton = document.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in skeleton:  # strings that hold brackets: what remains between quotes is text
        skeleton = _STRING.sub(b"", skeleton)
    # Each pass of two plain replaces removes one or two levels: p passes mean p <= depth <= 2p.
    peeled, passes = skeleton, 0
    while peeled:
        passes += 1
        if passes > limit:
            return True
        peeled = peeled.replace(b"[]", b"").replace(b"{}", b"")
    if 2 * passes <= limit:
        return False
    for _ in range(limit):  # undecided: peel exactly one level per pass
        skeleton = _INNERMOST_PAIR.sub(b"", skeleton)
        if not skeleton:
            return False
    return True
