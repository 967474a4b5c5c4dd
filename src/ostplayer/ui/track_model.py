"""The track table: a Qt model over the library's tracks that sorts and filters them itself."""

from __future__ import annotations

import enum
import time
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QPalette

from ostplayer.domain.text import fold, search_text
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.ui.plain import clip, plain_tooltip

_Index = QModelIndex | QPersistentModelIndex

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
TRACK_ROLE = Qt.ItemDataRole.UserRole + 2

#: A keystroke shows at least this many matching rows at once: more than a window has room for.
FIRST_ROWS = 200
#: ...testing at most this many rows before the view paints (~2 ms over 100,000 tracks).
FIRST_TESTED = 20_000
#: The rest of a big filter is tested this many rows at a time, between paints (~1-2 ms).
SLICE_ROWS = 10_000
#: ...and its matches join the rows once typing has paused this long: adding rows repaints
#: the whole table (~8 ms), which a key typed meanwhile would wait for and then make useless.
FINISH_AFTER_MS = 150


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

    A keystroke that has to test more rows than fit in one frame shows the first matches at
    once (every row on screen is already final), tests the rest in slices between paints, and
    adds its matches below once typing pauses; :attr:`filter_finished` says when the rows are
    complete. Whatever needs every row (:meth:`visible_tracks`, :meth:`row_of`, a change of
    tracks, sort or mood) finishes the filter first.
    """

    #: The rows shown are complete again after the filter changed.
    filter_finished = Signal()

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
        # The filter's unfinished part: rows still to test (from ``_rest_at`` on), by which
        # words, and whether the mood's tracks apply (not when narrowing visible rows).
        self._rest: list[int] = []
        self._rest_found: list[int] = []  # its matches so far, added to the rows when done
        self._rest_at = 0
        self._rest_words: list[str] = []
        self._rest_only = False
        self._typed_at = 0.0  # time.monotonic() of the last change of the filter text
        self._slices = QTimer(self)
        self._slices.setSingleShot(True)
        self._slices.timeout.connect(self._filter_slice)

    # -- content ---------------------------------------------------------------------------
    def set_tracks(self, tracks: list[Track], search: list[str] | None = None) -> None:
        """Replace every row, keeping the sort and the filter.

        ``search`` is each track's :func:`~ostplayer.domain.text.search_text`, when the
        caller made it off the GUI thread (folding 20,000 tracks' text takes a while).
        """
        unfinished = self._drop_rest()
        self.beginResetModel()
        self._tracks = list(tracks)
        self._search = list(search) if search is not None else [search_text(t) for t in tracks]
        self._index = {t.id: i for i, t in enumerate(self._tracks)}
        self._order = self._sorted(*self._sort)
        self._visible = self._filtered(self._order, self._words)
        self.endResetModel()
        if unfinished:
            self.filter_finished.emit()

    def add_tracks(self, tracks: list[Track], search: list[str]) -> None:
        """Add new tracks at the end and update known ones in place (while a scan runs).

        Rows are inserted, not reset, so the selection and the scroll position stay. New rows
        join the end whatever the sort; the next :meth:`set_tracks` puts them in order.
        """
        self._finish_filter()  # new rows join the end: after every row already shown
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
        self._finish_filter()
        return [self._tracks[i] for i in self._visible]

    def row_of(self, track_id: int) -> int | None:
        """The row showing ``track_id``, or None when it is filtered out."""
        self._finish_filter()
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
        narrowing = (
            not self._rest
            and bool(self._words)
            and all(any(old in new for new in words) for old in self._words)
        )
        if narrowing:
            changed = [word for word in words if word not in self._words]
            source, tested, only = self._visible, changed, False
        else:
            source, tested, only = self._order, words, True
        self._drop_rest()
        self._typed_at = time.monotonic()
        self.beginResetModel()
        self._words = words
        self._visible = self._filter_first(source, tested, only)
        self.endResetModel()
        if self._rest:
            self._slices.start(0)
        else:
            self.filter_finished.emit()

    def _filter_first(self, source: list[int], words: list[str], only: bool) -> list[int]:
        """The rows of ``source`` a keystroke shows at once; keep the rest to test later."""
        if len(source) <= FIRST_TESTED or (not words and not (only and self._only is not None)):
            return self._filtered(source, words, only)
        shown: list[int] = []
        at, step = 0, max(1, FIRST_TESTED // 10)
        # Small steps: a common word fills the screen within the first.
        while at < len(source) and len(shown) < FIRST_ROWS and at < FIRST_TESTED:
            shown += self._filtered(source[at : at + step], words, only)
            at += step
        if at < len(source):
            self._rest, self._rest_at, self._rest_words, self._rest_only = (source, at, words, only)
        return shown

    def _filter_slice(self) -> None:
        """Test the next slice of the filter's rest; add every match once all are tested."""
        if not self._rest:
            return
        at = self._rest_at
        if at < len(self._rest):
            self._rest_found += self._filtered(
                self._rest[at : at + SLICE_ROWS], self._rest_words, self._rest_only
            )
            self._rest_at = at + SLICE_ROWS
            if self._rest_at < len(self._rest):
                self._slices.start(0)
                return
        wait = FINISH_AFTER_MS - int((time.monotonic() - self._typed_at) * 1000)
        if wait > 0:  # still typing, perhaps
            self._slices.start(wait)
            return
        self._finish_filter()

    def _finish_filter(self) -> None:
        """Test what is left of the filter's rest now, and add its matches below the rows shown.

        They are added at once, at the end: QTableView repaints all it shows on any insert,
        even of rows below the screen, so adding them slice by slice would repaint each time.
        """
        if not self._rest:
            return
        found = self._rest_found
        found += self._filtered(self._rest[self._rest_at :], self._rest_words, self._rest_only)
        self._drop_rest()
        self._add_found(found)
        self.filter_finished.emit()

    def _add_found(self, found: list[int]) -> None:
        if found:
            first = len(self._visible)
            self.beginInsertRows(QModelIndex(), first, first + len(found) - 1)
            self._visible += found
            self.endInsertRows()

    def _drop_rest(self) -> bool:
        """Forget the filter's rest; True when there was one (the rows are then made anew)."""
        dropped = bool(self._rest)
        self._slices.stop()
        self._rest = []
        self._rest_found = []
        self._rest_words = []
        return dropped

    def set_only(self, track_ids: frozenset[int] | None) -> None:
        """Show only these tracks (a mood picked in the sidebar); ``None`` shows every track.

        The filter text still applies on top.
        """
        if track_ids == self._only:
            return
        unfinished = self._drop_rest()
        self.beginResetModel()
        self._only = track_ids
        self._visible = self._filtered(self._order, self._words)
        self.endResetModel()
        if unfinished:
            self.filter_finished.emit()

    def _filtered(self, indices: list[int], words: list[str], only: bool = True) -> list[int]:
        """The rows of ``indices`` that hold every word (and are the mood's, with ``only``)."""
        if only and self._only is not None:
            ids, tracks = self._only, self._tracks
            indices = [i for i in indices if tracks[i].id in ids]
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
        unfinished = self._drop_rest()
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._order = self._sorted(column, order)
        self._visible = self._filtered(self._order, self._words)
        self.layoutChanged.emit()
        if unfinished:
            self.filter_finished.emit()

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
