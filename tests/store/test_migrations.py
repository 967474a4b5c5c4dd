"""Every earlier schema, frozen as a real database file, migrates to the current one; a newer
one is refused and left exactly as it is.

The frozen databases in ``tests/data/schema/`` (``vN.sqlite3`` at schema N, for every N before
the current one) are never opened in place: each test migrates a copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.domain.scene import Note
from ostplayer.domain.track import Track
from ostplayer.store import database as database_module
from ostplayer.store.database import Database, StoreError
from ostplayer.store.migrations import MIGRATIONS
from ostplayer.store.moods import MoodRepository
from ostplayer.store.playlists import PlaylistRepository
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schema"
EARLIER = range(1, len(MIGRATIONS))
NEWER = len(MIGRATIONS) + 1


def _frozen(version: int) -> sqlite3.Connection:
    """The frozen database of ``version``, read-only and untouched (not even a -shm file)."""
    path = SCHEMAS / f"v{version}.sqlite3"
    return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)


def _copy(version: int, tmp_path: Path) -> Path:
    path = tmp_path / "library.sqlite3"
    shutil.copy(SCHEMAS / f"v{version}.sqlite3", path)
    return path


def _rows(conn: sqlite3.Connection, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    names = ", ".join(f'"{c}"' for c in columns)
    return sorted((tuple(r) for r in conn.execute(f'SELECT {names} FROM "{table}"')), key=repr)


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {name: [r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')] for name in names}


def test_there_is_a_frozen_database_for_every_earlier_schema() -> None:
    assert sorted(p.name for p in SCHEMAS.glob("v*.sqlite3")) == [
        f"v{n}.sqlite3" for n in range(1, len(MIGRATIONS))
    ]


@pytest.mark.parametrize("version", EARLIER)
def test_each_frozen_database_is_at_its_schema_and_holds_data(version: int) -> None:
    # A mislabelled or empty fixture would make the migration tests prove nothing.
    conn = _frozen(version)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM track").fetchone()[0] > 0
        listener = "SELECT count(*) FROM track_mood WHERE origin = 'listener'"
        assert conn.execute(listener).fetchone()[0] > 0
        if version >= 3:
            assert conn.execute("SELECT count(*) FROM note").fetchone()[0] > 0
    finally:
        conn.close()


@pytest.mark.parametrize("version", EARLIER)
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


@pytest.mark.parametrize("version", EARLIER)
def test_every_row_of_a_frozen_database_survives_its_migration(
    version: int, tmp_path: Path
) -> None:
    # Row by row and column by column: a migration may add tables and columns, never lose or
    # change what was there.
    before = _frozen(version)
    try:
        tables = _tables(before)
        rows = {table: _rows(before, table, columns) for table, columns in tables.items()}
    finally:
        before.close()
    db = Database(_copy(version, tmp_path))
    try:
        after = _tables(db.conn)
        for table, columns in tables.items():
            assert set(columns) <= set(after[table]), table
            assert _rows(db.conn, table, columns) == rows[table], table
        assert sum(len(r) for r in rows.values()) >= 4
        assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


@pytest.mark.parametrize("version", EARLIER)
def test_the_listeners_data_of_each_version_is_intact_and_usable(
    version: int, tmp_path: Path
) -> None:
    db = Database(_copy(version, tmp_path))
    try:
        moods = MoodRepository(db)
        assert (7, "longing", "listener") in moods.rows([7])  # the listener's own mood
        assert (7, "tender", "tag") in moods.rows([7])
        scenes = SceneRepository(db)
        if version >= 3:  # notes came with schema 3
            note = scenes.note(3)
            assert note is not None
            assert (note.track_id, note.text, note.position_ms) == (7, "She finally says it", 15000)
            assert (note.episode, note.moods) == ("S1E3", ("tender",))
        else:
            assert scenes.notes() == []
        # The migrated database takes the listener's new writing, on the old track.
        added = scenes.add_note(Note("after the migration", 1000, track_id=7))
        assert scenes.note(added.id) == added
        moods.add([7], "hopeful")
        assert (7, "hopeful", "listener") in moods.rows([7])
        playlist = PlaylistRepository(db).create("Old friends", [PlaylistEntry(7, 0, 5000)])
        assert PlaylistRepository(db).get(playlist.id) == playlist
        assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
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


def test_a_migration_that_fails_leaves_the_database_at_its_last_good_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each migration is one transaction with its version bump: a failure half-way through
    # one (here its second statement) leaves no trace of it, and the ones before it stand.
    path = _copy(3, tmp_path)
    broken = "CREATE TABLE half_done (x);\nCREATE TABLE note (y);"  # note exists: fails
    monkeypatch.setattr(database_module, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises((StoreError, sqlite3.Error)):
        Database(path)
    monkeypatch.undo()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert "half_done" not in _tables(conn)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    db = Database(path)  # and the app opens it as usual
    assert db.version == len(MIGRATIONS)
    db.close()


# -- a database from a newer OST Player -------------------------------------------------------
def _make_newer(path: Path, journal: str) -> None:
    """A database as a newer OST Player would leave it, closed cleanly: schema ``NEWER``,
    with a table this version does not know, and the listener's data in it."""
    db = Database(path)
    future = Track(path=Path("/music/future.ogg"), title="Future")
    track = TrackRepository(db).save_many([(future, 1, 1)])[0]
    SceneRepository(db).add_note(Note("written by the future", 500, track_id=track))
    with db.transaction() as conn:
        conn.execute("CREATE TABLE future_thing (x)")
        conn.execute(f"PRAGMA user_version={NEWER}")
    if journal != "wal":
        db.conn.execute(f"PRAGMA journal_mode={journal}")
    db.close()
    assert sorted(p.name for p in path.parent.glob(f"{path.name}*")) == [path.name]  # no -wal


def _listing(folder: Path) -> dict[str, bytes]:
    """The database's files in ``folder`` and their bytes."""
    return {p.name: p.read_bytes() for p in folder.glob("library.sqlite3*")}


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_newer_database_is_refused_with_a_clear_message_and_left_byte_for_byte(
    journal: str, tmp_path: Path
) -> None:
    path = tmp_path / "library.sqlite3"
    _make_newer(path, journal)
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    with pytest.raises(StoreError) as refused:
        Database(path)
    message = str(refused.value)
    assert "newer OST Player" in message and "nothing was changed" in message
    assert f"schema {NEWER}" in message and str(path) in message
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == mtime


def test_refusing_a_newer_wal_database_creates_no_wal_or_shm_file(
    data_dir: Path, tmp_path: Path
) -> None:
    path = data_dir / "library.sqlite3"
    _make_newer(path, "wal")  # as a newer OST Player leaves it: WAL, closed cleanly
    before = _listing(data_dir)
    with pytest.raises(StoreError, match="newer OST Player"):
        Database(path)
    assert _listing(data_dir) == before
    done = _run(["-m", "ostplayer", "tracks", "--json"], data_dir, tmp_path)
    assert done.returncode == 1
    assert _listing(data_dir) == before


def test_a_newer_database_in_a_killed_newer_apps_wal_is_refused_too(tmp_path: Path) -> None:
    # A newer app killed right after it migrated: its schema version is only in the -wal file
    # so far. Reading the main file alone would take it for ours; it must be read through.
    path = tmp_path / "library.sqlite3"
    db = Database(path)
    db.close()
    code = (
        "import os, sqlite3, sys\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "conn.execute('PRAGMA wal_autocheckpoint=0')\n"
        f"conn.execute('PRAGMA user_version={NEWER}')\n"
        "os._exit(0)\n"  # no close: no checkpoint, the -wal stays
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
    assert (tmp_path / "library.sqlite3-wal").stat().st_size > 0
    before = {k: v for k, v in _listing(tmp_path).items() if not k.endswith("-shm")}
    with pytest.raises(StoreError, match=f"newer OST Player.*schema {NEWER}"):
        Database(path)
    after = {k: v for k, v in _listing(tmp_path).items() if not k.endswith("-shm")}
    assert after == before  # the main file and the -wal, byte for byte


#: Runs the real ``ostplayer`` (no arguments: the window) in a QApplication that answers its
#: message box as a listener would and prints what the box said.
APP_DRIVER = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
import ostplayer.app

class Answering(QApplication):
    def __init__(self, argv):
        super().__init__(argv)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._answer)
        self._timer.start(20)

    def _answer(self):
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            print(f"dialog {box.icon().name}: {box.text()}", flush=True)
            box.accept()

ostplayer.app.QApplication = Answering
from ostplayer.cli import main
sys.exit(main([]))
"""


def _run(args: list[str], data_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "OSTPLAYER_DATA_DIR": str(data_dir),
        "XDG_RUNTIME_DIR": str(runtime),  # the instance socket stays in the test's folder
        "QT_QPA_PLATFORM": "offscreen",
    }
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "ostplayer", "tracks", "--json"],
        ["-m", "ostplayer", "notes", "list", "--json"],
        ["-m", "ostplayer", "playlist", "list", "--json"],
        ["-c", APP_DRIVER],
    ],
    ids=["tracks", "notes", "playlists", "app"],
)
def test_the_command_line_and_the_app_refuse_a_newer_database(
    command: list[str], data_dir: Path, tmp_path: Path
) -> None:
    path = data_dir / "library.sqlite3"
    _make_newer(path, "wal")
    before = path.read_bytes()
    done = _run(command, data_dir, tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    said = [line for line in done.stderr.splitlines() if line.startswith("ostplayer: ")]
    assert len(said) == 1, done.stderr
    assert "newer OST Player" in said[0] and "nothing was changed" in said[0]
    if command[0] == "-c":  # the window's start: the listener is told in a message box too
        assert done.stdout.startswith("dialog Critical: Your library ")
        assert "newer version of OST Player" in done.stdout
    else:
        assert done.stdout == ""
    assert path.read_bytes() == before
