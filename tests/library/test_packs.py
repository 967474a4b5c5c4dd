"""The scene-pack use cases against a real database: import, export, notes as cues, file writes."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from ostplayer import files
from ostplayer.domain.scene import PERSONAL, Note, Role, SceneCue
from ostplayer.formats.pack import PackError, dump_pack, load_pack
from ostplayer.library import packs
from ostplayer.library.packs import (
    DEMO_PACK,
    check_scene,
    export_notes,
    export_pack,
    export_personal_pack,
    import_pack,
    track_cues,
    write_atomically,
)
from ostplayer.library.scanner import scan_folder
from ostplayer.store.database import Database
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.tracks import TrackRepository

Stores = tuple[TrackRepository, SceneRepository]


def open_library(data_dir: Path, music: Path) -> Stores:
    """A library in ``data_dir`` with the demo OST (copied to ``music``) scanned in."""
    music.mkdir(parents=True, exist_ok=True)
    for song in DEMO_PACK.parent.glob("*.ogg"):
        shutil.copy2(song, music / song.name)
    db = Database(data_dir / "library.sqlite3")
    tracks = TrackRepository(db)
    scan_folder(tracks, music, workers=0)
    return tracks, SceneRepository(db)


@pytest.fixture
def stores(data_dir: Path, tmp_path: Path) -> Stores:
    return open_library(data_dir, tmp_path / "music")


def track_id(tracks: TrackRepository, title: str) -> int:
    return next(t.id for t in tracks.all() if t.title == title)


def demo_document() -> dict:
    return json.loads(DEMO_PACK.read_bytes())


def stored_state(scenes: SceneRepository, tracks: TrackRepository) -> object:
    """Everything an import could change, to compare before and after."""
    return (
        scenes.packs(),
        scenes.entries(),
        scenes.episodes(),
        {t.id: scenes.cues(t.id) for t in tracks.all()},
    )


def test_demo_pack_is_bundled() -> None:
    assert DEMO_PACK.is_file()
    assert load_pack(DEMO_PACK).cue_count > 0


def test_import_matches_the_demo_ost(stores: Stores) -> None:
    tracks, scenes = stores
    result = import_pack(DEMO_PACK, tracks, scenes)
    pack = load_pack(DEMO_PACK)
    assert result == packs.PackImport(
        name=pack.name,
        matched=4,
        uncertain=0,
        unmatched=0,
        cues=pack.cue_count,
        uncertain_titles=(),
        unmatched_titles=(),
    )
    whisper = track_id(tracks, "First Love’s Whisper")
    assert [c.description for c in scenes.cues(whisper)] == [
        c.description for c in pack.tracks[0].cues
    ]


def test_import_from_bytes_and_again_updates_in_place(stores: Stores) -> None:
    tracks, scenes = stores
    import_pack(DEMO_PACK.read_bytes(), tracks, scenes)
    before = stored_state(scenes, tracks)
    again = import_pack(DEMO_PACK, tracks, scenes)
    assert again.matched == 4
    after = stored_state(scenes, tracks)
    assert len(scenes.packs()) == 1
    assert scenes.packs()[0].cues == load_pack(DEMO_PACK).cue_count
    # Same cues on the same tracks (the rows are new, so compare without their ids).
    assert {k: [c.description for c in v] for k, v in after[3].items()} == {
        k: [c.description for c in v] for k, v in before[3].items()
    }


def test_uncertain_and_unmatched_entries_are_named(stores: Stores) -> None:
    tracks, scenes = stores
    document = demo_document()
    document["tracks"][1]["album"] = "Some Other Album"  # title alone still matches
    document["tracks"][2]["title"] = "A Track Nobody Has"
    result = import_pack(json.dumps(document).encode(), tracks, scenes)
    assert (result.matched, result.uncertain, result.unmatched) == (2, 1, 1)
    assert result.uncertain_titles == ("Shadows of Doubt",)
    assert result.unmatched_titles == ("A Track Nobody Has",)


def test_a_hand_link_kept_on_reimport_counts_as_matched(stores: Stores) -> None:
    tracks, scenes = stores
    document = demo_document()
    document["tracks"][2]["title"] = "A Track Nobody Has"
    data = json.dumps(document).encode()
    import_pack(data, tracks, scenes)
    entry = next(e for e in scenes.entries() if e.track_id is None)
    scenes.link_entry(entry.id, track_id(tracks, "A Promise Kept"))
    result = import_pack(data, tracks, scenes)
    assert (result.matched, result.uncertain, result.unmatched) == (4, 0, 0)


def test_missing_tracks_are_not_matched(stores: Stores) -> None:
    tracks, scenes = stores
    tracks.mark_missing([track_id(tracks, "Hometown Serenade")])
    result = import_pack(DEMO_PACK, tracks, scenes)
    assert result.unmatched_titles == ("Hometown Serenade",)


def chapter(document: dict, track: int, index: int) -> dict:
    return document["tracks"][track]["chapters"]["chapters"][index]


@pytest.mark.parametrize(
    ("change", "entry", "field"),
    [
        (lambda d: chapter(d, 1, 2).update(startTime=-1), "Track 2", "startTime"),
        (lambda d: chapter(d, 3, -1).update(endTime=0), "Track 4", "endTime"),
        (lambda d: d["tracks"][3].update(duration="long"), "Track 4", "duration"),
    ],
    ids=["negative start", "end before start in the last entry", "duration not a number"],
)
def test_a_malformed_pack_changes_nothing(
    stores: Stores, change: object, entry: str, field: str
) -> None:
    tracks, scenes = stores
    import_pack(DEMO_PACK, tracks, scenes)
    scenes.add_note(Note(text="mine", position_ms=1_000, track_id=tracks.all()[0].id))
    before = stored_state(scenes, tracks)
    document = demo_document()
    document["name"] = "A broken pack"
    change(document)  # type: ignore[operator]
    with pytest.raises(PackError) as error:
        import_pack(json.dumps(document).encode(), tracks, scenes)
    assert error.value.entry.startswith(entry), error.value
    assert error.value.field == field
    assert entry in str(error.value) and field in str(error.value)
    assert stored_state(scenes, tracks) == before
    assert len(scenes.notes()) == 1


@pytest.mark.parametrize("data", [b"\x00\xff garbage", b"", b"[1, 2", b'{"format": 1}'])
def test_garbage_is_refused_with_nothing_written(stores: Stores, data: bytes) -> None:
    tracks, scenes = stores
    before = stored_state(scenes, tracks)
    with pytest.raises(PackError):
        import_pack(data, tracks, scenes)
    assert stored_state(scenes, tracks) == before


def test_export_of_an_imported_pack_is_its_canonical_bytes(stores: Stores) -> None:
    tracks, scenes = stores
    # Written compactly, keys shuffled: the export is the canonical form, not the file's bytes.
    document = demo_document()
    document = {key: document[key] for key in reversed(list(document))}
    import_pack(json.dumps(document, separators=(",", ":")).encode(), tracks, scenes)
    original = load_pack(DEMO_PACK)
    exported = export_pack(scenes, original.name)
    assert exported == dump_pack(original)
    assert load_pack(exported) == original
    with pytest.raises(LookupError, match="No Such Pack"):
        export_pack(scenes, "No Such Pack")


def note(track: int, at: int, text: str, episode: str | None = "S1E3", **fields: object) -> Note:
    return Note(text=text, position_ms=at, track_id=track, episode=episode, **fields)  # type: ignore[arg-type]


def test_track_cues_merge_pack_cues_and_notes_in_time_order(stores: Stores) -> None:
    tracks, scenes = stores
    import_pack(DEMO_PACK, tracks, scenes)
    whisper = track_id(tracks, "First Love’s Whisper")
    mine = scenes.add_note(note(whisper, 13_000, "my scene", episode_start_ms=2_481_000))
    scenes.add_note(note(whisper, 14_000, "a plain note, no episode", episode=None))
    cues = track_cues(scenes, whisper)
    assert [c.start_ms for c in cues] == sorted(c.start_ms for c in cues)
    personal = [c for c in cues if c.source == PERSONAL]
    assert [(c.id, c.description, c.track_id) for c in personal] == [(mine.id, "my scene", whisper)]
    assert len(cues) == len(scenes.cues(whisper)) + 1
    assert "a plain note, no episode" not in [c.description for c in cues]


def test_personal_pack_round_trips_into_another_library(stores: Stores, tmp_path: Path) -> None:
    tracks, scenes = stores
    import_pack(DEMO_PACK, tracks, scenes)  # knows the episodes' titles; its cues stay out
    whisper = track_id(tracks, "First Love’s Whisper")
    promise = track_id(tracks, "A Promise Kept")
    written = [
        note(
            whisper,
            5_250,
            "屋上で告白する — the rooftop confession",
            end_ms=20_000,
            episode_start_ms=2_480_000,
            episode_end_ms=2_495_000,
            characters=("서연", "Jun-ho"),
            place="the roof",
            role=Role.INSERT,
            moods=("tender", "설렘"),
            spoiler_from="S1E7",
        ),
        note(promise, 1_000, "the promise", episode="S1E5"),
    ]
    for item in written:
        scenes.add_note(item)
    scenes.add_note(note(promise, 2_000, "not a scene", episode=None))
    data = export_personal_pack(scenes, tracks)
    pack = load_pack(data)
    assert pack.name == "My scene notes"
    titles = {e.key: e.title for e in load_pack(DEMO_PACK).episodes}
    assert [(e.key, e.title) for e in pack.episodes] == [
        ("S1E3", titles["S1E3"]),
        ("S1E5", titles["S1E5"]),
    ]

    other = tmp_path / "other"
    other.mkdir()
    tracks2, scenes2 = open_library(other, tmp_path / "music2")
    result = import_pack(data, tracks2, scenes2)
    assert (result.matched, result.cues) == (2, 2)
    got = [
        cue
        for title in ("First Love’s Whisper", "A Promise Kept")
        for cue in scenes2.cues(track_id(tracks2, title))
    ]
    expected = [item.to_cue() for item in written]
    assert [_comparable(c) for c in got] == [_comparable(c) for c in expected if c]


def _comparable(cue: SceneCue) -> tuple[object, ...]:
    return (
        cue.start_ms,
        cue.end_ms,
        cue.episode,
        cue.episode_start_ms,
        cue.episode_end_ms,
        cue.description,
        cue.characters,
        cue.place,
        cue.role,
        cue.moods,
        cue.spoiler_from,
    )


def test_personal_pack_with_no_scenes_is_an_empty_valid_pack(stores: Stores) -> None:
    tracks, scenes = stores
    pack = load_pack(export_personal_pack(scenes, tracks, "Mina's notes"))
    assert (pack.name, pack.tracks, pack.episodes) == ("Mina's notes", (), ())


def test_personal_pack_uses_the_file_name_for_an_untitled_track(
    stores: Stores, data_dir: Path
) -> None:
    tracks, scenes = stores
    untitled = tracks.all()[0]
    with sqlite3.connect(data_dir / "library.sqlite3") as conn:  # an untagged file, by hand
        conn.execute("UPDATE track SET title = '' WHERE id = ?", (untitled.id,))
    scenes.add_note(note(untitled.id, 0, "scene"))
    pack = load_pack(export_personal_pack(scenes, tracks))
    assert pack.tracks[0].title == untitled.path.stem


def test_export_notes_per_track_includes_cues_and_plain_notes(stores: Stores) -> None:
    tracks, scenes = stores
    import_pack(DEMO_PACK, tracks, scenes)
    whisper = track_id(tracks, "First Love’s Whisper")
    scenes.add_note(note(whisper, 3_000, "a plain note", episode=None))
    lrc = export_notes(scenes, tracks, "lrc", track_id=whisper)
    assert "[00:03.00]a plain note" in lrc.splitlines()
    assert lrc.count("\n[00:") == len(scenes.cues(whisper)) + 1
    vtt = export_notes(scenes, tracks, "vtt", track_id=whisper)
    assert vtt.startswith("WEBVTT\n\nNOTE First Love’s Whisper")
    assert "a plain note" in vtt


def test_export_notes_per_episode_is_on_the_episode_timeline(stores: Stores) -> None:
    tracks, scenes = stores
    import_pack(DEMO_PACK, tracks, scenes)
    serenade = track_id(tracks, "Hometown Serenade")
    scenes.add_note(note(serenade, 5_000, "mine", episode_start_ms=3_600_000 + 65_000))
    scenes.add_note(note(serenade, 6_000, "elsewhere", episode="S1E4", episode_start_ms=1_000))
    vtt = export_notes(scenes, tracks, "vtt", episode="s01e03")
    assert "NOTE S1E3 “The Rooftop Confession”" in vtt
    assert "01:01:05.000 --> " in vtt
    assert "♪ Hometown Serenade, 0:05 — mine" in vtt
    assert "elsewhere" not in vtt


def test_export_notes_refuses_what_it_cannot_do(stores: Stores) -> None:
    tracks, scenes = stores
    with pytest.raises(ValueError, match="LRC"):
        export_notes(scenes, tracks, "lrc", episode="S1E3")
    with pytest.raises(ValueError, match="one track or of one episode"):
        export_notes(scenes, tracks, "vtt")
    with pytest.raises(ValueError, match="one track or of one episode"):
        export_notes(scenes, tracks, "vtt", track_id=1, episode="S1E3")
    with pytest.raises(ValueError, match="not an episode"):
        export_notes(scenes, tracks, "vtt", episode="episode three")
    with pytest.raises(ValueError, match="srt"):
        export_notes(scenes, tracks, "srt", track_id=1)  # type: ignore[arg-type]
    with pytest.raises(LookupError, match="9999"):
        export_notes(scenes, tracks, "lrc", track_id=9999)


def test_check_scene_refuses_a_note_that_would_not_export() -> None:
    check_scene(Note(text="fine", position_ms=0, episode="S1E3"))
    check_scene(Note(text="x" * 100_000, position_ms=0))  # a plain note is never a scene
    with pytest.raises(PackError, match="moods"):
        check_scene(Note(text="fine", position_ms=0, episode="S1E3", moods=("m" * 500,)))


def test_write_atomically_replaces_whole_and_leaves_no_temp(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "out.json"
    target.write_bytes(b"old")
    write_atomically(target, b"new \xe2\x99\xaa")
    assert target.read_bytes() == b"new \xe2\x99\xaa"
    assert [p.name for p in folder.iterdir()] == ["out.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_write_atomically_keeps_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "out.json"
    target.write_bytes(b"old")

    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", broken)
    with pytest.raises(OSError, match="No space"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in folder.iterdir()] == ["out.json"]
