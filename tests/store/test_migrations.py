"""Every earlier schema, frozen as a real database file, migrates to the current one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ostplayer.store.database import Database
from ostplayer.store.migrations import MIGRATIONS
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schema"


def test_there_is_a_frozen_database_for_every_earlier_schema() -> None:
    assert sorted(p.name for p in SCHEMAS.glob("v*.sqlite3")) == [
        f"v{n}.sqlite3" for n in range(1, len(MIGRATIONS))
    ]


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS)))
def test_frozen_schema_migrates_and_keeps_the_listeners_data(version: int, tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    shutil.copy(SCHEMAS / f"v{version}.sqlite3", path)
    db = Database(path)
    assert db.version == len(MIGRATIONS)
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    track = TrackRepository(db).get(7)
    assert track is not None
    assert track.title == "First Love’s Whisper"
    assert str(track.path) == "/music/OST/01 初恋.ogg"
    assert {"tender", "longing"} <= set(track.moods)  # v3 on: a pack cue adds "hopeful"
    assert StateRepository(db).get("session") == {"queue": {"items": [7]}}
    db.close()


def test_frozen_v3_keeps_notes_and_cues_and_gains_the_playlist_tables(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    shutil.copy(SCHEMAS / "v3.sqlite3", path)
    db = Database(path)
    scenes = SceneRepository(db)
    [note] = scenes.notes(7)
    assert (note.id, note.text, note.moods) == (3, "She finally says it", ("tender",))
    [cue] = scenes.cues(7)
    assert (cue.description, cue.moods) == ("the rooftop confession", ("tender", "hopeful"))
    tables = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"playlist", "playlist_entry", "mood_hidden"} <= tables
    db.close()
