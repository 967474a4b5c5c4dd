"""The Orphaned Notes dialog: notes whose file left the collection, and re-linking them.

A deleted or moved-and-changed file leaves the library, but the listener's notes on it stay in
the database. Here they are listed with the file they were on, and each can be hung on a track
that is in the library now.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.scene import Note, cue_headline, one_line
from ostplayer.domain.text import fold, matches, search_text
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.ui.plain import (
    MAX_SHOWN_CHARS,
    balanced,
    clip,
    isolate,
    let_shrink,
    plain_tooltip,
)

_Index = QModelIndex | QPersistentModelIndex

#: The row's :class:`Note` (table) or :class:`Track` (track list).
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 1
#: A value that sorts as people expect (the time in ms, text folded).
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class OrphanSource(Protocol):
    """What the dialog needs: :class:`~ostplayer.services.scenes.SceneService` provides it."""

    def orphaned_notes(self) -> list[Note]: ...

    def old_track(self, track_id: int) -> Track | None: ...

    def relink_note(self, note_id: int, track_id: int) -> None: ...


class OrphanedNotesModel(QAbstractTableModel):
    """One row per orphaned note: the track it was on, that track's file, the time, the note."""

    TRACK, FILE, TIME, NOTE = range(4)
    _HEADERS = ("Was On", "File", "Time", "Note")

    def __init__(
        self, old_track: Callable[[int], Track | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._old_track = old_track
        self._rows: list[tuple[Note, Track | None]] = []

    def set_notes(self, notes: Sequence[Note]) -> None:
        """Show these notes (each with its old track, looked up once here)."""
        self.beginResetModel()
        self._rows = [(note, self._old_track(note.track_id)) for note in notes]
        self.endResetModel()

    def note(self, row: int) -> Note:
        """The note on ``row``."""
        return self._rows[row][0]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self._HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        note, track = self._rows[index.row()]
        if role == OBJECT_ROLE:
            return note
        column = index.column()
        if role == SORT_ROLE:
            if column == self.TIME:
                return note.position_ms
            return fold(self._text(column, note, track))
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(column, note, track)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.NOTE:
                return plain_tooltip(note.text)  # the whole note, markup shown as written
            if column in (self.TRACK, self.FILE) and track is not None:
                return plain_tooltip(str(track.path))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.TIME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, column: int, note: Note, track: Track | None) -> str:
        if column == self.TRACK:
            return clip(track.display_title) if track is not None else self.tr("Unknown track")
        if column == self.FILE:
            return clip(track.path.name) if track is not None else ""
        if column == self.TIME:
            return format_ms(note.position_ms)
        return clip(headline(note))


def headline(note: Note) -> str:
    """The note's headline on one line, made from its first characters only: a note may be a
    megabyte long, and this is asked for on every paint."""
    text = one_line(clip(note.text, 2 * MAX_SHOWN_CHARS))
    if note.episode is None:
        return text
    return cue_headline(note.episode, note.episode_start_ms, text)


class TrackChoiceModel(QAbstractListModel):
    """The library's tracks to choose from, narrowed by a find-as-you-type filter."""

    def __init__(self, tracks: Sequence[Track], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all = [(track, search_text(track)) for track in tracks]
        self._shown = [track for track, _ in self._all]

    def set_filter(self, text: str) -> None:
        """Show the tracks whose title, artist, album or moods hold every word of ``text``."""
        words = fold(text).split()
        self.beginResetModel()
        self._shown = [track for track, folded in self._all if matches(folded, words)]
        self.endResetModel()

    def track(self, row: int) -> Track:
        """The track on ``row``."""
        return self._shown[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._shown)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        track = self._shown[index.row()]
        if role == OBJECT_ROLE:
            return track
        if role == Qt.ItemDataRole.DisplayRole:
            by = track.artist or track.album
            title = isolate(track.display_title)
            return f"{title} — {isolate(by)}" if by else title
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(str(track.path))
        return None


class OrphanedNotesDialog(QDialog):
    """Lists the orphaned notes; pick one, pick a track of the library, and re-link it."""

    def __init__(
        self, notes: OrphanSource, tracks: Sequence[Track], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._source = notes
        self.setWindowTitle(self.tr("Orphaned Notes"))
        self.resize(900, 480)

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)

        self.model = OrphanedNotesModel(notes.old_track, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName(self.tr("Orphaned notes"))
        self.table.setToolTip(self.tr("Notes whose music file is no longer in your library"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(OrphanedNotesModel.TRACK, 140)
        header.resizeSection(OrphanedNotesModel.FILE, 150)
        header.resizeSection(OrphanedNotesModel.TIME, 56)
        header.setStretchLastSection(True)

        # The selected note in full: a headline is one line, the note may be longer.
        self.detail = QLabel()
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # the listener's text, never markup
        self.detail.setWordWrap(True)
        let_shrink(self.detail)  # a note may hold a word a thousand letters long
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName(self.tr("Selected note"))

        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Find a track…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName(self.tr("Find a track"))
        self.filter.setToolTip(self.tr("Type part of a title, artist or album"))
        self.tracks_model = TrackChoiceModel(tracks, self)
        self.track_list = QListView()
        self.track_list.setModel(self.tracks_model)
        self.track_list.setUniformItemSizes(True)  # fast with a large library
        self.track_list.setAccessibleName(self.tr("Tracks in your library"))
        self.track_list.setToolTip(self.tr("The track to put the selected note on"))
        self.relink_button = QPushButton(self.tr("&Re-link"))
        self.relink_button.setAccessibleName(self.tr("Re-link the note"))
        self.relink_button.setToolTip(self.tr("Put the selected note on the selected track"))

        picker = QWidget()
        picker_layout = QVBoxLayout(picker)
        picker_layout.setContentsMargins(0, 0, 0, 0)
        move_to = QLabel(self.tr("&Move the note to:"))
        move_to.setBuddy(self.filter)  # Alt+M, and screen readers name the box
        picker_layout.addWidget(move_to)
        picker_layout.addWidget(self.filter)
        picker_layout.addWidget(self.track_list, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.relink_button)
        picker_layout.addLayout(row)

        notes_side = QWidget()
        notes_layout = QVBoxLayout(notes_side)
        notes_layout.setContentsMargins(0, 0, 0, 0)
        notes_layout.addWidget(self.table, 1)
        notes_layout.addWidget(self.detail)

        splitter = QSplitter()
        splitter.addWidget(notes_side)
        splitter.addWidget(picker)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 300])

        self.empty = QLabel(self.tr("No orphaned notes: every note is on a track in your library."))
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(splitter)
        self.stack.addWidget(self.empty)

        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # holds track titles
        let_shrink(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

        self.filter.textChanged.connect(self.tracks_model.set_filter)
        self.table.selectionModel().selectionChanged.connect(self._note_selected)
        self.track_list.selectionModel().selectionChanged.connect(self._update_button)
        # After a filter the old selection is gone: the button must follow.
        self.tracks_model.modelReset.connect(self._update_button)
        self.track_list.activated.connect(lambda _index: self.relink())
        self.relink_button.clicked.connect(self.relink)
        self.reload()

    def reload(self) -> None:
        """Read the orphaned notes again (the first one is selected)."""
        self.model.set_notes(self._source.orphaned_notes())
        count = self.model.rowCount()
        self.stack.setCurrentWidget(self.empty if count == 0 else self.stack.widget(0))
        self.summary.setText(
            ""
            if count == 0
            else self.tr(
                "%n note(s) are on music files that left your library (deleted, or moved and "
                "changed). Choose a note, then the track it belongs to now.",
                "",
                count,
            )
        )
        self.summary.setVisible(count > 0)
        if count:
            self.table.selectRow(0)
        self._note_selected()

    def selected_note(self) -> Note | None:
        """The note chosen in the table, if any."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.note(rows[0].row()) if rows else None

    def selected_track(self) -> Track | None:
        """The track chosen in the list, if any."""
        rows = self.track_list.selectionModel().selectedIndexes()
        return self.tracks_model.track(rows[0].row()) if rows else None

    def relink(self) -> None:
        """Put the selected note on the selected track; it leaves the list."""
        note, track = self.selected_note(), self.selected_track()
        if note is None or track is None:
            return
        self._source.relink_note(note.id, track.id)
        self.reload()
        self.status.setText(
            self.tr("Moved “{note}” to “{track}”.").format(
                note=isolate(headline(note)), track=isolate(track.display_title)
            )
        )

    def _note_selected(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        note = self.selected_note()
        # The note as written, its first pages only: a label that wraps a megabyte freezes.
        self.detail.setText(balanced(clip(note.text, 5 * MAX_SHOWN_CHARS)) if note else "")
        self._update_button()

    def _update_button(self, *_args: object) -> None:
        self.relink_button.setEnabled(
            self.selected_note() is not None and self.selected_track() is not None
        )
