"""Scene packs: one versioned JSON format for sharing scene cues between fans.

A pack is a JSON object ``{"format": "ostplayer-scene-pack", "version": 1, ...}`` with a list of
episodes and a list of track entries. Each track entry's ``chapters`` member is a complete
Podcasting 2.0 JSON chapters document (``{"version": "1.2.0", "chapters": [...]}``, times in
seconds), so any chapters reader can load it. Our own fields sit in each chapter under the key
``"ostplayer:scene"``. docs/scene-pack.md describes the format for people who write packs by hand
and docs/scene-pack.schema.json is its JSON Schema.

Loading is strict and all-or-nothing: :func:`load_pack` returns a whole :class:`ScenePack` or
raises :class:`PackError`, whose message names the entry and the field that is wrong. Nothing
here touches the file system except reading the one file it is given, and nothing fetches a URL.
Text is kept exactly as written, as plain text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

from ostplayer.domain.scene import (
    PERSONAL,
    Confidence,
    Episode,
    PackTrack,
    Role,
    SceneCue,
    ScenePack,
    episode_order,
    format_episode_key,
    is_episode_key,
    normalise_episode_key,
)
from ostplayer.domain.text import fold
from ostplayer.domain.timefmt import format_ms

__all__ = [
    "CHAPTERS_VERSION",
    "FORMAT",
    "MAX_CHARACTERS",
    "MAX_CUES",
    "MAX_CUES_PER_TRACK",
    "MAX_DEPTH",
    "MAX_DESCRIPTION_CHARS",
    "MAX_EPISODES",
    "MAX_EPISODE_NUMBER",
    "MAX_MOODS",
    "MAX_NAME_CHARS",
    "MAX_PACK_BYTES",
    "MAX_SEASON",
    "MAX_TIME_MS",
    "MAX_TITLE_CHARS",
    "MAX_TRACKS",
    "NAMESPACE",
    "VERSION",
    "PackError",
    "PackTrack",
    "ScenePack",
    "build_pack",
    "dump_pack",
    "load_pack",
]

FORMAT = "ostplayer-scene-pack"
#: The format version this code reads and writes. A newer one is refused with a clear message.
VERSION = 1
#: The version of the Podcasting 2.0 JSON chapters format each track's ``chapters`` follows.
CHAPTERS_VERSION = "1.2.0"
#: The key of our fields inside a chapter. A prefixed key with a colon cannot clash with any
#: present or future field of the chapters format (which uses plain camelCase names), and
#: chapters readers skip keys they do not know, as they do for other apps' prefixed keys.
NAMESPACE = "ostplayer:scene"

# Limits. Each one gives its own clear error; docs/scene-pack.md and the schema list them too.
MAX_PACK_BYTES = 20 * 1024 * 1024
#: Objects and lists inside each other; a valid pack needs 8 (pack, tracks, track, chapters,
#: chapter list, chapter, scene, characters).
MAX_DEPTH = 16
MAX_TITLE_CHARS = 500
MAX_DESCRIPTION_CHARS = 5_000
#: A character's name or a mood.
MAX_NAME_CHARS = 100
MAX_CHARACTERS = 50
MAX_MOODS = 20
MAX_EPISODES = 5_000
MAX_TRACKS = 5_000
MAX_CUES_PER_TRACK = 1_000
MAX_CUES = 50_000
#: Every time, on a track or in an episode, lies within a day.
MAX_TIME_MS = 24 * 3600 * 1000
MAX_SEASON = 999
MAX_EPISODE_NUMBER = 9_999

# Control characters are never meant in shown text (and C1 controls and lone surrogates are
# what broken encodings leave behind). A description may hold line breaks and tabs.
_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_TEXT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# An episode time: m:ss or h:mm:ss, an optional fraction of up to three digits.
_CLOCK = re.compile(
    r"(?:(?P<h>[0-9]{1,2}):(?P<m1>[0-5][0-9])|(?P<m2>[0-9]{1,2})):(?P<s>[0-5][0-9])"
    r"(?:\.(?P<f>[0-9]{1,3}))?"
)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MBID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

_Choice = TypeVar("_Choice", Role, Confidence)

_PACK_KEYS = (
    "format",
    "version",
    "name",
    "author",
    "series",
    "description",
    "licence",
    "episodes",
    "tracks",
)
_EPISODE_KEYS = ("season", "number", "title")
_TRACK_KEYS = ("title", "album", "artist", "duration", "musicbrainzRecordingId", "chapters")
_CHAPTERS_KEYS = ("version", "chapters")
_CHAPTER_KEYS = ("startTime", "endTime", "title", NAMESPACE)
_SCENE_KEYS = (
    "episode",
    "episodeStart",
    "episodeEnd",
    "characters",
    "place",
    "role",
    "moods",
    "confidence",
    "spoilerFrom",
)


class PackError(ValueError):
    """A scene pack that cannot be read or written, with a message for the listener.

    ``entry`` names the part of the pack (``"Track 2 (“Shadows of Doubt”), scene 3 (…)"``),
    ``field`` the field that is wrong (``"endTime"``) and ``path`` the route to it in the JSON
    (``("tracks", 1, "chapters", "chapters", 2, "endTime")``), each empty when it does not apply.
    """

    def __init__(
        self,
        message: str,
        *,
        entry: str = "",
        field: str = "",
        path: tuple[str | int, ...] = (),
    ) -> None:
        super().__init__(message)
        self.entry = entry
        self.field = field
        self.path = path


class TrackKeys(Protocol):
    """What :func:`build_pack` needs to know of a local track (``Track`` has it all)."""

    @property
    def title(self) -> str: ...
    @property
    def album(self) -> str: ...
    @property
    def artist(self) -> str: ...
    @property
    def duration_ms(self) -> int: ...
    @property
    def musicbrainz_recording_id(self) -> str: ...


# --- loading ---------------------------------------------------------------------------------


def load_pack(source: bytes | Path) -> ScenePack:
    """Read a scene pack from the bytes of a pack file, or from the file at ``source``.

    Raises :class:`PackError` (and nothing else) when the file cannot be read or is not a valid
    pack; the message says which entry and which field is wrong.
    """
    data = _read(source) if isinstance(source, Path) else bytes(source)
    if len(data) > MAX_PACK_BYTES:
        raise PackError(
            f"The file is {_megabytes(len(data))}; scene packs are limited to "
            f"{_megabytes(MAX_PACK_BYTES)}."
        )
    return _parse(_decode(data))


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            # Never read more than one byte past the cap, whatever the file claims to be.
            return file.read(MAX_PACK_BYTES + 1)
    except OSError as error:
        raise PackError(f"Could not read {path.name}: {error.strerror or error}.") from error


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it saw more than once (JSON allows it; we don't)."""

    duplicates: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _value in pairs:
            if key in seen:
                repeated.append(key)
            seen.add(key)
        result.duplicates = tuple(repeated)
    return result


class _NotJsonError(ValueError):
    """NaN or Infinity, which Python's json reads but JSON does not have."""


def _refuse_constant(name: str) -> NoReturn:
    raise _NotJsonError(f"{name} is not a number in JSON")


def _decode(data: bytes) -> Any:
    try:
        # A byte order mark is how some editors start a UTF-8 file; it is not part of the JSON.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PackError(
            f"The file is not UTF-8 text (the byte at position {error.start} is not valid "
            "UTF-8); save it as UTF-8."
        ) from error
    try:
        return json.loads(text, object_pairs_hook=_object_pairs, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise PackError(
            f"The file is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    except RecursionError as error:
        raise PackError(_too_deep()) from error
    except _NotJsonError as error:
        raise PackError(f"The file is not valid JSON: {error}.") from error
    except ValueError as error:  # Python refuses integers of thousands of digits
        raise PackError("The file is not valid JSON: a number in it is far too long.") from error


def _too_deep() -> str:
    return (
        f"The file nests lists and objects more than {MAX_DEPTH} deep; "
        "a scene pack never needs that many."
    )


def _check_depth(document: Any) -> None:
    # Iterative, so no depth can exhaust the Python stack.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Iterable[Any] = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise PackError(_too_deep())
        stack.extend((child, depth + 1) for child in children)


def _parse(document: Any) -> ScenePack:
    _check_depth(document)
    where = _Where("The pack", ())
    if not isinstance(document, dict):
        raise PackError(
            f"The file holds {_kind(document)}, not a scene pack (a JSON object that starts "
            f'with "format": "{FORMAT}").'
        )
    if "format" not in document:
        if "chapters" in document:
            raise PackError(
                "This is a plain podcast chapters file, not a scene pack: a scene pack is an "
                f'object with "format": "{FORMAT}" and a chapters document for each track.',
                entry=where.entry,
                field="format",
                path=("format",),
            )
        where.fail("format", f'is missing; a scene pack starts with "format": "{FORMAT}".')
    if document["format"] != FORMAT:
        where.fail("format", f'is {_show_value(document["format"])}, not "{FORMAT}".')
    _check_version(where, document)
    _check_keys(where, document, _PACK_KEYS)

    name = _text(where, document, "name", required=True, limit=MAX_TITLE_CHARS)
    if fold(name).strip() == PERSONAL:
        where.fail("name", f"cannot be “{_clip(name)}”: that name is kept for your own notes.")
    episodes = _episodes(where, document)
    known = {(e.season, e.number) for e in episodes}
    tracks = _tracks(where, document, name, known)
    return ScenePack(
        name=name,
        author=_text(where, document, "author", limit=MAX_TITLE_CHARS),
        series=_text(where, document, "series", limit=MAX_TITLE_CHARS),
        description=_text(
            where, document, "description", limit=MAX_DESCRIPTION_CHARS, multiline=True
        ),
        licence=_text(where, document, "licence", limit=MAX_TITLE_CHARS),
        episodes=episodes,
        tracks=tracks,
    )


def _check_version(where: _Where, document: dict[str, Any]) -> None:
    if "version" not in document:
        where.fail("version", f"is missing; this OST Player reads version {VERSION}.")
    version = document["version"]
    if _is_int(version) and version > VERSION:
        where.fail(
            "version",
            f"is {version}: the pack was made for a newer OST Player, and this one reads only "
            f"version {VERSION}. Update OST Player to import it.",
        )
    if not _is_int(version) or version != VERSION:
        where.fail(
            "version", f"is {_show_value(version)}; this OST Player reads version {VERSION}."
        )


def _episodes(where: _Where, document: dict[str, Any]) -> tuple[Episode, ...]:
    items = _list(where, document, "episodes", limit=MAX_EPISODES, what="episodes")
    episodes: list[Episode] = []
    seen: dict[tuple[int, int], int] = {}
    for index, item in enumerate(items):
        here = where.item(f"Episode entry {index + 1}", ("episodes", index), item)
        if not isinstance(item, dict):
            here.fail_entry(
                f'must be an object like {{"season": 1, "number": 3}}, not {_kind(item)}.'
            )
        _check_keys(here, item, _EPISODE_KEYS)
        season = _integer(here, item, "season", 0, MAX_SEASON)
        number = _integer(here, item, "number", 0, MAX_EPISODE_NUMBER)
        title = _text(here, item, "title", limit=MAX_TITLE_CHARS)
        if (season, number) in seen:
            here.fail(
                "number",
                f"repeats episode {format_episode_key(season, number)}, already listed as "
                f"episode entry {seen[season, number] + 1}.",
            )
        seen[season, number] = index
        episodes.append(Episode(season=season, number=number, title=title))
    return tuple(episodes)


def _tracks(
    where: _Where, document: dict[str, Any], name: str, known: set[tuple[int, int]]
) -> tuple[PackTrack, ...]:
    if "tracks" not in document:
        where.fail("tracks", "is missing; it lists the tracks and their scenes.")
    items = _list(where, document, "tracks", limit=MAX_TRACKS, what="tracks")
    tracks: list[PackTrack] = []
    total = 0
    for index, item in enumerate(items):
        here = where.item(f"Track {index + 1}", ("tracks", index), item)
        if not isinstance(item, dict):
            here.fail_entry(f'must be an object with a "title" and "chapters", not {_kind(item)}.')
        _check_keys(here, item, _TRACK_KEYS)
        title = _text(here, item, "title", required=True, limit=MAX_TITLE_CHARS)
        album = _text(here, item, "album", limit=MAX_TITLE_CHARS)
        artist = _text(here, item, "artist", limit=MAX_TITLE_CHARS)
        duration_ms = _seconds(here, item, "duration", required=False, positive=True)
        mbid = _text(here, item, "musicbrainzRecordingId", limit=36)
        if mbid and _MBID.fullmatch(mbid) is None:
            here.fail(
                "musicbrainzRecordingId",
                f"is {_show_value(mbid)}, which is not a MusicBrainz recording id (36 characters "
                "like 4b8e3a1c-1d0b-4f3e-9a6a-2f1b7c9d0e5f).",
            )
        cues = _chapters(here, item, name, known)
        total += len(cues)
        if total > MAX_CUES:
            where.fail("tracks", f"hold more than {MAX_CUES:,} scenes in all; that is the most.")
        tracks.append(
            PackTrack(
                title=title,
                album=album,
                artist=artist,
                duration_ms=duration_ms,
                musicbrainz_recording_id=mbid.lower(),
                cues=cues,
            )
        )
    return tuple(tracks)


def _chapters(
    where: _Where, track: dict[str, Any], name: str, known: set[tuple[int, int]]
) -> tuple[SceneCue, ...]:
    if "chapters" not in track:
        where.fail(
            "chapters",
            f'is missing; it holds the scenes as a chapters document: {{"version": '
            f'"{CHAPTERS_VERSION}", "chapters": [...]}}.',
        )
    document = track["chapters"]
    doc_where = where.inside("chapters")
    if not isinstance(document, dict):
        where.fail(
            "chapters",
            f'must be a chapters document {{"version": "{CHAPTERS_VERSION}", "chapters": [...]}}, '
            f"not {_kind(document)}.",
        )
    _check_keys(doc_where, document, _CHAPTERS_KEYS)
    if "version" not in document:
        doc_where.fail(
            "version",
            f'is missing from the chapters document; it is "{CHAPTERS_VERSION}" (the '
            "Podcasting 2.0 chapters version).",
        )
    if document["version"] != CHAPTERS_VERSION:
        doc_where.fail(
            "version",
            f'of the chapters document must be "{CHAPTERS_VERSION}" (the Podcasting 2.0 '
            f"chapters version), not {_show_value(document['version'])}.",
        )
    if "chapters" not in document:
        doc_where.fail("chapters", "is missing from the chapters document; it lists the scenes.")
    items = _list(doc_where, document, "chapters", limit=MAX_CUES_PER_TRACK, what="scenes")
    cues: list[SceneCue] = []
    for index, item in enumerate(items):
        here = doc_where.item(f"scene {index + 1}", ("chapters", index), item, nested=True)
        if not isinstance(item, dict):
            here.fail_entry(
                f'must be an object with "startTime", "title" and "{NAMESPACE}", not {_kind(item)}.'
            )
        cue = _cue(here, item, name, known)
        if cues and cue.start_ms < cues[-1].start_ms:
            here.fail(
                "startTime",
                f"({format_ms(cue.start_ms)}) comes before the previous scene's "
                f"({format_ms(cues[-1].start_ms)}); list scenes in time order, as chapters "
                "readers expect.",
            )
        cues.append(cue)
    return tuple(cues)


def _cue(
    where: _Where, chapter: dict[str, Any], name: str, known: set[tuple[int, int]]
) -> SceneCue:
    _check_keys(where, chapter, _CHAPTER_KEYS)
    start_ms = _seconds(where, chapter, "startTime", required=True)
    assert start_ms is not None
    end_ms = _seconds(where, chapter, "endTime", required=False)
    if end_ms is not None and end_ms < start_ms:
        where.fail(
            "endTime",
            f"({_show_seconds(end_ms)}) comes before “startTime” ({_show_seconds(start_ms)}).",
        )
    description = _text(
        where, chapter, "title", required=True, limit=MAX_DESCRIPTION_CHARS, multiline=True
    )
    if NAMESPACE not in chapter:
        where.fail(
            NAMESPACE,
            "is missing; it says which episode the scene is in, e.g. "
            f'"{NAMESPACE}": {{"episode": "S1E3", "episodeStart": "41:20"}}.',
        )
    scene = chapter[NAMESPACE]
    scene_where = where.inside(NAMESPACE)
    if not isinstance(scene, dict):
        where.fail(NAMESPACE, f'must be an object like {{"episode": "S1E3"}}, not {_kind(scene)}.')
    _check_keys(scene_where, scene, _SCENE_KEYS)

    episode = _episode_key(scene_where, scene, "episode", required=True)
    assert episode is not None
    if episode_order(episode) not in known:
        scene_where.fail(
            "episode",
            f"{episode} is not in the pack's “episodes” list; add it there (with its title) "
            "or correct the key.",
        )
    episode_start = _clock(scene_where, scene, "episodeStart")
    episode_end = _clock(scene_where, scene, "episodeEnd")
    if episode_end is not None:
        if episode_start is None:
            scene_where.fail("episodeEnd", "is given without “episodeStart”; add the start too.")
        elif episode_end < episode_start:
            scene_where.fail(
                "episodeEnd",
                f"({format_ms(episode_end)}) comes before “episodeStart” "
                f"({format_ms(episode_start)}).",
            )
    spoiler_from = _episode_key(scene_where, scene, "spoilerFrom", required=False)
    if spoiler_from is not None and episode_order(spoiler_from) < episode_order(episode):
        scene_where.fail(
            "spoilerFrom",
            f"({spoiler_from}) is before the scene's own episode ({episode}); a scene is always "
            "a spoiler from its own episode, so leave it out or name a later one.",
        )
    return SceneCue(
        start_ms=start_ms,
        end_ms=end_ms,
        episode=episode,
        episode_start_ms=episode_start,
        episode_end_ms=episode_end,
        description=description,
        characters=_names(scene_where, scene, "characters", MAX_CHARACTERS, "names"),
        place=_text(scene_where, scene, "place", limit=MAX_TITLE_CHARS),
        role=_choice(scene_where, scene, "role", Role, Role.SCORE),
        moods=_names(scene_where, scene, "moods", MAX_MOODS, "moods"),
        source=name,
        confidence=_choice(scene_where, scene, "confidence", Confidence, Confidence.CERTAIN),
        spoiler_from=spoiler_from,
    )


# --- field checks ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Where:
    """Which entry of the pack is being read, for messages, and its path in the JSON."""

    entry: str
    path: tuple[str | int, ...]

    def item(
        self, label: str, path: tuple[str | int, ...], value: Any, *, nested: bool = False
    ) -> _Where:
        title = value.get("title") if isinstance(value, dict) else None
        if isinstance(title, str) and title.strip():
            label = f"{label} (“{_clip(title)}”)"
        entry = f"{self.entry}, {label}" if nested else label
        return _Where(entry, self.path + path)

    def inside(self, key: str) -> _Where:
        return _Where(self.entry, (*self.path, key))

    def fail(self, field: str, problem: str) -> NoReturn:
        raise PackError(
            f"{self.entry}: “{field}” {problem}",
            entry=self.entry,
            field=field,
            path=(*self.path, field),
        )

    def fail_entry(self, problem: str) -> NoReturn:
        raise PackError(f"{self.entry} {problem}", entry=self.entry, path=self.path)


def _check_keys(where: _Where, obj: dict[str, Any], allowed: Sequence[str]) -> None:
    duplicates = getattr(obj, "duplicates", ())
    if duplicates:
        where.fail(_clip(duplicates[0]), "appears twice; give each field once.")
    for key in obj:
        if key not in allowed:
            where.fail(
                _clip(key),
                "is not a field of a scene pack here (check its spelling); the fields are "
                + ", ".join(f"“{k}”" for k in allowed)
                + ".",
            )


def _is_int(value: Any) -> bool:
    return type(value) is int  # bool is an int subclass, and true is not a number


def _is_number(value: Any) -> bool:
    return type(value) is int or type(value) is float


def _integer(where: _Where, obj: dict[str, Any], key: str, low: int, high: int) -> int:
    if key not in obj:
        where.fail(key, "is missing.")
    value = obj[key]
    if not _is_int(value):
        where.fail(key, f"must be a whole number, not {_kind(value)}.")
    if not low <= value <= high:
        where.fail(key, f"is {_number(value)}; it must be from {low} to {high:,}.")
    return int(value)


def _seconds(
    where: _Where, obj: dict[str, Any], key: str, *, required: bool, positive: bool = False
) -> int | None:
    """A time in seconds (as the chapters format writes it), returned in milliseconds."""
    if key not in obj:
        if required:
            where.fail(key, "is missing; it is the time in seconds, e.g. 65.5 for 1:05.5.")
        return None
    value = obj[key]
    if not _is_number(value):
        where.fail(key, f"must be a number of seconds (e.g. 65.5 for 1:05.5), not {_kind(value)}.")
    if isinstance(value, float) and not math.isfinite(value):
        where.fail(key, "must be a finite number of seconds.")
    if value < 0:
        where.fail(key, f"is {_number(value)}; a time cannot be negative.")
    if value > MAX_TIME_MS / 1000:
        where.fail(key, f"is more than a day ({MAX_TIME_MS // 1000:,} s): {_number(value)}.")
    ms = round(value * 1000)
    # Checked after rounding to the millisecond, so what loads also writes and loads again.
    if positive and ms == 0:
        where.fail(key, f"is {_number(value)}; leave it out when the length is not known.")
    return ms


def _clock(where: _Where, obj: dict[str, Any], key: str) -> int | None:
    """An episode time written as people read it (``41:20``, ``1:02:03.5``), in milliseconds."""
    if key not in obj:
        return None
    value = obj[key]
    if not isinstance(value, str):
        where.fail(key, f'must be a time written like "41:20" or "1:02:03.5", not {_kind(value)}.')
    match = _CLOCK.fullmatch(value)
    if match is None:
        where.fail(
            key,
            f'is {_show_value(value)}; write the episode time like "41:20" or "1:02:03.5" '
            "(minutes and seconds stop at 59).",
        )
    minutes = match["m1"] if match["m1"] is not None else match["m2"]
    ms = (int(match["h"] or 0) * 3600 + int(minutes) * 60 + int(match["s"])) * 1000
    ms += int((match["f"] or "0").ljust(3, "0"))
    if ms > MAX_TIME_MS:
        where.fail(key, f"is {value}, more than a day into the episode.")
    return ms


def _episode_key(where: _Where, obj: dict[str, Any], key: str, *, required: bool) -> str | None:
    if key not in obj:
        if required:
            where.fail(key, 'is missing; name the episode like "S1E3" (season 1, episode 3).')
        return None
    value = obj[key]
    if isinstance(value, str) and value != value.strip() and is_episode_key(value.strip()):
        where.fail(key, f'has spaces around it; write just "{value.strip()}".')
    if not isinstance(value, str) or not is_episode_key(value):
        where.fail(key, f'is {_show_value(value)}; name the episode like "S1E3" or "1x03".')
    return normalise_episode_key(value)


def _text(
    where: _Where,
    obj: dict[str, Any],
    key: str,
    *,
    required: bool = False,
    limit: int,
    multiline: bool = False,
) -> str:
    if key not in obj:
        if required:
            where.fail(key, "is missing.")
        return ""
    return _check_text(where, key, obj[key], required=required, limit=limit, multiline=multiline)


def _check_text(
    where: _Where, key: str, value: Any, *, required: bool, limit: int, multiline: bool
) -> str:
    if not isinstance(value, str):
        where.fail(key, f"must be text, not {_kind(value)}.")
    if len(value) > limit:
        where.fail(key, f"is too long: {len(value):,} characters, and the most is {limit:,}.")
    bad = (_TEXT_BAD if multiline else _LINE_BAD).search(value)
    if bad is not None:
        char = ord(bad.group())
        if 0xD800 <= char <= 0xDFFF:
            where.fail(key, f"holds a broken character (U+{char:04X}); check the file's encoding.")
        what = "a line break" if bad.group() in "\n\r" else "an invisible control character"
        where.fail(key, f"holds {what} (U+{char:04X}), which this field cannot show.")
    if required and not value.strip():
        where.fail(key, "is empty.")
    return value


def _names(where: _Where, obj: dict[str, Any], key: str, limit: int, what: str) -> tuple[str, ...]:
    items = _list(where, obj, key, limit=limit, what=what)
    return tuple(
        _check_text(
            where,
            f"{key}[{index + 1}]",
            item,
            required=True,
            limit=MAX_NAME_CHARS,
            multiline=False,
        )
        for index, item in enumerate(items)
    )


def _list(where: _Where, obj: dict[str, Any], key: str, *, limit: int, what: str) -> list[Any]:
    if key not in obj:
        return []
    value = obj[key]
    if not isinstance(value, list):
        where.fail(key, f"must be a list [...], not {_kind(value)}.")
    if len(value) > limit:
        where.fail(key, f"lists {len(value):,} {what}, and the most is {limit:,}.")
    return value


def _choice(
    where: _Where, obj: dict[str, Any], key: str, kind: type[_Choice], default: _Choice
) -> _Choice:
    if key not in obj:
        return default
    value = obj[key]
    choices = [member.value for member in kind]
    if not isinstance(value, str) or value not in choices:
        where.fail(
            key,
            f"is {_show_value(value)}; it must be one of "
            + ", ".join(f"“{c}”" for c in choices)
            + ".",
        )
    return kind(value)


def _kind(value: Any) -> str:
    """How a JSON value is named in a message for people."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (int, float)):
        number = _number(value)
        return "a number far too large" if number == "far too large" else f"the number {number}"
    if isinstance(value, list):
        return "a list"
    return "an object {...}"


def _number(value: float) -> str:
    text = f"{value:,}"
    return text if len(text) <= 20 else "far too large"


def _show_value(value: Any) -> str:
    if isinstance(value, str):
        return f"“{_clip(value)}”"
    return _kind(value)


def _clip(text: str, limit: int = 60) -> str:
    """Text safe to put in a message: one line, printable, not too long."""
    text = _UNPRINTABLE.sub(_escape_char, text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    # Line breaks and tabs read as spaces; other controls and lone surrogates as escapes.
    return " " if char in "\t\n\r" else f"\\u{ord(char):04x}"


def _show_seconds(ms: int) -> str:
    seconds = _to_seconds(ms)
    return f"{seconds} s"


# --- writing ---------------------------------------------------------------------------------


def dump_pack(pack: ScenePack) -> bytes:
    """The pack as the bytes of a pack file: UTF-8 JSON, two-space indented, ending in a newline.

    The output is what :func:`load_pack` reads back to an equal pack (every cue's ``source``
    becomes the pack's name, and its ``id`` and ``track_id`` 0). A pack that would not load
    (a field too long, an end before its start, an episode missing from the list...) raises
    :class:`PackError` instead, so an export can always be imported again.
    """
    document = _to_json(pack)
    # The same checks as on import, on exactly what is about to be written.
    _parse(json.loads(json.dumps(document), object_pairs_hook=_object_pairs))
    data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if len(data) > MAX_PACK_BYTES:
        raise PackError(
            f"The pack would be {_megabytes(len(data))}; scene packs are limited to "
            f"{_megabytes(MAX_PACK_BYTES)}. Export fewer tracks at a time."
        )
    return data


def _to_json(pack: ScenePack) -> dict[str, Any]:
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION, "name": pack.name}
    for key in ("author", "series", "description", "licence"):
        if getattr(pack, key):
            document[key] = getattr(pack, key)
    document["episodes"] = [_episode_json(episode) for episode in pack.episodes]
    document["tracks"] = [_track_json(track) for track in pack.tracks]
    return document


def _episode_json(episode: Episode) -> dict[str, Any]:
    result: dict[str, Any] = {"season": episode.season, "number": episode.number}
    if episode.title:
        result["title"] = episode.title
    return result


def _track_json(track: PackTrack) -> dict[str, Any]:
    result: dict[str, Any] = {"title": track.title}
    if track.album:
        result["album"] = track.album
    if track.artist:
        result["artist"] = track.artist
    if track.duration_ms is not None:
        result["duration"] = _to_seconds(track.duration_ms)
    if track.musicbrainz_recording_id:
        result["musicbrainzRecordingId"] = track.musicbrainz_recording_id
    result["chapters"] = {
        "version": CHAPTERS_VERSION,
        "chapters": [_chapter_json(cue) for cue in track.cues],
    }
    return result


def _chapter_json(cue: SceneCue) -> dict[str, Any]:
    chapter: dict[str, Any] = {"startTime": _to_seconds(cue.start_ms)}
    if cue.end_ms is not None:
        chapter["endTime"] = _to_seconds(cue.end_ms)
    # A chapters reader shows the title, so the title is the scene's description.
    chapter["title"] = cue.description
    scene: dict[str, Any] = {"episode": cue.episode}
    if cue.episode_start_ms is not None:
        scene["episodeStart"] = _clock_text(cue.episode_start_ms)
    if cue.episode_end_ms is not None:
        scene["episodeEnd"] = _clock_text(cue.episode_end_ms)
    if cue.characters:
        scene["characters"] = list(cue.characters)
    if cue.place:
        scene["place"] = cue.place
    scene["role"] = str(cue.role)
    if cue.moods:
        scene["moods"] = list(cue.moods)
    scene["confidence"] = str(cue.confidence)
    if cue.spoiler_from is not None:
        scene["spoilerFrom"] = cue.spoiler_from
    chapter[NAMESPACE] = scene
    return chapter


def _to_seconds(ms: int) -> int | float:
    # Whole seconds as integers (65, not 65.0); otherwise the shortest float that reads back
    # to the same millisecond.
    return ms // 1000 if ms % 1000 == 0 else ms / 1000


def _clock_text(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, fraction = divmod(rest, 1000)
    text = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    return f"{text}.{fraction:03d}" if fraction else text


# --- building a pack from the library ----------------------------------------------------------


def build_pack(
    name: str,
    tracks: Iterable[tuple[TrackKeys, Iterable[SceneCue]]],
    *,
    episodes: Iterable[Episode] = (),
    author: str = "",
    series: str = "",
    description: str = "",
    licence: str = "",
) -> ScenePack:
    """A pack of the given tracks' cues, ready for :func:`dump_pack` (e.g. personal notes).

    Each track's match keys come from the local track; its cues are put in time order and take
    the pack's name as their source. Episodes that cues name but ``episodes`` lacks are added
    without a title, and the list is put in airing order. Tracks without cues are left out.
    """
    by_key = {episode.key: episode for episode in episodes}
    entries: list[PackTrack] = []
    for track, cues in tracks:
        ordered = sorted(cues, key=lambda cue: cue.start_ms)
        if not ordered:
            continue
        for cue in ordered:
            by_key.setdefault(
                normalise_episode_key(cue.episode), Episode(*episode_order(cue.episode))
            )
        entries.append(
            PackTrack(
                title=track.title,
                album=track.album,
                artist=track.artist,
                duration_ms=track.duration_ms or None,
                musicbrainz_recording_id=track.musicbrainz_recording_id.lower(),
                cues=tuple(
                    replace(
                        cue,
                        episode=normalise_episode_key(cue.episode),
                        spoiler_from=(
                            normalise_episode_key(cue.spoiler_from) if cue.spoiler_from else None
                        ),
                        source=name,
                        id=0,
                        track_id=0,
                    )
                    for cue in ordered
                ),
            )
        )
    return ScenePack(
        name=name,
        author=author,
        series=series,
        description=description,
        licence=licence,
        episodes=tuple(sorted(by_key.values(), key=lambda e: (e.season, e.number))),
        tracks=tuple(entries),
    )
