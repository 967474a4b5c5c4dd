"""The composition root: builds every object once, wires them, and runs the window.

Start-up order keeps the first paint fast: the database and the track list come before the
window shows; the demo import (first run only), libvlc and the saved session come after it.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from ostplayer import APP_ID, APP_NAME, __version__
from ostplayer.paths import AppPaths, resources_dir
from ostplayer.playback.engine import Engine
from ostplayer.services.library import LibraryService
from ostplayer.services.moods import MoodService
from ostplayer.services.player import PlayerService
from ostplayer.services.playlists import PlaylistService
from ostplayer.services.scenes import SceneService
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database, StoreError
from ostplayer.store.moods import MoodRepository
from ostplayer.store.playlists import PlaylistRepository
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository
from ostplayer.ui.main_window import MainWindow

if TYPE_CHECKING:  # the scanner is imported when a scan starts, not for the first paint
    from ostplayer.desktop.instance import InstanceServer, Primary
    from ostplayer.desktop.mpris import Mpris
    from ostplayer.desktop.remote import RemoteControl
    from ostplayer.library.scanner import ScanReport

log = logging.getLogger(__name__)

#: Set to print the wall-clock time of the first paint and quit (benchmarks/startup.py).
BENCH_ENV = "OSTPLAYER_BENCH_FIRST_PAINT"


def _tr(text: str) -> str:
    return QCoreApplication.translate("App", text)


class Application(QObject):
    """Everything the running app is made of, wired once."""

    #: Start-up has finished: the library is in, the session is back, the engine attached.
    ready = Signal()

    def __init__(
        self,
        qapp: QApplication,
        paths: AppPaths,
        engine_factory: Callable[[], Engine] | None = None,
    ) -> None:
        super().__init__()
        self.qapp = qapp
        self._engine_factory = engine_factory
        self.paths = paths
        paths.ensure()
        self.db = Database(paths.database)
        self.tracks = TrackRepository(self.db)
        self.state = StateRepository(self.db)
        self.tasks = Tasks()
        self.library = LibraryService(self.tracks, resources_dir() / "demo", self.tasks, self.state)
        self.player = PlayerService(self.library.get, self.state)
        scene_repository = SceneRepository(self.db)
        self.scenes = SceneService(scene_repository, self.tracks, self.state, self.tasks)
        # One undo history for the listener's own data: notes, moods and playlists.
        undo = self.scenes.undo_stack
        self.moods = MoodService(
            MoodRepository(self.db), scene_repository, self.library, self.state, self.tasks, undo
        )
        self.playlists = PlaylistService(
            PlaylistRepository(self.db), self.library, self.moods, self.player, undo
        )
        # A pack brings its cues' moods to tracks: the list reloads (and the moods with it).
        self.scenes.packs_changed.connect(self.library.load)
        self.scenes.watched_changed.connect(self.moods.refresh)
        undo.indexChanged.connect(self.moods.refresh)  # a note edit changes the moments
        self.window = MainWindow(
            self.library, self.player, self.state, self.tasks, self.scenes, self.moods,
            self.playlists,
        )  # fmt: skip
        self.engine: Engine | None = None
        self.mpris: Mpris | None = None  # on the session bus once start-up has finished
        self._closed = False
        self.window.first_painted.connect(self._after_first_paint)
        qapp.aboutToQuit.connect(self.shutdown)

    def start(self) -> None:
        """Show the window; the rest follows its first paint."""
        self.window.show()

    def _after_first_paint(self) -> None:
        if os.environ.get(BENCH_ENV):
            print(f"first-paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, self.qapp.quit)
            return
        self.library.load(self._library_loaded)

    def _library_loaded(self) -> None:
        if self.library.needs_demo():  # first run: open on the demo OST
            self.library.add_demo(self._demo_added)
        elif self.library.has_demo() and self.scenes.needs_demo_pack():
            # The demo came before its scene pack did (an older version): import it once now.
            self.scenes.import_demo_pack(self._reload_then_finish)
        else:
            self._finish_start()

    def _demo_added(self, result: ScanReport) -> None:
        for path, reason, message in result.problems:
            log.warning("demo track %s not added: %s (%s)", path, message, reason)
        self.window.show_welcome()
        # The demo's scene pack, so that the first track played already shows synced scenes.
        self.scenes.import_demo_pack(self._reload_then_finish)

    def _reload_then_finish(self) -> None:
        # The pack's cues gave the tracks moods: the list shows them before start-up ends.
        self.library.load(self._finish_start)

    def _finish_start(self) -> None:
        if self._closed:
            return
        self.player.restore_session({t.id for t in self.library.tracks()})
        self.attach_engine()
        from ostplayer.desktop.mpris import attach_mpris  # QtDBus loads after the first paint

        self.mpris = attach_mpris(self)
        if self.library.folders():
            # Catch up with what changed while the app was closed; it also starts the watch.
            self.library.scan()
        self.ready.emit()

    def attach_engine(self, engine: Engine | None = None) -> Engine:
        """Create libvlc (or take ``engine``) and hand it to the player."""
        if engine is None and self._engine_factory is not None:
            engine = self._engine_factory()
        if engine is None:
            from ostplayer.playback.factory import create_engine  # deferred: slow to import

            engine = create_engine()
        self.engine = engine
        self.player.attach_engine(engine)
        if not engine.available:
            reason = getattr(engine, "reason", None)
            body = getattr(reason, "long", "") or "\n".join(
                (getattr(reason, "short", ""), _tr("Your library and notes work without it."))
            )
            self.window.show_banner(_tr("Playback needs VLC"), body)
        return engine

    def shutdown(self) -> None:
        """Save the session, stop playback before releasing libvlc, close the database."""
        if self._closed:
            return
        self._closed = True
        self.qapp.aboutToQuit.disconnect(self.shutdown)
        if self.mpris is not None:
            self.mpris.unregister()  # the desktop's player widgets let go of us first
        self.library.shutdown()  # a folder change must not reach the closed database
        self.moods.shutdown()
        self.window.shutdown()
        try:
            self.player.save_session()
            self.window.save_geometry()
        except StoreError:
            log.exception("could not save the session")
        if self.engine is not None:
            self.engine.shutdown()
        self.tasks.wait(2000)
        self.db.close()


def run_gui(
    paths: AppPaths,
    argv: list[str],
    primary: Primary | None = None,
    open_paths: Sequence[Path] = (),
) -> int:
    """Run the window until it closes; returns the exit code.

    ``primary`` is this process's claim on the data dir (:func:`ostplayer.desktop.instance.
    claim`): the app answers remote control while it runs, and lets go of the lock only once
    the database is closed. ``open_paths`` (files and folders) are opened once start-up is done.
    """
    QApplication.setApplicationName("ostplayer")
    QApplication.setApplicationDisplayName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    qapp = QApplication(argv)
    server = _listen(primary)
    try:
        try:
            app = Application(qapp, paths)
        except (StoreError, OSError) as exc:
            QMessageBox.critical(None, APP_NAME, str(exc))
            print(f"ostplayer: {exc}", file=sys.stderr)
            return 1
        remote = remote_control(app)
        if server is not None:
            server.set_handler(remote.handle)
        if open_paths:
            remote.open_paths(list(open_paths))  # waits for start-up to finish
        app.start()
        return qapp.exec()
    finally:
        if server is not None:
            server.close()
        if primary is not None:
            primary.release()  # the database is closed by now: the next writer may start


def _listen(primary: Primary | None) -> InstanceServer | None:
    """Answer other launches and the command line; without it the app still runs."""
    if primary is None:
        return None
    from ostplayer.desktop.instance import InstanceError

    try:
        return primary.listen()
    except InstanceError as exc:
        log.warning("%s", exc)
        print(f"ostplayer: {exc}", file=sys.stderr)
        return None


def remote_control(app: Application) -> RemoteControl:
    """The remote control of ``app``, ready once its start-up has finished."""
    from ostplayer.desktop.remote import RemoteControl

    window = app.window

    def show_window() -> None:
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()

    remote = RemoteControl(
        app.player,
        app.library,
        show_window=show_window,
        show_problems=window.show_banner,
        quit_app=app.window.quit,  # the window's Quit: close-to-tray must not refuse it
        parent=app,
    )
    app.ready.connect(remote.set_ready)
    return remote
