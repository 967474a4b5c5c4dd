"""Saved playlists as the window sees them: static and smart, with undo, play and enqueue, and
M3U8/XSPF files.

Every change is committed before the service says so. Renames, reorders, removals and deletes
go through the shared undo stack, so Ctrl+Z brings a deleted playlist back whole, under its id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ostplayer.domain.playlist import Playlist, PlaylistEntry
from ostplayer.services.library import LibraryService
from ostplayer.services.moods import MoodService
from ostplayer.services.player import PlayerService, Span
from ostplayer.services.store_errors import attempt, not_saved
from ostplayer.store.database import StoreError
from ostplayer.store.playlists import PlaylistRepository

if TYPE_CHECKING:  # loaded when first used, not for the first paint
    from ostplayer.domain.mixer import MoodRule, Pick
    from ostplayer.library.playlists import ImportedPlaylist


log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlaylistService", text)


class _Create(QUndoCommand):
    def __init__(self, service: PlaylistService, playlist: Playlist) -> None:
        super().__init__(_tr("New Playlist “{name}”").format(name=playlist.name))
        self._service, self.playlist = service, playlist
        self._made = False
        self.saved = False

    def redo(self) -> None:
        repo = self._service.repository

        def write() -> None:
            if self._made:
                self.playlist = repo.restore(self.playlist)
            else:
                self.playlist = repo.create(
                    self.playlist.name, self.playlist.entries, self.playlist.rule
                )

        name = self.playlist.name
        if self._made:
            what = _tr("The playlist “{name}” could not be put back.").format(name=name)
        else:
            what = _tr("The playlist “{name}” was not saved.").format(name=name)
        if attempt(self, write, self._service._failed_to(what)):
            self._made = self.saved = True
            self._service.playlists_changed.emit()

    def undo(self) -> None:
        def write() -> None:
            self._service.repository.delete(self.playlist.id)

        what = _tr("The playlist “{name}” could not be taken out again.")
        if attempt(self, write, self._service._failed_to(what.format(name=self.playlist.name))):
            self._service.playlists_changed.emit()


class _Delete(QUndoCommand):
    def __init__(self, service: PlaylistService, playlist: Playlist) -> None:
        super().__init__(_tr("Delete Playlist “{name}”").format(name=playlist.name))
        self._service, self._playlist = service, playlist

    def redo(self) -> None:
        def write() -> None:
            gone = self._service.repository.delete(self._playlist.id)
            if gone is not None:
                self._playlist = gone

        what = _tr("The playlist “{name}” was not deleted.").format(name=self._playlist.name)
        if attempt(self, write, self._service._failed_to(what)):
            self._service.playlists_changed.emit()

    def undo(self) -> None:
        def write() -> None:
            self._service.repository.restore(self._playlist)

        what = _tr("The playlist “{name}” could not be put back.")
        if attempt(self, write, self._service._failed_to(what.format(name=self._playlist.name))):
            self._service.playlists_changed.emit()


class _Rename(QUndoCommand):
    def __init__(self, service: PlaylistService, playlist_id: int, old: str, new: str) -> None:
        super().__init__(_tr("Rename Playlist"))
        self._service, self._id, self._old, self._new = service, playlist_id, old, new

    def redo(self) -> None:
        self._rename(self._old, self._new)

    def undo(self) -> None:
        self._rename(self._new, self._old)

    def _rename(self, old: str, new: str) -> None:
        def write() -> None:
            self._service.repository.rename(self._id, new)

        what = _tr("The playlist “{old}” was not renamed to “{new}”.").format(old=old, new=new)
        if attempt(self, write, self._service._failed_to(what)):
            self._service.playlists_changed.emit()


class _SetEntries(QUndoCommand):
    def __init__(
        self,
        service: PlaylistService,
        playlist_id: int,
        old: Sequence[PlaylistEntry],
        new: Sequence[PlaylistEntry],
        text: str,
    ) -> None:
        super().__init__(text)
        self._service, self._id, self._old, self._new = service, playlist_id, old, new

    def redo(self) -> None:
        self._set(self._new)

    def undo(self) -> None:
        self._set(self._old)

    def _set(self, entries: Sequence[PlaylistEntry]) -> None:
        def write() -> None:
            self._service.repository.set_entries(self._id, entries)

        what = _tr("The change to the playlist was not saved.")
        if attempt(self, write, self._service._failed_to(what)):
            self._service.entries_changed.emit(self._id)


class PlaylistService(QObject):
    """The listener's playlists: list, build, edit with undo, play, import and export."""

    #: A playlist was added, renamed, deleted or restored.
    playlists_changed = Signal()
    #: A playlist's entries changed (an edit, or a smart playlist's moods): its id.
    entries_changed = Signal(int)
    #: A change could not be saved (a full disk, a read-only data folder): a message for people.
    #: Nothing of it was written; the playlists shown are as they were.
    store_failed = Signal(str)

    def __init__(
        self,
        repository: PlaylistRepository,
        library: LibraryService,
        moods: MoodService,
        player: PlayerService,
        undo_stack: QUndoStack,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.repository = repository
        self._library = library
        self._moods = moods
        self._player = player
        self._undo = undo_stack
        moods.moods_changed.connect(self._moods_changed)

    def _failed_to(self, what: str) -> Callable[[StoreError], None]:
        def failed(exc: StoreError) -> None:
            log.error("%s %s", what, exc)
            self.store_failed.emit(not_saved(what, exc))

        return failed

    def _moods_changed(self) -> None:
        for playlist in self.repository.all():
            if playlist.is_smart:
                self.entries_changed.emit(playlist.id)

    # -- reading -------------------------------------------------------------------------------
    def playlists(self) -> list[Playlist]:
        """Every playlist, by name."""
        return self.repository.all()

    def get(self, playlist_id: int) -> Playlist | None:
        """A playlist with its entries."""
        return self.repository.get(playlist_id)

    def picks(self, playlist_id: int) -> list[Pick]:
        """What the playlist plays now, in order: entries whose track is in the collection and
        available, or for a smart playlist what its rule finds."""
        playlist = self.repository.get(playlist_id)
        if playlist is None:
            return []
        if playlist.is_smart:
            mixer = self._moods.mixer()
            return mixer.smart(playlist) if mixer is not None else []
        from ostplayer.library.playlists import picks_of_entries

        # Only the entries' tracks: a lookup each, not a copy of the whole library.
        tracks = {
            e.track_id: track
            for e in playlist.entries
            if (track := self._library.get(e.track_id)) is not None and track.available
        }
        return picks_of_entries(playlist.entries, tracks)

    def free_name(self, name: str) -> str:
        """``name``, or ``name (2)``… whichever is free."""
        return self.repository.free_name(name)

    # -- changes (undoable) --------------------------------------------------------------------
    def create(
        self, name: str, entries: Sequence[PlaylistEntry] = (), rule: MoodRule | None = None
    ) -> Playlist | None:
        """Save a new playlist (static with ``entries``, or smart with ``rule``).

        ``None`` when the database refused it: ``store_failed`` has said why.
        """
        command = _Create(
            self, Playlist(0, name, "smart" if rule else "static", rule, tuple(entries))
        )
        self._undo.push(command)  # push() runs redo(): the playlist is saved here
        return command.playlist if command.saved else None

    def rename(self, playlist_id: int, name: str) -> None:
        """Rename a playlist; raises ``PlaylistNameError`` when the name is taken."""
        playlist = self.repository.get(playlist_id)
        name = " ".join(name.split())
        if not name:
            raise ValueError("a playlist needs a name")
        if playlist is None or name == playlist.name:
            return
        if name.casefold() != playlist.name.casefold() and self.repository.find(name) is not None:
            from ostplayer.store.playlists import PlaylistNameError

            raise PlaylistNameError(name)
        self._undo.push(_Rename(self, playlist_id, playlist.name, name))

    def delete(self, playlist_id: int) -> None:
        """Delete a playlist (undoable: it comes back whole)."""
        playlist = self.repository.get(playlist_id)
        if playlist is not None:
            self._undo.push(_Delete(self, playlist))

    def set_entries(
        self, playlist_id: int, entries: Sequence[PlaylistEntry], text: str | None = None
    ) -> None:
        """Replace a static playlist's entries: a reorder, an add or a removal (undoable)."""
        playlist = self.repository.get(playlist_id)
        if playlist is None or playlist.is_smart or tuple(entries) == playlist.entries:
            return
        self._undo.push(
            _SetEntries(
                self, playlist_id, playlist.entries, tuple(entries), text or _tr("Edit Playlist")
            )
        )

    def add_tracks(self, playlist_id: int, track_ids: Sequence[int]) -> None:
        """Add tracks at the end of a static playlist (undoable)."""
        playlist = self.repository.get(playlist_id)
        if playlist is None or playlist.is_smart or not track_ids:
            return
        added = tuple(PlaylistEntry(t) for t in track_ids)
        self.set_entries(playlist_id, playlist.entries + added, _tr("Add to Playlist"))

    # -- playing -------------------------------------------------------------------------------
    def play(self, playlist_id: int, start: int = 0) -> bool:
        """Play a playlist from entry ``start``; a playlist of moments plays their spans.

        False when there is nothing in it to play.
        """
        picks = self.picks(playlist_id)
        return self.play_picks(picks, start)

    def play_picks(self, picks: Sequence[Pick], start: int = 0) -> bool:
        """Play built picks (a preview, a playlist): spans when any is a moment."""
        picks = list(picks)[start:]
        if not picks:
            return False
        if any(p.start_ms is not None or p.end_ms is not None for p in picks):
            self._player.play_spans([_span(p) for p in picks])
        else:
            self._player.play_tracks([p.track_id for p in picks])
        return True

    def enqueue(self, playlist_id: int) -> int:
        """Add a playlist's tracks at the end of the queue; returns how many."""
        picks = self.picks(playlist_id)
        return self.enqueue_picks(picks)

    def enqueue_picks(self, picks: Sequence[Pick]) -> int:
        """Add picks at the end of the queue (moments join span mode when it is on)."""
        if not picks:
            return 0
        if self._player.spans():
            self._player.enqueue_spans([_span(p) for p in picks])
        else:
            self._player.enqueue([p.track_id for p in picks])
        return len(picks)

    # -- files ---------------------------------------------------------------------------------
    def export(self, playlist_id: int, path: Path) -> int:
        """Write a playlist to an M3U8 or XSPF file; returns how many entries it holds.

        Raises ``PlaylistFileError`` with a message for people.
        """
        playlist = self.repository.get(playlist_id)
        if playlist is None:
            return 0
        from ostplayer.library.playlists import export_playlist

        picks = self.picks(playlist_id)
        tracks = {p.track_id: track for p in picks if (track := self._library.get(p.track_id))}
        entries = [PlaylistEntry(p.track_id, p.start_ms, p.end_ms) for p in picks]
        return export_playlist(path, playlist.name, entries, tracks)

    def import_file(self, path: Path) -> tuple[Playlist | None, ImportedPlaylist]:
        """Import an M3U8 or XSPF file as a new static playlist (undoable).

        Raises ``PlaylistFileError`` for a file that cannot be read. The playlist is ``None``
        when the database refused it (``store_failed`` says why).
        """
        from ostplayer.library.playlists import import_playlist

        imported = import_playlist(path, self._library.tracks())
        name = self.free_name(imported.name or path.stem)
        return self.create(name, imported.entries), imported


def _span(pick: Pick) -> Span:
    return Span(pick.track_id, pick.start_ms or 0, pick.end_ms)
