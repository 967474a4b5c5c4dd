"""The library as the window and the player see it: the tracks, and the demo OST on first run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ostplayer.domain.track import Track
from ostplayer.library.scanner import ScanReport, scan_folder
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database
from ostplayer.store.tracks import TrackRepository


class LibraryService(QObject):
    """Tracks in the library, loaded once and refreshed when the library changes."""

    tracks_changed = Signal()

    def __init__(
        self, repo: TrackRepository, demo_dir: Path, tasks: Tasks, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._repo = repo
        self._tasks = tasks
        self._demo_dir = demo_dir
        self._tracks: list[Track] = repo.all()
        self._by_id = {t.id: t for t in self._tracks}

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

    def reload(self) -> None:
        """Read the tracks again from the database and tell the views."""
        self._tracks = self._repo.all()
        self._by_id = {t.id: t for t in self._tracks}
        self.tracks_changed.emit()
