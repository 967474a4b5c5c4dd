"""The Settings dialog's scene pages: imported Scene Packs, and the Spoilers guard.

Kept apart from ``settings.py`` so that the scene features own their pages; they are added to
the dialog with :func:`add_scene_pages`. Everything a pack says (its name, series, titles) is
shown as plain text: views show item text literally, and tooltips are escaped.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.scene import episode_label
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.services.library import LibraryService
from ostplayer.services.scenes import SceneService
from ostplayer.store.scenes import PackEntry, PackSummary
from ostplayer.ui.orphans import TrackChoiceModel
from ostplayer.ui.plain import file_stem, isolate, plain_tooltip
from ostplayer.ui.settings import SettingsDialog

_Index = QModelIndex | QPersistentModelIndex


class PackColumn(enum.IntEnum):
    """The Scene Packs table's columns, in order."""

    NAME = 0
    SERIES = 1
    LINKED = 2
    CUES = 3
    IMPORTED = 4


_PACK_HEADERS = {
    PackColumn.NAME: "Pack",
    PackColumn.SERIES: "Series",
    PackColumn.LINKED: "Tracks Linked",
    PackColumn.CUES: "Scenes",
    PackColumn.IMPORTED: "Imported",
}


class EntryColumn(enum.IntEnum):
    """The waiting entries table's columns, in order."""

    PACK = 0
    TITLE = 1
    ALBUM = 2
    ARTIST = 3
    DURATION = 4


_ENTRY_HEADERS = {
    EntryColumn.PACK: "Pack",
    EntryColumn.TITLE: "Title",
    EntryColumn.ALBUM: "Album",
    EntryColumn.ARTIST: "Artist",
    EntryColumn.DURATION: "Length",
}


class PackTableModel(QAbstractTableModel):
    """Imported packs as rows: name, series, tracks linked of entries, cues, when imported."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._packs: list[PackSummary] = []

    def set_packs(self, packs: list[PackSummary]) -> None:
        """Show these packs."""
        self.beginResetModel()
        self._packs = list(packs)
        self.endResetModel()

    def pack(self, row: int) -> PackSummary:
        """The pack on ``row``."""
        return self._packs[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._packs)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(PackColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_PACK_HEADERS[PackColumn(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        pack = self._packs[index.row()]
        column = PackColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column == PackColumn.NAME:
                return pack.name
            if column == PackColumn.SERIES:
                return pack.series
            if column == PackColumn.LINKED:
                return self.tr("{linked} of {entries}").format(
                    linked=QLocale().toString(pack.linked),
                    entries=QLocale().toString(pack.entries),
                )
            if column == PackColumn.CUES:
                return QLocale().toString(pack.cues)
            return pack.imported_at.replace("T", " ")[:16]  # to the minute is enough
        if role == Qt.ItemDataRole.ToolTipRole and column in (PackColumn.NAME, PackColumn.SERIES):
            return plain_tooltip(pack.name if column == PackColumn.NAME else pack.series)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            PackColumn.LINKED,
            PackColumn.CUES,
        ):
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


class EntryTableModel(QAbstractTableModel):
    """Pack entries that found no track: pack, title, album, artist, length."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[PackEntry] = []

    def set_entries(self, entries: list[PackEntry]) -> None:
        """Show these entries."""
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> PackEntry:
        """The entry on ``row``."""
        return self._entries[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(EntryColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_ENTRY_HEADERS[EntryColumn(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = EntryColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == EntryColumn.DURATION:
                text = format_ms(entry.duration_ms, placeholder="")
            else:
                text = {
                    EntryColumn.PACK: entry.pack,
                    EntryColumn.TITLE: entry.title,
                    EntryColumn.ALBUM: entry.album,
                    EntryColumn.ARTIST: entry.artist,
                }[column]
            return text if role == Qt.ItemDataRole.DisplayRole else plain_tooltip(text)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == EntryColumn.DURATION:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


class TrackPickerDialog(QDialog):
    """Choose a track from the library, with a find-as-you-type filter."""

    def __init__(self, tracks: list[Track], title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Link to Track"))
        self.resize(480, 420)
        about = QLabel(self.tr("Which of your tracks is “{title}”?").format(title=isolate(title)))
        about.setTextFormat(Qt.TextFormat.PlainText)  # a title from a pack is never markup
        about.setWordWrap(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter by title, artist or album"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(self.tr("Filter tracks"))
        self.filter_edit.setToolTip(self.tr("Type to show only matching tracks"))
        self.model = TrackChoiceModel(tracks, self)
        self.track_list = QListView()
        self.track_list.setModel(self.model)
        self.track_list.setUniformItemSizes(True)  # fast with a large library
        self.track_list.setAccessibleName(self.tr("Tracks in your library"))
        self.track_list.setToolTip(self.tr("The track this pack entry is about"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("&Link"))
        ok.setAccessibleName(self.tr("Link"))
        ok.setToolTip(self.tr("Link the pack entry to the chosen track"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        cancel.setToolTip(self.tr("Leave the entry unlinked"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.filter_edit.textChanged.connect(self._filter)
        self.track_list.activated.connect(lambda _index: self.accept())
        self.track_list.selectionModel().selectionChanged.connect(self._update_button)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.track_list, 1)
        layout.addWidget(self.buttons)
        self._update_button()

    def chosen_track(self) -> Track | None:
        """The track selected in the list, if any."""
        rows = self.track_list.selectionModel().selectedRows()
        return self.model.track(rows[0].row()) if rows else None

    def _filter(self, text: str) -> None:
        self.model.set_filter(text)
        if self.model.rowCount() == 1:  # one left: that is the one the listener means
            self.track_list.setCurrentIndex(self.model.index(0, 0))
        self._update_button()

    def _update_button(self, *_args: object) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.chosen_track() is not None)


def _table(model: QAbstractTableModel, name: str, tip: str, stretch: int) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    table.setAccessibleName(name)
    table.setToolTip(tip)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class ScenePacksPage(QWidget):
    """The imported scene packs (remove, export), and the entries that found no track."""

    def __init__(
        self, scenes: SceneService, library: LibraryService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._scenes = scenes
        self._library = library
        self.setAccessibleName(self.tr("Scene Packs"))

        intro = QLabel(
            self.tr(
                "Scene packs say where each moment of a track is used in the series. Import "
                "them from the File menu (Import Scene Pack…). Removing a pack takes its "
                "scenes out; your own notes are kept."
            )
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        self.packs_model = PackTableModel(self)
        self.packs_table = _table(
            self.packs_model,
            self.tr("Imported scene packs"),
            self.tr("The scene packs you have imported"),
            PackColumn.NAME,
        )
        self.remove_button = self._button(
            self.tr("&Remove"), self.tr("Take the selected pack out; your notes are kept")
        )
        self.export_button = self._button(
            self.tr("&Export…"), self.tr("Save the selected pack as a file to share")
        )
        self.remove_button.clicked.connect(self.remove_selected)
        self.export_button.clicked.connect(self.export_selected)

        waiting = QLabel(self.tr("Entries waiting for a track"))
        waiting.setTextFormat(Qt.TextFormat.PlainText)
        self.entries_model = EntryTableModel(self)
        self.entries_table = _table(
            self.entries_model,
            self.tr("Entries waiting for a track"),
            self.tr("Pack entries that matched none of your tracks; link them by hand"),
            EntryColumn.TITLE,
        )
        self.link_button = self._button(
            self.tr("&Link to Track…"), self.tr("Choose which of your tracks the entry is about")
        )
        self.link_button.clicked.connect(self.link_selected)
        self.entries_table.doubleClicked.connect(lambda _index: self.link_selected())

        #: What was just done or went wrong, in one line.
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # it names packs
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("Scene pack status"))

        pack_buttons = QHBoxLayout()
        pack_buttons.addWidget(self.remove_button)
        pack_buttons.addWidget(self.export_button)
        pack_buttons.addStretch(1)
        entry_buttons = QHBoxLayout()
        entry_buttons.addWidget(self.link_button)
        entry_buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.packs_table, 3)
        layout.addLayout(pack_buttons)
        layout.addWidget(waiting)
        layout.addWidget(self.entries_table, 2)
        layout.addLayout(entry_buttons)
        layout.addWidget(self.status_label)

        for table in (self.packs_table, self.entries_table):
            table.selectionModel().selectionChanged.connect(self._update_buttons)
        scenes.packs_changed.connect(self.refresh)
        self.refresh()

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setToolTip(tip)
        return button

    def refresh(self) -> None:
        """Reload the packs and the waiting entries from the database."""
        self.packs_model.set_packs(self._scenes.packs())
        self.entries_model.set_entries(self._scenes.unlinked_entries())
        self._update_buttons()

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()  # a pack may have been imported while the dialog was closed
        super().showEvent(event)

    def selected_pack(self) -> PackSummary | None:
        """The pack selected in the table, if any."""
        rows = self.packs_table.selectionModel().selectedRows()
        return self.packs_model.pack(rows[0].row()) if rows else None

    def selected_entry(self) -> PackEntry | None:
        """The waiting entry selected in the table, if any."""
        rows = self.entries_table.selectionModel().selectedRows()
        return self.entries_model.entry(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        has_pack = self.selected_pack() is not None
        self.remove_button.setEnabled(has_pack)
        self.export_button.setEnabled(has_pack)
        self.link_button.setEnabled(self.selected_entry() is not None)

    def remove_selected(self) -> bool:
        """Ask, then take the selected pack out; True when it was removed."""
        pack = self.selected_pack()
        if pack is None:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove Scene Pack"),
            self.tr("Remove the scene pack “{name}”?").format(name=isolate(pack.name)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # a pack's name is never markup
        box.setInformativeText(
            self.tr("Its scenes leave the scene panel. Your own notes are kept.")
        )
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Remove"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return False
        self._scenes.remove_pack(pack.name)  # packs_changed: the page reloads
        self.status_label.setText(
            self.tr("Removed “{name}”; your notes are kept.").format(name=isolate(pack.name))
        )
        return True

    def export_selected(self) -> bool:
        """Save the selected pack to a file the listener chooses; True when written."""
        pack = self.selected_pack()
        if pack is None:
            return False
        name, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export Scene Pack"),
            str(Path.home() / f"{file_stem(pack.name, 'scene pack')}.json"),  # not a path
            self.tr("Scene packs (*.json)"),
        )
        if not name:
            return False
        try:
            self._scenes.export_pack(pack.name, Path(name))
        except (OSError, LookupError) as error:
            self.status_label.setText(
                self.tr("Could not export “{name}”: {error}").format(
                    name=isolate(pack.name), error=error
                )
            )
            return False
        self.status_label.setText(self.tr("Exported “{name}”.").format(name=isolate(pack.name)))
        return True

    def link_selected(self) -> bool:
        """Ask which track the selected entry is about, and link it; True when linked."""
        entry = self.selected_entry()
        if entry is None:
            return False
        picker = TrackPickerDialog(self._library.tracks(), entry.title, self)
        try:
            if picker.exec() != QDialog.DialogCode.Accepted:
                return False
            track = picker.chosen_track()
        finally:
            picker.deleteLater()
        if track is None:
            return False
        self._scenes.link_entry(entry.id, track.id)  # packs_changed: the page reloads
        self.status_label.setText(
            self.tr("Linked “{entry}” to “{track}”.").format(
                entry=entry.title, track=track.display_title
            )
        )
        return True


class SpoilersPage(QWidget):
    """The spoiler guard: how far the listener has watched; later scenes stay hidden."""

    def __init__(self, scenes: SceneService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scenes = scenes
        self.setAccessibleName(self.tr("Spoilers"))
        self.episode_combo = QComboBox()
        self.episode_combo.setAccessibleName(self.tr("I have watched up to episode"))
        self.episode_combo.setToolTip(
            self.tr("Scenes from episodes after this one are hidden until you click them")
        )
        explain = QLabel(
            self.tr(
                "Scene notes from later episodes are shown as “Spoiler: Ep 7” until you click "
                "them. Choose the last episode you have seen, or show everything."
            )
        )
        explain.setTextFormat(Qt.TextFormat.PlainText)
        explain.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("I have &watched up to episode:"), self.episode_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explain)
        layout.addStretch(1)
        self.episode_combo.currentIndexChanged.connect(self._chosen)
        scenes.packs_changed.connect(self.refresh)  # new packs bring new episodes
        scenes.watched_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        """Fill the list with the known episodes and select the one watched up to."""
        watched = self._scenes.watched_up_to()
        with QSignalBlocker(self.episode_combo):  # filling is not the listener choosing
            self.episode_combo.clear()
            self.episode_combo.addItem(self.tr("Show everything (no spoiler guard)"), None)
            for episode in self._scenes.repository.episodes():
                label = episode_label(episode.key)
                if episode.title:
                    label = f"{label} — {episode.title}"
                self.episode_combo.addItem(label, episode.key)
            if watched is not None and self.episode_combo.findData(watched) < 0:
                # Watched up to an episode no pack knows (set by hand): keep it choosable.
                self.episode_combo.addItem(episode_label(watched), watched)
            index = self.episode_combo.findData(watched) if watched is not None else 0
            self.episode_combo.setCurrentIndex(max(0, index))

    def _chosen(self, index: int) -> None:
        key = self.episode_combo.itemData(index)
        if key != self._scenes.watched_up_to():
            self._scenes.set_watched_up_to(key)


def add_scene_pages(
    dialog: SettingsDialog, scenes: SceneService, library: LibraryService
) -> tuple[ScenePacksPage, SpoilersPage]:
    """Add the Scene Packs and Spoilers pages to the Settings dialog."""
    packs = ScenePacksPage(scenes, library)
    dialog.add_page(
        packs,
        dialog.tr("Scene &Packs"),
        dialog.tr("The scene packs you imported, and entries waiting for a track"),
    )
    spoilers = SpoilersPage(scenes)
    dialog.add_page(
        spoilers,
        dialog.tr("Sp&oilers"),
        dialog.tr("Hide scenes from episodes you have not watched yet"),
    )
    return packs, spoilers
