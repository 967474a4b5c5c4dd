"""The library as the window and the player see it: the tracks, and the demo OST on first run."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ostplayer.domain.track import Track
from ostplayer.library.importer import ImportResult, import_folder
from ostplayer.store.tracks import TrackRepository


class LibraryService(QObject):
    """Tracks in the library, loaded once and refreshed when the library changes."""

    tracks_changed = Signal()

    def __init__(self, repo: TrackRepository, demo_dir: Path, parent: QObject | None = None):
        super().__init__(parent)
        self._repo = repo
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

    def add_demo(self) -> ImportResult:
        """Add the bundled demo OST as the library's first source."""
        result = import_folder(self._repo, self._demo_dir, kind="demo")
        self.reload()
        return result

    def reload(self) -> None:
        """Read the tracks again from the database and tell the views."""
        self._tracks = self._repo.all()
        self._by_id = {t.id: t for t in self._tracks}
        self.tracks_changed.emit()
