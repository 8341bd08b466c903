"""The byte-level JSON depth check agrees with the tree walk it replaced on the request path."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cds_service.api.body import json_depth_exceeds, json_depth_exceeds_bytes

_TRICKY_TEXT = st.text(alphabet='ab[]{}"\\\n/u', max_size=12)
_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | _TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_TRICKY_TEXT, children, max_size=4)
    ),
    max_leaves=40,
)


def _nested(depth: int, text: str = "x") -> Any:
    value: Any = text
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_JSON, st.integers(min_value=1, max_value=12))
def test_agrees_with_the_tree_walk(value: Any, limit: int) -> None:
    for encoded in (orjson.dumps(value), json.dumps(value, indent=1).encode()):
        assert json_depth_exceeds_bytes(encoded, limit) == json_depth_exceeds(value, limit)


@pytest.mark.parametrize("depth", [1, 8, 31, 32, 33, 63, 64, 65, 200])
def test_exact_at_the_limit(depth: int) -> None:
    value = _nested(depth)
    for limit in (32, 64):
        assert json_depth_exceeds_bytes(orjson.dumps(value), limit) == (depth > limit)


def test_brackets_and_escapes_inside_strings_are_text() -> None:
    text = '"]]]]}}}}\\"[[[[{{{{\\\\'
    value = {"a": [text, {"b": text}], "c": _nested(10, text)}
    assert not json_depth_exceeds_bytes(orjson.dumps(value), 12)
    assert json_depth_exceeds_bytes(orjson.dumps(value), 10)


def test_strings_cannot_hide_real_nesting() -> None:
    # Each level opens with a string holding a closing bracket, and closes after one that
    # holds an opening bracket: a naive bracket count would see depth 1.
    value: Any = 0
    for _ in range(100):
        value = ["]", value, "["]
    assert json_depth_exceeds_bytes(orjson.dumps(value), 64)
