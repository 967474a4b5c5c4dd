"""The start in two steps: the window's frame on screen first, then its content.

A launch shows the window as soon as Qt can, before the services and panels (most of the app's
code) are imported and built; the content then paints with the first tracks in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ostplayer.app import FIRST_TRACKS, Application
from ostplayer.domain.track import Track
from ostplayer.paths import AppPaths
from ostplayer.store.backup import open_library
from ostplayer.store.database import Database
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository
from ostplayer.ui.main_window import MainWindow
from tests.fakes import FakeEngine

# The real command, with a probe on the frame: what is on screen and what is imported when the
# frame has painted. ``close`` closes the window right then, as a listener quick to change
# their mind would.
LAUNCH = """
import sys
from ostplayer.ui import main_window

shown = main_window.MainWindow.show_frame

def probe(self, *args, **kwargs):
    painted = shown(self, *args, **kwargs)
    loaded = [m for m in ("ostplayer.services.library", "ostplayer.ui.scene_panel")
              if m in sys.modules]
    print("frame", painted, self.isVisible(), self.centralWidget() is None, loaded, flush=True)
    if {close}:
        print("closed", self.close(), self.close_requested, flush=True)
    return painted

main_window.MainWindow.show_frame = probe
from ostplayer.cli import main
code = main(["--data-dir", sys.argv[1]])
print("exit", code, flush=True)
sys.exit(code)
"""


def launch(data_dir: Path, *, close: bool, env: dict[str, str]) -> list[str]:
    """Run the probed command; its output lines (the process must end by itself)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OSTPLAYER_VLC_DISABLE="1", **env)
    out = subprocess.run(
        [sys.executable, "-c", LAUNCH.replace("{close}", str(close)), str(data_dir)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_a_launch_paints_the_frame_before_it_imports_the_content(data_dir: Path) -> None:
    lines = launch(data_dir, close=False, env={"OSTPLAYER_BENCH_FIRST_PAINT": "1"})
    # Painted and visible, still without content, and none of the services' code loaded yet.
    assert lines[0] == "frame True True True []"
    # Then the window with its content paints (the benchmark's marker quits the app there).
    assert lines[1].startswith("frame-paint ")
    assert lines[2].startswith("first-paint ")
    frame_at, content_at = float(lines[1].split()[1]), float(lines[2].split()[1])
    assert frame_at < content_at
    assert lines[3:] == ["exit 0"]


def test_closing_the_frame_during_the_start_ends_the_app_cleanly(data_dir: Path) -> None:
    lines = launch(data_dir, close=True, env={})
    assert lines[:2] == ["frame True True True []", "closed False True"]
    assert lines[2:] == ["exit 0"]
    # Ended as a Quit does: the database closed, whole, and usable by the next start.
    db = Database(data_dir / "library.sqlite3")
    try:
        assert tuple(db.conn.execute("PRAGMA integrity_check").fetchone()) == ("ok",)
    finally:
        db.close()


def test_the_content_paints_with_the_first_tracks_in_the_frame_already_shown(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    paths = AppPaths(data_dir)
    paths.ensure()
    db = Database(paths.database)
    repo = TrackRepository(db)
    source = repo.add_source("folder", tmp_path)
    count = FIRST_TRACKS + 50
    tracks = [Track(path=tmp_path / f"{n:04d}.ogg", title=f"Track {n:04d}") for n in range(count)]
    repo.save_many([(t, 1, 1) for t in tracks], source)
    db.close()

    opened = open_library(paths.database, paths.backups_dir)
    window = MainWindow(StateRepository(opened.db))
    frames: list[int] = []
    window.first_painted.connect(lambda: frames.append(window.model.rowCount()))
    assert window.show_frame()
    assert window.isVisible() and window.centralWidget() is None
    qapp.processEvents()
    assert frames == []  # the frame is not the window's first paint: its content's is

    app = Application(qapp, paths, FakeEngine, opened=opened, window=window)
    try:
        assert app.window is window and app.db is opened.db
        with qtbot.waitSignal(app.ready, timeout=10_000):
            app.start()
        assert frames == [FIRST_TRACKS]  # once, with the first screens of the list in it
        assert window.model.rowCount() == count
        assert window.count_label.text() == f"{count} tracks"
    finally:
        window.close()
        app.shutdown()


def test_a_frame_that_never_shows_does_not_hold_the_start(
    qapp: QApplication, qtbot: QtBot, data_dir: Path
) -> None:
    # As on a hidden workspace: the window is never exposed, so its frame never paints.
    from PySide6.QtCore import QEvent, QObject

    class NoPaint(QObject):
        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
            return event.type() == QEvent.Type.Paint

    paths = AppPaths(data_dir)
    paths.ensure()
    opened = open_library(paths.database, paths.backups_dir)
    window = MainWindow(StateRepository(opened.db))
    no_paint = NoPaint()
    window.installEventFilter(no_paint)
    assert window.show_frame(timeout_ms=50) is False  # gave up waiting, as it should
    window.removeEventFilter(no_paint)
    app = Application(qapp, paths, FakeEngine, opened=opened, window=window)
    try:
        with qtbot.waitSignal(app.ready, timeout=10_000):
            app.start()
        assert window.model.rowCount() == 4  # the demo, built and loaded all the same
    finally:
        window.close()
        app.shutdown()
