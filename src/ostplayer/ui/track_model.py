"""The track table: a Qt model over the library's tracks that sorts and filters them itself."""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette

from ostplayer.domain.text import fold, search_text
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.ui.plain import clip, plain_tooltip

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
    """Tracks as rows, sorted and filtered here rather than in a proxy.

    ``SORT_ROLE`` gives sortable values; ``TRACK_ROLE`` the Track itself. Filtering and
    sorting work on plain Python lists (a list of visible indices into the tracks), and tell
    the view with one reset: over 100,000 tracks a keystroke costs a few milliseconds, where
    ``QSortFilterProxyModel`` asked Python about every row, one call at a time.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._tracks: list[Track] = []
        self._search: list[str] = []  # folded text per track, made once, for the filter
        self._index: dict[int, int] = {}  # track id → index in _tracks
        self._order: list[int] = []  # every track index, in the current sort order
        self._visible: list[int] = []  # the indices that pass the filter, in that order
        self._words: list[str] = []
        self._only: frozenset[int] | None = None  # a mood's tracks (the sidebar), or all
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._playing_id: int | None = None
        self._headers: list[str] = []
        self._bold = QFont()
        self._bold.setBold(True)

    # -- content ---------------------------------------------------------------------------
    def set_tracks(self, tracks: list[Track], search: list[str] | None = None) -> None:
        """Replace every row, keeping the sort and the filter.

        ``search`` is each track's :func:`~ostplayer.domain.text.search_text`, when the
        caller made it off the GUI thread (folding 20,000 tracks' text takes a while).
        """
        self.beginResetModel()
        self._tracks = list(tracks)
        self._search = list(search) if search is not None else [search_text(t) for t in tracks]
        self._index = {t.id: i for i, t in enumerate(self._tracks)}
        self._order = self._sorted(*self._sort)
        self._visible = self._filtered(self._order, self._words)
        self.endResetModel()

    def add_tracks(self, tracks: list[Track], search: list[str]) -> None:
        """Add new tracks at the end and update known ones in place (while a scan runs).

        Rows are inserted, not reset, so the selection and the scroll position stay. New rows
        join the end whatever the sort; the next :meth:`set_tracks` puts them in order.
        """
        added: list[int] = []
        changed = False
        for track, text in zip(tracks, search, strict=True):
            i = self._index.get(track.id)
            if i is None:
                i = self._index[track.id] = len(self._tracks)
                self._tracks.append(track)
                self._search.append(text)
                self._order.append(i)
                added.append(i)
            else:
                self._tracks[i] = track
                self._search[i] = text
                changed = True
        shown = self._filtered(added, self._words)
        if shown:
            first = len(self._visible)
            self.beginInsertRows(QModelIndex(), first, first + len(shown) - 1)
            self._visible += shown
            self.endInsertRows()
        if changed and self._visible:
            last = self.index(len(self._visible) - 1, len(Column) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def track(self, row: int) -> Track:
        """The track at ``row``."""
        return self._tracks[self._visible[row]]

    def visible_tracks(self) -> list[Track]:
        """The tracks shown, in order."""
        return [self._tracks[i] for i in self._visible]

    def row_of(self, track_id: int) -> int | None:
        """The row showing ``track_id``, or None when it is filtered out."""
        return next(
            (row for row, i in enumerate(self._visible) if self._tracks[i].id == track_id), None
        )

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

    # -- filter and sort -------------------------------------------------------------------
    def set_filter_text(self, text: str) -> None:
        """Show only tracks whose text holds every typed word (case and accents ignored)."""
        words = fold(text).split()
        if words == self._words:
            return
        # Typing on narrows what is shown: filter only the rows still visible, and only by the
        # words that changed (the rows hold the others already).
        narrowing = bool(self._words) and all(
            any(old in new for new in words) for old in self._words
        )
        self.beginResetModel()
        if narrowing:
            changed = [word for word in words if word not in self._words]
            self._visible = self._matching(self._visible, changed)
        else:
            self._visible = self._filtered(self._order, words)
        self._words = words
        self.endResetModel()

    def set_only(self, track_ids: frozenset[int] | None) -> None:
        """Show only these tracks (a mood picked in the sidebar); ``None`` shows every track.

        The filter text still applies on top.
        """
        if track_ids == self._only:
            return
        self.beginResetModel()
        self._only = track_ids
        self._visible = self._filtered(self._order, self._words)
        self.endResetModel()

    def _filtered(self, indices: list[int], words: list[str]) -> list[int]:
        if self._only is not None:
            only, tracks = self._only, self._tracks
            indices = [i for i in indices if tracks[i].id in only]
        return self._matching(indices, words)

    def _matching(self, indices: list[int], words: list[str]) -> list[int]:
        """The rows of ``indices`` whose text holds every word (see domain.text.matches)."""
        if not words:
            return list(indices)  # a list of its own: the visible rows change apart from it
        search = self._search
        matching = indices
        # One plain pass per word, each over what the last one kept: cheaper than testing
        # every word on every row (100,000 rows: 25-34 ms for two words, now ~10).
        for word in words:
            matching = [i for i in matching if word in search[i]]
        return matching

    @property
    def sort_column(self) -> int:
        """The column the rows are sorted by; -1 for the order the tracks came in."""
        return self._sort[0]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: the order the tracks came in, album order)."""
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._order = self._sorted(column, order)
        self._visible = self._filtered(self._order, self._words)
        self.layoutChanged.emit()

    def _sorted(self, column: int, order: Qt.SortOrder) -> list[int]:
        indices = list(range(len(self._tracks)))
        if column < 0:
            return indices
        keys = [_sort_key(t, Column(column)) for t in self._tracks]
        indices.sort(key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)
        return indices

    # -- Qt model --------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        # Asked for every column, for every role, on every paint: answered from a list.
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            if not self._headers:
                self._headers = [self.tr(_HEADERS[c]) for c in Column]
            return self._headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view calls this about a thousand times per paint: plain ints, no enum lookups.
        row = index.row()
        if row < 0:
            return None
        track = self._tracks[self._visible[row]]
        column = index.column()
        if role == _DISPLAY:
            return _DISPLAYERS[column](track)
        if role == _ALIGNMENT:
            return _RIGHT if column in _RIGHT_ALIGNED else None
        if role == _FONT:
            return self._bold if track.id == self._playing_id else None
        if role == _TRACK:
            return track
        if role == _SORT:
            return _sort_key(track, Column(column))
        if not track.available:
            if role == _FOREGROUND:
                return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            if role == _TOOLTIP:
                return plain_tooltip(
                    self.tr(
                        "{path}\nIts folder is unavailable (unmounted, moved or unreadable). "
                        "The track and your notes on it are kept; they come back with the folder."
                    ).format(path=track.path)
                )
        if role == _TOOLTIP and column == Column.TITLE:
            return plain_tooltip(str(track.path))  # file names can look like markup
        return None


_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_SORT = int(SORT_ROLE)
_TRACK = int(TRACK_ROLE)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_RIGHT_ALIGNED = frozenset({Column.NUMBER.value, Column.DURATION.value})


def _display(track: Track, column: Column) -> str:
    if column == Column.NUMBER:
        return "" if track.track_number is None else str(track.track_number)
    # Tag text is clipped: a megabyte-long tag would be laid out on every paint of the row.
    if column == Column.TITLE:
        return clip(track.display_title)
    if column == Column.ARTIST:
        return clip(track.artist)
    if column == Column.ALBUM:
        return clip(track.album)
    if column == Column.DURATION:
        return format_ms(track.duration_ms) if track.duration_ms else ""
    return clip(", ".join(track.moods))


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


#: One function per column, indexed by column number, for data()'s display role.
_DISPLAYERS = [lambda t, c=c: _display(t, c) for c in Column]
