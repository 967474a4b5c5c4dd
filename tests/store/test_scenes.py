"""The scene repository against a real database: notes, orphans, and all-or-nothing pack imports."""

from __future__ import annotations

import sqlite3

import pytest

from ostplayer.domain.scene import Note, Role, ScenePack
from ostplayer.formats.matching import match_tracks
from ostplayer.formats.pack import dump_pack, load_pack
from ostplayer.library.scanner import scan_folder
from ostplayer.paths import resources_dir
from ostplayer.store import scenes as scenes_module
from ostplayer.store.database import Database
from ostplayer.store.scenes import MANUAL, SceneRepository
from ostplayer.store.tracks import TrackRepository

DEMO = resources_dir() / "demo"


def track_id(repo: TrackRepository, title: str) -> int:
    return next(t.id for t in repo.all() if t.title == title)


def import_demo_pack(db: Database, repo: TrackRepository) -> tuple[SceneRepository, ScenePack]:
    pack = load_pack(DEMO / "scenes.json")
    links = [(m.track_id, str(m.level)) for m in match_tracks(pack.tracks, repo.all())]
    scenes = SceneRepository(db)
    scenes.import_pack(pack, dump_pack(pack), links)
    return scenes, pack


def test_a_note_is_committed_when_add_returns(db: Database, demo: tuple) -> None:
    repo, _ = demo
    scenes = SceneRepository(db)
    whisper = track_id(repo, "First Love’s Whisper")
    note = scenes.add_note(
        Note(
            text="the rooftop <b>confession</b>",
            position_ms=41_250,
            track_id=whisper,
            episode="S1E3",
            episode_start_ms=2_480_000,
            characters=("Ha-eun", "Jun"),
            moods=("tender",),
            role=Role.INSERT,
        )
    )
    assert note.id > 0
    # Another connection (another process after a crash) sees it at once: it is committed.
    other = sqlite3.connect(db.path)
    assert other.execute("SELECT text FROM note WHERE id = ?", (note.id,)).fetchone() == (
        "the rooftop <b>confession</b>",
    )
    other.close()
    assert scenes.notes(whisper) == [note]


def test_edit_delete_and_undo_keep_the_same_note(db: Database, demo: tuple) -> None:
    repo, _ = demo
    scenes = SceneRepository(db)
    whisper = track_id(repo, "First Love’s Whisper")
    note = scenes.add_note(Note(text="first", position_ms=1_000, track_id=whisper))
    edited = Note(text="edited", position_ms=2_000, track_id=whisper, id=note.id, moods=("warm",))
    scenes.update_note(edited)
    assert scenes.note(note.id) == edited
    deleted = scenes.delete_note(note.id)
    assert deleted == edited
    assert scenes.notes(whisper) == []
    assert scenes.restore_note(deleted) == edited  # undo: the same id, the same text
    assert scenes.notes(whisper) == [edited]


def test_notes_follow_their_track_through_rename_and_retag(db: Database, demo: tuple) -> None:
    from mutagen.oggvorbis import OggVorbis

    repo, folder = demo
    scenes = SceneRepository(db)
    serenade = track_id(repo, "Hometown Serenade")
    scenes.add_note(Note(text="the bus stop", position_ms=12_000, track_id=serenade))
    moved = folder / "sub" / "renamed.ogg"
    moved.parent.mkdir()
    (folder / "04-hometown-serenade.ogg").rename(moved)
    tags = OggVorbis(moved)
    tags["title"] = "Hometown Serenade (Retagged)"
    tags.save()
    scan_folder(repo, folder, workers=0)
    track = repo.get(serenade)
    assert track is not None and track.path == moved
    assert [n.text for n in scenes.notes(serenade)] == ["the bus stop"]
    assert scenes.orphaned_notes() == []


def test_a_note_whose_file_is_gone_is_orphaned_and_can_be_relinked(
    db: Database, demo: tuple
) -> None:
    repo, folder = demo
    scenes = SceneRepository(db)
    kept = track_id(repo, "A Promise Kept")
    note = scenes.add_note(Note(text="the letter", position_ms=5_000, track_id=kept))
    (folder / "03-a-promise-kept.ogg").unlink()
    assert scan_folder(repo, folder, workers=0).removed == 1
    assert scenes.orphaned_notes() == [note]  # still there, with its old track id
    other = track_id(repo, "First Love’s Whisper")
    scenes.relink_note(note.id, other)
    assert scenes.orphaned_notes() == []
    assert [n.id for n in scenes.notes(other)] == [note.id]


def test_the_demo_pack_imports_links_every_track_and_reimports_in_place(
    db: Database, demo: tuple
) -> None:
    repo, _ = demo
    scenes, pack = import_demo_pack(db, repo)
    whisper = track_id(repo, "First Love’s Whisper")
    cues = scenes.cues(whisper)
    assert len(cues) == len(pack.tracks[0].cues)
    assert [c.start_ms for c in cues] == sorted(c.start_ms for c in cues)
    assert {c.source for c in cues} == {pack.name}
    assert all(e.track_id is not None for e in scenes.entries())
    (summary,) = scenes.packs()
    assert (summary.entries, summary.linked) == (4, 4)

    scenes.import_pack(pack, dump_pack(pack), [(None, "unmatched")] * len(pack.tracks))
    assert len(scenes.packs()) == 1  # replaced, not duplicated
    assert scenes.cues(whisper) == []  # this time nothing was matched
    assert load_pack(scenes.pack_document(pack.name) or b"") == pack  # export loses nothing


def test_a_failing_import_changes_nothing(
    db: Database, demo: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = demo
    scenes, pack = import_demo_pack(db, repo)
    before = scenes.cues(track_id(repo, "Shadows of Doubt"))
    calls = 0
    real = scenes_module._cue_values

    def fails_on_the_seventh_cue(cue: object) -> tuple:
        nonlocal calls
        calls += 1
        if calls == 7:
            raise OSError(28, "No space left on device")
        return real(cue)  # type: ignore[arg-type]

    monkeypatch.setattr(scenes_module, "_cue_values", fails_on_the_seventh_cue)
    links = [(None, "unmatched")] * len(pack.tracks)
    with pytest.raises(OSError):
        scenes.import_pack(pack, dump_pack(pack), links)
    assert scenes.cues(track_id(repo, "Shadows of Doubt")) == before
    assert len(scenes.packs()) == 1


def test_a_hand_link_survives_the_next_import(db: Database, demo: tuple) -> None:
    repo, _ = demo
    scenes, pack = import_demo_pack(db, repo)
    entry = scenes.entries()[1]
    target = track_id(repo, "Hometown Serenade")
    scenes.link_entry(entry.id, target)
    scenes.import_pack(pack, dump_pack(pack), [(None, "unmatched")] * len(pack.tracks))
    relinked = [e for e in scenes.entries() if e.track_id is not None]
    assert [(e.position, e.track_id, e.match) for e in relinked] == [
        (entry.position, target, MANUAL)
    ]


def test_episodes_and_their_cue_sheet_in_airing_order(db: Database, demo: tuple) -> None:
    repo, _ = demo
    scenes, pack = import_demo_pack(db, repo)
    episodes = scenes.episodes()
    assert [(e.season, e.number) for e in episodes] == sorted(
        (e.season, e.number) for e in episodes
    )
    assert {e.key for e in pack.episodes} <= {e.key for e in episodes}
    first = episodes[0].key
    sheet = scenes.episode_cues(first)
    assert sheet and all(c.episode == first for c in sheet)
    times = [c.episode_start_ms for c in sheet if c.episode_start_ms is not None]
    assert times == sorted(times)
