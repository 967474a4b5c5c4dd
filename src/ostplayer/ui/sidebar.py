"""The library sidebar: All Tracks, the moods with their counts, and the saved playlists.

The tree is built empty and cheap, before the window's first paint; moods and playlists arrive
with the first ``moods_changed`` / ``playlists_changed`` (or a :meth:`LibrarySidebar.refresh`).
Updates replace one section's rows at a time and put the selection back by mood key or
playlist id, so a mood edit or a rename does not throw the listener out of what they view.

Mood words and playlist names are the listener's, the tags' or the packs' text: item views draw
DisplayRole as plain text, and tooltips are escaped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QFont, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMenu,
    QMessageBox,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.domain.mood import MoodCount, mood_info
from ostplayer.domain.playlist import Playlist
from ostplayer.services.moods import MoodService
from ostplayer.services.playlists import PlaylistService
from ostplayer.store.playlists import PlaylistNameError
from ostplayer.ui.plain import clip, isolate, plain_tooltip
from ostplayer.ui.playlist_common import (
    describe_rule,
    enqueue_message,
    entries_text,
    export_playlist_dialog,
    on_activate,
    play_message,
)

_Index = QModelIndex | QPersistentModelIndex


class Kind(enum.Enum):
    """What a sidebar row stands for."""

    ALL_TRACKS = "all"
    MOODS = "moods"  # the section heading
    PLAYLISTS = "playlists"  # the section heading
    MOOD = "mood"
    PLAYLIST = "playlist"


@dataclass(frozen=True, slots=True)
class SidebarItem:
    """A row of the sidebar: its kind and, for a mood or a playlist, its key or id."""

    kind: Kind
    key: str | int | None = None


#: The role that answers a row's :class:`SidebarItem`.
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1

# Top-level rows, in order. A child index carries its section's row + 1 as internal id.
_TOP = (Kind.ALL_TRACKS, Kind.MOODS, Kind.PLAYLISTS)
_MOODS_ROW, _PLAYLISTS_ROW = 1, 2
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


class SidebarModel(QAbstractItemModel):
    """Two columns: the name, and a count (tracks with a mood, entries of a playlist).

    Playlist names are editable; :meth:`setData` renames through the service and emits
    :attr:`name_taken` instead when another playlist has the name.
    """

    #: A rename was refused because the name is taken: the name.
    name_taken = Signal(str)

    def __init__(self, playlists: PlaylistService | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._service = playlists
        self._moods: list[MoodCount] = []
        self._playlists: list[Playlist] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._icons: dict[str, QIcon] = {}  # made on the first paint that needs one

    # -- content -------------------------------------------------------------------------------
    def set_moods(self, counts: list[MoodCount]) -> None:
        """Show these moods (most used first, as :meth:`MoodService.counts` gives them)."""
        self._replace(_MOODS_ROW, "_moods", list(counts), [c.key for c in counts])

    def set_playlists(self, playlists: list[Playlist]) -> None:
        """Show these playlists, with their entries (for the counts), in this order."""
        self._replace(_PLAYLISTS_ROW, "_playlists", list(playlists), [p.id for p in playlists])

    def _replace(self, section: int, attr: str, new: list[Any], keys: list[Any]) -> None:
        old = getattr(self, attr)
        parent = self.index(section, 0)
        if [self._key_of(section, o) for o in old] == keys:
            # The same rows (new counts, a rename): repaint them, selection untouched.
            setattr(self, attr, new)
            if new:
                self.dataChanged.emit(self.index(0, 0, parent), self.index(len(new) - 1, 1, parent))
            return
        if old:
            self.beginRemoveRows(parent, 0, len(old) - 1)
            setattr(self, attr, [])
            self.endRemoveRows()
        if new:
            self.beginInsertRows(parent, 0, len(new) - 1)
            setattr(self, attr, new)
            self.endInsertRows()

    @staticmethod
    def _key_of(section: int, value: Any) -> Any:
        return value.key if section == _MOODS_ROW else value.id

    def moods(self) -> list[MoodCount]:
        """The moods shown."""
        return list(self._moods)

    def playlists(self) -> list[Playlist]:
        """The playlists shown."""
        return list(self._playlists)

    def item(self, index: _Index) -> SidebarItem | None:
        """What the row at ``index`` stands for."""
        if not index.isValid():
            return None
        section = index.internalId()
        if section == 0:
            return SidebarItem(_TOP[index.row()])
        if section - 1 == _MOODS_ROW:
            return SidebarItem(Kind.MOOD, self._moods[index.row()].key)
        return SidebarItem(Kind.PLAYLIST, self._playlists[index.row()].id)

    def index_of(self, item: SidebarItem) -> QModelIndex:
        """The index of ``item`` (column 0), invalid when it is not shown."""
        if item.kind in _TOP:
            return self.index(_TOP.index(item.kind), 0)
        if item.kind == Kind.MOOD:
            rows = [c.key for c in self._moods]
            section = _MOODS_ROW
        else:
            rows = [p.id for p in self._playlists]
            section = _PLAYLISTS_ROW
        if item.key not in rows:
            return QModelIndex()
        return self.index(rows.index(item.key), 0, self.index(section, 0))

    # -- Qt model ------------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt's signature
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        if not parent.isValid():
            return len(_TOP)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        if parent.row() == _MOODS_ROW:
            return len(self._moods)
        if parent.row() == _PLAYLISTS_ROW:
            return len(self._playlists)
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 2

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        item = self.item(index)
        flags = Qt.ItemFlag.ItemIsEnabled
        if item is None or item.kind in (Kind.MOODS, Kind.PLAYLISTS):
            return flags  # section headings are not something to show
        flags |= Qt.ItemFlag.ItemIsSelectable
        if item.kind == Kind.PLAYLIST and index.column() == 0 and self._service is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index)
        if item is None:
            return None
        if role == ITEM_ROLE:
            return item
        if item.kind == Kind.MOOD:
            return self._mood_data(self._moods[index.row()], index.column(), role)
        if item.kind == Kind.PLAYLIST:
            return self._playlist_data(self._playlists[index.row()], index.column(), role)
        return self._top_data(item.kind, index.column(), role)

    def _top_data(self, kind: Kind, column: int, role: int) -> Any:
        if column != 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            names = {
                Kind.ALL_TRACKS: self.tr("All Tracks"),
                Kind.MOODS: self.tr("Moods"),
                Kind.PLAYLISTS: self.tr("Playlists"),
            }
            return names[kind]
        if role == Qt.ItemDataRole.FontRole and kind != Kind.ALL_TRACKS:
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole and kind == Kind.ALL_TRACKS:
            return self._icon("all", "folder-music", QStyle.StandardPixmap.SP_DirIcon)
        if role == Qt.ItemDataRole.ToolTipRole:
            tips = {
                Kind.ALL_TRACKS: self.tr("Every track in your library"),
                Kind.MOODS: self.tr("Tracks by mood: from tags, scene packs and your own"),
                Kind.PLAYLISTS: self.tr("Your playlists; right-click one for more"),
            }
            return tips[kind]
        return None

    def _mood_data(self, count: MoodCount, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return clip(count.name) if column == 0 else str(count.total)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self._mood_tooltip(count))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._tracks_text(count.name, count.total)
        return None

    def _tracks_text(self, name: str, total: int) -> str:
        name = isolate(name)  # tag or listener text inside our sentence
        if total == 1:
            return self.tr("{name}: 1 track").format(name=name)
        return self.tr("{name}: {n} tracks").format(name=name, n=total)

    def _mood_tooltip(self, count: MoodCount) -> str:
        lines = []
        info = mood_info(count.key)
        if info is not None:
            lines.append(self.tr(info.description))
        sources = [
            (self.tr("tags {n}"), count.tag),
            (self.tr("packs {n}"), count.pack),
            (self.tr("yours {n}"), count.listener),
        ]
        where = " · ".join(text.format(n=n) for text, n in sources if n)
        total = self._tracks_text(count.name, count.total)
        lines.append(self.tr("{total}, from {where}").format(total=total, where=where))
        return "\n".join(lines)

    def _playlist_data(self, playlist: Playlist, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                # Shown clipped; the rename editor gets the whole name.
                return playlist.name if role == Qt.ItemDataRole.EditRole else clip(playlist.name)
            # A smart playlist's size follows the moods: not worth building for a count.
            return "" if playlist.is_smart else str(len(playlist.entries))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return _RIGHT
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            if playlist.is_smart:
                return self._icon(
                    "smart", "folder-saved-search", QStyle.StandardPixmap.SP_FileDialogContentsView
                )
            return self._icon(
                "static", "view-media-playlist", QStyle.StandardPixmap.SP_FileDialogDetailedView
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            if playlist.is_smart:
                text = self.tr("Smart: {rule}").format(rule=describe_rule(playlist.rule))
            else:
                text = entries_text(len(playlist.entries))
            return plain_tooltip(f"{playlist.name}\n{text}")
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            if playlist.is_smart:
                return self.tr("{name}, smart playlist").format(name=isolate(playlist.name))
            return self.tr("{name}, playlist").format(name=isolate(playlist.name))
        return None

    def _icon(self, key: str, theme: str, fallback: QStyle.StandardPixmap) -> QIcon:
        icon = self._icons.get(key)
        if icon is None:
            icon = QIcon.fromTheme(theme, QApplication.style().standardIcon(fallback))
            self._icons[key] = icon
        return icon

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        item = self.item(index)
        if (
            item is None
            or item.kind != Kind.PLAYLIST
            or role != Qt.ItemDataRole.EditRole
            or self._service is None
        ):
            return False
        name = " ".join(str(value).split())
        playlist = self._playlists[index.row()]
        if not name:
            return False  # a blank name is never a rename; the old one stays
        if name == playlist.name:
            return True
        try:
            self._service.rename(playlist.id, name)
        except PlaylistNameError:
            self.name_taken.emit(name)
            return False
        # Shown at once; the list is sorted again when the service's change arrives.
        self._playlists[index.row()] = replace(playlist, name=name)
        self.dataChanged.emit(index, index)
        return True


class LibrarySidebar(QWidget):
    """All Tracks, Moods and Playlists in one tree; tells the window what to show."""

    #: "All Tracks" was chosen.
    all_tracks_selected = Signal()
    #: A mood was chosen: its key.
    mood_selected = Signal(str)
    #: A playlist was chosen: its id.
    playlist_selected = Signal(int)
    #: A message for the status bar.
    status = Signal(str)

    def __init__(
        self, moods: MoodService, playlists: PlaylistService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._moods, self._playlists = moods, playlists
        self._updating = False  # rows are being replaced: selection changes are not the user's
        self._moods_dirty = self._playlists_dirty = False
        self._filled = False  # the first change of either kind fills both sections

        self.model = SidebarModel(playlists, self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # F2 renames; a click never starts an edit by surprise.
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setAccessibleName(self.tr("Library"))
        self.tree.setAccessibleDescription(
            self.tr("All tracks, your moods and your playlists. F2 renames a playlist.")
        )
        self.tree.setToolTip(
            self.tr("Show all tracks, the tracks of a mood, or a playlist; right-click a playlist")
        )
        self.tree.expandAll()

        self.play_action = self._action(self.tr("Play"), self.tr("Play this playlist"))
        self.play_action.triggered.connect(self.play_playlist)
        self.enqueue_action = self._action(
            self.tr("Enqueue"), self.tr("Add this playlist to the end of the queue")
        )
        self.enqueue_action.triggered.connect(self.enqueue_playlist)
        self.rename_action = self._action(
            self.tr("Rename…"), self.tr("Give this playlist another name (F2)"), "F2"
        )
        self.rename_action.triggered.connect(self.rename_playlist)
        self.export_action = self._action(
            self.tr("Export…"), self.tr("Save this playlist as an M3U8 or XSPF file")
        )
        self.export_action.triggered.connect(self.export_playlist)
        self.delete_action = self._action(
            self.tr("Delete"),
            self.tr("Delete this playlist (Delete; Ctrl+Z brings it back)"),
            QKeySequence(QKeySequence.StandardKey.Delete),
        )
        self.delete_action.triggered.connect(self.delete_playlist)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)

        # Changes arrive in bursts (a mood edit: moods, then each smart playlist): one update.
        self._closed = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh_dirty)
        moods.moods_changed.connect(self._moods_changed)
        playlists.playlists_changed.connect(self._playlists_changed)
        playlists.entries_changed.connect(lambda _id: self._playlists_changed())  # the counts
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        on_activate(self.tree, self._activated)
        self.tree.customContextMenuRequested.connect(self._show_menu)
        self.model.name_taken.connect(self._name_taken)
        self.tree.setCurrentIndex(self.model.index(0, 0))  # All Tracks, as the window opens
        self._update_actions()

    def _action(self, text: str, tip: str, keys: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self.tree)
        action.setToolTip(tip)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            # Only while the tree has the keys: Delete in the rename editor types.
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.tree.addAction(action)
        return action

    # -- reading -------------------------------------------------------------------------------
    def current_item(self) -> SidebarItem | None:
        """What the tree's current row stands for."""
        return self.model.item(self.tree.currentIndex())

    def current_playlist_id(self) -> int | None:
        """The id of the current playlist row, if a playlist is current."""
        item = self.current_item()
        return item.key if item is not None and item.kind == Kind.PLAYLIST else None  # type: ignore[return-value]

    def current_mood(self) -> str | None:
        """The key of the current mood row, if a mood is current."""
        item = self.current_item()
        return item.key if item is not None and item.kind == Kind.MOOD else None  # type: ignore[return-value]

    # -- filling -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the moods and the playlists again now, keeping the current row."""
        self._moods_dirty = self._playlists_dirty = True
        self._refresh_dirty()

    def _moods_changed(self) -> None:
        self._moods_dirty = True
        self._refresh_timer.start()

    def _playlists_changed(self) -> None:
        self._playlists_dirty = True
        self._refresh_timer.start()

    def shutdown(self) -> None:
        """Read nothing more: the database is about to close (the app is quitting)."""
        self._closed = True
        self._refresh_timer.stop()

    def _refresh_dirty(self) -> None:
        self._refresh_timer.stop()
        if self._closed:
            return
        first = not self._filled
        if first:
            self._filled = self._moods_dirty = self._playlists_dirty = True
        before = self.current_item()
        self._updating = True
        try:
            if self._moods_dirty:
                self.model.set_moods(self._moods.counts())
            if self._playlists_dirty:
                # ``playlists()`` leaves the entries out; they give the counts and tooltips.
                found = (self._playlists.get(p.id) for p in self._playlists.playlists())
                self.model.set_playlists([p for p in found if p is not None])
        finally:
            self._updating = False
            self._moods_dirty = self._playlists_dirty = False
        if first:  # both sections open the first time they have rows
            for kind in (Kind.MOODS, Kind.PLAYLISTS):
                self.tree.expand(self.model.index_of(SidebarItem(kind)))
        if self.current_item() == before or before is None:
            return
        index = self.model.index_of(before)
        if index.isValid():
            self._set_current(index)  # put back quietly: the window shows it already
        else:
            self.select(SidebarItem(Kind.ALL_TRACKS))  # it went: show everything instead

    # -- selecting -----------------------------------------------------------------------------
    def select(self, item: SidebarItem) -> bool:
        """Make ``item`` current (its signal follows); False when it is not shown."""
        index = self.model.index_of(item)
        if not index.isValid():
            return False
        if index == self.tree.currentIndex():
            self._emit_for(item)  # asked again: the window wants it shown
        else:
            self.tree.setCurrentIndex(index)
        return True

    def select_all_tracks(self) -> None:
        """Choose All Tracks."""
        self.select(SidebarItem(Kind.ALL_TRACKS))

    def select_mood(self, key: str) -> bool:
        """Choose a mood by key; False when no track has it."""
        return self.select(SidebarItem(Kind.MOOD, key))

    def select_playlist(self, playlist_id: int) -> bool:
        """Choose a playlist by id; False when it is not listed (yet)."""
        return self.select(SidebarItem(Kind.PLAYLIST, playlist_id))

    def _set_current(self, index: QModelIndex) -> None:
        self._updating = True
        try:
            self.tree.setCurrentIndex(index)
        finally:
            self._updating = False
        self._update_actions()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()
        item = self.model.item(current)
        if item is not None and not self._updating:
            self._emit_for(item)

    def _emit_for(self, item: SidebarItem) -> None:
        if item.kind == Kind.ALL_TRACKS:
            self.all_tracks_selected.emit()
        elif item.kind == Kind.MOOD:
            self.mood_selected.emit(str(item.key))
        elif item.kind == Kind.PLAYLIST:
            self.playlist_selected.emit(int(item.key))  # type: ignore[arg-type]

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.item(index)
        if item is not None and item.kind == Kind.PLAYLIST:
            self.play_playlist()

    # -- playlist commands ---------------------------------------------------------------------
    def _current_playlist(self) -> Playlist | None:
        playlist_id = self.current_playlist_id()
        return self._playlists.get(playlist_id) if playlist_id is not None else None

    def play_playlist(self) -> None:
        """Play the current playlist from its start."""
        playlist = self._current_playlist()
        if playlist is not None:
            self.status.emit(play_message(self._playlists.play(playlist.id), playlist.name))

    def enqueue_playlist(self) -> None:
        """Add the current playlist to the end of the queue."""
        playlist = self._current_playlist()
        if playlist is not None:
            self.status.emit(enqueue_message(self._playlists.enqueue(playlist.id), playlist.name))

    def rename_playlist(self) -> None:
        """Start editing the current playlist's name in place."""
        if self.current_playlist_id() is not None:
            self.tree.edit(self.tree.currentIndex().siblingAtColumn(0))

    def export_playlist(self) -> None:
        """Ask for a file and write the current playlist to it."""
        playlist = self._current_playlist()
        if playlist is not None:
            message = export_playlist_dialog(self, self._playlists, playlist)
            if message:
                self.status.emit(message)

    def delete_playlist(self) -> None:
        """Delete the current playlist; undoable, so nothing asks first."""
        playlist = self._current_playlist()
        if playlist is None:
            return
        self._playlists.delete(playlist.id)
        self.status.emit(
            self.tr("Deleted “{name}”. Undo with Ctrl+Z").format(name=isolate(playlist.name))
        )

    def playlist_menu(self) -> QMenu:
        """The context menu for the current playlist (the caller shows and deletes it)."""
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addAction(self.play_action)
        menu.addAction(self.enqueue_action)
        menu.addSeparator()
        menu.addAction(self.rename_action)
        menu.addAction(self.export_action)
        menu.addSeparator()
        menu.addAction(self.delete_action)
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        item = self.model.item(index)
        if item is None or item.kind != Kind.PLAYLIST:
            return
        if index.siblingAtColumn(0) != self.tree.currentIndex().siblingAtColumn(0):
            self.tree.setCurrentIndex(index.siblingAtColumn(0))
        menu = self.playlist_menu()
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _update_actions(self) -> None:
        on_playlist = self.current_playlist_id() is not None
        for action in (
            self.play_action,
            self.enqueue_action,
            self.rename_action,
            self.export_action,
            self.delete_action,
        ):
            action.setEnabled(on_playlist)

    def _name_taken(self, name: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Rename Playlist"),
            self.tr("There is already a playlist called “{name}”. Choose another name.").format(
                name=isolate(name)
            ),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name is the listener's text
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Not exec(): this runs inside the editor's commit, where a nested loop does not belong.
        box.open()
