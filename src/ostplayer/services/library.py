"""The library as the window and the player see it: the tracks, and the demo OST on first run."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QObject, QTimer, Signal

from ostplayer.domain.track import Track
from ostplayer.library.scanner import ScanReport, scan_folder, scan_folders
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database
from ostplayer.store.tracks import TrackRepository


class LibraryService(QObject):
    """Tracks in the library, loaded once and refreshed when the library changes.

    Scans run on a worker thread with their own database connection; progress arrives as
    signals on the GUI thread, and the track list refreshes as the scan goes.
    """

    tracks_changed = Signal()
    scan_started = Signal()
    scan_progress = Signal(int, int, str)  # files read, files to read, current folder
    scan_finished = Signal(object)  # ScanReport
    scan_failed = Signal(str)  # a message for people

    #: Seconds between refreshes of the track list while a scan runs.
    REFRESH_S = 1.0
    #: A change in a music folder is scanned once things have been quiet this long (ms).
    SETTLE_MS = 2000
    #: Folders watched at most (inotify watches are a limited resource); beyond, poll.
    MAX_WATCHED = 4000
    #: How often to rescan when the folders cannot all be watched (ms).
    POLL_MS = 10 * 60 * 1000

    def __init__(
        self, repo: TrackRepository, demo_dir: Path, tasks: Tasks, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._repo = repo
        self._tasks = tasks
        self._demo_dir = demo_dir
        self._cancel: threading.Event | None = None
        self._last_refresh = 0.0
        self._rescan_pending = False
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._folder_changed)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(self.SETTLE_MS)
        self._settle.timeout.connect(self._rescan_changed)
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._rescan_changed)
        # Empty until load(): reading a big library costs more than the first paint may.
        self._tracks: list[Track] = []
        self._by_id: dict[int, Track] = {}
        self._loading = False
        self._load_again = False
        self._pending_done: list[Callable[[], None]] = []

    def tracks(self) -> list[Track]:
        """Every track, in album order."""
        return list(self._tracks)

    def get(self, track_id: int) -> Track | None:
        """A track by id, or ``None`` when it is not in the library."""
        return self._by_id.get(track_id)

    def needs_demo(self) -> bool:
        """True on first run: no music folder and no demo yet."""
        return not self._repo.sources()

    def add_demo(self, on_done: Callable[[ScanReport], None] | None = None) -> None:
        """Add the bundled demo OST as the library's first source, reading it on a worker.

        The library reloads on the GUI thread when it is in; then ``on_done`` runs.
        """
        database, demo_dir = self._repo.database_path, self._demo_dir

        def read() -> ScanReport:
            db = Database(database)  # SQLite connections belong to the thread that made them
            try:
                return scan_folder(TrackRepository(db), demo_dir, kind="demo")
            finally:
                db.close()

        def done(result: ScanReport) -> None:
            self.reload()
            if on_done is not None:
                on_done(result)

        self._tasks.run(read, done)

    def folders(self) -> list[Path]:
        """The music folders the listener added."""
        return [path for _id, kind, path in self._repo.sources() if kind == "folder"]

    def problems(self) -> list[tuple[Path, str, str]]:
        """Every file the last scans could not read: ``(path, reason, message)``."""
        return self._repo.problems()

    def is_scanning(self) -> bool:
        """Whether a scan is running."""
        return self._cancel is not None

    def scan(self, folders: list[Path] | None = None) -> bool:
        """Add ``folders`` (default: rescan every music folder) on a worker thread.

        Returns False when a scan is already running.
        """
        if self._cancel is not None:
            return False
        targets = [p.absolute() for p in folders] if folders is not None else self.folders()
        cancel = self._cancel = threading.Event()
        database = self._repo.database_path
        progress = self.scan_progress

        def job() -> ScanReport:
            db = Database(database)  # SQLite connections belong to the thread that made them
            try:
                return scan_folders(
                    TrackRepository(db),
                    targets,
                    progress=lambda done, total, folder: progress.emit(done, total, str(folder)),
                    cancelled=cancel.is_set,
                )
            finally:
                db.close()

        self.scan_started.emit()
        self._tasks.run(job, self._scan_done, self._scan_error)
        return True

    def cancel_scan(self) -> None:
        """Stop the running scan; what it has read so far stays."""
        if self._cancel is not None:
            self._cancel.set()

    def refresh_while_scanning(self) -> None:
        """Reload the track list at most once per :attr:`REFRESH_S` (the table fills as it goes)."""
        now = time.monotonic()
        if now - self._last_refresh >= self.REFRESH_S:
            self._last_refresh = now
            self.load()

    def load(self, on_done: Callable[[], None] | None = None) -> None:
        """Read the tracks on a worker thread, then show them (``tracks_changed``).

        Reading 20,000 tracks takes about 0.4 s; the GUI thread never waits for it. A load
        asked for while one runs is done once more after it.
        """
        if self._loading:
            self._load_again = True
            if on_done is not None:
                self._pending_done.append(on_done)
            return
        self._loading = True
        if on_done is not None:
            self._pending_done.append(on_done)
        database, unavailable = self._repo.database_path, self._unavailable_sources()

        def read() -> list[Track]:
            db = Database(database)
            try:
                return TrackRepository(db).all(unavailable)
            finally:
                db.close()

        self._tasks.run(read, self._loaded, self._load_failed)

    def _loaded(self, tracks: list[Track]) -> None:
        self._loading = False
        if self._load_again:
            self._load_again = False
            self.load()  # the callbacks wait for the newer read
            return
        self._show(tracks)
        callbacks, self._pending_done = self._pending_done, []
        for callback in callbacks:
            callback()

    def _load_failed(self, _exc: Exception) -> None:
        self._loading = False
        callbacks, self._pending_done = self._pending_done, []
        for callback in callbacks:
            callback()

    def _scan_error(self, exc: Exception) -> None:
        self._cancel = None
        self.reload()  # what was saved before the failure is in the library
        self.scan_failed.emit(
            QCoreApplication.translate("LibraryService", "The scan stopped: {error}").format(
                error=exc
            )
        )

    def _scan_done(self, report: ScanReport) -> None:
        self._cancel = None
        # Finished means the list shows the result: tell the views once it is loaded.
        self.load(lambda: self._after_scan(report))

    def _after_scan(self, report: ScanReport) -> None:
        self._watch(report.folders_seen)
        self.scan_finished.emit(report)
        if self._rescan_pending:
            self._rescan_pending = False
            self._settle.start()

    # -- keeping up with changes while the app runs -----------------------------------------
    def _watch(self, folders: list[Path]) -> None:
        watched = set(self._watcher.directories())
        new = [str(f) for f in folders if str(f) not in watched]
        room = self.MAX_WATCHED - len(watched)
        if new[:room]:
            self._watcher.addPaths(new[:room])
        if len(new) > room:  # too many folders to watch: look again now and then
            self._poll.start()

    def _folder_changed(self, _path: str) -> None:
        self._settle.start()  # restarts: a copy of an album is one rescan, not one per file

    def _rescan_changed(self) -> None:
        if self.is_scanning():
            self._rescan_pending = True
        elif self.folders():
            self.scan()

    def _unavailable_sources(self) -> frozenset[int]:
        # One stat per music folder: an unmounted drive or a moved folder shows at once.
        return frozenset(
            source_id
            for source_id, _kind, path in self._repo.sources()
            if not (path.is_dir() and os.access(path, os.R_OK | os.X_OK))
        )

    def reload(self) -> None:
        """Read the tracks again from the database and tell the views."""
        self._show(self._repo.all(self._unavailable_sources()))

    def _show(self, tracks: list[Track]) -> None:
        self._tracks = tracks
        self._by_id = {t.id: t for t in tracks}
        self.tracks_changed.emit()
