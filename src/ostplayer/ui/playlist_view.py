"""One playlist shown whole: its name, what it holds, and its entries in a table.

A static playlist is edited here: drag rows to reorder them (or Alt+Up / Alt+Down), Delete
removes the selected entries. Every edit goes through :class:`PlaylistService`, so it is
committed and undoable; the table only shows what the service then says. Entries whose track is
missing stay in the list, greyed out, because the playlist keeps them until the music is back.
A smart playlist shows what its mood rule picks now, read-only, with why each track is there.

Names, titles and reasons are the listener's or the tags' text: item views draw DisplayRole as
plain text, the heading is a PlainText label, and tooltips are escaped.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QCoreApplication,
    QItemSelection,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.mixer import Pick
from ostplayer.domain.playlist import Playlist, PlaylistEntry
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.services.library import LibraryService
from ostplayer.services.playlists import PlaylistService
from ostplayer.ui.plain import clip, isolate, let_shrink, plain_tooltip, shown
from ostplayer.ui.playlist_common import (
    describe_rule,
    enqueue_message,
    export_playlist_dialog,
    on_activate,
    play_message,
)

_Index = QModelIndex | QPersistentModelIndex

#: The mime type of dragged playlist rows: ``{"playlist": id, "rows": [...]}`` as JSON.
ROWS_MIME = "application/x-ostplayer-playlist-rows"

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the PlaylistRow


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlaylistView", text)


def moved(count: int, rows: Sequence[int], to: int) -> list[int]:
    """The new order of ``count`` rows when ``rows`` move, together and in order, to sit
    before old row ``to`` (``count`` for the end): a list of old row numbers."""
    picked = sorted({r for r in rows if 0 <= r < count})
    chosen = set(picked)
    rest = [r for r in range(count) if r not in chosen]
    at = max(0, min(to, count)) - sum(1 for r in picked if r < to)
    return rest[:at] + picked + rest[at:]


# -- the model ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlaylistRow:
    """One row of the table: the stored entry, its track (``None`` when gone), what it plays
    (ms, 0 when unknown) and, for a smart playlist, why it was picked."""

    entry: PlaylistEntry
    track: Track | None
    duration_ms: int = 0
    reason: str = ""

    @property
    def playable(self) -> bool:
        """True when the track is in the library and its folder is there."""
        return self.track is not None and self.track.available


def static_rows(
    entries: Sequence[PlaylistEntry], tracks: dict[int, Track | None]
) -> list[PlaylistRow]:
    """Rows for a static playlist's entries, the missing ones included."""
    rows = []
    for entry in entries:
        track = tracks.get(entry.track_id)
        duration = track.duration_ms if track is not None else 0
        if entry.is_moment:
            end = entry.end_ms if entry.end_ms is not None else duration
            duration = max(0, end - (entry.start_ms or 0)) if end else 0
        rows.append(PlaylistRow(entry, track, duration))
    return rows


def smart_rows(picks: Sequence[Pick], tracks: dict[int, Track | None]) -> list[PlaylistRow]:
    """Rows for what a smart playlist's rule picks."""
    return [
        PlaylistRow(
            PlaylistEntry(p.track_id, p.start_ms, p.end_ms),
            tracks.get(p.track_id),
            p.duration_ms,
            p.reason,
        )
        for p in picks
    ]


class Column(enum.IntEnum):
    """The playlist table's columns."""

    NUMBER = 0
    TITLE = 1
    ARTIST = 2
    LENGTH = 3
    SPAN = 4
    WHY = 5


_HEADERS = {
    Column.NUMBER: "#",
    Column.TITLE: "Title",
    Column.ARTIST: "Artist",
    Column.LENGTH: "Length",
    Column.SPAN: "Span",
    Column.WHY: "Why",
}
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_RIGHT_ALIGNED = frozenset({Column.NUMBER, Column.LENGTH, Column.SPAN})


class PlaylistModel(QAbstractTableModel):
    """A playlist's rows. Rows of an editable (static) playlist can be dragged to reorder.

    The model never changes its rows on a drop: it emits :attr:`move_requested` and the view
    asks the service, whose change comes back through :meth:`set_rows`. So a drop is undoable
    and stored before the table shows it.
    """

    #: Rows dropped elsewhere: ``(rows, to)``; ``to`` is the old row they go before.
    move_requested = Signal(object, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[PlaylistRow] = []
        self._playlist_id: int | None = None
        self._editable = False
        self._missing_brush = QPalette().brush(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
        )
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_rows(self, playlist_id: int | None, rows: list[PlaylistRow], editable: bool) -> None:
        """Show ``rows`` of playlist ``playlist_id``; ``editable`` for a static playlist."""
        self.beginResetModel()
        self._playlist_id, self._rows, self._editable = playlist_id, list(rows), editable
        self.endResetModel()

    def rows(self) -> list[PlaylistRow]:
        """Every row, in order."""
        return list(self._rows)

    def row(self, row: int) -> PlaylistRow:
        """The row at ``row``."""
        return self._rows[row]

    @property
    def editable(self) -> bool:
        """True when rows can be reordered and removed (a static playlist)."""
        return self._editable

    # -- Qt model ------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return self.tr(_HEADERS[Column(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = Column(index.column())
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in _RIGHT_ALIGNED else None
        if role == Qt.ItemDataRole.ForegroundRole and not row.playable:
            return self._missing_brush
        if role == Qt.ItemDataRole.FontRole and not row.playable:
            return self._italic  # not only grey: readable without telling colours apart
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        return None

    def _text(self, number: int, row: PlaylistRow, column: Column) -> str:
        track = row.track
        if column == Column.NUMBER:
            return str(number + 1)
        if column == Column.TITLE:
            if track is None:
                return self.tr("(missing)")
            if not track.available:
                return self.tr("{title} (missing)").format(title=isolate(track.display_title))
            return clip(track.display_title)
        if column == Column.ARTIST:
            return clip(track.artist) if track is not None else ""
        if column == Column.LENGTH:
            return format_ms(row.duration_ms) if row.duration_ms > 0 else ""
        if column == Column.SPAN:
            return self._span(row)
        return clip(row.reason)

    def _span(self, row: PlaylistRow) -> str:
        entry = row.entry
        if not entry.is_moment:
            return ""
        if entry.end_ms is not None:
            end = format_ms(entry.end_ms)
        elif row.track is not None and row.track.duration_ms:
            end = format_ms(row.track.duration_ms)
        else:
            end = self.tr("end")
        return f"{format_ms(entry.start_ms or 0)}–{end}"

    def _tooltip(self, row: PlaylistRow, column: Column) -> str | None:
        if row.track is None:
            return self.tr(
                "This track is no longer in your library. The playlist keeps its place, "
                "and it plays again if the track comes back."
            )
        if not row.track.available:
            return plain_tooltip(
                self.tr(
                    "{path}\nIts folder is unavailable (unmounted, moved or unreadable); "
                    "it is skipped when the playlist plays."
                ).format(path=row.track.path)
            )
        if column == Column.TITLE:
            return plain_tooltip(str(row.track.path))  # file names can look like markup
        if column == Column.WHY and row.reason:
            return plain_tooltip(row.reason)
        return None

    # -- drag and drop -------------------------------------------------------------------------
    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land between rows only: items are not drop targets, so Qt turns "on an
            # item" into "above/below it", which is what a reorder means.
            return Qt.ItemFlag.ItemIsDropEnabled if self._editable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROWS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        payload = json.dumps({"playlist": self._playlist_id, "rows": rows})
        data = QMimeData()
        data.setData(ROWS_MIME, QByteArray(payload.encode()))
        return data

    def _dragged_rows(self, data: QMimeData) -> list[int] | None:
        if not self._editable or not data.hasFormat(ROWS_MIME):
            return None
        try:
            payload = json.loads(bytes(data.data(ROWS_MIME).data()).decode())
            rows = [int(r) for r in payload["rows"]]
        except (ValueError, KeyError, TypeError):
            return None
        # Rows of another playlist (another window's view) are not ours to move.
        if payload.get("playlist") != self._playlist_id:
            return None
        return [r for r in rows if 0 <= r < len(self._rows)] or None

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        return action == Qt.DropAction.MoveAction and self._dragged_rows(data) is not None

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        rows = self._dragged_rows(data) if action == Qt.DropAction.MoveAction else None
        if rows is None:
            return False
        if parent.isValid():
            to = parent.row()  # dropped onto a row: take its place
        elif row < 0:
            to = len(self._rows)  # dropped below the last row
        else:
            to = row
        self.move_requested.emit(rows, to)
        # After a move the view asks the model to remove the dragged rows; this model has no
        # removeRows (the base one refuses), so the service's new order is all that changes.
        return True


# -- the view ----------------------------------------------------------------------------------
class PlaylistView(QWidget):
    """A playlist's heading, Play / Enqueue / Export buttons, and its entries."""

    #: A message for the status bar.
    status = Signal(str)

    def __init__(
        self,
        playlists: PlaylistService,
        library: LibraryService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._playlists, self._library = playlists, library
        self._id: int | None = None
        self._playlist: Playlist | None = None

        self.title_label = QLabel()
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)  # the listener's name
        let_shrink(self.title_label)  # of any length
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setAccessibleName(self.tr("Playlist name"))
        self.summary_label = QLabel()
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)  # holds mood words
        self.summary_label.setWordWrap(True)
        let_shrink(self.summary_label)
        self.summary_label.setAccessibleName(self.tr("Playlist summary"))

        self.play_button = QPushButton(self.tr("Play"))
        self.play_button.setAccessibleName(self.tr("Play playlist"))
        self.play_button.setToolTip(self.tr("Play this playlist from the start"))
        self.enqueue_button = QPushButton(self.tr("Enqueue"))
        self.enqueue_button.setAccessibleName(self.tr("Enqueue playlist"))
        self.enqueue_button.setToolTip(
            self.tr("Add this playlist's tracks to the end of the queue")
        )
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setAccessibleName(self.tr("Export playlist"))
        self.export_button.setToolTip(self.tr("Save this playlist as an M3U8 or XSPF file"))

        self.model = PlaylistModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # Drops go between rows; Qt's default for tables overwrites the row dropped on.
        self.table.setDragDropOverwriteMode(False)
        self.table.setDropIndicatorShown(True)
        self.table.setDefaultDropAction(Qt.DropAction.MoveAction)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        for column in (Column.NUMBER, Column.LENGTH, Column.SPAN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        # Title and Why share the width; the last *visible* column must not take it (Length
        # would, for a playlist of whole tracks, where Span and Why are hidden).
        header.setStretchLastSection(False)
        for column in (Column.TITLE, Column.WHY):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(Column.ARTIST, 180)
        self.table.setAccessibleName(self.tr("Playlist entries"))

        self.empty_label = QLabel()
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)  # drawn greyed, as a placeholder
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        self.remove_action = self._table_action(
            self.tr("Remove from Playlist"),
            QKeySequence(QKeySequence.StandardKey.Delete),
            self.tr("Take the selected entries out of this playlist (Delete)"),
        )
        self.remove_action.triggered.connect(self.remove_selected)
        self.move_up_action = self._table_action(
            self.tr("Move Up"), QKeySequence("Alt+Up"), self.tr("Move the selection up (Alt+Up)")
        )
        self.move_up_action.triggered.connect(lambda: self.move_selected(-1))
        self.move_down_action = self._table_action(
            self.tr("Move Down"),
            QKeySequence("Alt+Down"),
            self.tr("Move the selection down (Alt+Down)"),
        )
        self.move_down_action.triggered.connect(lambda: self.move_selected(1))
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

        buttons = QHBoxLayout()
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.enqueue_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.summary_label)
        layout.addLayout(buttons)
        layout.addWidget(self.stack, 1)

        self.play_button.clicked.connect(lambda: self.play())
        self.enqueue_button.clicked.connect(self.enqueue)
        self.export_button.clicked.connect(self.export)
        on_activate(self.table, lambda index: self.play(index.row()))
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.model.move_requested.connect(self.move_rows)
        playlists.entries_changed.connect(self._entries_changed)
        playlists.playlists_changed.connect(self.refresh)
        library.tracks_changed.connect(self.refresh)  # a missing track may be back
        self._show(None)

    def _table_action(self, text: str, keys: QKeySequence, tip: str) -> QAction:
        action = QAction(text, self.table)
        action.setShortcut(keys)
        # Only while the table has the keys: Delete in another widget is not ours.
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.setToolTip(tip)
        self.table.addAction(action)
        return action

    # -- reading -------------------------------------------------------------------------------
    def playlist_id(self) -> int | None:
        """The id of the playlist shown (it may have been deleted since)."""
        return self._id

    def playlist(self) -> Playlist | None:
        """The playlist shown, as last read; ``None`` when none is or it was deleted."""
        return self._playlist

    def selected_rows(self) -> list[int]:
        """The selected rows, in order."""
        return sorted(i.row() for i in self.table.selectionModel().selectedRows())

    # -- commands ------------------------------------------------------------------------------
    def set_playlist(self, playlist_id: int | None) -> None:
        """Show the playlist ``playlist_id`` (``None``: nothing)."""
        self._id = playlist_id
        self.refresh()
        self.table.scrollToTop()

    def refresh(self) -> None:
        """Read the shown playlist again, keeping the selected rows where they still are."""
        playlist = self._playlists.get(self._id) if self._id is not None else None
        selected = self.selected_rows()
        self._show(playlist)
        self._select([r for r in selected if r < self.model.rowCount()])

    def play(self, row: int = 0) -> bool:
        """Play the playlist from ``row`` (the table's row); False when nothing plays."""
        playlist = self._playlist
        if playlist is None:
            return False
        rows = self.model.rows()
        if 0 <= row < len(rows) and not rows[row].playable:
            self.status.emit(self.tr("This track is missing; it cannot be played"))
            return False
        # The service counts only what it can play; missing rows above this one are skipped.
        start = sum(1 for r in rows[:row] if r.playable)
        played = self._playlists.play(playlist.id, start)
        self.status.emit(play_message(played, playlist.name))
        return played

    def enqueue(self) -> int:
        """Add the playlist to the end of the queue; returns how many entries."""
        if self._playlist is None:
            return 0
        count = self._playlists.enqueue(self._playlist.id)
        self.status.emit(enqueue_message(count, self._playlist.name))
        return count

    def export(self) -> None:
        """Ask for a file and write the playlist to it."""
        if self._playlist is None:
            return
        message = export_playlist_dialog(self, self._playlists, self._playlist)
        if message:
            self.status.emit(message)

    def remove_selected(self) -> None:
        """Take the selected entries out of a static playlist (undoable)."""
        playlist, rows = self._playlist, set(self.selected_rows())
        if playlist is None or playlist.is_smart or not rows:
            return
        kept = [e for i, e in enumerate(playlist.entries) if i not in rows]
        first = min(rows)
        self._playlists.set_entries(playlist.id, kept, self.tr("Remove from Playlist"))
        # The row after the removed ones takes the selection, so Delete can go on.
        if self.model.rowCount():
            self._select(
                [min(first - sum(1 for r in rows if r < first), self.model.rowCount() - 1)]
            )
        self.status.emit(
            self.tr("Removed 1 entry. Undo with Ctrl+Z")
            if len(rows) == 1
            else self.tr("Removed {n} entries. Undo with Ctrl+Z").format(n=len(rows))
        )

    def move_selected(self, step: int) -> None:
        """Move the selected rows one place up (``-1``) or down (``1``), as a block."""
        rows = self.selected_rows()
        if not rows:
            return
        if step < 0 and rows[0] > 0:
            self.move_rows(rows, rows[0] - 1)
        elif step > 0 and rows[-1] < self.model.rowCount() - 1:
            self.move_rows(rows, rows[-1] + 2)

    def move_rows(self, rows: Sequence[int], to: int) -> None:
        """Move ``rows`` to sit before old row ``to``, through the service (undoable)."""
        playlist = self._playlist
        if playlist is None or playlist.is_smart:
            return
        count = len(playlist.entries)
        order = moved(count, rows, to)
        if order == list(range(count)):
            return
        entries = [playlist.entries[i] for i in order]
        self._playlists.set_entries(playlist.id, entries, self.tr("Reorder Playlist"))
        # entries_changed has refreshed the table by now; keep the moved rows selected.
        picked = set(rows)
        self._select([new for new, old in enumerate(order) if old in picked])

    # -- internals -----------------------------------------------------------------------------
    def _entries_changed(self, playlist_id: int) -> None:
        if playlist_id == self._id:
            self.refresh()

    def _show(self, playlist: Playlist | None) -> None:
        self._playlist = playlist
        if playlist is None:
            self.model.set_rows(None, [], editable=False)
            gone = self._id is not None
            self.title_label.setText(self.tr("Playlist deleted") if gone else self.tr("Playlists"))
            self.summary_label.setText("")
            self.summary_label.hide()  # no empty line between the heading and the buttons
            self.empty_label.setText(
                self.tr("This playlist was deleted. Undo with Ctrl+Z to bring it back.")
                if gone
                else self.tr("Pick a playlist in the sidebar.")
            )
            self.stack.setCurrentWidget(self.empty_label)
            self._update_actions()
            return
        if playlist.is_smart:
            picks = self._playlists.picks(playlist.id)
            rows = smart_rows(picks, {p.track_id: self._library.get(p.track_id) for p in picks})
        else:
            tracks = {e.track_id: self._library.get(e.track_id) for e in playlist.entries}
            rows = static_rows(playlist.entries, tracks)
        self.model.set_rows(playlist.id, rows, editable=not playlist.is_smart)
        self.title_label.setText(shown(playlist.name))  # a megabyte-long name is clipped
        self.summary_label.setText(self._summary(playlist, rows))
        self.summary_label.show()
        self.empty_label.setText(
            self.tr("No track has these moods yet.")
            if playlist.is_smart
            else self.tr("This playlist is empty. Add tracks from the track list's menu.")
        )
        self.stack.setCurrentWidget(self.table if rows else self.empty_label)
        drag = (
            QAbstractItemView.DragDropMode.NoDragDrop
            if playlist.is_smart
            else QAbstractItemView.DragDropMode.InternalMove
        )
        self.table.setDragDropMode(drag)
        self.table.setColumnHidden(Column.WHY, not playlist.is_smart)
        self.table.setColumnHidden(Column.SPAN, not any(r.entry.is_moment for r in rows))
        self.table.setToolTip(
            self.tr("Tracks the rule picks now; double-click to play from there")
            if playlist.is_smart
            else self.tr(
                "Double-click to play from there; drag or Alt+Up/Down to reorder, Delete to remove"
            )
        )
        self._update_actions()

    def _summary(self, playlist: Playlist, rows: list[PlaylistRow]) -> str:
        count = len(rows)
        if rows and all(r.entry.is_moment for r in rows):
            size = self.tr("1 moment") if count == 1 else self.tr("{n} moments").format(n=count)
        else:
            size = self.tr("1 track") if count == 1 else self.tr("{n} tracks").format(n=count)
        parts = [size, format_ms(sum(r.duration_ms for r in rows if r.playable))]
        missing = sum(1 for r in rows if not r.playable)
        if missing:
            parts.append(self.tr("{n} missing").format(n=missing))
        if playlist.is_smart:
            return self.tr("Smart playlist: follows your moods ({rule}) · {parts}").format(
                rule=describe_rule(playlist.rule), parts=" · ".join(parts)
            )
        return " · ".join(parts)

    def _select(self, rows: Sequence[int]) -> None:
        model, selection = self.model, QItemSelection()
        for row in rows:
            selection.select(model.index(row, 0), model.index(row, model.columnCount() - 1))
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        selecting = self.table.selectionModel()
        if rows:
            current = QItemSelectionModel.SelectionFlag.NoUpdate
            selecting.setCurrentIndex(model.index(rows[0], 0), current)
        selecting.select(selection, flags)
        self._update_actions()

    def _update_actions(self) -> None:
        has = self._playlist is not None
        for button in (self.play_button, self.enqueue_button, self.export_button):
            button.setEnabled(has and self.model.rowCount() > 0)
        editable = self.model.editable and bool(self.selected_rows())
        for action in (self.remove_action, self.move_up_action, self.move_down_action):
            action.setEnabled(editable)
