"""The window's mood and playlist actions: moods of the selected tracks, enqueue, new and
imported playlists, the mood playlist builder, and writing moods back to the files.

Kept apart from the main window so that it stays about the window; the dialogs load when
first opened.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMenuBar, QMessageBox

from ostplayer.services.library import LibraryService
from ostplayer.services.player import PlayerService
from ostplayer.services.scenes import SceneService
from ostplayer.ui.actions import window_action
from ostplayer.ui.plain import isolate

if TYPE_CHECKING:
    from ostplayer.library.moodwriter import WriteReport
    from ostplayer.services.moods import MoodService, WritePlan
    from ostplayer.services.playlists import PlaylistService
    from ostplayer.ui.main_window import MainWindow
    from ostplayer.ui.playlist_builder import PlaylistBuilderDialog


class MoodActions(QObject):
    """The actions on moods and playlists, for the menus and the track list's context menu."""

    def __init__(
        self,
        window: MainWindow,
        moods: MoodService,
        playlists: PlaylistService,
        library: LibraryService,
        player: PlayerService,
        scenes: SceneService,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._moods = moods
        self._playlists = playlists
        self._library = library
        self._player = player
        self._scenes = scenes
        self._builder: PlaylistBuilderDialog | None = None
        moods.write_finished.connect(self._moods_written)

        action = partial(window_action, window)

        self.moods_action = action(self.tr("&Moods…"), "Ctrl+M", self.edit_moods)
        self.moods_action.setToolTip(self.tr("Add or remove moods on the selected tracks"))
        self.write_moods_action = action(
            self.tr("&Write Moods to Files…"), None, self.write_moods_to_files
        )
        self.write_moods_action.setToolTip(
            self.tr("Save the selected tracks' moods in their files, for other players")
        )
        self.enqueue_action = action(self.tr("En&queue"), "Ctrl+Shift+Q", self.enqueue_selected)
        self.enqueue_action.setToolTip(self.tr("Add the selected tracks to the end of the queue"))
        self.build_playlist_action = action(
            self.tr("New &Mood Playlist…"), "Ctrl+Shift+M", self.show_playlist_builder
        )
        self.build_playlist_action.setToolTip(
            self.tr("Build a playlist by mood, length and order, or of the scenes themselves")
        )
        self.new_playlist_action = action(
            self.tr("New Playlist from &Selection…"),
            "Ctrl+Shift+N",
            self.new_playlist_from_selection,
        )
        self.new_playlist_action.setToolTip(self.tr("Save the selected tracks as a playlist"))
        self.import_playlist_action = action(
            self.tr("&Import Playlist…"), None, self.import_playlist_file
        )
        self.import_playlist_action.setToolTip(self.tr("Read an M3U8 or XSPF playlist"))

    def add_menus(self, menus: QMenuBar) -> None:
        """Add the Playlists and Tracks menus."""
        playlists = menus.addMenu(self.tr("P&laylists"))
        playlists.addAction(self.build_playlist_action)
        playlists.addAction(self.new_playlist_action)
        playlists.addSeparator()
        playlists.addAction(self.import_playlist_action)
        tracks = menus.addMenu(self.tr("&Tracks"))
        tracks.addAction(self.moods_action)
        tracks.addAction(self.enqueue_action)
        tracks.addSeparator()
        tracks.addAction(self.write_moods_action)

    def add_to_track_menu(self, menu: QMenu) -> None:
        """Add the mood and playlist entries to the track list's context menu."""
        menu.addAction(self.enqueue_action)
        menu.addSeparator()
        menu.addAction(self.moods_action)
        self._add_mood_menus(menu)
        menu.addMenu(self._add_to_playlist_menu(menu))
        menu.addSeparator()
        menu.addAction(self.write_moods_action)

    def _add_mood_menus(self, menu: QMenu) -> None:
        from ostplayer.domain.mood import VOCABULARY, mood_key

        ids = self._window.selected_track_ids()
        add = menu.addMenu(self.tr("Add Mood"))
        for info in VOCABULARY:
            act = add.addAction(info.name, lambda m=info.name: self._moods.add(ids, m))
            act.setToolTip(QCoreApplication.translate("MoodVocabulary", info.description))
        add.setToolTipsVisible(True)
        present: dict[str, str] = {}
        for track_id in ids:
            track = self._library.get(track_id)
            for mood in track.moods if track is not None else ():
                present.setdefault(mood_key(mood), mood)
        remove = menu.addMenu(self.tr("Remove Mood"))
        remove.setEnabled(bool(present))
        for mood in sorted(present.values(), key=str.casefold):
            remove.addAction(mood, lambda m=mood: self._moods.remove(ids, m))

    def _add_to_playlist_menu(self, parent: QMenu) -> QMenu:
        menu = QMenu(self.tr("Add to Playlist"), parent)
        menu.addAction(self.new_playlist_action)
        static = [p for p in self._playlists.playlists() if not p.is_smart]
        if static:
            menu.addSeparator()
        ids = self._window.selected_track_ids()
        for playlist in static:
            # A playlist's name is the listener's text: keep "&" from turning into a shortcut.
            menu.addAction(
                playlist.name.replace("&", "&&"),
                lambda pid=playlist.id: self._playlists.add_tracks(pid, ids),
            )
        return menu

    def edit_moods(self) -> None:
        """Open the moods dialog for the selected tracks."""
        from ostplayer.ui.mood_editor import MoodDialog  # opened now and then: load on use

        ids = self._window.selected_track_ids()
        if not ids:
            self._window.statusBar().showMessage(
                self.tr("Select the tracks whose moods to change"), 5000
            )
            return
        dialog = MoodDialog(self._moods, ids, self._library.get, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def enqueue_selected(self) -> None:
        """Add the selected tracks to the end of the queue."""
        ids = self._window.selected_track_ids()
        if ids:
            self._player.enqueue(ids)
            self._window.statusBar().showMessage(
                self.tr("Added 1 track to the queue")
                if len(ids) == 1
                else self.tr("Added {n} tracks to the queue").format(n=len(ids)),
                5000,
            )

    def write_moods_to_files(self) -> None:
        """Write the selected tracks' moods into their files, after saying how many change."""
        from ostplayer.ui.mood_editor import confirm_write

        ids = self._window.selected_track_ids()
        if not ids:
            self._window.statusBar().showMessage(
                self.tr("Select the tracks whose moods to write"), 5000
            )
            return

        def planned(plan: WritePlan) -> None:
            if confirm_write(self._window, plan):
                self._moods.write(plan)
                self._window.statusBar().showMessage(self.tr("Writing moods to files…"))

        self._moods.plan_write(ids, planned)

    def _moods_written(self, report: WriteReport) -> None:
        written = len(report.written)
        message = (
            self.tr("Moods written to 1 file")
            if written == 1
            else self.tr("Moods written to {n} files").format(n=written)
        )
        self._window.statusBar().showMessage(message, 10000)
        if report.failed:
            lines = "\n".join(str(error) for error in report.failed[:20])
            more = len(report.failed) - 20
            if more > 0:
                lines += "\n" + self.tr("…and {n} more").format(n=more)
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Some Files Were Not Changed"),
                self.tr("{n} files could not be written; each was left exactly as it was.").format(
                    n=len(report.failed)
                ),
                QMessageBox.StandardButton.Ok,
                self._window,
            )
            box.setDetailedText(lines)
            box.open()

    def show_playlist_builder(self) -> None:
        """Open the mood playlist builder."""
        from ostplayer.ui.playlist_builder import PlaylistBuilderDialog

        if self._builder is None:  # one builder: a second open brings it to the front
            self._builder = PlaylistBuilderDialog(
                self._moods, self._playlists, self._scenes, self._window
            )
        if self._builder.isVisible():  # behind the window, perhaps
            self._builder.raise_()
        self._builder.show()
        self._builder.activateWindow()

    def new_playlist_from_selection(self) -> None:
        """Save the selected tracks as a new playlist, asking for its name."""
        from ostplayer.domain.playlist import PlaylistEntry

        ids = self._window.selected_track_ids()
        if not ids:
            self._window.statusBar().showMessage(
                self.tr("Select the tracks for the playlist"), 5000
            )
            return
        name, ok = QInputDialog.getText(
            self._window,
            self.tr("New Playlist"),
            self.tr("Name of the playlist:"),
            text=self._playlists.free_name(self.tr("New playlist")),
        )
        if not ok or not name.strip():
            return
        playlist = self._playlists.create(
            self._playlists.free_name(name.strip()), [PlaylistEntry(t) for t in ids]
        )
        if playlist is None:  # not saved: the banner says why
            return
        self._window.statusBar().showMessage(
            self.tr("Saved “{name}”").format(name=isolate(playlist.name)), 5000
        )

    def import_playlist_file(self) -> None:
        """Import an M3U8 or XSPF file as a playlist; list what it could not find."""
        from ostplayer.formats.playlist_file import PlaylistFileError

        path, _ = QFileDialog.getOpenFileName(
            self._window,
            self.tr("Import Playlist"),
            str(Path.home()),
            self.tr("Playlists (*.m3u8 *.m3u *.xspf);;All files (*)"),
        )
        if not path:
            return
        try:
            playlist, imported = self._playlists.import_file(Path(path))
        except PlaylistFileError as exc:
            QMessageBox.warning(self._window, self.tr("Import Playlist"), str(exc))
            return
        if playlist is None:  # not saved: the banner says why
            return
        found = len(imported.entries)
        summary = self.tr("Imported “{name}” with {n} entries.").format(
            name=isolate(playlist.name), n=found
        )
        if not imported.missing:
            self._window.statusBar().showMessage(summary, 10000)
            return
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Import Playlist"),
            summary,
            QMessageBox.StandardButton.Ok,
            self._window,
        )
        box.setInformativeText(
            self.tr("{n} entries were not found in your library; see the details.").format(
                n=len(imported.missing)
            )
        )
        box.setDetailedText("\n".join(f"{loc} ({why})" for loc, why in imported.missing))
        box.open()
