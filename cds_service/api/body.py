"""Reading a JSON request body within limits: size (413), syntax (400), nesting depth (400)."""

from __future__ import annotations

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
    if json_depth_exceeds(data, max_depth):
        raise RequestProblem(400, "too-costly", f"JSON nested deeper than {max_depth} levels")
    return data


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether containers nest deeper than ``limit``; iterative, so no recursion limit applies."""
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
