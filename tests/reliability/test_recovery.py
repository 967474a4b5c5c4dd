"""Recovery, through the real app: a damaged database at start, a database from a newer version,
a full disk and a read-only data folder. The listener is told what happened; nothing is
half-written, nothing is overwritten, and the window keeps what it shows.

Write failures are injected at the connection (the error SQLite raises for a full disk, on the
chosen write) and shown for real once: SQLite's own read-only refusal (``query_only``), and a
small tmpfs that fills up, where this run may mount one.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from ostplayer.app import Application, _when, run_gui
from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.domain.scene import Note
from ostplayer.paths import AppPaths
from ostplayer.services.scenes import SceneService
from ostplayer.services.tasks import Tasks
from ostplayer.store.backup import (
    BackupError,
    Reason,
    list_backups,
    make_backup,
    take_daily_backup,
)
from ostplayer.store.database import Database, NewerDatabaseError, StoreError
from ostplayer.store.migrations import MIGRATIONS
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository
from tests.conftest import MakeApp
from tests.notes_db import note_texts
from tests.reliability.faults import faulty, fill, small_tmpfs, tmpfs_problem

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schema"


def _started(make_app: MakeApp, qtbot: QtBot) -> Application:
    """The app on the test's data dir, once its start-up (and the day's backup) is done."""
    app = make_app()
    qtbot.waitUntil(lambda: app.daily_backup is not None, timeout=10_000)
    return app


def _quit(app: Application) -> None:
    app.window.close()
    app.shutdown()


def _track(app: Application) -> int:
    return app.library.tracks()[0].id


# -- a damaged database at start ---------------------------------------------------------------
@pytest.mark.parametrize("damage", ["random bytes", "truncated"])
def test_a_damaged_library_is_replaced_by_the_newest_backup_and_the_window_says_so(
    damage: str, make_app: MakeApp, qtbot: QtBot, data_dir: Path
) -> None:
    first = _started(make_app, qtbot)
    track = _track(first)
    assert first.scenes.add_note(
        Note(text="kept: before the backup", position_ms=1, track_id=track)
    )
    newest = make_backup(first.paths.database, first.paths.backups_dir, Reason.MANUAL)
    for i in range(200):  # written after the backup: these are what the damage costs
        first.scenes.add_note(Note(text=f"lost {i} " * 40, position_ms=10 + i, track_id=track))
    _quit(first)
    library = data_dir / "library.sqlite3"
    if damage == "random bytes":
        library.write_bytes(os.urandom(library.stat().st_size))
    else:
        with library.open("r+b") as file:
            file.truncate(library.stat().st_size // 3)
    damaged = library.read_bytes()

    app = make_app()  # does not raise: the window opens

    recovery = app.opened.recovery
    assert recovery is not None and recovery.backup == next(
        b for b in list_backups(app.paths.backups_dir) if b.path == newest.path
    )
    assert recovery.damaged.name.startswith("library.sqlite3.corrupt-")
    assert recovery.damaged.read_bytes() == damaged  # moved aside, never overwritten
    texts = [n.text for n in app.scenes.repository.notes(track)]
    assert "kept: before the backup" in texts
    assert not any(t.startswith("lost") for t in texts)
    banner = app.window.banner
    assert banner.isVisible()
    assert "restored from a backup" in banner.headline.text()
    body = banner.body.text()
    assert _when(recovery.backup) in body  # what was lost: everything after that time
    assert os.fspath(recovery.damaged) in body
    assert app.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert app.window.model.rowCount() == len(app.library.tracks()) > 0


def test_a_damaged_library_without_a_backup_starts_empty_and_says_so(
    make_app: MakeApp, data_dir: Path
) -> None:
    (data_dir / "library.sqlite3").write_bytes(os.urandom(64 * 1024))
    app = make_app()
    recovery = app.opened.recovery
    assert recovery is not None and recovery.backup is None
    assert "empty" in app.window.banner.headline.text()
    assert os.fspath(recovery.damaged) in app.window.banner.body.text()
    assert app.library.tracks()  # a first start again: the demo OST is back


def test_a_library_from_a_newer_version_is_refused_and_nothing_changes(
    qapp: object, data_dir: Path
) -> None:
    path = data_dir / "library.sqlite3"
    db = Database(path)
    SceneRepository(db).add_note(Note(text="written by a newer version", position_ms=0))
    db.close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    conn.close()
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    with pytest.raises(NewerDatabaseError, match=r"newer OST Player.*nothing was changed"):
        Application(qapp, AppPaths(data_dir))  # type: ignore[arg-type]
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before


class _Marking(QTranslator):
    """Translates every text of one context by marking it, to prove it was asked for."""

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def translate(self, context: str, text: str, *_: object) -> str:
        return f"«{text}»" if context == self.context else ""

    def isEmpty(self) -> bool:
        return False


def test_the_window_says_a_newer_library_was_refused_in_the_listeners_language(
    qapp: QApplication, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Database(data_dir / "library.sqlite3").close()
    conn = sqlite3.connect(data_dir / "library.sqlite3")
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 2}")
    conn.close()
    shown: list[str] = []

    def existing_app(_argv: list[str]) -> QApplication:  # run_gui makes one; tests have one
        return qapp

    for setter in ("ApplicationName", "ApplicationDisplayName", "ApplicationVersion"):
        setattr(existing_app, f"set{setter}", lambda _value: None)
    existing_app.setDesktopFileName = lambda _value: None  # type: ignore[attr-defined]
    monkeypatch.setattr("ostplayer.app.QApplication", existing_app)
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    translator = _Marking("StoreErrors")
    qapp.installTranslator(translator)
    try:
        assert run_gui(AppPaths(data_dir), ["ostplayer"]) == 1
    finally:
        qapp.removeTranslator(translator)
    [text] = shown
    assert text.startswith("«Your library ") and "newer version of OST Player" in text
    assert f"database version {len(MIGRATIONS) + 2}" in text
    assert f"reads up to {len(MIGRATIONS)}" in text


def test_an_upgrade_backs_up_the_old_library_first(
    make_app: MakeApp, qtbot: QtBot, data_dir: Path
) -> None:
    import shutil

    shutil.copy(SCHEMAS / "v2.sqlite3", data_dir / "library.sqlite3")
    app = make_app()
    [before] = [b for b in list_backups(app.paths.backups_dir) if b.reason is Reason.MIGRATION]
    assert before.version == 2
    assert app.db.version == len(MIGRATIONS)
    assert app.db.migration_backup == before.path


def test_the_daily_backup_is_taken_once_a_day_at_start(
    make_app: MakeApp, qtbot: QtBot, data_dir: Path
) -> None:
    first = _started(make_app, qtbot)
    assert first.daily_backup is not None and first.daily_backup.reason is Reason.DAILY
    _quit(first)
    again = make_app()
    assert again.tasks.wait(10_000)  # the backup job ran, found today's, and took none
    qtbot.wait(50)
    assert again.daily_backup is None
    daily = [b for b in list_backups(again.paths.backups_dir) if b.reason is Reason.DAILY]
    assert [b.path for b in daily] == [first.daily_backup.path]


def test_a_failing_daily_backup_tells_the_listener_and_the_app_runs_on(
    make_app: MakeApp, qtbot: QtBot, data_dir: Path
) -> None:
    (data_dir / "backups").write_text("a file where the backups folder should be")
    app = make_app()
    qtbot.waitUntil(lambda: app.window.banner.isVisible(), timeout=10_000)
    assert "could not be backed up" in app.window.banner.headline.text()
    assert app.scenes.add_note(Note(text="still saved", position_ms=0, track_id=_track(app)))


# -- a full disk and a read-only folder, while the app runs ------------------------------------
@pytest.fixture
def app(make_app: MakeApp, qtbot: QtBot) -> Application:
    return _started(make_app, qtbot)


def _not_saved_banner(app: Application) -> str:
    banner = app.window.banner
    assert banner.isVisible()
    assert banner.headline.text() == "Not saved"
    return banner.body.text()


def test_a_note_refused_by_a_full_disk_is_not_lost_from_view(app: Application) -> None:
    track = _track(app)
    app.scenes.set_track(track)
    shown = app.scenes.items()
    steps = app.scenes.undo_stack.count()
    text = "She finally says it, on the rooftop, in the rain. " * 3
    with faulty(app.db) as fault:
        fault.arm()
        assert app.scenes.add_note(Note(text=text, position_ms=65_000, track_id=track)) is None
    assert fault.refused == 1
    body = _not_saved_banner(app)
    assert "1:05" in body and "full" in body
    assert " ".join(text.split()) in body  # quoted back: the listener can copy it
    assert app.scenes.items() == shown
    assert app.scenes.undo_stack.count() == steps  # the history claims nothing
    assert text not in [n.text for n in app.scenes.repository.notes(track)]
    # Space again: the same note saves, and the app never stopped.
    assert app.scenes.add_note(Note(text=text, position_ms=65_000, track_id=track)) is not None


def test_a_refused_commit_is_rolled_back_whole_and_the_next_one_works(app: Application) -> None:
    track = _track(app)
    with faulty(app.db) as fault:
        fault.arm(only="COMMIT")  # every statement ran; the commit itself is refused
        note = Note(
            text="tagged", position_ms=5, track_id=track, moods=("tender",), characters=("Aoi",)
        )
        assert app.scenes.add_note(note) is None
    assert not app.db.conn.in_transaction
    assert "tagged" not in [n.text for n in app.scenes.repository.notes(track)]
    assert app.db.conn.execute("SELECT count(*) FROM note WHERE text = 'tagged'").fetchone()[0] == 0
    assert app.scenes.add_note(note) is not None


def test_a_playlist_refused_halfway_leaves_no_half_playlist(app: Application) -> None:
    ids = [t.id for t in app.library.tracks()[:3]]
    before = app.playlists.playlists()
    with faulty(app.db) as fault:
        fault.arm(after=1)  # the playlist's row is written, its entries are refused
        made = app.playlists.create("Rooftop", [PlaylistEntry(t) for t in ids])
    assert made is None
    assert "Rooftop" in _not_saved_banner(app)
    assert app.playlists.playlists() == before
    assert app.db.conn.execute("SELECT count(*) FROM playlist_entry").fetchone()[0] == sum(
        len(p.entries) for p in (app.playlists.get(p.id) for p in before) if p
    )


def test_a_mood_refused_leaves_the_tracks_as_they_were(app: Application) -> None:
    track = app.library.tracks()[0]
    with faulty(app.db) as fault:
        fault.arm()
        assert app.moods.add([track.id], "brand new mood") is False
    assert "brand new mood" in _not_saved_banner(app)
    assert app.library.get(track.id).moods == track.moods
    assert app.moods.add([track.id], "brand new mood") is True


def test_an_undo_the_disk_refuses_is_dropped_from_the_history(app: Application) -> None:
    track = _track(app)
    note = app.scenes.add_note(Note(text="to delete", position_ms=3, track_id=track))
    assert note is not None
    app.scenes.delete_note(note.id)
    steps = app.scenes.undo_stack.count()
    with faulty(app.db) as fault:
        fault.arm()
        app.scenes.undo_stack.undo()  # putting the note back is refused
    assert "could not be put back" in _not_saved_banner(app)
    assert app.scenes.undo_stack.count() == steps - 1
    assert app.scenes.repository.note(note.id) is None  # as the history now says
    app.scenes.undo_stack.undo()  # the step before it still works: the note's addition
    assert app.scenes.undo_stack.count() == steps - 1


def test_a_read_only_database_says_so_and_keeps_the_spoiler_guard(app: Application) -> None:
    # SQLite's own refusal, as for a database file or folder it may not write.
    app.db.conn.execute("PRAGMA query_only=ON")
    try:
        app.scenes.set_watched_up_to("S1E2")
        assert "read-only" in _not_saved_banner(app)
        assert app.scenes.watched_up_to() is None
        assert app.scenes.add_note(Note(text="ro", position_ms=0, track_id=_track(app))) is None
        assert "read-only" in _not_saved_banner(app)
    finally:
        app.db.conn.execute("PRAGMA query_only=OFF")
    app.scenes.set_watched_up_to("S1E2")
    assert app.scenes.watched_up_to() == "S1E2"


def test_the_window_keeps_showing_and_working_after_refused_writes(
    app: Application, qtbot: QtBot
) -> None:
    rows = app.window.model.rowCount()
    with faulty(app.db) as fault:
        fault.arm()
        app.scenes.add_note(Note(text="x", position_ms=0, track_id=_track(app)))
        app.moods.add([_track(app)], "calm")
        app.playlists.create("Nope")
    assert app.window.isVisible()
    assert app.window.model.rowCount() == rows
    app.player.play_tracks([_track(app)])
    qtbot.waitUntil(lambda: app.player.current_track() is not None)


# -- a real full disk --------------------------------------------------------------------------
@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A data dir on a 4 MiB tmpfs."""
    problem = tmpfs_problem()
    if problem is not None:
        pytest.skip(f"a real full disk is not tried here: {problem}; the injected one is")
    try:
        with small_tmpfs(tmp_path / "tmpfs", 4096) as mount:
            yield mount
    except OSError as exc:
        pytest.skip(f"a real full disk is not tried here ({exc}); the injected one is")


def test_a_real_full_disk_refuses_the_note_whole_and_the_backup_cleanly(
    full_disk: Path, qtbot: QtBot
) -> None:
    paths = AppPaths(full_disk / "data")
    paths.ensure()
    db = Database(paths.database)
    tasks = Tasks()
    scenes = SceneService(SceneRepository(db), TrackRepository(db), StateRepository(db), tasks)
    yesterday = take_daily_backup(paths.database, paths.backups_dir, datetime.now() - timedelta(1))
    assert yesterday is not None
    kept = scenes.add_note(Note(text="saved before the disk filled", position_ms=0))
    assert kept is not None
    filler = fill(full_disk)
    try:
        messages: list[str] = []
        scenes.store_failed.connect(messages.append)
        big = "a note longer than the disk has room for " * 150_000  # ~6 MB
        assert scenes.add_note(Note(text=big, position_ms=1)) is None
        assert messages and "full" in messages[0]
        assert not db.conn.in_transaction
        with pytest.raises(BackupError) as caught:
            make_backup(paths.database, paths.backups_dir, Reason.MANUAL)
        assert caught.value.reason == "full"
        assert [b.path for b in list_backups(paths.backups_dir)] == [yesterday.path]
        assert not [p for p in paths.backups_dir.iterdir() if p.name.endswith(".tmp")]
    finally:
        filler.unlink()
    assert scenes.add_note(Note(text="saved once there was room", position_ms=2)) is not None
    texts = [n.text for n in scenes.repository.notes()]
    assert texts == ["saved before the disk filled", "saved once there was room"]
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    tasks.wait(5000)
    assert note_texts(paths.database) == texts


def test_store_errors_say_why_in_the_listeners_words() -> None:
    from ostplayer.services.store_errors import why

    assert "full" in why(StoreError("x", "full"))
    assert "read-only" in why(StoreError("x", "readonly"))
    assert "backup" in why(StoreError("x", "corrupt"))
    assert why(StoreError("something else", "other")) == "something else"
