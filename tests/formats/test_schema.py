"""docs/scene-pack.schema.json: a valid draft 2020-12 schema that the demo pack and every pack we
write validate against, and that refuses the malformed packs the importer refuses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from ostplayer.formats.pack import PackError, load_pack
from tests.formats.packs import (
    DEMO_PACK,
    REPO,
    SCHEMA_PATH,
    base_doc,
    encode,
    schema_validator,
)
from tests.formats.test_pack import MALFORMED

# Rules only the importer checks (docs/scene-pack.md lists them): the schema accepts these.
IMPORTER_ONLY = {
    "name reserved",
    "episode twice",
    "endTime before startTime",
    "scenes out of order",
    "episode not listed",
    "episodeStart over a day",
    "episodeEnd before start",
    "spoilerFrom earlier",
}


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    validator = schema_validator()
    assert validator.schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(validator.schema)
    assert SCHEMA_PATH.is_file()


def test_the_demo_pack_validates() -> None:
    errors = list(schema_validator().iter_errors(json.loads(DEMO_PACK.read_bytes())))
    assert errors == []


def test_the_example_in_the_docs_loads_and_validates() -> None:
    page = (REPO / "docs" / "scene-pack.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", page, re.DOTALL)
    assert example is not None
    document = json.loads(example.group(1))
    assert schema_validator().is_valid(document)
    pack = load_pack(example.group(1).encode("utf-8"))
    assert [cue.description for cue in pack.tracks[0].cues] == [
        "The rooftop confession",
        "Jun-ho runs back into the smoke",
    ]


def test_the_base_pack_validates() -> None:
    assert schema_validator().is_valid(base_doc())


def test_the_importer_only_rules_are_exactly_those_the_schema_cannot_say() -> None:
    accepted = set()
    for case, change, _entry, _field in MALFORMED:
        doc = base_doc()
        change(doc)
        if schema_validator().is_valid(doc):
            accepted.add(case)
    assert accepted == IMPORTER_ONLY


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(change, id=case)
        for case, change, _entry, _field in MALFORMED
        if case not in IMPORTER_ONLY
    ],
)
def test_malformed_packs_are_refused_by_both(change: Callable[[Any], None]) -> None:
    doc = base_doc()
    change(doc)
    assert not schema_validator().is_valid(doc)
    with pytest.raises(PackError):
        load_pack(encode(doc))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(change, id=case)
        for case, change, _entry, _field in MALFORMED
        if case in IMPORTER_ONLY
    ],
)
def test_rules_beyond_the_schema_are_still_refused_on_import(change: Callable[[Any], None]) -> None:
    doc = base_doc()
    change(doc)
    with pytest.raises(PackError):
        load_pack(encode(doc))
