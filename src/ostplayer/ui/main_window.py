"""The main window: the track table with its filter, the now-playing area and the transport bar.

It talks only to services and their signals. A splitter holds the table so that later a
sidebar (moods, playlists, episodes) and the scene panel can sit beside it.

As a desktop citizen it also has a tray icon (when the desktop has a tray), takes dropped
folders and audio files, applies the desktop settings (theme, audio device, ReplayGain) at start
and whenever they change, and lists its keyboard shortcuts in Help › Keyboard Shortcuts.
"""

from __future__ import annotations

import base64
import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

# Only what the window's frame needs: every Qt class costs its enums when first imported, and
# the frame is shown before the rest (see build).
from PySide6.QtCore import QCoreApplication, QEventLoop, QLocale, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from ostplayer import APP_NAME, __version__
from ostplayer.store.database import StoreError
from ostplayer.ui.actions import window_action
from ostplayer.ui.plain import window_title_part
from ostplayer.ui.preferences import (
    CLOSE_TO_TRAY,
    NOTIFY_TRACK_CHANGE,
    OUTPUT_DEVICE,
    REPLAY_GAIN,
    THEME,
    Preferences,
    Setting,
    Theme,
    apply_theme,
)

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # the window's content is imported once its frame is on screen (build)
    from PySide6.QtCore import QEvent, QModelIndex
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QPaintEvent
    from PySide6.QtWidgets import QTableView

    from ostplayer.domain.track import Track
    from ostplayer.playback.engine import Engine, PlaybackState
    from ostplayer.services.library import LibraryService, OpenedPaths
    from ostplayer.services.moods import MoodService
    from ostplayer.services.player import PlayerService
    from ostplayer.services.playlists import PlaylistService
    from ostplayer.services.scenes import SceneService
    from ostplayer.services.tasks import Tasks
    from ostplayer.store.state import StateRepository
    from ostplayer.ui.banner import Banner
    from ostplayer.ui.episodes import EpisodesView
    from ostplayer.ui.pack_actions import PackActions
    from ostplayer.ui.playlist_view import PlaylistView
    from ostplayer.ui.problems import ProblemsDialog
    from ostplayer.ui.settings import SettingsDialog
    from ostplayer.ui.settings_desktop import DesktopPages
    from ostplayer.ui.shortcuts import ShortcutsDialog
    from ostplayer.ui.sidebar import LibrarySidebar
    from ostplayer.ui.tray import Tray

SEEK_STEP_MS = 5000
VOLUME_STEP = 5
POSITION_TICK_MS = 100
#: How often to look again for a tray when the desktop had none (a panel that starts after
#: the app, a tray host restarted).
TRAY_RETRY_MS = 15_000
GEOMETRY_KEY = "window.geometry"
HEADER_KEY = "window.table_header"
SPLITTER_KEY = "window.splitter"
SIDEBAR_KEY = "window.sidebar_splitter"
#: How long a start waits for the window's frame to paint before it builds the content anyway
#: (a window on a hidden workspace may never be exposed). It paints in ~10-20 ms here.
FRAME_TIMEOUT_MS = 300


class MainWindow(QMainWindow):
    """The player's window.

    It is made in two steps, so that a start shows a window as soon as Qt can: the frame
    (title, colours, size and place) needs only the state store, and :meth:`build` then adds
    the content, which needs the services and most of the app's code.
    """

    #: The window with its content has painted for the first time.
    first_painted = Signal()
    #: The frame has painted for the first time (see :meth:`show_frame`).
    frame_painted = Signal()

    def __init__(self, state: StateRepository, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._built = False
        self._frame_shown = False
        self._painted = False
        #: The listener closed the window before its content was built.
        self.close_requested = False
        self._cover_for: Path | None = None
        self._settings: SettingsDialog | None = None
        self._spoilers_page: QWidget | None = None
        self._shortcuts: ShortcutsDialog | None = None
        #: The Settings dialog's Audio, Window and Data pages, once the dialog is made.
        self.desktop_pages: DesktopPages | None = None
        #: The tray icon, made after the first paint when the desktop has a tray.
        self.tray: Tray | None = None
        self._quitting = False
        self._announced: int | None = None  # the track last announced as playing
        self.preferences = Preferences(state, self)
        self.setWindowTitle(APP_NAME)
        theme = self.preferences.get(THEME)
        if theme is not Theme.SYSTEM:  # the system's colours need nothing done
            apply_theme(theme)
        self._restore_window_geometry()

    def show_frame(self, timeout_ms: int = FRAME_TIMEOUT_MS) -> bool:
        """Show the window before its content is built, and wait until it has painted.

        Only events that are not the listener's input are handled meanwhile (a click waits
        for the content). Returns whether the frame painted within ``timeout_ms``: a window
        that is never exposed (a hidden workspace) must not hold the start up.
        """
        self.show()
        if not self._frame_shown:
            loop = QEventLoop()
            self.frame_painted.connect(loop.quit)
            QTimer.singleShot(timeout_ms, loop.quit)
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            self.frame_painted.disconnect(loop.quit)
        return self._frame_shown

    def build(
        self,
        library: LibraryService,
        player: PlayerService,
        tasks: Tasks,
        scenes: SceneService,
        moods: MoodService,
        playlists: PlaylistService,
    ) -> None:
        """Add the window's content: the list, the panels, the menus and the status bar."""
        from PySide6.QtWidgets import (
            QHBoxLayout,
            QLabel,
            QLineEdit,
            QSplitter,
            QStackedWidget,
            QTabWidget,
            QVBoxLayout,
        )

        from ostplayer.ui.episodes import EpisodesView
        from ostplayer.ui.mood_actions import MoodActions
        from ostplayer.ui.now_playing import NowPlaying
        from ostplayer.ui.scan_status import ScanStatus
        from ostplayer.ui.scene_panel import ScenePanel
        from ostplayer.ui.track_model import TrackTableModel
        from ostplayer.ui.transport import TransportBar

        self._scenes = scenes
        self._moods = moods
        self._playlists = playlists
        self._library = library
        self._player = player
        self._tasks = tasks

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
        self.tabs.setToolTip(self.tr("Your tracks, or each episode's music"))
        self.tabs.setTabToolTip(0, self.tr("The tracks of the library, a mood or a playlist"))
        self.tabs.setTabToolTip(1, self.tr("Each episode's music in airing order (Ctrl+E)"))
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
        # Before the count, so that the progress and Cancel sit to its left.
        scan_status = ScanStatus(self.statusBar(), library)
        self.scan_progress = scan_status.progress
        self.cancel_scan_button = scan_status.cancel_button
        self.statusBar().addPermanentWidget(self.count_label)
        self.setAcceptDrops(True)

        self._tray_retry = QTimer(self)
        self._tray_retry.setInterval(TRAY_RETRY_MS)
        self._tray_retry.timeout.connect(self._look_for_tray)
        self._position_timer = QTimer(self)
        self._position_timer.setInterval(POSITION_TICK_MS)
        self._position_timer.timeout.connect(self._update_position)

        self.mood_actions = MoodActions(self, moods, playlists, library, player, scenes)
        self._packs: PackActions | None = None  # made when a pack is first imported or exported
        self._make_actions()
        self._connect()
        self._show_tracks()
        self._restore_layout()
        # Keys go to the list at start, so that Space plays instead of typing into the filter.
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.transport.show_volume(player.volume(), player.is_muted())
        self.transport.show_modes(player.queue.shuffle, player.queue.repeat)
        self._built = True
        self.update()  # the whole window paints again, its content with it (first_painted)

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

            self._welcome = Banner(
                color="#e3f0ff",
                action=self.tr("Add Music Folder…"),
                action_tip=self.tr("Choose the folder where you keep your soundtracks"),
            )
            self._welcome.action_button.clicked.connect(self._choose_folder)
            self._welcome.action_button.clicked.connect(self._welcome.hide)
            self._banners.addWidget(self._welcome)
        return self._welcome

    def _make_table(self) -> QTableView:
        from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

        from ostplayer.ui.track_model import Column

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
        table.setToolTip(self.tr("Double-click or Enter plays; right-click for more"))
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
        from PySide6.QtGui import QAction, QKeySequence

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
        self.stop_action = action(self.tr("&Stop"), "Ctrl+.", player.stop)
        self.volume_up_action = action(
            self.tr("Volume &Up"), "Ctrl+Up", lambda: self._step_volume(VOLUME_STEP)
        )
        self.volume_down_action = action(
            self.tr("Volume &Down"), "Ctrl+Down", lambda: self._step_volume(-VOLUME_STEP)
        )
        self.mute_action = action(
            self.tr("&Mute"), "M", lambda: self._set_muted(not player.is_muted())
        )
        self.shuffle_action = action(
            self.tr("S&huffle"), "Ctrl+U", lambda: player.set_shuffle(not player.queue.shuffle)
        )
        self.repeat_action = action(
            self.tr("Re&peat: Off, All, One"), "Ctrl+T", player.cycle_repeat
        )
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
            self.tr("&Import Scene Pack…"), "Ctrl+I", self.import_scene_pack
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
        self.quit_action = action(self.tr("&Quit"), None, self.quit)
        # The platform's quit key, else Ctrl+Q (Windows has no standard one). Only the first:
        # the others are media keys ("Exit") that read oddly in the menus.
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcut(quit_keys[0] if quit_keys else QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
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
        self.show_scenes_action.setShortcut(QKeySequence("F9"))
        self.show_scenes_action.toggled.connect(self.scene_panel.setVisible)
        self.addAction(self.show_scenes_action)
        self.episodes_action = action(self.tr("&Episodes"), "Ctrl+E", self.show_episodes)
        self.episodes_action.setToolTip(self.tr("Each episode's music in airing order"))
        self.tracks_action = action(self.tr("Show &Track List"), "Ctrl+L", self.show_tracks_tab)
        self.tracks_action.setToolTip(self.tr("Back to the list of tracks"))
        self.shortcuts_action = action(
            self.tr("&Keyboard Shortcuts"),
            QKeySequence.StandardKey.HelpContents,
            self.show_shortcuts,
        )
        about = action(self.tr("&About OST Player"), None, self._about)
        about.setMenuRole(QAction.MenuRole.AboutRole)

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
        playback.addSeparator()
        for act in (self.volume_up_action, self.volume_down_action, self.mute_action):
            playback.addAction(act)
        playback.addSeparator()
        playback.addAction(self.shuffle_action)
        playback.addAction(self.repeat_action)
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
        scenes.addAction(self.tracks_action)
        self.mood_actions.add_menus(menus)
        help_menu = menus.addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        help_menu.addSeparator()
        help_menu.addAction(about)

    def _connect(self) -> None:
        from PySide6.QtCore import QEvent

        transport, player = self.transport, self._player
        transport.play_pause_clicked.connect(self._play_pause)
        transport.previous_clicked.connect(player.previous)
        transport.next_clicked.connect(player.next)
        transport.seek_requested.connect(player.seek)
        self.scene_panel.seek_requested.connect(player.seek)
        self.scene_panel.markers_changed.connect(transport.seek_slider.set_markers)
        transport.volume_requested.connect(self._set_volume)
        # A change from outside (MPRIS, the tray) shows on the slider, without asking again.
        player.volume_changed.connect(lambda v: transport.show_volume(v, player.is_muted()))
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
        self._library.first_tracks_read.connect(self.show_first_tracks)
        self._library.tracks_added.connect(self._add_tracks)
        self._library.tracks_updated.connect(self.model.add_tracks)  # moods edited in place
        self.filter_edit.textChanged.connect(self.model.set_filter_text)
        self.model.filter_finished.connect(self._show_count)
        self.filter_edit.returnPressed.connect(self._play_first_visible)
        self._key_press = QEvent.Type.KeyPress  # looked up once, not on each filtered event
        self.filter_edit.installEventFilter(self)
        self.table.activated.connect(self._play_row)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._moods.moods_changed.connect(self._mood_tracks_changed)
        self.preferences.changed.connect(self._preference_changed)
        # Queued: what waits for the first paint (the library's load) goes first.
        self.first_painted.connect(lambda: QTimer.singleShot(0, lambda: self.sidebar))
        self.first_painted.connect(lambda: QTimer.singleShot(0, self._make_tray))
        # Its icon costs ~8 ms before the first paint; it only shows once there is text.
        self.first_painted.connect(lambda: self.filter_edit.setClearButtonEnabled(True))

    # -- slots ---------------------------------------------------------------------------------
    def _on_engine(self, engine: Engine) -> None:
        self.scene_panel.set_engine(engine)
        self._apply_audio_preferences(engine)
        engine.state_changed.connect(self._on_state)
        engine.duration_changed.connect(lambda _ms: self._update_position())
        engine.seeked.connect(lambda _ms: self._update_position())
        self._update_position()

    def _on_state(self, state: PlaybackState) -> None:
        from ostplayer.playback.engine import PlaybackState  # loaded long before: a lookup

        self.transport.show_state(state)
        if state == PlaybackState.PLAYING:
            self._position_timer.start()
            self._announce_playing()
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

    def show_first_tracks(self, tracks: list[Track], search: list[str]) -> None:
        """Show the start of the list while the library loads (the load replaces it)."""
        # Only in album order: sorted otherwise, the first tracks read are not the first rows.
        if self.model.rowCount() or not tracks or self.model.sort_column >= 0:
            return
        self.model.set_tracks(tracks, search)
        self.count_label.setText(self.tr("Loading the library…"))

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
        many = self.tr("{n} tracks").format(n=QLocale().toString(count))  # 20,000 in English
        text = self.tr("1 track") if count == 1 else many
        self.count_label.setText(text)

    def _show_current(self, track: Track | None) -> None:
        self.now_playing.show_track(track)
        self.scene_panel.show_track(track)
        if self._scenes.track_id() != (track.id if track else None):
            self._scenes.set_track(track.id if track else None)
        self.model.set_playing(track.id if track else None)
        title = f"{window_title_part(track.display_title)} — {APP_NAME}" if track else APP_NAME
        self.setWindowTitle(title)
        if self.tray is not None:
            self.tray.show_track(track)
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

    def _step_volume(self, step: int) -> None:
        self._set_volume(max(0, min(100, self._player.volume() + step)))

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
        from ostplayer.ui.track_model import TRACK_ROLE

        track: Track = index.data(TRACK_ROLE)
        from PySide6.QtWidgets import QMenu

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
        from PySide6.QtWidgets import QMessageBox

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
        self._pack_actions().import_scene_pack()

    def export_my_notes(self) -> bool:
        """Save the listener's scene notes as a pack file; True when written."""
        return self._pack_actions().export_my_notes()

    def _pack_actions(self) -> PackActions:
        if self._packs is None:
            from ostplayer.ui.pack_actions import PackActions  # rarely used: load on use

            self._packs = PackActions(self, self._scenes)
        return self._packs

    # -- the library -----------------------------------------------------------------------------
    def _choose_folder(self) -> None:
        from PySide6.QtWidgets import QFileDialog

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
            from PySide6.QtWidgets import QSystemTrayIcon

            from ostplayer.ui.settings_desktop import add_desktop_pages

            self.desktop_pages = add_desktop_pages(
                self._settings,
                self.preferences,
                self._player,
                self._library.database_path.parent,
                QSystemTrayIcon.isSystemTrayAvailable() or self.tray is not None,
            )
        if self._settings.isVisible():  # behind the window, perhaps
            self._settings.raise_()
        self._settings.show()
        self._settings.activateWindow()
        return self._settings

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        from ostplayer.ui.drop import sort_drop

        if sort_drop(event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        from ostplayer.ui.drop import sort_drop

        dropped = sort_drop(event.mimeData().urls())
        if not dropped:
            return
        event.acceptProposedAction()
        if dropped.folders:
            self.add_folders(dropped.folders)
        if dropped.audio_files or dropped.other_files:
            play_now = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.open_files(dropped.audio_files, dropped.other_files, play_now=play_now)

    def open_files(self, files: list[Path], others: list[Path], *, play_now: bool) -> None:
        """Queue (or, with ``play_now``, play) dropped audio files; say what was left out.

        Files outside the library are read and taken in first (off the GUI thread).
        """

        from ostplayer.ui.drop import opened_message

        def opened(result: OpenedPaths) -> None:
            ids = result.track_ids
            if ids and play_now:
                self._player.play_tracks(ids)
            elif ids:
                self._player.enqueue(ids)
            failed = [path for path, _message in result.problems]
            message = opened_message(ids, failed, others, play_now=play_now)
            if message:
                self.statusBar().showMessage(message, 15000)

        self._library.open_paths(files, opened)

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
        if watched is self.filter_edit and event.type() == self._key_press:
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
        if not self._frame_shown:
            self._frame_shown = True
            self.frame_painted.emit()
        if self._built and not self._painted:
            self._painted = True
            # Queued: whatever is slow (libvlc) starts after this paint reaches the screen.
            QTimer.singleShot(0, self.first_painted.emit)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._built:
            # Closed while the content is still being made (the frame shows meanwhile): the
            # app ends once it is made, with nothing half done.
            event.ignore()
            self.close_requested = True
            return
        self.save_geometry()
        if (
            not self._quitting
            and self.tray is not None
            and self.tray.icon.isVisible()
            and self.preferences.get(CLOSE_TO_TRAY)
        ):
            # Close to the tray: the music goes on; Quit in the tray's menu ends the app.
            event.ignore()
            self.hide()
            return
        super().closeEvent(event)
        if self.tray is not None and event.isAccepted():
            # With a tray the app does not quit with its last window (a dialog closed while
            # the window is in the tray must not end it): closing the window for real does.
            QCoreApplication.quit()

    def quit(self) -> None:
        """Close the window and end the app, even when closing would hide it in the tray."""
        self._quitting = True
        if self.close():
            QCoreApplication.quit()  # even with a dialog still open: Quit means quit
        else:
            self._quitting = False

    # -- the desktop: tray, notifications, settings ------------------------------------------
    def _make_tray(self) -> None:
        from ostplayer.ui.tray import app_icon

        self.setWindowIcon(app_icon())
        self._look_for_tray()

    def _look_for_tray(self) -> None:
        from PySide6.QtWidgets import QSystemTrayIcon

        if self.tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self.make_tray()
        if self.tray is None:
            self._tray_retry.start()  # no tray yet: a panel may start after the app
        else:
            self._tray_retry.stop()

    def make_tray(self) -> Tray:
        """Make and show the tray icon (the window does so after its first paint)."""
        from ostplayer.ui.tray import Tray

        if self.tray is None:
            self.tray = Tray(self, self.play_pause_action, self.previous_action, self.next_action)
            self.tray.quit_requested.connect(self.quit)
            app = QApplication.instance()
            if isinstance(app, QApplication):
                # The window may hide in the tray: the app ends when the window really closes
                # (see closeEvent), and a desktop logout closes it for real.
                app.setQuitOnLastWindowClosed(False)
                app.commitDataRequest.connect(self._session_ends)
            self.tray.show_track(self._player.current_track())
            self.tray.set_visible(True)
        return self.tray

    def _session_ends(self, _manager: object) -> None:
        self._quitting = True  # the desktop logs out: closing must not hide in the tray

    def _announce_playing(self) -> None:
        """Notify the desktop of a new track once it plays (the listener's choice)."""
        track = self._player.current_track()
        if track is None or track.id == self._announced:
            return
        self._announced = track.id
        if self.tray is not None and self.preferences.get(NOTIFY_TRACK_CHANGE):
            self.tray.notify_track(track)

    def _apply_audio_preferences(self, engine: Engine) -> None:
        engine.set_replay_gain_mode(self.preferences.get(REPLAY_GAIN))
        if self.preferences.get(OUTPUT_DEVICE) is not None:  # the default needs nothing done
            self._apply_output_device(engine)

    def _apply_output_device(self, engine: Engine) -> None:
        device = self.preferences.get(OUTPUT_DEVICE)
        if not engine.set_output_device(device) and device is not None:
            self.statusBar().showMessage(
                self.tr(
                    "The audio device “{device}” is not connected; playing to the system default."
                ).format(device=device),
                15000,
            )

    def _preference_changed(self, setting: Setting[object]) -> None:
        engine = self._player.engine
        if setting is THEME:
            apply_theme(self.preferences.get(THEME))
        elif setting is OUTPUT_DEVICE and engine is not None:
            self._apply_output_device(engine)
        elif setting is REPLAY_GAIN and engine is not None:
            engine.set_replay_gain_mode(self.preferences.get(REPLAY_GAIN))

    def show_shortcuts(self) -> ShortcutsDialog:
        """Open Help › Keyboard Shortcuts (built from the window's actions as they are now)."""
        from ostplayer.ui.shortcuts import ShortcutsDialog

        if self._shortcuts is None:
            self._shortcuts = ShortcutsDialog(self)
        if self._shortcuts.isVisible():  # behind the window, perhaps
            self._shortcuts.raise_()
        self._shortcuts.show()
        self._shortcuts.activateWindow()
        return self._shortcuts

    def show_tracks_tab(self) -> None:
        """Switch to the Tracks tab and put the keys in the list."""
        self.tabs.setCurrentIndex(0)
        self.track_stack.currentWidget().setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- geometry ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the views that read the database on their own timers (the app is quitting)."""
        if self._sidebar is not None:
            self._sidebar.shutdown()

    def save_geometry(self) -> None:
        """Remember the window's size, place and table columns (not at all on a full disk)."""
        states = {
            GEOMETRY_KEY: self.saveGeometry().data(),
            HEADER_KEY: self.table.horizontalHeader().saveState().data(),
            SPLITTER_KEY: self.splitter.saveState().data(),
            SIDEBAR_KEY: self.outer_splitter.saveState().data(),
        }
        try:
            for key, state in states.items():
                self._state.set(key, base64.b64encode(state).decode())
        except StoreError:  # the window closes all the same; its layout is not worth a stop
            log.warning("the window's layout was not saved", exc_info=True)

    def _restore_window_geometry(self) -> None:
        geometry = self._state.get(GEOMETRY_KEY)
        restored = False
        if isinstance(geometry, str):
            restored = self.restoreGeometry(base64.b64decode(geometry))
        if not restored:
            self.resize(1260, 700)

    def _restore_layout(self) -> None:
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
