"""The main window: the track table with its filter, the now-playing area and the transport bar.

It talks only to services and their signals. A splitter holds the table so that later a
sidebar (moods, playlists, episodes) and the scene panel can sit beside it.
"""

from __future__ import annotations

import base64
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QPaintEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ostplayer import APP_NAME, __version__
from ostplayer.domain.track import Track
from ostplayer.playback.engine import Engine, PlaybackState
from ostplayer.services.library import LibraryService
from ostplayer.services.player import PlayerService
from ostplayer.services.scenes import SceneService
from ostplayer.services.tasks import Tasks
from ostplayer.store.state import StateRepository
from ostplayer.ui.actions import window_action
from ostplayer.ui.episodes import EpisodesView
from ostplayer.ui.mood_actions import MoodActions
from ostplayer.ui.now_playing import NowPlaying
from ostplayer.ui.scene_panel import ScenePanel
from ostplayer.ui.track_model import TRACK_ROLE, Column, TrackTableModel
from ostplayer.ui.transport import TransportBar

if TYPE_CHECKING:
    from ostplayer.formats.pack import PackError
    from ostplayer.library.packs import PackImport
    from ostplayer.library.scanner import ScanReport
    from ostplayer.services.moods import MoodService
    from ostplayer.services.playlists import PlaylistService
    from ostplayer.ui.banner import Banner
    from ostplayer.ui.playlist_view import PlaylistView
    from ostplayer.ui.problems import ProblemsDialog
    from ostplayer.ui.settings import SettingsDialog
    from ostplayer.ui.sidebar import LibrarySidebar

SEEK_STEP_MS = 5000
POSITION_TICK_MS = 100
GEOMETRY_KEY = "window.geometry"
HEADER_KEY = "window.table_header"
SPLITTER_KEY = "window.splitter"
SIDEBAR_KEY = "window.sidebar_splitter"


class MainWindow(QMainWindow):
    """The player's window."""

    first_painted = Signal()

    def __init__(
        self,
        library: LibraryService,
        player: PlayerService,
        state: StateRepository,
        tasks: Tasks,
        scenes: SceneService,
        moods: MoodService,
        playlists: PlaylistService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._scenes = scenes
        self._moods = moods
        self._playlists = playlists
        self._library = library
        self._player = player
        self._state = state
        self._tasks = tasks
        self._painted = False
        self._cover_for: Path | None = None
        self._settings: SettingsDialog | None = None
        self._spoilers_page: QWidget | None = None
        self.setWindowTitle(APP_NAME)

        # The banners are made when first shown: most starts show none, and two banners cost
        # ~20 ms before the first paint (their icons, fonts and palettes).
        self._banner: Banner | None = None
        self._welcome: Banner | None = None
        self._banners = QVBoxLayout()
        self._banners.setContentsMargins(0, 0, 0, 0)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(
            self.tr("Filter by title, artist, album or mood (Ctrl+F)")
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(self.tr("Filter"))
        self.filter_edit.setToolTip(self.tr("Type to show only matching tracks (Ctrl+F)"))

        self.model = TrackTableModel(self)
        self.table = self._make_table()

        self.now_playing = NowPlaying()
        self.transport = TransportBar()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.scene_panel = ScenePanel(scenes)
        # The episodes sit in a tab beside the tracks: the splitter and its saved state stay.
        self.episodes_view = EpisodesView(scenes, library, player)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        # The Tracks tab shows the library (all of it, or a mood's tracks) or one playlist.
        # The playlist view is made when a playlist is first shown (after the first paint).
        self._playlist_view: PlaylistView | None = None
        self.track_stack = QStackedWidget()
        self.track_stack.addWidget(self.table)
        self.tabs.addTab(self.track_stack, self.tr("Tracks"))
        self.tabs.addTab(self.episodes_view, self.tr("Episodes"))
        self.tabs.setAccessibleName(self.tr("Tracks and episodes"))
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.scene_panel)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        # The sidebar (moods and playlists) is outside the splitter whose state was saved
        # before it existed: that state keeps fitting, and the sidebar has its own.
        # The sidebar is made just after the first paint (see sidebar): it is empty until the
        # moods are read anyway, and its ~20 ms are better spent after the window shows.
        self._sidebar: LibrarySidebar | None = None
        self._sidebar_slot = QWidget()
        self.outer_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.outer_splitter.addWidget(self._sidebar_slot)
        self.outer_splitter.addWidget(self.splitter)
        self.outer_splitter.setChildrenCollapsible(False)
        self.outer_splitter.setStretchFactor(0, 0)
        self.outer_splitter.setStretchFactor(1, 1)

        bottom = QHBoxLayout()
        bottom.addWidget(self.now_playing, 2)
        bottom.addWidget(self.transport, 3)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(self._banners)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.outer_splitter, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(central)

        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.scan_progress = QProgressBar()
        self.scan_progress.setMaximumWidth(220)
        self.scan_progress.setAccessibleName(self.tr("Scan progress"))
        self.cancel_scan_button = QPushButton(self.tr("Cancel"))
        self.cancel_scan_button.setToolTip(self.tr("Stop the scan; what it has read stays"))
        self.cancel_scan_button.clicked.connect(library.cancel_scan)
        for widget in (self.scan_progress, self.cancel_scan_button):
            self.statusBar().addPermanentWidget(widget)
            widget.hide()
        self.statusBar().addPermanentWidget(self.count_label)
        self.setAcceptDrops(True)

        self._position_timer = QTimer(self)
        self._position_timer.setInterval(POSITION_TICK_MS)
        self._position_timer.timeout.connect(self._update_position)

        self.mood_actions = MoodActions(self, moods, playlists, library, player, scenes)
        self._make_actions()
        self._connect()
        self._show_tracks()
        self._restore_geometry()
        # Keys go to the list at start, so that Space plays instead of typing into the filter.
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.transport.show_volume(player.volume(), player.is_muted())
        self.transport.show_modes(player.queue.shuffle, player.queue.repeat)

    # -- building ------------------------------------------------------------------------------
    @property
    def banner(self) -> Banner:
        """The banner for problems the listener should know about (libvlc missing...)."""
        if self._banner is None:
            from ostplayer.ui.banner import Banner

            self._banner = Banner()
            self._banners.insertWidget(0, self._banner)  # above the welcome
        return self._banner

    @property
    def welcome(self) -> Banner:
        """The first-run banner, with its "Add Music Folder…" button."""
        if self._welcome is None:
            from ostplayer.ui.banner import Banner

            self._welcome = Banner(color="#e3f0ff", action=self.tr("Add Music Folder…"))
            self._welcome.action_button.clicked.connect(self._choose_folder)
            self._welcome.action_button.clicked.connect(self._welcome.hide)
            self._banners.addWidget(self._welcome)
        return self._welcome

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSortingEnabled(True)
        table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # album order, as stored
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.setAccessibleName(self.tr("Tracks"))
        vertical = table.verticalHeader()
        vertical.hide()
        # Fixed row heights keep filtering and scrolling cheap on big libraries.
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Sized to fit beside the scene panel in the default window, without scrolling sideways.
        widths = {Column.NUMBER: 36, Column.TITLE: 170, Column.ARTIST: 120, Column.ALBUM: 140}
        widths |= {Column.DURATION: 64}
        for column, width in widths.items():
            header.resizeSection(column, width)
        return table

    def selected_track_ids(self) -> list[int]:
        """The ids of the selected rows, in the table's order."""
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.track(row).id for row in rows]

    def _make_actions(self) -> None:
        action = partial(window_action, self)

        player = self._player
        self.play_pause_action = action(self.tr("&Play/Pause"), "Space", self._play_pause)
        self.previous_action = action(self.tr("P&revious"), "Ctrl+Left", player.previous)
        self.next_action = action(self.tr("&Next"), "Ctrl+Right", player.next)
        self.seek_back_action = action(
            self.tr("Seek &Back 5 s"), "Left", lambda: player.seek_by(-SEEK_STEP_MS)
        )
        self.seek_forward_action = action(
            self.tr("Seek &Forward 5 s"), "Right", lambda: player.seek_by(SEEK_STEP_MS)
        )
        self.stop_action = action(self.tr("&Stop"), None, player.stop)
        self.add_folder_action = action(
            self.tr("&Add Music Folder…"), QKeySequence.StandardKey.Open, self._choose_folder
        )
        self.rescan_action = action(
            self.tr("&Rescan Library"),
            QKeySequence.StandardKey.Refresh,
            lambda: self._library.scan(),
        )
        self.problems_action = action(self.tr("&Problems…"), None, self.show_problems)
        self.import_pack_action = action(
            self.tr("&Import Scene Pack…"), None, self.import_scene_pack
        )
        self.import_pack_action.setToolTip(self.tr("Add a scene pack shared by other fans"))
        self.export_notes_action = action(
            self.tr("E&xport My Notes as a Pack…"), None, self.export_my_notes
        )
        self.export_notes_action.setToolTip(self.tr("Save your scene notes to share them"))
        self.settings_action = action(self.tr("&Settings…"), None, self.show_settings)
        # Ctrl+, everywhere; the platform's own key too where it has one (Ctrl+Shift+, on KDE).
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        comma = QKeySequence("Ctrl+,")
        self.settings_action.setShortcuts([*keys, comma] if comma not in keys else keys)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.filter_action = action(
            self.tr("&Filter…"), QKeySequence.StandardKey.Find, self._focus_filter
        )
        self.quit_action = action(self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        self.add_note_action = action(
            self.tr("Add &Note Here…"), QKeySequence.StandardKey.New, self.scene_panel.add_note_here
        )
        self.add_note_action.setToolTip(self.tr("Write a note at this moment; playback goes on"))
        self.undo_action = self._scenes.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo_action = self._scenes.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for act in (self.undo_action, self.redo_action):
            self.addAction(act)
        self.watched_action = action(
            self.tr("I Have &Watched Up To Episode…"), None, self.ask_watched_up_to
        )
        self.show_scenes_action = QAction(self.tr("Show &Scenes"), self)
        self.show_scenes_action.setCheckable(True)
        self.show_scenes_action.setChecked(True)
        self.show_scenes_action.toggled.connect(self.scene_panel.setVisible)
        self.episodes_action = action(self.tr("&Episodes"), "Ctrl+E", self.show_episodes)
        self.episodes_action.setToolTip(self.tr("Each episode's music in airing order"))
        about = action(self.tr("&About OST Player"), None, self._about)

        menus = self.menuBar()
        file_menu = menus.addMenu(self.tr("&File"))
        file_menu.addAction(self.add_folder_action)
        file_menu.addAction(self.rescan_action)
        file_menu.addAction(self.import_pack_action)
        file_menu.addAction(self.export_notes_action)
        file_menu.addAction(self.problems_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.filter_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        playback = menus.addMenu(self.tr("&Playback"))
        for act in (
            self.play_pause_action,
            self.stop_action,
            self.previous_action,
            self.next_action,
        ):
            playback.addAction(act)
        playback.addSeparator()
        playback.addAction(self.seek_back_action)
        playback.addAction(self.seek_forward_action)
        edit = menus.addMenu(self.tr("&Edit"))
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        scenes = menus.addMenu(self.tr("S&cenes"))
        scenes.addAction(self.add_note_action)
        scenes.addAction(self.scene_panel.edit_action)
        scenes.addAction(self.scene_panel.delete_action)
        scenes.addSeparator()
        scenes.addAction(self.watched_action)

        def show_orphaned_notes() -> None:
            from ostplayer.ui.orphans import OrphanedNotesDialog  # rarely opened: load on use

            dialog = OrphanedNotesDialog(self._scenes, self._library.tracks(), self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.show()

        self.orphans_action = action(self.tr("&Orphaned Notes…"), None, show_orphaned_notes)
        self.orphans_action.setToolTip(self.tr("Notes whose file left the library: re-link them"))
        scenes.addAction(self.orphans_action)
        scenes.addAction(self.show_scenes_action)
        scenes.addAction(self.episodes_action)
        self.mood_actions.add_menus(menus)
        menus.addMenu(self.tr("&Help")).addAction(about)

    def _connect(self) -> None:
        transport, player = self.transport, self._player
        transport.play_pause_clicked.connect(self._play_pause)
        transport.previous_clicked.connect(player.previous)
        transport.next_clicked.connect(player.next)
        transport.seek_requested.connect(player.seek)
        self.scene_panel.seek_requested.connect(player.seek)
        self.scene_panel.markers_changed.connect(transport.seek_slider.set_markers)
        transport.volume_requested.connect(self._set_volume)
        transport.mute_toggled.connect(self._set_muted)
        transport.shuffle_toggled.connect(player.set_shuffle)
        transport.repeat_clicked.connect(player.cycle_repeat)
        player.modes_changed.connect(
            lambda: transport.show_modes(player.queue.shuffle, player.queue.repeat)
        )
        player.current_changed.connect(self._show_current)
        player.status.connect(lambda text: self.statusBar().showMessage(text, 10000))
        player.engine_attached.connect(self._on_engine)
        self._library.tracks_changed.connect(self._show_tracks)
        self._library.tracks_added.connect(self._add_tracks)
        self._library.tracks_updated.connect(self.model.add_tracks)  # moods edited in place
        self._library.scan_started.connect(self._scan_started)
        self._library.scan_progress.connect(self._scan_progress)
        self._library.scan_finished.connect(self._scan_finished)
        self._library.scan_failed.connect(self._scan_failed)
        self.filter_edit.textChanged.connect(self.model.set_filter_text)
        self.filter_edit.returnPressed.connect(self._play_first_visible)
        self.filter_edit.installEventFilter(self)
        self.table.activated.connect(self._play_row)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._moods.moods_changed.connect(self._mood_tracks_changed)
        # Queued: what waits for the first paint (the library's load) goes first.
        self.first_painted.connect(lambda: QTimer.singleShot(0, lambda: self.sidebar))

    # -- slots ---------------------------------------------------------------------------------
    def _on_engine(self, engine: Engine) -> None:
        self.scene_panel.set_engine(engine)
        engine.state_changed.connect(self._on_state)
        engine.duration_changed.connect(lambda _ms: self._update_position())
        engine.seeked.connect(lambda _ms: self._update_position())
        self._update_position()

    def _on_state(self, state: PlaybackState) -> None:
        self.transport.show_state(state)
        if state == PlaybackState.PLAYING:
            self._position_timer.start()
        else:
            self._position_timer.stop()
        self._update_position()

    def _update_position(self) -> None:
        engine = self._player.engine
        if engine is None:
            return
        track = self._player.current_track()
        duration = engine.duration() or (track.duration_ms if track else 0)
        self.transport.show_position(engine.position(), duration)

    def _show_tracks(self) -> None:
        self.model.set_tracks(self._library.tracks(), self._library.search_texts())
        current = self._player.current_track()
        self.model.set_playing(current.id if current else None)
        self._show_count()

    def _add_tracks(self, tracks: list[Track], search: list[str]) -> None:
        self.model.add_tracks(tracks, search)
        self._show_count()

    # -- the sidebar: all tracks, a mood's tracks, or a playlist -------------------------------
    @property
    def sidebar(self) -> LibrarySidebar:
        """The moods and playlists beside the tracks (made when first needed)."""
        if self._sidebar is None:
            from ostplayer.ui.sidebar import LibrarySidebar

            sidebar = LibrarySidebar(self._moods, self._playlists)
            sidebar.setAccessibleName(self.tr("Moods and playlists"))
            sidebar.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
            sidebar.all_tracks_selected.connect(self._show_all_tracks)
            sidebar.mood_selected.connect(self._show_mood)
            sidebar.playlist_selected.connect(self._show_playlist)
            self.outer_splitter.replaceWidget(0, sidebar)
            self._sidebar_slot.deleteLater()
            self._sidebar = sidebar
            sidebar.refresh()  # the playlists now; the moods when they have been read
        return self._sidebar

    def _show_all_tracks(self) -> None:
        self.model.set_only(None)
        self.track_stack.setCurrentWidget(self.table)
        self.tabs.setCurrentIndex(0)
        self._show_count()

    def _show_mood(self, key: str) -> None:
        self.model.set_only(self._moods.tracks_with(key))
        self.track_stack.setCurrentWidget(self.table)
        self.tabs.setCurrentIndex(0)
        self._show_count()

    def _mood_tracks_changed(self) -> None:
        key = self._sidebar.current_mood() if self._sidebar is not None else None
        if key is not None:  # the mood's tracks changed: show them as they are now
            self.model.set_only(self._moods.tracks_with(key))
            self._show_count()

    @property
    def playlist_view(self) -> PlaylistView:
        """The view of one playlist, in the Tracks tab (made when first needed)."""
        if self._playlist_view is None:
            from ostplayer.ui.playlist_view import PlaylistView

            self._playlist_view = PlaylistView(self._playlists, self._library)
            self._playlist_view.status.connect(
                lambda text: self.statusBar().showMessage(text, 8000)
            )
            self.track_stack.addWidget(self._playlist_view)
        return self._playlist_view

    def _show_playlist(self, playlist_id: int) -> None:
        self.playlist_view.set_playlist(playlist_id)
        self.track_stack.setCurrentWidget(self.playlist_view)
        self.tabs.setCurrentIndex(0)

    def _show_count(self) -> None:
        count = self.model.rowCount()
        text = self.tr("1 track") if count == 1 else self.tr("{n} tracks").format(n=count)
        self.count_label.setText(text)

    def _show_current(self, track: Track | None) -> None:
        self.now_playing.show_track(track)
        self.scene_panel.show_track(track)
        if self._scenes.track_id() != (track.id if track else None):
            self._scenes.set_track(track.id if track else None)
        self.model.set_playing(track.id if track else None)
        self.setWindowTitle(f"{track.display_title} — {APP_NAME}" if track else APP_NAME)
        self._update_position()
        path = track.path if track else None
        if path == self._cover_for:
            return
        self._cover_for = path
        if path is None:
            self.now_playing.show_cover(None)
            return
        from ostplayer.library.cover import read_cover

        self._tasks.run(lambda: (path, read_cover(path)), self._cover_loaded)

    def _cover_loaded(self, result: tuple[Path, bytes | None]) -> None:
        path, data = result
        if path == self._cover_for:  # the track may have changed meanwhile
            self.now_playing.show_cover(data)

    def _set_volume(self, volume: int) -> None:
        self._player.set_volume(volume)
        self.transport.show_volume(volume, self._player.is_muted())

    def _set_muted(self, muted: bool) -> None:
        self._player.set_muted(muted)
        self.transport.show_volume(self._player.volume(), muted)

    def _visible_ids(self) -> list[int]:
        return [t.id for t in self.model.visible_tracks()]

    def _play_pause(self) -> None:
        """Toggle playback; with an empty queue, play the list from the selected track."""
        if len(self._player.queue) == 0:
            index = self.table.currentIndex()
            if not index.isValid() and self.model.rowCount():
                index = self.model.index(0, 0)
            self._play_row(index)
            return
        self._player.play_pause()

    def _play_row(self, index: QModelIndex) -> None:
        """Play the whole visible list, starting at the activated row."""
        if index.isValid():
            self._player.play_tracks(self._visible_ids(), index.row())

    def _play_first_visible(self) -> None:
        if self.model.rowCount():
            self._play_row(self.model.index(0, 0))
            self.table.setFocus()

    def _context_menu(self, pos: object) -> None:
        index = self.table.indexAt(pos)  # type: ignore[arg-type]
        if not index.isValid():
            return
        track: Track = index.data(TRACK_ROLE)
        menu = QMenu(self)
        menu.addAction(self.tr("Play from here"), lambda: self._play_row(index))
        menu.addAction(
            self.tr("Play only this track"), lambda: self._player.play_tracks([track.id])
        )
        menu.addAction(self.tr("Play this album"), lambda: self._play_album(track))
        self.mood_actions.add_to_track_menu(menu)
        menu.exec(self.table.viewport().mapToGlobal(pos))  # type: ignore[arg-type]

    def _play_album(self, track: Track) -> None:
        album = [t for t in self._library.tracks() if t.album_key == track.album_key]
        album.sort(key=lambda t: (t.disc_number or 0, t.track_number or 0, t.display_title))
        ids = [t.id for t in album]
        self._player.play_tracks(ids, ids.index(track.id))

    def _focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About OST Player"),
            self.tr(
                "OST Player {version}\n\nA soundtrack player that shows where each moment of "
                "the music is used in the series. Playback by VLC."
            ).format(version=__version__),
        )

    def show_episodes(self) -> EpisodesView:
        """Switch to the Episodes tab and put the keys in its episode list."""
        self.tabs.setCurrentWidget(self.episodes_view)
        self.episodes_view.episode_list.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return self.episodes_view

    def ask_watched_up_to(self) -> None:
        """Open Settings on its Spoilers page: how far the listener has watched."""
        dialog = self.show_settings()
        if self._spoilers_page is not None:
            dialog.pages.setCurrentWidget(self._spoilers_page)

    # -- scene packs -----------------------------------------------------------------------------
    def import_scene_pack(self) -> None:
        """Ask for a scene pack file and import it in the background."""
        name, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Import Scene Pack"), "", self.tr("Scene packs (*.json)")
        )
        if name:
            self.statusBar().showMessage(self.tr("Importing the scene pack…"))
            self._scenes.import_pack_file(Path(name), self._pack_imported)

    def _pack_imported(self, result: PackImport | PackError) -> None:
        if isinstance(result, Exception):  # a PackError: it names the entry and the field
            self.statusBar().clearMessage()
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Import Scene Pack"),
                self.tr("The scene pack was not imported; nothing changed."),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)  # the message quotes the pack
            box.setInformativeText(str(result))
            box.exec()
            return
        matched = (
            self.tr("1 track matched")
            if result.matched == 1
            else self.tr("{n} tracks matched").format(n=result.matched)
        )
        done = self.tr(
            "Imported “{name}”: {matched}, {uncertain} uncertain, {unmatched} not found"
        ).format(
            name=result.name,
            matched=matched,
            uncertain=result.uncertain,
            unmatched=result.unmatched,
        )
        if result.uncertain or result.unmatched:
            done += self.tr(" — see Settings › Scene Packs")
        self.statusBar().showMessage(done, 15000)

    def export_my_notes(self) -> bool:
        """Save the listener's scene notes as a pack file; True when written."""
        name, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export My Notes as a Pack"),
            self.tr("My scene notes.json"),
            self.tr("Scene packs (*.json)"),
        )
        if not name:
            return False
        try:
            self._scenes.export_personal_pack(Path(name))
        except (OSError, ValueError) as error:  # PackError is a ValueError
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Export My Notes"),
                self.tr("Your notes could not be exported."),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setInformativeText(str(error))
            box.exec()
            return False
        self.statusBar().showMessage(self.tr("Exported your notes to {file}.").format(file=name))
        return True

    # -- the library -----------------------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a music folder"))
        if folder:
            self.add_folders([Path(folder)])

    def add_folders(self, folders: list[Path]) -> None:
        """Add music folders to the library and scan them in the background."""
        if not self._library.scan(folders):
            self.statusBar().showMessage(self.tr("A scan is running; try again when it ends."))

    def show_problems(self) -> ProblemsDialog:
        """Open the list of files that could not be read."""
        from ostplayer.ui.problems import ProblemsDialog

        dialog = ProblemsDialog(self._library.problems(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_settings(self) -> SettingsDialog:
        """Open the Settings dialog (one, brought to the front if it is open already)."""
        if self._settings is None:
            from ostplayer.ui.settings import SettingsDialog  # not needed for the first paint

            self._settings = SettingsDialog(self._library, self)
            from ostplayer.ui.settings_scenes import add_scene_pages

            _packs, self._spoilers_page = add_scene_pages(
                self._settings, self._scenes, self._library
            )
        if self._settings.isVisible():  # behind the window, perhaps
            self._settings.raise_()
        self._settings.show()
        self._settings.activateWindow()
        return self._settings

    def _scan_started(self) -> None:
        self.scan_progress.setRange(0, 0)  # busy until the first file is read
        self.scan_progress.show()
        self.cancel_scan_button.show()
        self.statusBar().showMessage(self.tr("Looking for music…"))

    def _scan_progress(self, done: int, total: int, folder: str) -> None:
        self.scan_progress.setRange(0, max(1, total))
        self.scan_progress.setValue(done)
        self.scan_progress.setFormat(self.tr("{done} of {total}").format(done=done, total=total))
        self.statusBar().showMessage(self.tr("Reading {folder}").format(folder=folder))

    def _scan_finished(self, report: ScanReport) -> None:
        self.scan_progress.hide()
        self.cancel_scan_button.hide()
        text = self.tr(
            "{added} added, {updated} updated, {removed} removed, {problems} could not be read"
        ).format(
            added=report.added,
            updated=report.updated,
            removed=report.removed,
            problems=len(report.problems),
        )
        if report.cancelled:
            text = self.tr("Scan cancelled: ") + text
        if report.unavailable:
            names = ", ".join(str(p) for p in report.unavailable)
            text += self.tr(". Unavailable, kept as it was: {folders}").format(folders=names)
        self.statusBar().showMessage(text)

    def _scan_failed(self, message: str) -> None:
        self.scan_progress.hide()
        self.cancel_scan_button.hide()
        self.statusBar().showMessage(message)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_folders(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        folders = _dropped_folders(event.mimeData().urls())
        if folders:
            event.acceptProposedAction()
            self.add_folders(folders)

    def show_welcome(self) -> None:
        """On first run: the demo is playing-ready; invite the listener to add their music."""
        self.welcome.show_message(
            self.tr("Welcome to OST Player"),
            self.tr(
                "This is a short demo soundtrack: press Space to play it. Add the folder where "
                "you keep your soundtracks, or drop it on this window."
            ),
        )

    def show_banner(self, headline: str, body: str) -> None:
        """Show a message across the top of the window."""
        self.banner.show_message(headline, body)

    # -- events --------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.filter_edit and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape:  # type: ignore[attr-defined]
                self.filter_edit.clear()
                self.table.setFocus()
                return True
            if event.key() == Qt.Key.Key_Down:  # type: ignore[attr-defined]
                self.table.setFocus()
                if not self.table.currentIndex().isValid() and self.model.rowCount():
                    self.table.setCurrentIndex(self.model.index(0, 0))
                return True
        return super().eventFilter(watched, event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Queued: whatever is slow (libvlc) starts after this paint reaches the screen.
            QTimer.singleShot(0, self.first_painted.emit)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_geometry()
        super().closeEvent(event)

    # -- geometry ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the views that read the database on their own timers (the app is quitting)."""
        if self._sidebar is not None:
            self._sidebar.shutdown()

    def save_geometry(self) -> None:
        """Remember the window's size, place and table columns."""
        self._state.set(GEOMETRY_KEY, base64.b64encode(self.saveGeometry().data()).decode())
        header = self.table.horizontalHeader().saveState().data()
        self._state.set(HEADER_KEY, base64.b64encode(header).decode())
        splitter = self.splitter.saveState().data()
        self._state.set(SPLITTER_KEY, base64.b64encode(splitter).decode())
        outer = self.outer_splitter.saveState().data()
        self._state.set(SIDEBAR_KEY, base64.b64encode(outer).decode())

    def _restore_geometry(self) -> None:
        geometry = self._state.get(GEOMETRY_KEY)
        restored = False
        if isinstance(geometry, str):
            restored = self.restoreGeometry(base64.b64decode(geometry))
        if not restored:
            self.resize(1260, 700)
        header = self._state.get(HEADER_KEY)
        if isinstance(header, str):
            self.table.horizontalHeader().restoreState(base64.b64decode(header))
        splitter = self._state.get(SPLITTER_KEY)
        if not (
            isinstance(splitter, str) and self.splitter.restoreState(base64.b64decode(splitter))
        ):
            self.splitter.setSizes([640, 440])
        outer = self._state.get(SIDEBAR_KEY)
        if not (
            isinstance(outer, str) and self.outer_splitter.restoreState(base64.b64decode(outer))
        ):
            self.outer_splitter.setSizes([210, 1050])


def _dropped_folders(urls: list) -> list[Path]:
    """The local folders among dropped URLs (files come with the desktop issue)."""
    paths = [Path(url.toLocalFile()) for url in urls if url.isLocalFile()]
    return [p for p in paths if p.is_dir()]
