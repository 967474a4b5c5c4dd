"""Shared for the format tests: a small valid pack as JSON, the schema, and Hypothesis strategies
that build valid packs and arbitrary JSON-ish values."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import strategies as st

from ostplayer.domain.scene import (
    Confidence,
    Episode,
    PackTrack,
    Role,
    SceneCue,
    ScenePack,
    episode_order,
)
from ostplayer.domain.text import fold
from ostplayer.formats import pack as packs

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "docs" / "scene-pack.schema.json"
DEMO_PACK = REPO / "resources" / "demo" / "scenes.json"
DEMO_DIR = REPO / "resources" / "demo"

_BASE: dict[str, Any] = {
    "format": "ostplayer-scene-pack",
    "version": 1,
    "name": "Test pack",
    "series": "A Test Series",
    "episodes": [
        {"season": 1, "number": 1, "title": "Pilot"},
        {"season": 1, "number": 3, "title": "The Rooftop"},
    ],
    "tracks": [
        {
            "title": "Opening Theme",
            "album": "Test OST",
            "duration": 90,
            "chapters": {
                "version": "1.2.0",
                "chapters": [
                    {
                        "startTime": 0,
                        "endTime": 30,
                        "title": "Opening titles",
                        "ostplayer:scene": {
                            "episode": "S1E1",
                            "episodeStart": "0:00",
                            "role": "opening",
                        },
                    }
                ],
            },
        },
        {
            "title": "Shadows",
            "album": "Test OST",
            "duration": 120.5,
            "chapters": {
                "version": "1.2.0",
                "chapters": [
                    {
                        "startTime": 5,
                        "title": "the rooftop confession",
                        "ostplayer:scene": {
                            "episode": "S1E3",
                            "episodeStart": "41:20",
                            "episodeEnd": "42:25",
                            "characters": ["Mina", "Joon"],
                            "moods": ["tender"],
                        },
                    },
                    {
                        "startTime": 65.5,
                        "endTime": 70,
                        "title": "the chase",
                        "ostplayer:scene": {"episode": "S1E3"},
                    },
                ],
            },
        },
    ],
}


def base_doc() -> dict[str, Any]:
    """A fresh copy of a small valid pack, as parsed JSON."""
    return copy.deepcopy(_BASE)


def encode(document: Any) -> bytes:
    """JSON bytes for a document (NaN and Infinity written as Python writes them).

    Non-ASCII characters are written as escapes, so a lone surrogate reaches the loader too.
    """
    return json.dumps(document, allow_nan=True).encode("ascii")


@cache
def schema_validator() -> jsonschema.Draft202012Validator:
    """The pack schema from docs/, checked to be a valid draft 2020-12 schema."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# --- strategies ------------------------------------------------------------------------------

# Text as people write it: any character but control characters and lone surrogates.
_CHARS = st.characters(blacklist_categories=("Cs", "Cc"))
_TEXT_CHARS = st.one_of(_CHARS, st.sampled_from("\n\t"))


def line(max_size: int = 12, *, required: bool = True) -> st.SearchStrategy[str]:
    """One line of text; non-blank when ``required``."""
    text = st.text(_CHARS, min_size=1 if required else 0, max_size=max_size)
    return text.filter(lambda s: s.strip()) if required else text


def long_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Non-blank text that may hold line breaks and tabs."""
    return st.text(_TEXT_CHARS, min_size=1, max_size=max_size).filter(lambda s: s.strip())


# Built once: Hypothesis validates each strategy the first time it is drawn from, which costs
# more than the draw itself when strategies are made afresh inside a composite.
_times = st.integers(0, packs.MAX_TIME_MS)
_maybe_time = st.none() | _times
_short_line = line(8)
_names = st.lists(_short_line, max_size=2).map(tuple)
_place = line(10, required=False)
_title = line(16)
_optional_line = line(16, required=False)
_description = long_text()
_roles = st.sampled_from(Role)
_confidences = st.sampled_from(Confidence)
_episode_numbers = st.lists(
    st.tuples(st.integers(0, packs.MAX_SEASON), st.integers(0, packs.MAX_EPISODE_NUMBER)),
    min_size=1,
    max_size=4,
    unique=True,
)
_pack_name = line(20).filter(lambda s: fold(s).strip() != "personal")
_mbids = st.just("") | st.uuids().map(str)
_durations = st.none() | st.integers(1, packs.MAX_TIME_MS)
_licences = st.sampled_from(["", "CC0-1.0", "CC-BY-4.0"])
_pack_description = st.just("") | long_text()


def _span(draw: st.DrawFn) -> tuple[int | None, int | None]:
    """A start and an end after it, either of them possibly unknown (no end without a start)."""
    start = draw(_maybe_time)
    end = draw(_maybe_time)
    if start is None:
        return None, None
    if end is not None and end < start:
        start, end = end, start
    return start, end


@st.composite
def scene_cues(draw: st.DrawFn, keys: list[str], source: str) -> SceneCue:
    """A valid cue in one of the listed episodes."""
    start = draw(_times)
    end = draw(_maybe_time)
    if end is not None and end < start:
        start, end = end, start
    episode = keys[draw(st.integers(0, len(keys) - 1))]
    episode_start, episode_end = _span(draw)
    # A spoiler from the cue's own episode or a later one (listed or not).
    later = [key for key in (*keys, "S999E9999") if episode_order(key) >= episode_order(episode)]
    spoiler = draw(st.none() | st.sampled_from(later))
    return SceneCue(
        start_ms=start,
        end_ms=end,
        episode=episode,
        episode_start_ms=episode_start,
        episode_end_ms=episode_end,
        description=draw(_description),
        characters=draw(_names),
        place=draw(_place),
        role=draw(_roles),
        moods=draw(_names),
        source=source,
        confidence=draw(_confidences),
        spoiler_from=spoiler,
    )


@st.composite
def scene_packs(draw: st.DrawFn) -> ScenePack:
    """A valid pack: what load_pack must read back exactly from dump_pack."""
    name = draw(_pack_name)
    episodes = tuple(
        Episode(season, number, draw(_optional_line)) for season, number in draw(_episode_numbers)
    )
    keys = [episode.key for episode in episodes]
    cues = st.lists(scene_cues(keys, name), max_size=3)
    tracks = []
    for _ in range(draw(st.integers(0, 3))):
        tracks.append(
            PackTrack(
                title=draw(_title),
                album=draw(_optional_line),
                artist=draw(_optional_line),
                duration_ms=draw(_durations),
                musicbrainz_recording_id=draw(_mbids),
                cues=tuple(sorted(draw(cues), key=lambda cue: cue.start_ms)),
            )
        )
    return ScenePack(
        name=name,
        author=draw(_optional_line),
        series=draw(_optional_line),
        description=draw(_pack_description),
        licence=draw(_licences),
        episodes=episodes,
        tracks=tuple(tracks),
    )


#: Any value JSON can hold (and NaN and the infinities, which Python writes and JSON lacks).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["S1E3", "41:20", "1.2.0", "ostplayer-scene-pack", "opening", ""]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["title", "startTime", "episode", "chapters", "version", "x"])
            | st.text(max_size=6),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)
