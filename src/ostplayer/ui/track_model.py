"""The track table: a Qt model over the library's tracks, and the proxy that sorts and filters."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont, QPalette

from ostplayer.domain.text import fold, matches
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track

_Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
TRACK_ROLE = Qt.ItemDataRole.UserRole + 2


class Column(enum.IntEnum):
    """The table's columns, in order."""

    NUMBER = 0
    TITLE = 1
    ARTIST = 2
    ALBUM = 3
    DURATION = 4
    MOOD = 5


_HEADERS = {
    Column.NUMBER: "#",
    Column.TITLE: "Title",
    Column.ARTIST: "Artist",
    Column.ALBUM: "Album",
    Column.DURATION: "Duration",
    Column.MOOD: "Mood",
}


class TrackTableModel(QAbstractTableModel):
    """Tracks as rows. ``SORT_ROLE`` gives sortable values; ``TRACK_ROLE`` the Track itself."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._tracks: list[Track] = []
        self._search: list[str] = []  # folded text per row, made once, for the filter
        self._playing_id: int | None = None

    # -- content ---------------------------------------------------------------------------
    def set_tracks(self, tracks: list[Track]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._tracks = list(tracks)
        self._search = [
            fold(" ".join((t.display_title, t.artist, t.album, t.album_artist, *t.moods)))
            for t in self._tracks
        ]
        self.endResetModel()

    def track(self, row: int) -> Track:
        """The track at ``row``."""
        return self._tracks[row]

    def search_text(self, row: int) -> str:
        """The folded text the filter matches ``row`` against."""
        return self._search[row]

    def row_of(self, track_id: int) -> int | None:
        """The row showing ``track_id``."""
        return next((i for i, t in enumerate(self._tracks) if t.id == track_id), None)

    def set_playing(self, track_id: int | None) -> None:
        """Show ``track_id``'s row as the one playing."""
        rows = (self._row_or_none(self._playing_id), self._row_or_none(track_id))
        self._playing_id = track_id
        for row in rows:
            if row is not None:
                self.dataChanged.emit(
                    self.index(row, 0),
                    self.index(row, len(Column) - 1),
                    [Qt.ItemDataRole.FontRole],
                )

    def _row_or_none(self, track_id: int | None) -> int | None:
        return None if track_id is None else self.row_of(track_id)

    # -- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._tracks)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_HEADERS[Column(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        track = self._tracks[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(track, column)
        if role == SORT_ROLE:
            return _sort_key(track, column)
        if role == TRACK_ROLE:
            return track
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            Column.NUMBER,
            Column.DURATION,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and track.id == self._playing_id:
            font = QFont()
            font.setBold(True)
            return font
        if not track.available:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.tr(
                    "{path}\nIts folder is unavailable (unmounted, moved or unreadable). The "
                    "track and your notes on it are kept; they come back with the folder."
                ).format(path=track.path)
        if role == Qt.ItemDataRole.ToolTipRole and column == Column.TITLE:
            return str(track.path)
        return None


def _display(track: Track, column: Column) -> str:
    if column == Column.NUMBER:
        return "" if track.track_number is None else str(track.track_number)
    if column == Column.TITLE:
        return track.display_title
    if column == Column.ARTIST:
        return track.artist
    if column == Column.ALBUM:
        return track.album
    if column == Column.DURATION:
        return format_ms(track.duration_ms) if track.duration_ms else ""
    return ", ".join(track.moods)


def _sort_key(track: Track, column: Column) -> Any:
    # Album order inside each sort, so that equal values keep their tracks together.
    album_order = (fold(track.album), track.disc_number or 0, track.track_number or 0)
    if column == Column.NUMBER:
        return (track.track_number or 0, *album_order)
    if column == Column.DURATION:
        return track.duration_ms
    if column == Column.ALBUM:
        return album_order
    return (fold(_display(track, column)), *album_order)


class TrackFilterProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE`` and keeps the rows whose folded text holds every typed word."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._words: list[str] = []

    def set_filter_text(self, text: str) -> None:
        """Filter by ``text``: case and accents are ignored; every word must occur."""
        words = fold(text).split()
        if words != self._words:
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        assert isinstance(model, TrackTableModel)
        return matches(model.search_text(source_row), self._words)

    def lessThan(self, left: _Index, right: _Index) -> bool:
        return bool(left.data(SORT_ROLE) < right.data(SORT_ROLE))
