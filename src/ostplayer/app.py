"""The composition root: builds every object once, wires them, and runs the window.

Start-up order puts a window on screen early. A launch (:func:`run_gui`) opens the database and
shows the window's frame (title, colours, size and place) before it imports and builds the
services and panels; the window's content then paints with the first screens of the track list
in it. The whole library, the demo import (first run only), libvlc and the saved session come
after that paint.

Opening the database may first do a restore chosen in Settings, or move a damaged database
aside and bring back the newest sound backup (:func:`ostplayer.store.backup.open_library`); the
window then says what happened. Once start-up is done, the day's backup is taken off the GUI
thread. A save the database refuses (a full disk, a read-only data folder) is shown in the
banner by whichever service tried it; the window keeps what it shows and the app runs on.
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
from PySide6.QtWidgets import QApplication

from ostplayer import APP_ID, APP_NAME, __version__
from ostplayer.paths import AppPaths, resources_dir
from ostplayer.playback.engine import Engine
from ostplayer.services.store_errors import cannot_open, why
from ostplayer.store.backup import BackupError, OpenedLibrary, open_library, take_daily_backup
from ostplayer.store.database import StoreError
from ostplayer.store.state import StateRepository
from ostplayer.ui.main_window import MainWindow

if TYPE_CHECKING:  # the services are imported once the window's frame is on screen
    from ostplayer.desktop.instance import InstanceServer, Primary
    from ostplayer.desktop.mpris import Mpris
    from ostplayer.desktop.remote import RemoteControl
    from ostplayer.library.scanner import ScanReport
    from ostplayer.services.library import LibraryService
    from ostplayer.services.moods import MoodService
    from ostplayer.services.player import PlayerService
    from ostplayer.services.playlists import PlaylistService
    from ostplayer.services.scenes import SceneService
    from ostplayer.services.tasks import Tasks
    from ostplayer.store.backup import Backup
    from ostplayer.store.tracks import TrackRepository

log = logging.getLogger(__name__)

#: Set to print the wall-clock time of the first paint and quit (benchmarks/startup.py).
BENCH_ENV = "OSTPLAYER_BENCH_FIRST_PAINT"
#: Tracks shown at once at start-up, before the whole library is read: a few screens.
FIRST_TRACKS = 200


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
        *,
        opened: OpenedLibrary | None = None,
        window: MainWindow | None = None,
    ) -> None:
        """Build the app on ``paths``'s data dir.

        A start passes the library it has already opened and the window whose frame it has
        already shown (see :func:`run_gui`); otherwise both are made here.
        """
        super().__init__()
        self.qapp = qapp
        self._engine_factory = engine_factory
        self.paths = paths
        if opened is None:  # a start (run_gui) has made the data dir and opened the library
            paths.ensure()
            # The caller holds the data dir's lock: a pending restore or a recovery may
            # replace the file here, before anything has it open.
            opened = open_library(paths.database, paths.backups_dir)
        #: What opening the database had to do (a restore, a recovery), told once start-up ends.
        self.opened: OpenedLibrary = opened
        self.db = self.opened.db
        self.state = StateRepository(self.db)
        self.window = window if window is not None else MainWindow(self.state)
        self._build_services()
        self.window.build(
            self.library, self.player, self.tasks, self.scenes, self.moods, self.playlists
        )
        for service in (self.scenes, self.moods, self.playlists, self.library):
            service.store_failed.connect(self._store_failed)
        #: The backup taken at this start, once it is done (``None``: not due, or failed).
        self.daily_backup: Backup | None = None
        self._tell_how_the_library_opened()
        self.engine: Engine | None = None
        self.mpris: Mpris | None = None  # on the session bus once start-up has finished
        self._closed = False
        self.window.first_painted.connect(self._after_first_paint)
        qapp.aboutToQuit.connect(self.shutdown)
        # The first screens of the list are in the first paint (~4 ms for 200 tracks); the
        # whole library, ~0.5 s with 20,000 tracks, loads after it.
        self.library.read_first(FIRST_TRACKS)
        if self.window.close_requested:  # closed while its content was being built
            QTimer.singleShot(0, self.window.quit)

    def _build_services(self) -> None:
        from ostplayer.services.library import LibraryService
        from ostplayer.services.moods import MoodService
        from ostplayer.services.player import PlayerService
        from ostplayer.services.playlists import PlaylistService
        from ostplayer.services.scenes import SceneService
        from ostplayer.services.tasks import Tasks
        from ostplayer.store.moods import MoodRepository
        from ostplayer.store.playlists import PlaylistRepository
        from ostplayer.store.scenes import SceneRepository
        from ostplayer.store.tracks import TrackRepository

        self.tracks: TrackRepository = TrackRepository(self.db)
        self.tasks: Tasks = Tasks()
        self.library: LibraryService = LibraryService(
            self.tracks, resources_dir() / "demo", self.tasks, self.state
        )
        self.player: PlayerService = PlayerService(self.library.get, self.state)
        scene_repository = SceneRepository(self.db)
        self.scenes: SceneService = SceneService(
            scene_repository, self.tracks, self.state, self.tasks
        )
        # One undo history for the listener's own data: notes, moods and playlists.
        undo = self.scenes.undo_stack
        self.moods: MoodService = MoodService(
            MoodRepository(self.db), scene_repository, self.library, self.state, self.tasks, undo
        )
        self.playlists: PlaylistService = PlaylistService(
            PlaylistRepository(self.db), self.library, self.moods, self.player, undo
        )
        # A pack brings its cues' moods to tracks: the list reloads (and the moods with it).
        self.scenes.packs_changed.connect(self.library.load)
        self.scenes.watched_changed.connect(self.moods.refresh)
        undo.indexChanged.connect(self.moods.refresh)  # a note edit changes the moments

    def start(self) -> None:
        """Show the window (if its frame is not showing yet); the rest follows its first paint."""
        self.window.show()

    def _after_first_paint(self) -> None:
        if os.environ.get(BENCH_ENV):
            print(f"first-paint {time.time():.6f}", flush=True)
            QTimer.singleShot(0, self.qapp.quit)
            return
        # After the paint: from its worker thread the load holds the GIL 5 ms at a time, and
        # a paint needs Python for every cell it draws.
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
        self._back_up_daily()
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
            # Added below a message about the library, if one is showing: both matter.
            self.window.banner.append_message(_tr("Playback needs VLC"), body)
        return engine

    # -- the library's safety: what opening it did, the daily backup, refused saves ---------
    def _tell_how_the_library_opened(self) -> None:
        opened = self.opened
        if opened.restore_problem is not None:
            self._show_library_message(
                _tr("The backup was not restored"),
                _tr("Your library is as it was. {problem}").format(problem=opened.restore_problem),
            )
        if opened.restored is not None:
            restored = opened.restored
            body = _tr("Your library is now as it was in {file}.").format(file=restored.source)
            if restored.previous is not None:
                body += " " + _tr(
                    "The library as it was before the restore is kept as {file}."
                ).format(file=restored.previous.path)
            self._show_library_message(_tr("Backup restored"), body)
        recovery = opened.recovery
        if recovery is not None:
            damaged = _tr("The damaged file was kept as {file}.").format(file=recovery.damaged)
            if recovery.backup is not None:
                headline = _tr("Your library was damaged and has been restored from a backup")
                body = _tr(
                    "OST Player could not read its database ({problem}), so it brought back "
                    "the backup from {time}. Notes, moods and playlists changed after that "
                    "time are lost."
                ).format(problem=recovery.problem, time=_when(recovery.backup))
            else:
                headline = _tr("Your library was damaged and has been started again, empty")
                body = _tr(
                    "OST Player could not read its database ({problem}) and found no backup of "
                    "it, so it started a new, empty library."
                ).format(problem=recovery.problem)
            self._show_library_message(headline, f"{body} {damaged}")
        if opened.db.backup_problem is not None:
            self._show_library_message(
                _tr("No backup was made before upgrading your library"),
                opened.db.backup_problem,
            )

    def _show_library_message(self, headline: str, body: str) -> None:
        log.warning("%s: %s", headline, body)
        self.window.banner.append_message(headline, body)

    def _back_up_daily(self) -> None:
        """Take the day's backup on a worker thread (once a day; the newest seven are kept)."""
        database, backups = self.paths.database, self.paths.backups_dir

        def job() -> Backup | BackupError | None:
            try:
                return take_daily_backup(database, backups)
            except BackupError as exc:
                return exc  # the listener's disk, not our bug: no traceback in the log

        def done(result: Backup | BackupError | None) -> None:
            if isinstance(result, BackupError):
                self._backup_failed(result)
            else:
                self.daily_backup = result

        self.tasks.run(job, done)

    def _backup_failed(self, exc: BackupError) -> None:
        log.error("the daily backup failed: %s", exc)
        if exc.reason == "corrupt":
            body = _tr(
                "Its copy failed the check, so the library database itself looks damaged. "
                "Settings → Data → Restore from Backup… brings back an earlier, sound one."
            )
        else:
            body = _tr("Your library is as it was; the older backups are kept. {why}").format(
                why=why(exc)
            )
        self._show_library_message(_tr("Your library could not be backed up"), body)

    def _store_failed(self, message: str) -> None:
        self.window.show_banner(_tr("Not saved"), message)

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
        self.tasks.close()  # a job still running must not hand its result to a closed database
        self.db.close()


def _when(backup: Backup) -> str:
    """When a backup was taken, as the listener's locale writes it."""
    from PySide6.QtCore import QDate, QLocale, QTime

    locale, taken = QLocale(), backup.taken_at
    day = locale.toString(QDate(taken.year, taken.month, taken.day), QLocale.FormatType.LongFormat)
    at = locale.toString(QTime(taken.hour, taken.minute), QLocale.FormatType.ShortFormat)
    return f"{day} {at}"


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
    server: InstanceServer | None = None
    try:
        try:
            paths.ensure()
            opened = open_library(paths.database, paths.backups_dir)
            # The frame first: a window on screen as soon as Qt can show one, before the
            # services and panels (most of the app's code) are imported and built.
            window = MainWindow(StateRepository(opened.db))
            window.show_frame()
            if os.environ.get(BENCH_ENV):
                print(f"frame-paint {time.time():.6f}", flush=True)
            app = Application(qapp, paths, opened=opened, window=window)
        except (StoreError, OSError) as exc:
            from PySide6.QtWidgets import QMessageBox  # only to say the library cannot open

            QMessageBox.critical(None, APP_NAME, cannot_open(exc))
            print(f"ostplayer: {exc}", file=sys.stderr)
            return 1
        remote = remote_control(app)

        def listen() -> None:
            # After the first paint: QtNetwork costs ~10 ms to load, and a second launch
            # waits for the server to listen (the lock already makes this the app).
            nonlocal server
            server = _listen(primary)
            if server is not None:
                server.set_handler(remote.handle)

        app.window.first_painted.connect(listen)
        _quit_on_signals(app)
        if open_paths:
            remote.open_paths(list(open_paths))  # waits for start-up to finish
        app.start()
        code = qapp.exec()
    finally:
        if server is not None:
            server.close()
        if primary is not None:
            primary.release()  # the database is closed by now: the next writer may start
    from ostplayer.ui.settings_desktop import RESTART_EXIT_CODE

    if code == RESTART_EXIT_CODE:  # Settings → Restore from Backup: the next start restores
        _relaunch(paths)
        return 0
    return code


def _quit_on_signals(app: Application) -> None:
    """End the app on SIGTERM or SIGINT as its Quit does: the session saved, the lock let go.

    Python runs a signal's handler only when the interpreter next runs; inside Qt's event loop
    that could be never. The C handler writes to a pipe (``set_wakeup_fd``) that Qt watches,
    and the Python handler runs as that wakes the loop.
    """
    import signal

    from PySide6.QtCore import QSocketNotifier

    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    os.set_blocking(writer, False)

    def on_signal(_signum: int, _frame: object) -> None:
        QTimer.singleShot(0, app.window.quit)  # the window's Quit: close-to-tray must not refuse

    try:
        signal.set_wakeup_fd(writer)
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, on_signal)
    except (ValueError, OSError):  # not the main thread, or no such signal here
        os.close(reader)
        os.close(writer)
        return
    notifier = QSocketNotifier(reader, QSocketNotifier.Type.Read, app)  # lives as long as app

    def drain() -> None:
        try:
            while os.read(reader, 64):
                pass
        except BlockingIOError:
            pass

    notifier.activated.connect(drain)


def relaunch_command(paths: AppPaths) -> list[str]:
    """The command that starts OST Player again on the same data dir."""
    if getattr(sys, "frozen", False):  # the PyInstaller bundle: its executable is the app
        return [sys.executable, "--data-dir", os.fspath(paths.data_dir)]
    return [sys.executable, "-m", "ostplayer", "--data-dir", os.fspath(paths.data_dir)]


def _relaunch(paths: AppPaths) -> None:
    try:
        # Our own interpreter and module, no shell; a session of its own outlives this one.
        import subprocess  # only for a restart: not every start needs it

        subprocess.Popen(relaunch_command(paths), stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        print(
            f"ostplayer: could not start again ({exc}); start OST Player yourself", file=sys.stderr
        )


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
