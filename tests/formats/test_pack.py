"""Scene packs: round trips with no loss, and a clear PackError for every limit and every kind of
malformed field, naming the entry and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ostplayer.domain.scene import (
    Confidence,
    Episode,
    PackTrack,
    Role,
    SceneCue,
    ScenePack,
)
from ostplayer.domain.track import Track
from ostplayer.formats import pack as packs
from ostplayer.formats.pack import PackError, build_pack, dump_pack, load_pack
from tests.formats.packs import base_doc, encode

Doc = dict[str, Any]


def load_doc(document: Any) -> ScenePack:
    return load_pack(encode(document))


def chapter(doc: Doc, track: int, index: int) -> Doc:
    return doc["tracks"][track]["chapters"]["chapters"][index]


def scene(doc: Doc, track: int, index: int) -> Doc:
    return chapter(doc, track, index)["ostplayer:scene"]


# --- reading ---------------------------------------------------------------------------------


def test_base_pack_reads_into_plain_values() -> None:
    pack = load_doc(base_doc())
    assert pack.name == "Test pack"
    assert pack.series == "A Test Series"
    assert pack.episodes == (Episode(1, 1, "Pilot"), Episode(1, 3, "The Rooftop"))
    shadows = pack.tracks[1]
    assert (shadows.title, shadows.album, shadows.duration_ms) == ("Shadows", "Test OST", 120_500)
    assert shadows.cues[0] == SceneCue(
        start_ms=5_000,
        episode="S1E3",
        episode_start_ms=2_480_000,
        episode_end_ms=2_545_000,
        description="the rooftop confession",
        characters=("Mina", "Joon"),
        moods=("tender",),
        source="Test pack",
    )
    assert shadows.cues[1].start_ms == 65_500
    assert shadows.cues[1].end_ms == 70_000
    assert shadows.cues[1].role is Role.SCORE
    assert shadows.cues[1].confidence is Confidence.CERTAIN
    assert pack.tracks[0].cues[0].role is Role.OPENING
    assert pack.cue_count == 3


def test_reads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "pack.json"
    path.write_bytes(encode(base_doc()))
    assert load_pack(path) == load_doc(base_doc())


def test_a_missing_file_is_a_pack_error(tmp_path: Path) -> None:
    with pytest.raises(PackError, match=r"Could not read nothing\.json"):
        load_pack(tmp_path / "nothing.json")


def test_accepts_other_spellings_and_writes_the_canonical_ones() -> None:
    doc = base_doc()
    scene(doc, 1, 0)["episode"] = "s01e03"
    scene(doc, 1, 1)["episode"] = "1x03"
    scene(doc, 1, 1)["spoilerFrom"] = "S01E10"
    doc["tracks"][0]["musicbrainzRecordingId"] = "4B8E3A1C-1D0B-4F3E-9A6A-2F1B7C9D0E5F"
    pack = load_doc(doc)
    assert [cue.episode for cue in pack.tracks[1].cues] == ["S1E3", "S1E3"]
    assert pack.tracks[1].cues[1].spoiler_from == "S1E10"
    assert pack.tracks[0].musicbrainz_recording_id == "4b8e3a1c-1d0b-4f3e-9a6a-2f1b7c9d0e5f"
    canonical = json.loads(dump_pack(pack))
    assert canonical["tracks"][1]["chapters"]["chapters"][1]["ostplayer:scene"]["episode"] == "S1E3"


def test_a_byte_order_mark_is_allowed() -> None:
    assert load_pack(b"\xef\xbb\xbf" + encode(base_doc())).name == "Test pack"


def test_text_is_kept_exactly_as_written() -> None:
    doc = base_doc()
    odd = "<b>bold?</b> &amp; <script>alert(1)</script> https://example.com/x.png  ←  "
    chapter(doc, 1, 0)["title"] = odd + "\nline two\ttab"
    doc["tracks"][0]["title"] = "ＦＵＬＬ　ＷＩＤＴＨ ガラス café"
    pack = load_doc(doc)
    assert pack.tracks[1].cues[0].description == odd + "\nline two\ttab"
    assert pack.tracks[0].title == "ＦＵＬＬ　ＷＩＤＴＨ ガラス café"


# --- round trips -----------------------------------------------------------------------------


def test_dump_of_load_is_the_canonical_file() -> None:
    data = dump_pack(load_doc(base_doc()))
    assert dump_pack(load_pack(data)) == data
    assert data.endswith(b"}\n")
    document = json.loads(data)
    assert list(document) == ["format", "version", "name", "series", "episodes", "tracks"]
    first = document["tracks"][1]["chapters"]["chapters"][0]
    assert list(first) == ["startTime", "title", "ostplayer:scene"]
    assert first["startTime"] == 5 and isinstance(first["startTime"], int)
    assert first["ostplayer:scene"]["episodeStart"] == "41:20"
    assert first["ostplayer:scene"]["role"] == "score"
    assert first["ostplayer:scene"]["confidence"] == "certain"


def test_load_of_dump_is_the_same_pack() -> None:
    pack = ScenePack(
        name="Round trip",
        author="A fan",
        series="Series",
        description="Two lines\nof description",
        licence="CC-BY-4.0",
        episodes=(Episode(0, 1, "Special"), Episode(2, 10, ""), Episode(1, 2, "Two")),
        tracks=(
            PackTrack(title="No scenes yet"),
            PackTrack(
                title="Theme",
                album="OST",
                artist="Composer",
                duration_ms=3_723_456,
                musicbrainz_recording_id="4b8e3a1c-1d0b-4f3e-9a6a-2f1b7c9d0e5f",
                cues=(
                    SceneCue(
                        start_ms=0,
                        end_ms=1,
                        episode="S0E1",
                        description="x",
                        source="Round trip",
                    ),
                    SceneCue(
                        start_ms=999,
                        episode="S2E10",
                        episode_start_ms=3_723_001,
                        episode_end_ms=packs.MAX_TIME_MS,
                        description="the cue",
                        characters=("A", "B"),
                        place="Rooftop",
                        role=Role.INSERT,
                        moods=("tense", "tender"),
                        source="Round trip",
                        confidence=Confidence.GUESS,
                        spoiler_from="S9E1",
                    ),
                    SceneCue(
                        start_ms=999,
                        end_ms=packs.MAX_TIME_MS,
                        episode="S1E2",
                        episode_start_ms=0,
                        description="same start",
                        role=Role.ENDING,
                        source="Round trip",
                        confidence=Confidence.LIKELY,
                    ),
                ),
            ),
        ),
    )
    data = dump_pack(pack)
    assert load_pack(data) == pack
    assert b'"episodeStart": "1:02:03.001"' in data
    assert b'"episodeEnd": "24:00:00"' in data
    assert b'"startTime": 0.999' in data
    assert b'"duration": 3723.456' in data


def test_every_millisecond_survives_the_trip_through_seconds() -> None:
    # Times are seconds in the file and integer ms inside: check a spread of awkward values.
    for ms in [1, 7, 10, 99, 100, 123, 1_001, 65_432, 3_599_999, 86_399_999, packs.MAX_TIME_MS]:
        cue = SceneCue(start_ms=ms, end_ms=ms, episode="S1E1", description="t", source="p")
        pack = ScenePack(
            name="p", episodes=(Episode(1, 1),), tracks=(PackTrack(title="t", cues=(cue,)),)
        )
        assert load_pack(dump_pack(pack)) == pack, ms


def test_dump_refuses_a_pack_that_would_not_load() -> None:
    cue = SceneCue(start_ms=10, end_ms=5, episode="S1E1", description="backwards", source="p")
    pack = ScenePack(
        name="p", episodes=(Episode(1, 1),), tracks=(PackTrack(title="t", cues=(cue,)),)
    )
    with pytest.raises(PackError, match="endTime"):
        dump_pack(pack)
    fine = SceneCue(start_ms=10, episode="S1E1", description="fine", source="p")
    unlisted = ScenePack(name="p", tracks=(PackTrack(title="t", cues=(fine,)),))
    with pytest.raises(PackError, match="not in the pack's “episodes” list"):
        dump_pack(unlisted)
    with pytest.raises(PackError, match="name"):
        dump_pack(ScenePack(name="personal"))


def test_build_pack_from_library_tracks_and_personal_cues() -> None:
    track = Track(
        path=Path("/music/theme.ogg"),
        title="Theme",
        album="OST",
        artist="Composer",
        duration_ms=54_000,
        musicbrainz_recording_id="4B8E3A1C-1D0B-4F3E-9A6A-2F1B7C9D0E5F",
        id=7,
    )
    untagged = Track(path=Path("/music/other.ogg"), title="Other")
    cues = [
        SceneCue(start_ms=30_000, episode="s01e05", description="later", id=3, track_id=7),
        SceneCue(start_ms=1_000, episode="S1E2", description="first", id=2, track_id=7),
    ]
    pack = build_pack(
        "My notes",
        [(track, cues), (untagged, [])],
        episodes=[Episode(1, 2, "Two")],
        series="Series",
    )
    assert pack.episodes == (Episode(1, 2, "Two"), Episode(1, 5, ""))
    (entry,) = pack.tracks
    assert (entry.title, entry.album, entry.duration_ms) == ("Theme", "OST", 54_000)
    assert entry.musicbrainz_recording_id == "4b8e3a1c-1d0b-4f3e-9a6a-2f1b7c9d0e5f"
    assert [cue.description for cue in entry.cues] == ["first", "later"]
    assert {(cue.source, cue.id, cue.track_id) for cue in entry.cues} == {("My notes", 0, 0)}
    assert entry.cues[1].episode == "S1E5"
    assert load_pack(dump_pack(pack)) == pack


# --- malformed packs: each names the entry and the field -------------------------------------

SHADOWS = "Track 2 (“Shadows”)"
ROOFTOP = f"{SHADOWS}, scene 1 (“the rooftop confession”)"
CHASE = f"{SHADOWS}, scene 2 (“the chase”)"
PACK = "The pack"


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


T2 = ("tracks", 1)
C1 = (*T2, "chapters", "chapters", 0)
S1 = (*C1, "ostplayer:scene")
C2 = (*T2, "chapters", "chapters", 1)
S2 = (*C2, "ostplayer:scene")

MALFORMED: list[tuple[str, Callable[[Doc], None], str, str]] = [
    # (case, change, entry named, field named)
    ("format missing", _delete(("format",)), PACK, "format"),
    ("format wrong", _set(("format",), "ostplayer-scenes"), PACK, "format"),
    ("version missing", _delete(("version",)), PACK, "version"),
    ("version newer", _set(("version",), 2), PACK, "version"),
    ("version as text", _set(("version",), "1"), PACK, "version"),
    ("version zero", _set(("version",), 0), PACK, "version"),
    ("version true", _set(("version",), True), PACK, "version"),
    ("unknown top-level field", _set(("sponsor",), "x"), PACK, "sponsor"),
    ("name missing", _delete(("name",)), PACK, "name"),
    ("name empty", _set(("name",), "   "), PACK, "name"),
    ("name reserved", _set(("name",), " Personal "), PACK, "name"),
    ("name too long", _set(("name",), "n" * 501), PACK, "name"),
    ("name with a line break", _set(("name",), "two\nlines"), PACK, "name"),
    ("name with a control char", _set(("name",), "bell\x07"), PACK, "name"),
    ("name with a C1 control", _set(("name",), "x\x85y"), PACK, "name"),
    ("name with a lone surrogate", _set(("name",), "x\ud800y"), PACK, "name"),
    ("description too long", _set(("description",), "d" * 5_001), PACK, "description"),
    ("description a number", _set(("description",), 5), PACK, "description"),
    ("series a list", _set(("series",), ["a"]), PACK, "series"),
    ("licence too long", _set(("licence",), "l" * 501), PACK, "licence"),
    ("episodes an object", _set(("episodes",), {"season": 1}), PACK, "episodes"),
    ("tracks missing", _delete(("tracks",)), PACK, "tracks"),
    ("tracks an object", _set(("tracks",), {}), PACK, "tracks"),
    # episodes
    ("episode not an object", _set(("episodes", 1), "S1E3"), "Episode entry 2", ""),
    ("episode season missing", _delete(("episodes", 1, "season")), "Episode entry 2", "season"),
    ("episode season 1.5", _set(("episodes", 1, "season"), 1.5), "Episode entry 2", "season"),
    ("episode season true", _set(("episodes", 1, "season"), True), "Episode entry 2", "season"),
    ("episode season 1000", _set(("episodes", 1, "season"), 1000), "Episode entry 2", "season"),
    ("episode number -1", _set(("episodes", 1, "number"), -1), "Episode entry 2", "number"),
    ("episode number huge", _set(("episodes", 1, "number"), 10_000), "Episode entry 2", "number"),
    ("episode title long", _set(("episodes", 1, "title"), "t" * 501), "Episode entry 2", "title"),
    ("episode twice", _set(("episodes", 1, "number"), 1), "Episode entry 2", "number"),
    ("episode unknown field", _set(("episodes", 0, "airdate"), "x"), "Episode entry 1", "airdate"),
    # tracks
    ("track not an object", _set(T2, ["Shadows"]), "Track 2", ""),
    ("track title missing", _delete((*T2, "title")), "Track 2", "title"),
    ("track title empty", _set((*T2, "title"), ""), "Track 2", "title"),
    ("track title too long", _set((*T2, "title"), "t" * 501), "Track 2", "title"),
    ("track album a number", _set((*T2, "album"), 1), SHADOWS, "album"),
    ("track artist too long", _set((*T2, "artist"), "a" * 501), SHADOWS, "artist"),
    ("track duration text", _set((*T2, "duration"), "2:00"), SHADOWS, "duration"),
    ("track duration zero", _set((*T2, "duration"), 0), SHADOWS, "duration"),
    ("track duration under 1 ms", _set((*T2, "duration"), 0.0004), SHADOWS, "duration"),
    ("track duration negative", _set((*T2, "duration"), -3), SHADOWS, "duration"),
    ("track duration over a day", _set((*T2, "duration"), 86_401), SHADOWS, "duration"),
    (
        "track mbid malformed",
        _set((*T2, "musicbrainzRecordingId"), "abc"),
        SHADOWS,
        "musicbrainzRecordingId",
    ),
    ("track unknown field", _set((*T2, "img"), "https://x/y.png"), SHADOWS, "img"),
    ("chapters missing", _delete((*T2, "chapters")), SHADOWS, "chapters"),
    ("chapters a list", _set((*T2, "chapters"), []), SHADOWS, "chapters"),
    ("chapters version", _set((*T2, "chapters", "version"), "1.1.0"), SHADOWS, "version"),
    ("chapters version missing", _delete((*T2, "chapters", "version")), SHADOWS, "version"),
    ("chapters list missing", _delete((*T2, "chapters", "chapters")), SHADOWS, "chapters"),
    ("chapters extra field", _set((*T2, "chapters", "podcastName"), "x"), SHADOWS, "podcastName"),
    # chapters
    ("chapter not an object", _set(C1, 5), f"{SHADOWS}, scene 1", ""),
    ("startTime missing", _delete((*C1, "startTime")), ROOFTOP, "startTime"),
    ("startTime as text", _set((*C1, "startTime"), "0:05"), ROOFTOP, "startTime"),
    ("startTime true", _set((*C1, "startTime"), True), ROOFTOP, "startTime"),
    ("startTime null", _set((*C1, "startTime"), None), ROOFTOP, "startTime"),
    ("startTime negative", _set((*C1, "startTime"), -0.5), ROOFTOP, "startTime"),
    ("startTime over a day", _set((*C1, "startTime"), 86_400.001), ROOFTOP, "startTime"),
    ("startTime huge integer", _set((*C1, "startTime"), 10**400), ROOFTOP, "startTime"),
    ("endTime before startTime", _set((*C2, "endTime"), 60), CHASE, "endTime"),
    ("endTime text", _set((*C2, "endTime"), "end"), CHASE, "endTime"),
    ("scenes out of order", _set((*C2, "startTime"), 1), CHASE, "startTime"),
    ("title missing", _delete((*C1, "title")), f"{SHADOWS}, scene 1", "title"),
    ("title blank", _set((*C1, "title"), " \n "), f"{SHADOWS}, scene 1", "title"),
    ("title too long", _set((*C1, "title"), "d" * 5_001), f"{SHADOWS}, scene 1", "title"),
    ("title with a NUL", _set((*C1, "title"), "a\x00b"), f"{SHADOWS}, scene 1", "title"),
    ("chapter img", _set((*C1, "img"), "https://x/y.png"), ROOFTOP, "img"),
    ("chapter url", _set((*C1, "url"), "https://x"), ROOFTOP, "url"),
    ("scene missing", _delete((*C1, "ostplayer:scene")), ROOFTOP, "ostplayer:scene"),
    ("scene a string", _set(S1, "S1E3"), ROOFTOP, "ostplayer:scene"),
    # our fields
    ("episode missing", _delete((*S1, "episode")), ROOFTOP, "episode"),
    ("episode free text", _set((*S1, "episode"), "Episode 3"), ROOFTOP, "episode"),
    ("episode a number", _set((*S1, "episode"), 3), ROOFTOP, "episode"),
    ("episode with spaces", _set((*S1, "episode"), " S1E3"), ROOFTOP, "episode"),
    ("episode not listed", _set((*S1, "episode"), "S1E9"), ROOFTOP, "episode"),
    ("episodeStart seconds", _set((*S1, "episodeStart"), 2480), ROOFTOP, "episodeStart"),
    ("episodeStart 60 seconds", _set((*S1, "episodeStart"), "41:60"), ROOFTOP, "episodeStart"),
    ("episodeStart h:60:00", _set((*S1, "episodeStart"), "1:60:00"), ROOFTOP, "episodeStart"),
    ("episodeStart over a day", _set((*S1, "episodeStart"), "25:00:00"), ROOFTOP, "episodeStart"),
    ("episodeStart words", _set((*S1, "episodeStart"), "noon"), ROOFTOP, "episodeStart"),
    ("episodeStart Arabic digits", _set((*S1, "episodeStart"), "٤١:٢٠"), ROOFTOP, "episodeStart"),
    ("episodeEnd before start", _set((*S1, "episodeEnd"), "41:00"), ROOFTOP, "episodeEnd"),
    ("episodeEnd without start", _delete((*S1, "episodeStart")), ROOFTOP, "episodeEnd"),
    ("characters a string", _set((*S1, "characters"), "Mina"), ROOFTOP, "characters"),
    ("characters too many", _set((*S1, "characters"), ["c"] * 51), ROOFTOP, "characters"),
    ("character a number", _set((*S1, "characters"), ["Mina", 2]), ROOFTOP, "characters[2]"),
    ("character empty", _set((*S1, "characters"), [""]), ROOFTOP, "characters[1]"),
    ("character too long", _set((*S1, "characters"), ["c" * 101]), ROOFTOP, "characters[1]"),
    ("moods too many", _set((*S1, "moods"), ["m"] * 21), ROOFTOP, "moods"),
    ("mood too long", _set((*S1, "moods"), ["m" * 101]), ROOFTOP, "moods[1]"),
    ("place too long", _set((*S1, "place"), "p" * 501), ROOFTOP, "place"),
    ("role unknown", _set((*S1, "role"), "theme"), ROOFTOP, "role"),
    ("role capitalised", _set((*S1, "role"), "Opening"), ROOFTOP, "role"),
    ("confidence a number", _set((*S1, "confidence"), 0.5), ROOFTOP, "confidence"),
    ("spoilerFrom earlier", _set((*S1, "spoilerFrom"), "S1E1"), ROOFTOP, "spoilerFrom"),
    ("spoilerFrom malformed", _set((*S1, "spoilerFrom"), "later"), ROOFTOP, "spoilerFrom"),
    ("scene unknown field", _set((*S1, "mood"), "tender"), ROOFTOP, "mood"),
]


@pytest.mark.parametrize(
    ("change", "entry", "field"),
    [pytest.param(change, entry, field, id=case) for case, change, entry, field in MALFORMED],
)
def test_malformed_field_names_entry_and_field(
    change: Callable[[Doc], None], entry: str, field: str
) -> None:
    doc = base_doc()
    change(doc)
    with pytest.raises(PackError) as caught:
        load_doc(doc)
    error = caught.value
    message = str(error)
    assert entry in message
    assert error.entry.startswith(entry)
    assert error.field == field
    if field:
        assert f"“{field}”" in message
        assert error.path[-1] == field
    # One readable sentence or two, never a Python repr or a traceback.
    assert "Traceback" not in message and "\n" not in message
    assert message.endswith(".")


def test_messages_read_as_sentences_for_listeners() -> None:
    doc = base_doc()
    chapter(doc, 1, 1)["endTime"] = 60
    with pytest.raises(PackError) as caught:
        load_doc(doc)
    assert str(caught.value) == (
        "Track 2 (“Shadows”), scene 2 (“the chase”): “endTime” (60 s) comes before "
        "“startTime” (65.5 s)."
    )
    doc = base_doc()
    doc["version"] = 2
    with pytest.raises(PackError, match="newer OST Player") as caught:
        load_doc(doc)
    assert "Update OST Player" in str(caught.value)


def test_infinity_and_nan_are_not_json() -> None:
    for text in ["NaN", "Infinity", "-Infinity"]:
        data = encode(base_doc()).replace(b'"startTime": 5', b'"startTime": ' + text.encode())
        with pytest.raises(PackError, match="not valid JSON"):
            load_pack(data)
    # 1e400 is valid JSON that Python reads as infinity.
    data = encode(base_doc()).replace(b'"startTime": 5', b'"startTime": 1e400')
    with pytest.raises(PackError, match="finite") as caught:
        load_pack(data)
    assert caught.value.field == "startTime"


def test_a_field_given_twice_is_refused() -> None:
    data = encode(base_doc()).replace(b'"title": "Shadows"', b'"title": "Shadows", "title": "X"')
    with pytest.raises(PackError, match="appears twice") as caught:
        load_pack(data)
    assert caught.value.field == "title"
    assert caught.value.entry.startswith("Track 2")


def test_a_plain_chapters_file_is_named_as_such() -> None:
    chapters = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}
    with pytest.raises(PackError, match="plain podcast chapters file"):
        load_doc(chapters)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not valid JSON"),
        (b"{", "not valid JSON"),
        (b"{'single': 'quotes'}", "not valid JSON"),
        (b'{"format": "ostplayer-scene-pack"} trailing', "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"name": "caf\xe9"}', "not UTF-8"),
        (b"[]", "not a scene pack"),
        (b"null", "not a scene pack"),
        (b'"a string"', "not a scene pack"),
        (b"42", "not a scene pack"),
        (b"1" * 5_000, "not valid JSON"),  # more digits than Python converts
    ],
)
def test_not_a_pack_at_all(data: bytes, words: str) -> None:
    with pytest.raises(PackError, match=words):
        load_pack(data)


# --- limits ----------------------------------------------------------------------------------


def test_size_cap_is_checked_before_parsing() -> None:
    # Not JSON at all: only the size check can have produced this message.
    with pytest.raises(PackError, match=r"limited to 20 MB"):
        load_pack(b"x" * (packs.MAX_PACK_BYTES + 1))
    assert len(dump_pack(load_doc(base_doc()))) < packs.MAX_PACK_BYTES


def test_size_cap_reads_no_more_than_the_cap_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as file:
        file.truncate(2 * 1024**3)  # a sparse 2 GB file: reading it all would take a while
    with pytest.raises(PackError, match=r"limited to 20 MB"):
        load_pack(path)


def test_a_pack_of_exactly_the_size_cap_loads() -> None:
    data = encode(base_doc())
    data = data[:-1] + b" " * (packs.MAX_PACK_BYTES - len(data)) + b"}"
    assert len(data) == packs.MAX_PACK_BYTES
    assert load_pack(data).name == "Test pack"


def test_nesting_cap_without_exhausting_the_stack() -> None:
    for depth in [packs.MAX_DEPTH + 1, 900, 100_000, 1_000_000]:
        doc = base_doc()
        data = encode(doc)[:-1] + b', "deep": ' + b"[" * depth + b"]" * depth + b"}"
        with pytest.raises(PackError, match="nests lists and objects more than 16 deep"):
            load_pack(data)
    # Deep objects, too.
    data = b'{"a": ' * 5_000 + b"1" + b"}" * 5_000
    with pytest.raises(PackError, match="deep"):
        load_pack(data)


def test_nesting_at_the_cap_is_fine_until_the_field_check() -> None:
    doc = base_doc()
    nested: Any = 1
    for _ in range(packs.MAX_DEPTH - 1):
        nested = [nested]
    doc["deep"] = nested  # 16 levels with the pack itself: allowed, then refused by name
    with pytest.raises(PackError) as caught:
        load_doc(doc)
    assert caught.value.field == "deep"


def _minimal_track(title: str, cues: int) -> Doc:
    chapter = {"startTime": 0, "title": "s", "ostplayer:scene": {"episode": "S1E1"}}
    return {"title": title, "chapters": {"version": "1.2.0", "chapters": [chapter] * cues}}


@pytest.mark.parametrize(
    ("key", "limit", "item"),
    [
        ("episodes", packs.MAX_EPISODES, None),
        ("tracks", packs.MAX_TRACKS, None),
    ],
)
def test_list_caps(key: str, limit: int, item: Any) -> None:
    doc = base_doc()
    if key == "episodes":
        doc[key] = [{"season": 1, "number": n} for n in range(limit)]
    else:
        doc[key] = [_minimal_track(f"t{n}", 0) for n in range(limit)]
    load_doc(doc)  # exactly at the cap: fine
    doc[key].append(doc[key][0])
    with pytest.raises(PackError, match=f"the most is {limit:,}") as caught:
        load_doc(doc)
    assert caught.value.field == key


def test_cues_per_track_cap() -> None:
    doc = base_doc()
    doc["tracks"] = [_minimal_track("Crowded", packs.MAX_CUES_PER_TRACK)]
    load_doc(doc)
    doc["tracks"] = [_minimal_track("Crowded", packs.MAX_CUES_PER_TRACK + 1)]
    with pytest.raises(PackError, match="lists 1,001 scenes, and the most is 1,000") as caught:
        load_doc(doc)
    assert caught.value.entry == "Track 1 (“Crowded”)"
    assert caught.value.field == "chapters"


def test_total_cues_cap() -> None:
    per_track = packs.MAX_CUES_PER_TRACK
    tracks = packs.MAX_CUES // per_track
    doc = base_doc()
    doc["tracks"] = [_minimal_track(f"t{n}", per_track) for n in range(tracks)]
    assert load_doc(doc).cue_count == packs.MAX_CUES
    doc["tracks"].append(_minimal_track("one too many", 1))
    with pytest.raises(PackError, match="more than 50,000 scenes") as caught:
        load_doc(doc)
    assert caught.value.field == "tracks"


def test_field_caps_are_inclusive() -> None:
    doc = base_doc()
    doc["name"] = "n" * packs.MAX_TITLE_CHARS
    doc["description"] = "d" * packs.MAX_DESCRIPTION_CHARS
    chapter(doc, 1, 0)["title"] = "t" * packs.MAX_DESCRIPTION_CHARS
    scene(doc, 1, 0)["characters"] = ["c" * packs.MAX_NAME_CHARS] * packs.MAX_CHARACTERS
    scene(doc, 1, 0)["moods"] = ["m" * packs.MAX_NAME_CHARS] * packs.MAX_MOODS
    chapter(doc, 1, 1)["endTime"] = 86_400
    scene(doc, 1, 1)["episodeStart"] = "24:00:00"
    pack = load_doc(doc)
    assert len(pack.tracks[1].cues[0].characters) == packs.MAX_CHARACTERS
    assert load_pack(dump_pack(pack)) == pack
