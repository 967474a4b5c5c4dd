"""Scene cues and the listener's notes, as the scene panel and the seek bar see them.

The service holds the playing track's *items*: the cues of imported packs and the listener's
own notes (plain notes without an episode too), in track-time order. Every change to a note is
committed before the service says so (``items_changed``), and goes through an undo stack so
that Ctrl+Z brings back a deleted note under its old id.

``QUndoStack`` lives in QtGui but is not a widget; the service owns it so that the undo history
belongs to the data, whichever window shows it.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ostplayer.domain.scene import (
    PERSONAL,
    Note,
    SceneCue,
    episode_order,
    normalise_episode_key,
)
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.services.store_errors import attempt, not_saved, quote
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database, StoreError
from ostplayer.store.scenes import PackEntry, PackSummary, SceneRepository
from ostplayer.store.state import WATCHED_KEY, StateRepository, watched_up_to
from ostplayer.store.tracks import TrackRepository

if TYPE_CHECKING:  # the pack code loads on first use, not at start
    from ostplayer.formats.pack import PackError
    from ostplayer.library.packs import PackImport

log = logging.getLogger(__name__)

#: State key: the demo scene pack was imported once; never again (the listener may remove it).
DEMO_PACK_KEY = "scenes.demo_pack_imported"


def _tr(text: str) -> str:
    return QCoreApplication.translate("SceneService", text)


@dataclass(frozen=True, slots=True)
class SceneItem:
    """One entry of the scene panel: a pack cue or a note, on the track's timeline.

    ``note`` is set for the listener's own notes (with or without an episode), ``cue`` for
    everything that names an episode (a note's cue is made with :meth:`Note.to_cue`).
    """

    start_ms: int
    end_ms: int | None
    text: str
    cue: SceneCue | None = None
    note: Note | None = None

    @property
    def is_note(self) -> bool:
        """True for the listener's own note, False for a pack cue."""
        return self.note is not None

    @property
    def key(self) -> tuple[str, int]:
        """A stable identity across reloads: ``("note", id)`` or ``("cue", id)``."""
        if self.note is not None:
            return ("note", self.note.id)
        return ("cue", self.cue.id if self.cue is not None else 0)

    @property
    def episode(self) -> str | None:
        """The episode key, or ``None`` for a plain note."""
        return self.cue.episode if self.cue is not None else None

    @property
    def episode_start_ms(self) -> int | None:
        """Where in the episode, when known."""
        return self.cue.episode_start_ms if self.cue is not None else None

    @property
    def characters(self) -> tuple[str, ...]:
        """Who is in the scene."""
        source = self.note if self.note is not None else self.cue
        return source.characters if source is not None else ()

    @property
    def moods(self) -> tuple[str, ...]:
        """The moods of the moment."""
        source = self.note if self.note is not None else self.cue
        return source.moods if source is not None else ()

    @property
    def source(self) -> str:
        """:data:`PERSONAL` or the pack's name."""
        return self.cue.source if self.cue is not None else PERSONAL

    def is_spoiler(self, watched_up_to: str | None) -> bool:
        """True when the item gives away an episode after ``watched_up_to``."""
        return self.cue is not None and self.cue.is_spoiler(watched_up_to)

    @property
    def headline(self) -> str:
        """One line for people (``"Ep 3, 41:20 — the rooftop confession"``)."""
        if self.cue is not None:
            return self.cue.headline
        return self.note.headline if self.note is not None else self.text


def item_of_cue(cue: SceneCue) -> SceneItem:
    """A pack cue as a panel item."""
    return SceneItem(cue.start_ms, cue.end_ms, cue.description, cue=cue)


def item_of_note(note: Note) -> SceneItem:
    """A note as a panel item; it carries its cue when it names an episode."""
    cue = note.to_cue()
    if cue is not None:
        cue = replace(cue, id=note.id)
    return SceneItem(note.position_ms, note.end_ms, note.text, cue=cue, note=note)


class Timeline:
    """The items of a track in time order, and which of them is under a position.

    An item lasts until its own end, or else until the next item starts (or the track ends).
    When items overlap, the one that started last wins: it is the newer moment.
    """

    def __init__(self, items: list[SceneItem]) -> None:
        self.items = items
        self._starts = [item.start_ms for item in items]
        self._ends: list[int | None] = []
        for i, item in enumerate(items):
            following = next((s for s in self._starts[i + 1 :] if s > item.start_ms), None)
            end = item.end_ms if item.end_ms is not None else following
            self._ends.append(end)

    def current(self, position_ms: int) -> int | None:
        """The row of the item under ``position_ms``, or ``None`` between items."""
        i = bisect.bisect_right(self._starts, position_ms) - 1
        while i >= 0:
            end = self._ends[i]
            if end is None or position_ms < end:
                return i
            # An earlier, longer item may still cover the position.
            i -= 1
            if i >= 0 and self._starts[i] < position_ms - 30 * 60 * 1000:
                break
        return None

    def next_after(self, position_ms: int) -> int | None:
        """The row of the first item starting after ``position_ms``."""
        i = bisect.bisect_right(self._starts, position_ms)
        return i if i < len(self.items) else None


class _AddNote(QUndoCommand):
    def __init__(self, service: SceneService, note: Note) -> None:
        super().__init__(_tr("Add Note"))
        self._service, self.note = service, note
        self._added = False
        self.saved = False

    def redo(self) -> None:
        repo = self._service.repository

        def write() -> None:
            # The first time the note is new; after an undo it comes back under the same id.
            self.note = repo.restore_note(self.note) if self._added else repo.add_note(self.note)

        if self._added:
            failed = self._service._failed_to(_tr("Your note could not be put back."))
        else:
            failed = self._service._note_not_saved(self.note)
        if not attempt(self, write, failed):
            return
        self._added = self.saved = True
        self._service._changed(self.note.track_id)

    def undo(self) -> None:
        def write() -> None:
            self._service.repository.delete_note(self.note.id)

        failed = self._service._failed_to(_tr("The note could not be taken out again."))
        if attempt(self, write, failed):
            self._service._changed(self.note.track_id)


class _DeleteNote(QUndoCommand):
    def __init__(self, service: SceneService, note: Note) -> None:
        super().__init__(_tr("Delete Note"))
        self._service, self.note = service, note

    def redo(self) -> None:
        def write() -> None:
            gone = self._service.repository.delete_note(self.note.id)
            if gone is not None:
                self.note = gone

        if attempt(self, write, self._service._failed_to(_tr("The note was not deleted."))):
            self._service._changed(self.note.track_id)

    def undo(self) -> None:
        def write() -> None:
            self.note = self._service.repository.restore_note(self.note)

        failed = self._service._failed_to(_tr("The deleted note could not be put back."))
        if attempt(self, write, failed):
            self._service._changed(self.note.track_id)


class _EditNote(QUndoCommand):
    def __init__(self, service: SceneService, old: Note, new: Note) -> None:
        super().__init__(_tr("Edit Note"))
        self._service, self._old, self._new = service, old, new

    def redo(self) -> None:
        def write() -> None:
            self._service.repository.update_note(self._new)

        if attempt(self, write, self._service._note_not_saved(self._new)):
            self._service._changed(self._old.track_id, self._new.track_id)

    def undo(self) -> None:
        def write() -> None:
            self._service.repository.update_note(self._old)

        failed = self._service._failed_to(_tr("The note could not be changed back."))
        if attempt(self, write, failed):
            self._service._changed(self._old.track_id, self._new.track_id)


class SceneService(QObject):
    """The playing track's scene items, the listener's notes with undo, and the spoiler guard."""

    #: The items of the current track changed (another track, a note saved, a pack imported).
    items_changed = Signal()
    #: The spoiler guard changed: ``watched_up_to()`` is new.
    watched_changed = Signal()
    #: The demo scene pack is in (or failed): its summary or ``None``.
    demo_imported = Signal(object)
    #: Packs were imported, removed or had an entry linked: the Scene Packs page reloads.
    packs_changed = Signal()
    #: A change could not be saved (a full disk, a read-only data folder): a message for people.
    #: Nothing of it was written, and the items shown are as they were.
    store_failed = Signal(str)

    def __init__(
        self,
        repository: SceneRepository,
        tracks: TrackRepository,
        state: StateRepository,
        tasks: Tasks,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.repository = repository
        self._tracks = tracks
        self._state = state
        self._tasks = tasks
        self._track_id: int | None = None
        self._timeline = Timeline([])
        self.undo_stack = QUndoStack(self)

    # -- the current track -------------------------------------------------------------------
    def set_track(self, track_id: int | None) -> None:
        """Show ``track_id``'s items (``None``: nothing plays)."""
        self._track_id = track_id
        self._reload()

    def track_id(self) -> int | None:
        """The track whose items are shown."""
        return self._track_id

    def items(self) -> list[SceneItem]:
        """The current track's items in track-time order (notes after cues at the same time)."""
        return list(self._timeline.items)

    def timeline(self) -> Timeline:
        """The current track's items with the lookups the panel and the seek bar need."""
        return self._timeline

    def load_items(self, track_id: int) -> list[SceneItem]:
        """A track's pack cues and notes in track-time order."""
        items = [item_of_cue(c) for c in self.repository.cues(track_id)]
        items += [item_of_note(n) for n in self.repository.notes(track_id)]
        items.sort(key=lambda item: (item.start_ms, item.is_note))  # stable: store order kept
        return items

    def where_else(self, track_id: int) -> list[SceneCue]:
        """The track's cues across every episode, in airing order (notes with an episode too)."""
        cues = [item.cue for item in self.load_items(track_id) if item.cue is not None]
        return sorted(
            cues,
            key=lambda c: (episode_order(c.episode), c.episode_start_ms or 0, c.start_ms),
        )

    def _reload(self) -> None:
        items = [] if self._track_id is None else self.load_items(self._track_id)
        self._timeline = Timeline(items)
        self.items_changed.emit()

    def _changed(self, *track_ids: int) -> None:
        if self._track_id is not None and self._track_id in track_ids:
            self._reload()

    def _failed_to(self, what: str) -> Callable[[StoreError], None]:
        """What to do when a write is refused: say ``what`` was not done, and why."""

        def failed(exc: StoreError) -> None:
            log.error("%s %s", what, exc)
            self.store_failed.emit(not_saved(what, exc))

        return failed

    def _note_not_saved(self, note: Note) -> Callable[[StoreError], None]:
        """A note that could not be saved: its text is quoted back, so none of it is lost."""
        what = _tr("Your note at {time} was not saved.").format(time=format_ms(note.position_ms))
        wrote = _tr("You wrote: “{text}”").format(text=quote(note.text))

        def failed(exc: StoreError) -> None:
            log.error("note not saved: %s", exc)
            self.store_failed.emit(f"{not_saved(what, exc)}\n{wrote}")

        return failed

    # -- notes -------------------------------------------------------------------------------
    def add_note(self, note: Note) -> Note | None:
        """Save a new note (committed before ``items_changed``); returns it with its id.

        ``None`` when the database refused it: ``store_failed`` has said why, quoting it.
        """
        command = _AddNote(self, note)
        self.undo_stack.push(command)  # push() runs redo(): the note is saved here
        return command.note if command.saved else None

    def update_note(self, note: Note) -> None:
        """Save an edited note (undoable)."""
        old = self.repository.note(note.id)
        if old is None or old == note:
            return
        self.undo_stack.push(_EditNote(self, old, note))

    def delete_note(self, note_id: int) -> Note | None:
        """Delete a note (undoable); returns it as it was."""
        note = self.repository.note(note_id)
        if note is None:
            return None
        command = _DeleteNote(self, note)
        self.undo_stack.push(command)
        return command.note

    def known_moods(self) -> list[str]:
        """Every mood used by a cue or a note, for completing what the listener types."""
        return self.repository.moods()

    # -- spoiler guard -----------------------------------------------------------------------
    def watched_up_to(self) -> str | None:
        """The last episode the listener has watched, or ``None`` (no guard)."""
        return watched_up_to(self._state)

    def set_watched_up_to(self, episode: str | None) -> None:
        """Hide cues from after ``episode`` (``None``: show everything)."""
        key = normalise_episode_key(episode) if episode else None
        try:
            self._state.set(WATCHED_KEY, key)
        except StoreError as exc:
            self._failed_to(_tr("The episode you have watched up to was not saved."))(exc)
            return
        self.watched_changed.emit()

    # -- the demo ----------------------------------------------------------------------------
    def needs_demo_pack(self) -> bool:
        """True until the demo scene pack has been imported once."""
        return not self._state.get(DEMO_PACK_KEY, False)

    def import_demo_pack(self, on_done: Callable[[], None] | None = None) -> None:
        """Import the demo scene pack on a worker thread, once; then refresh and ``on_done``."""
        database = self._tracks.database_path

        def job() -> object:
            from ostplayer.library.packs import DEMO_PACK, import_pack

            db = Database(database)  # SQLite connections belong to the thread that made them
            try:
                return import_pack(DEMO_PACK, TrackRepository(db), SceneRepository(db))
            finally:
                db.close()

        def done(result: object) -> None:
            try:
                self._state.set(DEMO_PACK_KEY, True)
            except StoreError as exc:  # imported again at the next start: same result
                log.error("could not remember the demo pack's import: %s", exc)
            self._reload()
            self.demo_imported.emit(result)
            if on_done is not None:
                on_done()

        def failed(_exc: Exception) -> None:
            self.demo_imported.emit(None)
            if on_done is not None:
                on_done()

        self._tasks.run(job, done, failed)

    # -- scene packs -------------------------------------------------------------------------
    def import_pack_file(
        self, path: Path, on_done: Callable[[PackImport | PackError], None]
    ) -> None:
        """Import the pack at ``path`` on a worker thread; ``on_done`` gets its summary.

        A malformed or unreadable pack changes nothing, and ``on_done`` gets the ``PackError``
        (its message names the entry and the field) instead.
        """
        database = self._tracks.database_path

        def job() -> PackImport | PackError:
            from ostplayer.formats.pack import PackError
            from ostplayer.library.packs import import_pack

            db = Database(database)  # SQLite connections belong to the thread that made them
            try:
                return import_pack(Path(path), TrackRepository(db), SceneRepository(db))
            except PackError as error:
                return error  # the listener's mistake, not ours: no traceback in the log
            finally:
                db.close()

        def done(result: PackImport | PackError) -> None:
            if not isinstance(result, Exception):
                self._packs_changed()
            on_done(result)

        def failed(exc: Exception) -> None:
            from ostplayer.formats.pack import PackError

            on_done(PackError(_tr("The pack could not be imported: {error}").format(error=exc)))

        self._tasks.run(job, done, failed)

    def packs(self) -> list[PackSummary]:
        """Every imported pack, by name."""
        return self.repository.packs()

    def remove_pack(self, name: str) -> bool:
        """Take a pack and its cues out (the listener's notes stay); True when it was there."""
        try:
            removed = self.repository.remove_pack(name)
        except StoreError as exc:
            self._failed_to(_tr("The scene pack “{name}” was not removed.").format(name=name))(exc)
            return False
        self._packs_changed()
        return removed

    def unlinked_entries(self) -> list[PackEntry]:
        """Pack entries that found no track, waiting to be linked by hand."""
        return self.repository.entries(unlinked_only=True)

    def link_entry(self, entry_id: int, track_id: int | None) -> None:
        """Link a pack entry to a track by hand; its cues then show for that track."""
        try:
            self.repository.link_entry(entry_id, track_id)
        except StoreError as exc:
            self._failed_to(_tr("The link to the track was not saved."))(exc)
            return
        self._packs_changed()

    def export_pack(self, name: str, path: Path) -> None:
        """Write the imported pack ``name`` to ``path``, whole or not at all.

        On the GUI thread: a pack is a few kilobytes, written once the listener chose a file.
        Raises ``LookupError`` or ``OSError``.
        """
        from ostplayer.library.packs import export_pack, write_atomically

        write_atomically(path, export_pack(self.repository, name))

    def export_personal_pack(self, path: Path) -> None:
        """Write the listener's notes that name an episode to ``path`` as a scene pack.

        Raises ``PackError`` or ``OSError``.
        """
        from ostplayer.library.packs import export_personal_pack, write_atomically

        write_atomically(path, export_personal_pack(self.repository, self._tracks))

    def _packs_changed(self) -> None:
        self._reload()  # the playing track may have gained or lost cues
        self.packs_changed.emit()

    # -- orphaned notes ----------------------------------------------------------------------
    def orphaned_notes(self) -> list[Note]:
        """Notes whose track left the collection (its file is gone), waiting to be re-linked."""
        return self.repository.orphaned_notes()

    def old_track(self, track_id: int) -> Track | None:
        """A track by id even when its file is gone: what an orphaned note was on."""
        return self._tracks.get(track_id)

    def relink_note(self, note_id: int, track_id: int) -> None:
        """Hang a note on another track (committed before ``items_changed``).

        Not on the undo stack: re-linking repairs the collection, it is not an edit of the text.
        """
        try:
            self.repository.relink_note(note_id, track_id)
        except StoreError as exc:
            self._failed_to(_tr("The note was not moved to the other track."))(exc)
            return
        # Only the new track can be showing: the old one is not in the collection any more.
        self._changed(track_id)
