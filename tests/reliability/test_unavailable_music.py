"""A music folder that goes away (unmounted, renamed, emptied, unreadable) loses nothing.

Tracks of the folder carry the listener's data: notes, their own moods, hidden tag moods and
playlist entries, all put in through the real services. The folder then goes away in one of
four ways; the library is rescanned and the app restarted (a new ``Application`` on the same
data dir, which scans again as it starts). A hash of a sorted dump of the listener's data
(read with ``sqlite3`` from the database file, with the ids of the tracks it hangs on and
their paths) is the same after each step; the tracks show as unavailable; and once the
folder is back and rescanned, they are live again with the same ids.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.domain.scene import Note
from ostplayer.ui.track_model import Column
from tests.conftest import DATA, MakeApp

FIXTURES = ("tone.ogg", "tone.flac", "tone.mp3")


def listener_data(database: Path) -> dict[str, Any]:
    """The listener's own data, sorted: notes, their moods, hidden moods, playlists and their
    entries, and the tracks all of it hangs on (id and path)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:

        def rows(sql: str) -> list[list[Any]]:
            found = [
                [v.hex() if isinstance(v, bytes) else v for v in row] for row in conn.execute(sql)
            ]
            return sorted(found, key=json.dumps)

        data = {
            "notes": rows("SELECT * FROM note"),
            "moods": rows("SELECT track_id, mood FROM track_mood WHERE origin = 'listener'"),
            "hidden": rows("SELECT * FROM mood_hidden"),
            "playlists": rows("SELECT * FROM playlist"),
            "entries": rows("SELECT * FROM playlist_entry"),
        }
        data["tracks"] = rows(
            "SELECT id, path FROM track WHERE id IN ("
            " SELECT track_id FROM note UNION SELECT track_id FROM track_mood"
            " WHERE origin = 'listener' UNION SELECT track_id FROM mood_hidden"
            " UNION SELECT track_id FROM playlist_entry)"
        )
        return data
    finally:
        conn.close()


def digest(database: Path) -> str:
    data = listener_data(database)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "Drive" / "OST"
    folder.mkdir(parents=True)
    for name in FIXTURES:
        shutil.copy(DATA / name, folder / name)
    return folder


def ids_in(app: Application, folder: Path) -> list[int]:
    """The ids of the library's tracks in ``folder``, in order."""
    return sorted(t.id for t in app.library.tracks() if t.path.parent == folder)


def scan(app: Application, qtbot: QtBot, folders: list[Path] | None = None) -> Any:
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000) as done:
        app.library.scan(folders)
    return done.args[0]


def started(make_app: MakeApp, qtbot: QtBot) -> Application:
    """The app, once its start-up scan of the music folders has finished."""
    app = make_app()
    if app.library.is_scanning():
        with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
            pass
    qtbot.waitUntil(lambda: not app.library.is_busy(), timeout=60_000)
    return app


def stop(app: Application, qtbot: QtBot) -> None:
    for _ in range(3):  # let background work hand its results over first
        assert app.tasks.wait(10_000)
        qtbot.wait(20)
    app.window.close()
    app.shutdown()


def give_data(app: Application, ids: list[int]) -> None:
    """Notes, moods, a hidden tag mood and playlists on the folder's tracks."""
    first, second, third = ids
    app.scenes.add_note(Note(text="the rooftop", position_ms=1200, track_id=first))
    app.scenes.add_note(
        Note(
            text="Mina leaves",
            position_ms=300,
            track_id=second,
            episode="S1E3",
            episode_start_ms=41_000,
            characters=("Mina",),
            moods=("bittersweet",),
        )
    )
    app.moods.add([first, second], "tender")
    app.moods.add([third], "rain")
    app.moods.remove([third], "calm")  # a tag's mood the listener hid
    app.playlists.create("Road trip", [PlaylistEntry(first), PlaylistEntry(third)])
    app.playlists.create("Moments", [PlaylistEntry(second, 200, 900), PlaylistEntry(first)])


def gone(folder: Path, how: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make ``folder`` unavailable ``how``; returns what puts it back."""
    aside = folder.with_name(folder.name + ".unplugged")
    if how == "renamed":
        folder.rename(aside)
        return lambda: aside.rename(folder)
    if how == "emptied":  # an unmounted drive leaves its empty mount point
        folder.rename(aside)
        folder.mkdir()

        def back() -> None:
            folder.rmdir()
            aside.rename(folder)

        return back
    real_access, real_scandir = os.access, os.scandir
    target = os.fsencode(folder)
    if how == "no-access":  # the folder's permissions say no (root ignores chmod: injected)

        def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
            if os.fsencode(path) == target:
                return False
            return real_access(path, mode, *args, **kwargs)

        monkeypatch.setattr(os, "access", access)
        return lambda: monkeypatch.setattr(os, "access", real_access)
    assert how == "unlistable"  # it opens, but listing it fails (a dying disk, a lost share)

    def scandir(path: Any = ".") -> Any:
        if not isinstance(path, int) and os.fsencode(path) == target:
            raise OSError(errno.EIO, "Input/output error", os.fsdecode(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    return lambda: monkeypatch.setattr(os, "scandir", real_scandir)


#: Ways the app sees at a glance (the folder is missing or refuses access): its tracks show as
#: unavailable at once. The others (an empty mount point, a folder that fails to list) only a
#: scan finds out: see test_a_folder_a_scan_found_unreachable_is_shown_unavailable.
SEEN_AT_ONCE = frozenset({"renamed", "no-access"})


def assert_unavailable(app: Application, ids: list[int], how: str) -> None:
    tracks = {t.id: t for t in app.library.tracks()}
    assert set(ids) <= set(tracks)  # still in the library, with their ids
    if how not in SEEN_AT_ONCE:
        return
    assert not any(tracks[i].available for i in ids)
    model = app.window.model
    for track_id in ids:
        row = model.row_of(track_id)
        assert row is not None
        index = model.index(row, Column.TITLE)
        assert "unavailable" in index.data(Qt.ItemDataRole.ToolTipRole)
        assert index.data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed out


@pytest.mark.parametrize("how", ["renamed", "emptied", "no-access", "unlistable"])
def test_an_unavailable_folder_loses_nothing_and_comes_back(
    how: str,
    make_app: MakeApp,
    qtbot: QtBot,
    music: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    database = data_dir / "library.sqlite3"
    app = make_app()
    report = scan(app, qtbot, [music])
    assert report.added == len(FIXTURES)
    ids = ids_in(app, music)
    give_data(app, ids)
    before = digest(database)
    kept = listener_data(database)
    assert len(kept["notes"]) == 2 and len(kept["entries"]) == 4 and kept["hidden"]
    assert {row[0] for row in kept["tracks"]} == set(ids)

    put_back = gone(music, how, monkeypatch)
    report = scan(app, qtbot)
    assert report.unavailable == [music]
    assert report.removed == 0
    assert digest(database) == before
    assert_unavailable(app, ids, how)
    stop(app, qtbot)

    # A restart on the same data dir (it scans the folders again as it starts).
    app = started(make_app, qtbot)
    assert digest(database) == before
    assert_unavailable(app, ids, how)
    assert app.scenes.orphaned_notes() == []  # notes on an unavailable track are not orphans
    repository = app.playlists.repository
    playlists = {p.name: repository.get(p.id) for p in repository.all()}
    assert [e.track_id for e in playlists["Road trip"].entries] == [ids[0], ids[2]]

    put_back()
    scan(app, qtbot)
    assert digest(database) == before
    tracks = {t.id: t for t in app.library.tracks()}
    assert all(tracks[i].available for i in ids)
    assert {tracks[i].path.parent for i in ids} == {music}
    # Everything hangs on them again: moods, notes, playlists that play.
    qtbot.waitUntil(lambda: ids[0] in app.moods.tracks_with("tender"), timeout=10_000)
    assert app.scenes.load_items(ids[1])[0].text == "Mina leaves"
    assert len(app.playlists.picks(playlists["Road trip"].id)) == 2
    stop(app, qtbot)
    assert digest(database) == before


@pytest.mark.parametrize("how", ["emptied", "unlistable"])
def test_a_folder_a_scan_found_unreachable_is_shown_unavailable(
    how: str, make_app: MakeApp, qtbot: QtBot, music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    scan(app, qtbot, [music])
    ids = ids_in(app, music)
    gone(music, how, monkeypatch)
    assert scan(app, qtbot).unavailable == [music]
    try:
        assert_unavailable(app, ids, "renamed")  # the full check, greyed rows included
    finally:
        stop(app, qtbot)


def test_a_start_looks_at_the_music_folders_only_off_the_gui_thread(
    qapp: QApplication,
    make_app: MakeApp,
    qtbot: QtBot,
    music: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A network mount can hang a stat() for minutes: the window must show regardless, so the
    # first screens of tracks come without looking at any folder, and the load looks at them
    # on its worker thread (greying out the tracks of one that is gone).
    from ostplayer.paths import AppPaths
    from ostplayer.services import library as library_module
    from tests.fakes import FakeEngine

    app = make_app()
    scan(app, qtbot, [music])
    ids = ids_in(app, music)
    stop(app, qtbot)
    on_gui_thread: list[bool] = []  # one entry per look at a folder
    real = library_module.folder_available

    def watched(folder: Path) -> bool:
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return real(folder)

    monkeypatch.setattr(library_module, "folder_available", watched)
    gone(music, "renamed", monkeypatch)
    app = Application(qapp, AppPaths(data_dir), FakeEngine)
    try:
        assert app.window.model.rowCount() == app.tracks.count()  # shown, no folder looked at
        assert on_gui_thread == []
        with qtbot.waitSignal(app.ready, timeout=60_000):
            app.start()
        assert on_gui_thread[0] is False  # the load's look, before anything else
        assert_unavailable(app, ids, "renamed")
    finally:
        stop(app, qtbot)
