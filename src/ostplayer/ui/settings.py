"""The Settings dialog: one page per subject, the first being the music folders.

Later pages (audio device, spoiler episode, theme) are added with :meth:`SettingsDialog.add_page`.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QAction, QKeySequence, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ostplayer.services.library import LibraryService, Source
from ostplayer.ui.plain import plain_tooltip

_Index = QModelIndex | QPersistentModelIndex

#: The role that gives a row's :class:`~ostplayer.services.library.Source`.
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1


class SourceColumn(enum.IntEnum):
    """The music folder table's columns, in order."""

    PATH = 0
    KIND = 1
    TRACKS = 2
    STATUS = 3


_HEADERS = {
    SourceColumn.PATH: "Folder",
    SourceColumn.KIND: "Type",
    SourceColumn.TRACKS: "Tracks",
    SourceColumn.STATUS: "Status",
}
_KINDS = {"demo": "Demo OST", "folder": "Folder"}


class SourceTableModel(QAbstractTableModel):
    """The library's sources as rows: folder, type, track count, availability."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sources: list[Source] = []

    def set_sources(self, sources: list[Source]) -> None:
        """Show these sources; the same folders in the same order update in place."""
        if [s.id for s in sources] == [s.id for s in self._sources]:
            # No reset: the view keeps its selection while a scan updates the counts.
            self._sources = list(sources)
            if sources:
                last = self.index(len(sources) - 1, len(SourceColumn) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
            return
        self.beginResetModel()
        self._sources = list(sources)
        self.endResetModel()

    def source(self, row: int) -> Source:
        """The source at ``row``."""
        return self._sources[row]

    def row_of(self, source_id: int) -> int | None:
        """The row showing ``source_id``, or None."""
        return next((r for r, s in enumerate(self._sources) if s.id == source_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._sources)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(SourceColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_HEADERS[SourceColumn(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        source = self._sources[index.row()]
        column = SourceColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(source, column)
        if role == SOURCE_ROLE:
            return source
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SourceColumn.TRACKS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and not source.available:
            return QPalette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not source.available:
                return plain_tooltip(
                    self.tr(
                        "{path}\nThis folder is unavailable (unmounted, moved or unreadable). "
                        "Its tracks and your notes on them are kept; they come back with the "
                        "folder."
                    ).format(path=os.fspath(source.path))
                )
            return plain_tooltip(os.fspath(source.path))
        return None

    def _display(self, source: Source, column: SourceColumn) -> str:
        if column == SourceColumn.PATH:
            if source.kind == "demo":  # its path is the app's own install, of no use here
                return self.tr("Bundled with OST Player")
            return os.fspath(source.path)  # a view shows item text as plain text, never markup
        if column == SourceColumn.KIND:
            return self.tr(_KINDS.get(source.kind, source.kind))
        if column == SourceColumn.TRACKS:
            return QLocale().toString(source.track_count)
        return self.tr("Available") if source.available else self.tr("Unavailable")


class MusicFoldersPage(QWidget):
    """Where the listener adds, removes and rescans the folders the library reads."""

    def __init__(self, library: LibraryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self.setAccessibleName(self.tr("Music Folders"))

        intro = QLabel(
            self.tr(
                "OST Player reads your music from these folders and keeps watching them. "
                "Removing a folder takes its tracks out of the collection; the files are not "
                "touched, and your notes and moods are kept for when you add it again."
            )
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)

        self.model = SourceTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the folder's own name
        self.table.verticalHeader().hide()
        self.table.setAccessibleName(self.tr("Music folders"))
        self.table.setToolTip(self.tr("The folders your library reads music from"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(SourceColumn.PATH, QHeaderView.ResizeMode.Stretch)
        for column in (SourceColumn.KIND, SourceColumn.TRACKS, SourceColumn.STATUS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.add_button = self._button(
            self.tr("&Add Folder…"), self.tr("Choose a folder of music to add and scan")
        )
        self.remove_button = self._button(
            self.tr("&Remove"),
            self.tr("Take the selected folder out of the library (Delete); your notes are kept"),
        )
        self.rescan_button = self._button(
            self.tr("Re&scan"), self.tr("Look for new, changed and removed files in every folder")
        )
        self.restore_demo_button = self._button(
            self.tr("Restore &Demo OST"), self.tr("Add the bundled demo soundtrack back")
        )
        self.add_button.clicked.connect(self._add_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.rescan_button.clicked.connect(self._rescan)
        self.restore_demo_button.clicked.connect(self._restore_demo)
        remove_key = QAction(self.tr("Remove"), self.table)
        remove_key.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove_key.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.triggered.connect(self.remove_selected)
        self.table.addAction(remove_key)

        #: What is going on (a scan) or went wrong, in one line.
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("Music folder status"))

        buttons = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.rescan_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_demo_button)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        layout.addWidget(self.status_label)

        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        library.tracks_changed.connect(self._library_changed)
        library.scan_started.connect(self._scan_started)
        library.scan_finished.connect(self._scan_ended)
        library.scan_failed.connect(self._scan_failed)
        library.remove_failed.connect(self._show_status)
        self.refresh()

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setAutoDefault(False)  # Enter in the dialog must not open a file chooser
        button.setAccessibleName(text.replace("&", ""))
        button.setToolTip(tip)
        return button

    # -- showing --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the sources again, keeping the selected folder selected."""
        selected = self.selected_source()
        self.model.set_sources(self._library.sources())
        row = None if selected is None else self.model.row_of(selected.id)
        if row is not None and self.selected_source() is None:  # the model was reset
            self.table.selectionModel().select(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self._update_buttons()

    def selected_source(self) -> Source | None:
        """The source of the selected row, if one is selected."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.source(rows[0].row()) if rows else None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # the library may have changed while the page was hidden

    def _library_changed(self) -> None:
        if self.isVisible():  # a hidden page catches up when it is shown
            self.refresh()

    def _update_buttons(self) -> None:
        busy = self._library.is_busy()
        sources = [self.model.source(r) for r in range(self.model.rowCount())]
        self.add_button.setEnabled(not busy)
        self.remove_button.setEnabled(not busy and self.selected_source() is not None)
        self.rescan_button.setEnabled(not busy and any(s.kind == "folder" for s in sources))
        self.restore_demo_button.setEnabled(not busy and all(s.kind != "demo" for s in sources))

    def _show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def _scan_started(self) -> None:
        self._show_status(self.tr("Looking for music…"))
        self._library_changed()

    def _scan_ended(self, _report: object) -> None:
        self._show_status("")
        self._library_changed()

    def _scan_failed(self, message: str) -> None:
        self._show_status(message)
        self._library_changed()

    # -- actions --------------------------------------------------------------------------------
    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a music folder"))
        if folder and not self._library.scan([Path(folder)]):
            self._show_status(self.tr("A scan is running; try again when it ends."))

    def _rescan(self) -> None:
        if not self._library.scan():
            self._show_status(self.tr("A scan is running; try again when it ends."))

    def _restore_demo(self) -> None:
        if self._library.restore_demo():
            self._update_buttons()  # busy until the demo is in (then tracks_changed)

    def remove_selected(self) -> bool:
        """Ask, then take the selected folder out of the library; True when it is on its way."""
        source = self.selected_source()
        if source is None or not self._confirm_removal(source):
            return False
        if not self._library.remove_source(source.id, lambda: self._removed(source)):
            self._show_status(self.tr("The library is busy; try again when the scan ends."))
            return False
        self._show_status("")
        self._update_buttons()  # busy until the removal is done
        return True

    def _removed(self, source: Source) -> None:
        self.refresh()
        name = self.tr("The demo OST") if source.kind == "demo" else os.fspath(source.path)
        self._show_status(
            self.tr("Removed {folder}; your notes on its tracks are kept.").format(folder=name)
        )

    def _confirm_removal(self, source: Source) -> bool:
        if source.kind == "demo":
            question = self.tr("Remove the demo OST from the library?")
            details = self.tr(
                "Its tracks leave the collection. Your notes and moods on them are kept, and "
                "come back with Restore Demo OST."
            )
        else:
            question = self.tr("Remove “{folder}” from the library?").format(
                folder=os.fspath(source.path)
            )
            details = self.tr(
                "Its tracks leave the collection; the files on disk are not touched. Your notes "
                "and moods on them are kept, and come back if you add the folder again."
            )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove Music Folder"),
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # a folder name is never markup
        box.setInformativeText(details)
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Remove"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes


class SettingsDialog(QDialog):
    """The app's settings, one page (tab) per subject."""

    def __init__(self, library: LibraryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.resize(820, 460)
        self.pages = QTabWidget()
        self.pages.setAccessibleName(self.tr("Settings pages"))
        self.pages.setToolTip(self.tr("One page per subject; every change applies at once"))
        self.music_folders = MusicFoldersPage(library)
        self.add_page(
            self.music_folders,
            self.tr("&Music Folders"),
            self.tr("The folders your library reads music from"),
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.setToolTip(self.tr("Close the settings; changes are already saved"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(buttons)

    def add_page(self, page: QWidget, title: str, tip: str) -> None:
        """Add a page as a tab; every change on a page applies at once (no OK/Apply)."""
        index = self.pages.addTab(page, title)
        self.pages.setTabToolTip(index, tip)
