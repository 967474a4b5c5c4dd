"""Hypothesis: the importer never crashes on any input, and a valid pack survives a round trip.

"Never crashes" means load_pack either returns a whole pack or raises PackError: nothing else,
ever. An import is all-or-nothing because load_pack builds the whole pack before anyone can
store any of it.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ostplayer.domain.scene import ScenePack
from ostplayer.formats.pack import PackError, dump_pack, load_pack
from tests.formats.hostile import ANY_TEXT, DIGITS, THOUSAND
from tests.formats.hostile_playlists import damaged
from tests.formats.packs import (
    DEMO_PACK,
    base_doc,
    encode,
    json_values,
    scene_packs,
    schema_validator,
)


def _load_or_refuse(data: bytes) -> ScenePack | None:
    """The pack, or None when it was refused with a PackError a listener can read."""
    try:
        return load_pack(data)
    except PackError as error:
        message = str(error)
        assert message.strip() and "\n" not in message, message
        # Shown in a dialog and printed: no lone surrogate from the file may reach it.
        for text in (message, error.entry, error.field):
            text.encode("utf-8")
        return None


@THOUSAND
@given(scene_packs())
def test_load_of_dump_is_the_same_pack_and_valid_against_the_schema(pack: ScenePack) -> None:
    data = dump_pack(pack)
    assert load_pack(data) == pack
    # Canonical: writing it again gives the very same bytes.
    assert dump_pack(load_pack(data)) == data
    assert schema_validator().is_valid(json.loads(data))


@THOUSAND
@given(st.binary(max_size=200))
def test_arbitrary_bytes_give_a_pack_error_or_nothing(data: bytes) -> None:
    _load_or_refuse(data)


@THOUSAND
@given(json_values)
def test_arbitrary_json_values_give_a_pack_error(value: Any) -> None:
    assert _load_or_refuse(encode(value)) is None


# --- mutated valid packs ---------------------------------------------------------------------


def _containers(document: Any) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in the document, outermost first."""
    found: list[tuple[Any, Any]] = []
    stack = [document]
    while stack:
        value = stack.pop()
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in list(items):
            found.append((value, key))
            if isinstance(child, (dict, list)):
                stack.append(child)
    return found


@st.composite
def mutated_docs(draw: st.DrawFn) -> Any:
    """A valid pack (small, generated, or the demo) with one to three random changes."""
    source = draw(st.sampled_from(["base", "demo", "generated"]))
    if source == "base":
        document = base_doc()
    elif source == "demo":
        document = copy.deepcopy(_demo_doc())
    else:
        document = json.loads(dump_pack(draw(scene_packs())))
    for _ in range(draw(st.integers(1, 3))):
        places = _containers(document)
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "delete", "add", "wrap", "duplicate"]))
        if action == "replace":
            container[key] = draw(json_values)
        elif action == "delete":
            del container[key]
        elif action == "wrap":
            container[key] = [container[key]]
        elif action == "duplicate" and isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
        elif isinstance(container, dict):
            container[draw(st.text(max_size=8))] = draw(json_values)
        else:
            container.append(draw(json_values))
    return document


_DEMO: list[Any] = []


def _demo_doc() -> Any:
    if not _DEMO:
        _DEMO.append(json.loads(DEMO_PACK.read_bytes()))
    return _DEMO[0]


@THOUSAND
@given(mutated_docs())
def test_mutated_packs_load_whole_or_give_a_pack_error(document: Any) -> None:
    pack = _load_or_refuse(encode(document))
    if pack is None:
        return
    # What the importer accepts, the schema accepts too (the importer is the stricter one:
    # so what the schema refuses, the importer refuses), and it survives a round trip.
    assert schema_validator().is_valid(document), document
    assert load_pack(dump_pack(pack)) == pack


@THOUSAND
@given(st.sampled_from(["base", "demo"]), st.integers(0, 20_000))
def test_truncated_packs_give_a_pack_error(which: str, cut: int) -> None:
    data = encode(base_doc() if which == "base" else _demo_doc())
    assert _load_or_refuse(data[: min(cut, len(data) - 1)]) is None


# --- hostile values in a valid pack, and damaged bytes -------------------------------------------

_NUMBER = "@@number@@"

#: Values no pack should hold: any text (lone surrogates too), numbers of thousands of digits,
#: deep nesting, and look-alikes of the real thing.
_HOSTILE = st.one_of(
    ANY_TEXT,
    # Written into the JSON as they are: Python refuses int() of more than 4,300 digits.
    DIGITS.map(lambda digits: f"{_NUMBER}{digits}{_NUMBER}"),
    DIGITS.map(lambda digits: f"{_NUMBER}-{digits}.5e-{digits}{_NUMBER}"),
    st.sampled_from([1e308, -1e308, 5e-324, -0.0, 2**63, -(2**63), 2**64, True, False, None]),
    st.integers(1, 40).map(lambda depth: [[]] * 1 if depth == 1 else _nested(depth)),
    st.sampled_from(["S0E0", "S999E9999", "S1E3 ", "s01e03", "1x03", "24:00:00", "59:60", "-0:01"]),
)


def encode_hostile(document: Any) -> bytes:
    """JSON bytes for a document, with the numbers marked by :data:`_NUMBER` written as is."""
    return re.sub(rf'"{_NUMBER}(.*?){_NUMBER}"'.encode(), rb"\1", encode(document))


def _nested(depth: int) -> Any:
    value: Any = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"chapters": value}
    return value


@st.composite
def hostile_docs(draw: st.DrawFn) -> Any:
    """A valid pack with one to three values, or keys, replaced by hostile ones."""
    document = copy.deepcopy(_demo_doc()) if draw(st.booleans()) else base_doc()
    for _ in range(draw(st.integers(1, 3))):
        container, key = draw(st.sampled_from(_containers(document)))
        if isinstance(container, dict) and draw(st.booleans()):
            container[draw(ANY_TEXT)] = container.pop(key)  # a hostile key
        else:
            container[key] = draw(_HOSTILE)
    return document


@THOUSAND
@given(hostile_docs())
def test_hostile_values_load_whole_or_give_a_pack_error(document: Any) -> None:
    data = encode_hostile(document)
    pack = _load_or_refuse(data)
    if pack is not None:
        assert schema_validator().is_valid(json.loads(data)), document
        assert load_pack(dump_pack(pack)) == pack


@THOUSAND
@given(st.sampled_from(["base", "demo"]).flatmap(
    lambda which: damaged(encode(base_doc() if which == "base" else _demo_doc()))
))  # fmt: skip
def test_damaged_bytes_load_whole_or_give_a_pack_error(data: bytes) -> None:
    pack = _load_or_refuse(data)
    if pack is not None:
        assert load_pack(dump_pack(pack)) == pack
