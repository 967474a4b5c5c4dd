"""Moods as the window sees them: counts for the sidebar, the listener's edits with undo, and
writing moods back into the files when the listener asks.

The service keeps a :class:`~ostplayer.library.playlists.Mixer` (the mood index, the tracks as
the playlist builder sees them, the moments) made on a worker thread whenever the library, the
packs, the notes or the moods change, so that building a playlist never waits on the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ostplayer.domain.mood import VOCABULARY, MoodCount, mood_key
from ostplayer.services.library import LibraryService
from ostplayer.services.store_errors import attempt, not_saved
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database, StoreError
from ostplayer.store.moods import MoodRepository, MoodState
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.state import StateRepository, watched_up_to

if TYPE_CHECKING:  # the builder's code loads on the first read, after the first paint
    from ostplayer.library.playlists import Mixer

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("MoodService", text)


@dataclass(frozen=True, slots=True)
class WritePlan:
    """What writing moods back would do: ``(path, moods)`` for each file that would change,
    and how many files already hold the right moods or are not in the collection."""

    changes: tuple[tuple[Path, tuple[str, ...]], ...]
    unchanged: int


class _MoodEdit(QUndoCommand):
    def __init__(
        self, service: MoodService, track_ids: Sequence[int], mood: str, adding: bool
    ) -> None:
        text = _tr("Add Mood “{mood}”") if adding else _tr("Remove Mood “{mood}”")
        super().__init__(text.format(mood=mood))
        self._service, self._ids, self._mood, self._adding = service, list(track_ids), mood, adding
        self._before: MoodState | None = None
        self.saved = False

    def redo(self) -> None:
        repo = self._service.repository
        edit = repo.add if self._adding else repo.remove

        def write() -> None:
            self._before = edit(self._ids, self._mood)

        if self._adding:
            what = _tr("The mood “{mood}” was not given to the tracks.")
        else:
            what = _tr("The mood “{mood}” was not taken off the tracks.")
        if attempt(self, write, self._service._failed_to(what.format(mood=self._mood))):
            self.saved = True
            self._service._edited(self._ids)

    def undo(self) -> None:
        def write() -> None:
            if self._before is not None:
                self._service.repository.restore(self._before)

        what = _tr("The moods could not be put back as they were.")
        if attempt(self, write, self._service._failed_to(what)):
            self._service._edited(self._ids)


class MoodService(QObject):
    """Moods of the library: counts, tracks per mood, the listener's edits, and write-back."""

    #: The moods were read again (counts, smart playlists and the builder follow).
    moods_changed = Signal()
    #: Writing moods to files finished: a ``WriteReport``.
    write_finished = Signal(object)
    #: An edit could not be saved (a full disk, a read-only data folder): a message for people.
    #: Nothing of it was written; the moods shown are as they were.
    store_failed = Signal(str)

    #: Changes are gathered this long (ms) before the moods are read again.
    SETTLE_MS = 150
    #: The first read of a big library waits longer: at start-up the table is being filled,
    #: and reading thousands of tracks' moods on another thread holds the GIL while it paints.
    FIRST_READ_MS = 1000
    BIG_LIBRARY = 5000

    def __init__(
        self,
        repository: MoodRepository,
        scenes: SceneRepository,
        library: LibraryService,
        state: StateRepository,
        tasks: Tasks,
        undo_stack: QUndoStack,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.repository = repository
        self._scenes = scenes
        self._library = library
        self._state = state
        self._tasks = tasks
        self._undo = undo_stack
        self._database = library.database_path
        self._mixer: Mixer | None = None
        self._reading = False
        self._read_again = False
        self._writing = False
        self._closed = False
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(self.SETTLE_MS)
        self._settle.timeout.connect(self._read)
        library.tracks_changed.connect(self.refresh)

    # -- reading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the moods and the moments again, soon, on a worker thread."""
        first_of_many = self._mixer is None and len(self._library.tracks()) > self.BIG_LIBRARY
        self._settle.start(self.FIRST_READ_MS if first_of_many else self.SETTLE_MS)

    def shutdown(self) -> None:
        """Read nothing more: the database is about to close (the app is quitting)."""
        self._closed = True
        self._settle.stop()

    def _read(self) -> None:
        if self._closed:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        tracks = self._library.tracks()
        database, watched = self._database, watched_up_to(self._state)

        def read() -> Mixer:
            from ostplayer.library.playlists import Mixer

            db = Database(database)
            try:
                mixer = Mixer.load(db, tracks, watched)
                _ = mixer.candidates  # made here, not on the GUI thread at the first build
                return mixer
            finally:
                db.close()

        self._tasks.run(read, self._loaded, self._failed)

    def _loaded(self, mixer: Mixer) -> None:
        self._reading = False
        if self._closed:  # read before the app quit: the database is gone, nobody listens
            return
        if self._read_again:
            self._read_again = False
            self._read()
            return
        self._mixer = mixer
        self.moods_changed.emit()

    def _failed(self, _exc: Exception) -> None:
        self._reading = False

    def mixer(self) -> Mixer | None:
        """The playlist builder's view of the library, or ``None`` before the first read."""
        return self._mixer

    def counts(self) -> list[MoodCount]:
        """Each mood with its track count and sources, most used first."""
        return self._mixer.index.counts() if self._mixer is not None else []

    def tracks_with(self, mood: str) -> frozenset[int]:
        """The ids of the tracks with ``mood`` (any spelling)."""
        return self._mixer.index.tracks(mood_key(mood)) if self._mixer is not None else frozenset()

    def known_moods(self) -> list[str]:
        """The shipped vocabulary, then every other mood in use: for completion."""
        names = [info.name for info in VOCABULARY]
        keys = {mood_key(name) for name in names}
        extra = [c.name for c in self.counts() if c.key not in keys]
        keys |= {mood_key(e) for e in extra}
        extra += [m for m in self._scenes.moods() if mood_key(m) not in keys]
        return names + sorted(extra, key=str.casefold)

    # -- the listener's edits ----------------------------------------------------------------
    def add(self, track_ids: Sequence[int], mood: str) -> bool:
        """Give tracks a mood (undoable); a mood the listener had taken off comes back.

        True when saved; False when there was nothing to do or the database refused it
        (``store_failed`` says why).
        """
        return self._edit(track_ids, mood, adding=True)

    def remove(self, track_ids: Sequence[int], mood: str) -> bool:
        """Take a mood off tracks (undoable), whichever source gave it; True when saved."""
        return self._edit(track_ids, mood, adding=False)

    def _edit(self, track_ids: Sequence[int], mood: str, *, adding: bool) -> bool:
        if not track_ids or not mood_key(mood):
            return False
        command = _MoodEdit(self, track_ids, " ".join(mood.split()), adding=adding)
        self._undo.push(command)  # push() runs redo(): the edit is saved here
        return command.saved

    def _failed_to(self, what: str) -> Callable[[StoreError], None]:
        def failed(exc: StoreError) -> None:
            log.error("%s %s", what, exc)
            self.store_failed.emit(not_saved(what, exc))

        return failed

    def _edited(self, track_ids: Sequence[int]) -> None:
        combined = self.repository.combined(track_ids)
        self._library.update_moods({t: combined.get(t, ()) for t in track_ids})
        self.refresh()

    # -- writing moods into the files --------------------------------------------------------
    def plan_write(self, track_ids: Sequence[int], on_done: Callable[[WritePlan], None]) -> None:
        """Work out, off the GUI thread, which files writing moods back would change."""
        wanted = self.repository.for_files(track_ids)
        # The demo OST ships with the app: its files are never changed.
        paths = {
            t: track.path
            for t in track_ids
            if (track := self._library.get(t)) is not None
            and track.available
            and not self._library.is_demo_file(track.path)
        }

        def job() -> WritePlan:
            from ostplayer.library.moodwriter import MoodWriteError, needs_write

            changes: list[tuple[Path, tuple[str, ...]]] = []
            unchanged = 0
            for track_id, path in paths.items():
                try:
                    changed = needs_write(path, wanted.get(track_id, ()))
                except MoodWriteError:
                    changed = True  # the write itself will say what is wrong with the file
                if changed:
                    changes.append((path, wanted.get(track_id, ())))
                else:
                    unchanged += 1
            return WritePlan(tuple(changes), unchanged + len(track_ids) - len(paths))

        self._tasks.run(job, on_done)

    def write(self, plan: WritePlan) -> bool:
        """Write the planned moods into the files (off the GUI thread); ``write_finished``
        follows with the report. False when a write is already running."""
        if self._writing:
            return False
        self._writing = True

        def job() -> object:
            from ostplayer.library.moodwriter import write_many

            return write_many(plan.changes)

        def done(report: object) -> None:
            self._writing = False
            self.write_finished.emit(report)
            self._library.scan()  # the files changed: their tag moods are read again

        def failed(exc: Exception) -> None:
            self._writing = False
            log.warning("writing moods failed: %s", exc)

        self._tasks.run(job, done, failed)
        return True
