"""Removing a source: its tracks leave the collection, but no row and nothing on it is deleted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ostplayer.library.scanner import scan_folder, scan_folders
from ostplayer.store.database import Database
from ostplayer.store.tracks import TrackRepository
from tests.conftest import DATA

FORMATS = ("ogg", "flac", "mp3")  # fewer than the scanner's worker threshold: read in-process


@pytest.fixture
def repo(data_dir: Path) -> TrackRepository:
    db = Database(data_dir / "library.sqlite3")
    yield TrackRepository(db)
    db.close()


def make_folder(path: Path) -> Path:
    path.mkdir(parents=True)
    for fmt in FORMATS:
        shutil.copy2(DATA / f"tone.{fmt}", path / f"tone.{fmt}")  # copy2: same mtime as DATA's
    return path


def add_listener_mood(repo: TrackRepository, track_id: int, mood: str) -> None:
    with repo._db.transaction() as conn:
        conn.execute(
            "INSERT INTO track_mood (track_id, mood, origin) VALUES (?, ?, 'listener')",
            (track_id, mood),
        )


def source_id(repo: TrackRepository, path: Path) -> int:
    return next(i for i, _kind, p in repo.sources() if p == path)


def test_removing_a_source_marks_its_tracks_missing_and_keeps_them(
    repo: TrackRepository, tmp_path: Path
) -> None:
    music, other = make_folder(tmp_path / "music"), make_folder(tmp_path / "other")
    scan_folders(repo, [music, other], workers=0)
    ids = {t.path: t.id for t in repo.all()}
    mine = ids[music / "tone.ogg"]
    add_listener_mood(repo, mine, "bittersweet")
    repo.set_problems(source_id(repo, music), [(music / "bad.mp3", "corrupt", "damaged")])
    music_id, other_id = source_id(repo, music), source_id(repo, other)
    assert repo.source_counts() == {music_id: 3, other_id: 3}

    assert repo.remove_source(music_id) == 3

    assert [p for _i, _k, p in repo.sources()] == [other]
    assert {t.path.parent for t in repo.all()} == {other}  # out of the collection...
    kept = repo.get(mine)  # ...but the row stays, with the listener's mood
    assert kept is not None
    assert "bittersweet" in kept.moods
    rows = repo._db.conn.execute(
        "SELECT count(*) FROM track WHERE missing_since IS NOT NULL AND source_id IS NULL"
    ).fetchone()[0]
    assert rows == 3
    assert repo.problems() == []  # its problems went with it
    assert repo.source_counts() == {other_id: 3}


def test_a_folder_added_again_gets_its_track_ids_back(
    repo: TrackRepository, tmp_path: Path
) -> None:
    music = make_folder(tmp_path / "music")
    scan_folder(repo, music, workers=0)
    before = {t.path: t.id for t in repo.all()}
    add_listener_mood(repo, before[music / "tone.flac"], "hopeful")
    repo.remove_source(source_id(repo, music))
    assert repo.all() == []

    report = scan_folder(repo, music, workers=0)

    assert {t.path: t.id for t in repo.all()} == before
    assert (report.added, report.updated) == (0, len(FORMATS))  # known tracks coming back
    assert "hopeful" in repo.get(before[music / "tone.flac"]).moods


def test_a_folder_added_again_is_not_merged_into_a_copy_elsewhere(
    repo: TrackRepository, tmp_path: Path
) -> None:
    # Two removed folders hold identical copies (same size, mtime and duration): the move
    # matching must not take the re-added file for a move of the other copy.
    music, backup = make_folder(tmp_path / "music"), make_folder(tmp_path / "backup")
    scan_folders(repo, [music, backup], workers=0)
    ids = {t.path: t.id for t in repo.all()}
    add_listener_mood(repo, ids[music / "tone.ogg"], "tender")
    repo.remove_source(source_id(repo, music))
    repo.remove_source(source_id(repo, backup))

    scan_folders(repo, [music], workers=0)

    back = {t.path: t.id for t in repo.all()}
    assert back == {p: i for p, i in ids.items() if p.parent == music}
    assert "tender" in repo.get(ids[music / "tone.ogg"]).moods
    assert repo.get(ids[backup / "tone.ogg"]) is not None  # the copy waits, missing


def test_only_tracks_below_the_folder_rejoin_it(repo: TrackRepository, tmp_path: Path) -> None:
    # "music2" shares the prefix "music" but is not below it.
    music, music2 = make_folder(tmp_path / "music"), make_folder(tmp_path / "music2")
    scan_folders(repo, [music, music2], workers=0)
    repo.remove_source(source_id(repo, music))
    repo.remove_source(source_id(repo, music2))

    new_id = repo.add_source("folder", music)

    rows = repo._db.conn.execute("SELECT path, source_id FROM track").fetchall()
    owners = {Path(bytes(r[0]).decode()).parent: r[1] for r in rows}
    assert owners == {music: new_id, music2: None}
