"""Hypothesis: the importer never crashes on any input, and a valid pack survives a round trip.

"Never crashes" means load_pack either returns a whole pack or raises PackError: nothing else,
ever. An import is all-or-nothing because load_pack builds the whole pack before anyone can
store any of it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ostplayer.domain.scene import ScenePack
from ostplayer.formats.pack import PackError, dump_pack, load_pack
from tests.formats.packs import (
    DEMO_PACK,
    base_doc,
    encode,
    json_values,
    scene_packs,
    schema_validator,
)

# At least 1,000 examples each, as the issue asks; no example database left in the work tree.
THOUSAND = settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _load_or_refuse(data: bytes) -> ScenePack | None:
    try:
        return load_pack(data)
    except PackError:
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
