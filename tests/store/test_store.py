"""The SQLite store: migrations, tracks by path, moods, session state."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from ostplayer.domain.track import Track
from ostplayer.paths import AppPaths
from ostplayer.store.database import Database, StoreError
from ostplayer.store.migrations import MIGRATIONS
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository


@pytest.fixture
def db(data_dir: Path) -> Database:
    paths = AppPaths.resolve()
    assert paths.data_dir == data_dir.resolve()  # tests never touch the real data dir
    database = Database(paths.database)
    yield database
    database.close()


def test_new_database_is_migrated_and_uses_wal(db: Database) -> None:
    assert db.version == len(MIGRATIONS)
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_newer_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer OST Player"):
        Database(path)
    assert path.read_bytes() == before


def test_tracks_round_trip_with_moods_and_odd_paths(db: Database, tmp_path: Path) -> None:
    repo = TrackRepository(db)
    odd = Path(os.fsdecode(b"/music/caf\xe9-latin1.ogg"))  # not valid UTF-8 on disk
    source = repo.add_source("folder", tmp_path)
    tracks = [
        Track(path=odd, title="Café", moods=("tender", "warm"), duration_ms=61_000),
        Track(path=Path("/music/初恋のささやき.flac"), title="初恋のささやき", track_number=1),
    ]
    ids = repo.save_many([(t, 100, 5) for t in tracks], source)
    assert len(set(ids)) == 2
    stored = {t.path: t for t in repo.all()}
    assert stored[odd].moods == ("tender", "warm")
    assert stored[odd].id == ids[0]
    assert stored[Path("/music/初恋のささやき.flac")].title == "初恋のささやき"
    assert repo.get(ids[0]).duration_ms == 61_000


def test_saving_again_keeps_the_id_and_replaces_tag_moods(db: Database) -> None:
    repo = TrackRepository(db)
    track = Track(path=Path("/m/a.ogg"), title="A", moods=("tense",))
    (first,) = repo.save_many([(track, 1, 1)])
    db.conn.execute(
        "INSERT INTO track_mood (track_id, mood, origin) VALUES (?, 'brooding', 'listener')",
        (first,),
    )
    retagged = Track(path=Path("/m/a.ogg"), title="A (retagged)", moods=("eerie",))
    (second,) = repo.save_many([(retagged, 1, 2)])
    assert second == first
    got = repo.get(first)
    assert got.title == "A (retagged)"
    assert set(got.moods) == {"eerie", "brooding"}  # the listener's own mood stays


def test_a_batch_gives_new_rows_the_ids_the_database_holds(db: Database) -> None:
    # The scan's save hands out new ids itself (no second lookup): they must be the rows' own,
    # also for a path named twice in one batch and after the newest row was deleted.
    repo = TrackRepository(db)
    (kept,) = repo.save_many([(Track(path=Path("/m/kept.ogg"), title="Kept"), 1, 1)])
    (gone,) = repo.save_many([(Track(path=Path("/m/gone.ogg")), 1, 1)])
    db.conn.execute("DELETE FROM track WHERE id = ?", (gone,))
    batch = [
        (Track(path=Path("/m/new.ogg"), title="first", moods=("warm",)), 1, 1),
        (Track(path=Path("/m/kept.ogg"), title="Kept again"), 1, 2),
        (Track(path=Path("/m/new.ogg"), title="second", moods=("tender",)), 2, 2),
    ]
    ids, created = repo.save_scanned(batch)
    rows = dict(db.conn.execute("SELECT path, id FROM track").fetchall())
    assert ids == [rows[b"/m/new.ogg"], kept, rows[b"/m/new.ogg"]]
    assert created == {rows[b"/m/new.ogg"]}
    assert len(rows) == 2
    new = repo.get(ids[0])
    assert (new.title, set(new.moods)) == ("second", {"warm", "tender"})
    assert repo.get(kept).title == "Kept again"


def test_state_values(db: Database) -> None:
    state = StateRepository(db)
    assert state.get("missing", 42) == 42
    state.set("session", {"queue": [1, 2], "position_ms": 1500})
    state.set("session", {"queue": [3], "position_ms": 0})
    assert state.get("session") == {"queue": [3], "position_ms": 0}
    db.conn.execute("INSERT INTO state VALUES ('broken', '{not json')")
    assert state.get("broken", "fallback") == "fallback"


def test_failed_transaction_changes_nothing(db: Database) -> None:
    repo = TrackRepository(db)
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute("INSERT INTO state VALUES ('k', '1')")
        raise RuntimeError("boom")
    assert StateRepository(db).get("k") is None
    assert repo.count() == 0


def _synchronous(db: Database) -> int:
    return int(db.conn.execute("PRAGMA synchronous").fetchone()[0])


def test_only_index_batches_skip_waiting_for_the_disk(db: Database) -> None:
    full, normal = 2, 1
    assert _synchronous(db) == full  # the listener's data: every commit waits for the disk
    with db.transaction(durable=False):
        assert _synchronous(db) == normal
    assert _synchronous(db) == full
    with pytest.raises(RuntimeError), db.transaction(durable=False):
        raise RuntimeError("boom")
    assert _synchronous(db) == full  # restored after a failed batch too

    seen: list[int] = []
    repo = TrackRepository(db)
    real = db.transaction

    def spy(*, durable: bool = True):  # type: ignore[no-untyped-def]
        seen.append(durable)
        return real(durable=durable)

    db.transaction = spy  # type: ignore[method-assign]
    repo.save_many([(Track(path=Path("/music/a.ogg"), title="A"), 1, 1)])
    assert seen == [False]  # a scan batch is index data
    assert _synchronous(db) == full


def test_every_field_of_a_track_comes_back_from_the_database(db: Database) -> None:
    # The load builds tracks positionally from the row: a field out of line would swap values.
    from dataclasses import fields, replace

    values: dict[str, object] = {}
    for number, f in enumerate(fields(Track)):
        if f.name in ("path", "id", "moods", "available"):
            continue
        values[f.name] = 1000 + number if f.type in ("int", "int | None") else f"{f.name}!"
    track = Track(path=Path("/m/every field.flac"), moods=("warm",), **values)  # type: ignore[arg-type]
    repo = TrackRepository(db)
    (track_id,) = repo.save_many([(track, 1, 1)])
    [loaded] = repo.all()
    assert loaded == replace(track, id=track_id) == repo.get(track_id)
