"""The library as the window and the player see it: the tracks, its sources, the demo OST."""

from __future__ import annotations

import gc
import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QObject, QTimer, Signal

from ostplayer.domain.text import search_text
from ostplayer.domain.track import Track
from ostplayer.files import folder_available
from ostplayer.services.store_errors import not_saved
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database, StoreError
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository

if TYPE_CHECKING:  # imported by the jobs: the first paint does not need the scanner
    from ostplayer.library.scanner import ScanReport

log = logging.getLogger(__name__)

#: State key: the listener removed the demo OST, so a library without sources stays empty.
DEMO_REMOVED_KEY = "library.demo_removed"


@dataclass(frozen=True, slots=True)
class Source:
    """A place the library reads tracks from, as the Settings page shows it."""

    id: int
    kind: str  # "demo" (the bundled demo OST) or "folder" (a music folder the listener chose)
    path: Path
    track_count: int  # tracks in the collection (missing ones left out)
    available: bool  # False while the folder is unmounted, moved or unreadable


@dataclass(frozen=True, slots=True)
class OpenedPaths:
    """What :meth:`LibraryService.open_paths` made of the paths it was given."""

    #: The audio files, as library tracks, in the order they were given.
    track_ids: list[int]
    #: Folders added to the music folders; their scan runs on in the background.
    folders: list[Path]
    #: What could not be opened: ``(path, message for people)``.
    problems: list[tuple[Path, str]]

    def problem_text(self) -> str:
        """One line per problem, for people; empty when there is none."""
        return "\n".join(f"{path}: {message}" for path, message in self.problems)


def _tr(text: str) -> str:
    return QCoreApplication.translate("LibraryService", text)


class LibraryService(QObject):
    """Tracks in the library, loaded once and refreshed when the library changes.

    Scans run on a worker thread with their own database connection; progress arrives as
    signals on the GUI thread, and the track list refreshes as the scan goes.
    """

    tracks_changed = Signal()
    #: The first tracks in album order, and their search text, read at once by a load asked
    #: for with ``first``: ``(tracks, search)``, to show while the whole library loads.
    first_tracks_read = Signal(object, object)
    #: Tracks a running scan has saved, and their search text: ``(tracks, search)``.
    tracks_added = Signal(object, object)
    #: Known tracks changed in place (their moods): ``(tracks, search)``.
    tracks_updated = Signal(object, object)
    _saved = Signal(object, object)  # the same, from the scan's thread
    scan_started = Signal()
    scan_progress = Signal(int, int, str)  # files read, files to read, current folder
    scan_finished = Signal(object)  # ScanReport
    scan_failed = Signal(str)  # a message for people
    remove_failed = Signal(str)  # a message for people
    #: A choice could not be saved (a full disk, a read-only data folder): a message for people.
    store_failed = Signal(str)

    #: Seconds between two batches of new tracks, and between two progress reports, that a
    #: scan sends the GUI thread (one signal per file kept it busy for most of a big scan).
    SEND_EVERY_S = 0.5
    PROGRESS_EVERY_S = 0.1
    #: A change in a music folder is scanned once things have been quiet this long (ms).
    SETTLE_MS = 2000
    #: Folders watched at most (inotify watches are a limited resource); beyond, poll.
    MAX_WATCHED = 4000
    #: How often to rescan when the folders cannot all be watched (ms).
    POLL_MS = 10 * 60 * 1000

    def __init__(
        self,
        repo: TrackRepository,
        demo_dir: Path,
        tasks: Tasks,
        state: StateRepository,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._repo = repo
        self._tasks = tasks
        self._state = state
        self._demo_dir = demo_dir
        self._cancel: threading.Event | None = None
        self._removing = False
        self._adding_demo = False
        self._closed = False
        # Folders the last scan found missing, suddenly empty or unlistable: their tracks show
        # unavailable even when the folder itself can be opened (an empty mount point).
        self._unreachable: set[Path] = set()
        #: The sources the last load found unavailable (looked at on its worker thread).
        self._unavailable_sources: frozenset[int] = frozenset()
        self._rescan_pending = False
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._folder_changed)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(self.SETTLE_MS)
        self._settle.timeout.connect(self._rescan_changed)
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._rescan_changed)
        # Empty until load(): reading a big library costs more than the first paint may.
        self._tracks: list[Track] = []
        self._search: list[str] = []  # each track's folded text, for the filter
        self._by_id: dict[int, Track] = {}
        self._saved.connect(self._add_saved)
        self._loading = False
        self._load_again = False
        self._pending_done: list[Callable[[], None]] = []
        self._queued_folders: list[Path] = []  # opened while a scan or a removal ran

    def tracks(self) -> list[Track]:
        """Every track, in album order."""
        return list(self._tracks)

    def search_texts(self) -> list[str]:
        """Each track's folded search text, in the order of :meth:`tracks`."""
        return list(self._search)

    def get(self, track_id: int) -> Track | None:
        """A track by id, or ``None`` when it is not in the library."""
        return self._by_id.get(track_id)

    @property
    def database_path(self) -> Path:
        """The database file, for a worker thread that opens its own connection."""
        return self._repo.database_path

    def is_demo_file(self, path: Path) -> bool:
        """True for a file of the bundled demo OST (which the app never changes)."""
        return path.is_relative_to(self._demo_dir)

    def update_moods(self, moods: Mapping[int, tuple[str, ...]]) -> None:
        """Give known tracks new moods (the listener edited them); ``tracks_updated`` follows."""
        index = {t.id: i for i, t in enumerate(self._tracks)}
        changed: list[Track] = []
        texts: list[str] = []
        for track_id, values in moods.items():
            i = index.get(track_id)
            if i is None or self._tracks[i].moods == values:
                continue
            track = replace(self._tracks[i], moods=values)
            self._tracks[i] = self._by_id[track_id] = track
            self._search[i] = search_text(track)
            changed.append(track)
            texts.append(self._search[i])
        if changed:
            self.tracks_updated.emit(changed, texts)

    def needs_demo(self) -> bool:
        """True on first run: no music folder and no demo yet, and the demo was never removed."""
        return not self._repo.sources() and not self._state.get(DEMO_REMOVED_KEY, False)

    def add_demo(self, on_done: Callable[[ScanReport], None] | None = None) -> None:
        """Add the bundled demo OST as the library's first source, reading it on a worker.

        The library loads again (on a worker thread) once it is in; then ``on_done`` runs.
        """
        database, demo_dir = self._repo.database_path, self._demo_dir

        def read() -> ScanReport:
            from ostplayer.library.scanner import scan_folder

            db = Database(database)  # SQLite connections belong to the thread that made them
            try:
                return scan_folder(TrackRepository(db), demo_dir, kind="demo")
            finally:
                db.close()

        def done(result: ScanReport) -> None:
            self._adding_demo = False
            self.load(None if on_done is None else lambda: on_done(result))

        def failed(_exc: Exception) -> None:
            self._adding_demo = False
            self.load()  # whatever was read before the failure is in

        self._adding_demo = True
        self._tasks.run(read, done, failed)

    def folders(self) -> list[Path]:
        """The music folders the listener added."""
        return [path for _id, kind, path in self._repo.sources() if kind == "folder"]

    def problems(self) -> list[tuple[Path, str, str]]:
        """Every file the last scans could not read: ``(path, reason, message)``."""
        return self._repo.problems()

    def is_scanning(self) -> bool:
        """Whether a scan is running (until its result is in the track list)."""
        return self._cancel is not None

    def is_busy(self) -> bool:
        """Whether the sources are changing: a scan, a removal or the demo's import runs."""
        return self._cancel is not None or self._removing or self._adding_demo

    def scan(self, folders: list[Path] | None = None) -> bool:
        """Add ``folders`` (default: rescan every music folder) on a worker thread.

        This is how music folders are added. Returns False when a scan or a removal is
        already running.
        """
        if self._cancel is not None or self._removing:
            return False
        targets = [p.absolute() for p in folders] if folders is not None else self.folders()
        cancel = self._cancel = threading.Event()
        database = self._repo.database_path
        progress, send = _Throttle(self.PROGRESS_EVERY_S), _Throttle(self.SEND_EVERY_S)
        pending: list[Track] = []

        def report_progress(done: int, total: int, folder: Path) -> None:
            if done == total or progress.due():
                self.scan_progress.emit(done, total, str(folder))

        def saved(tracks: list[Track]) -> None:
            pending.extend(tracks)
            if send.due():
                self._send_saved(pending)

        def job() -> ScanReport:
            from ostplayer.library.scanner import scan_folders

            db = Database(database)  # SQLite connections belong to the thread that made them
            try:
                report = scan_folders(
                    TrackRepository(db),
                    targets,
                    progress=report_progress,
                    cancelled=cancel.is_set,
                    saved=saved,
                )
            finally:
                db.close()
            self._send_saved(pending)
            return report

        self.scan_started.emit()
        scanned = set(targets)
        self._tasks.run(job, lambda report: self._scan_done(report, scanned), self._scan_error)
        return True

    def cancel_scan(self) -> None:
        """Stop the running scan; what it has read so far stays."""
        if self._cancel is not None:
            self._cancel.set()

    def _send_saved(self, pending: list[Track]) -> None:
        # On the scan's thread: the folding is done here, not on the GUI thread.
        if pending:
            tracks = list(pending)
            pending.clear()
            self._saved.emit(tracks, [search_text(t) for t in tracks])

    def _add_saved(self, tracks: list[Track], search: list[str]) -> None:
        """A running scan saved these: the table fills in as it goes."""
        if self._cancel is None:
            return  # the scan is over and its full result is already shown
        index = {t.id: i for i, t in enumerate(self._tracks)} if tracks else {}
        for track, text in zip(tracks, search, strict=True):
            i = index.get(track.id)
            if i is None:
                index[track.id] = len(self._tracks)
                self._tracks.append(track)
                self._search.append(text)
            else:
                self._tracks[i], self._search[i] = track, text
            self._by_id[track.id] = track
        self.tracks_added.emit(tracks, search)

    def load(self, on_done: Callable[[], None] | None = None) -> None:
        """Read the tracks on a worker thread, then show them (``tracks_changed``).

        Reading 20,000 tracks takes about 0.4 s; the GUI thread never waits for it. A load
        asked for while one runs is done once more after it.
        """
        if self._loading:
            self._load_again = True
            if on_done is not None:
                self._pending_done.append(on_done)
            return
        self._loading = True
        if on_done is not None:
            self._pending_done.append(on_done)
        database, unreachable = self._repo.database_path, frozenset(self._unreachable)

        def read() -> tuple[list[Track], list[str], frozenset[int]]:
            db = Database(database)
            try:
                repo = TrackRepository(db)
                # The music folders are looked at here too: a network mount that hangs on
                # stat() must not hold the window.
                unavailable = _unavailable(repo, unreachable)
                tracks = repo.all(unavailable)
            finally:
                db.close()
            return tracks, [search_text(t) for t in tracks], unavailable

        self._tasks.run(read, self._loaded, self._load_failed)

    def read_first(self, count: int) -> None:
        """Read the first ``count`` tracks in album order now, and give them by
        ``first_tracks_read``: a few screens take ~4 ms, so a start shows them in its first
        paint, while :meth:`load` reads the whole library after it.
        """
        # No folder is looked at before the first paint (a hung network mount would keep the
        # window from showing): the load that follows greys out an unavailable folder's tracks.
        page = self._repo.all(limit=count)
        self.first_tracks_read.emit(page, [search_text(t) for t in page])

    def _loaded(self, result: tuple[list[Track], list[str], frozenset[int]]) -> None:
        self._loading = False
        if self._load_again:
            self._load_again = False
            self.load()  # the callbacks wait for the newer read
            return
        tracks, search, self._unavailable_sources = result
        self._show(tracks, search)
        # The library's objects live as long as the app: keep the garbage collector's full
        # passes (30-80 ms with 20,000 tracks, holding the GIL) from walking them again.
        gc.freeze()
        callbacks, self._pending_done = self._pending_done, []
        for callback in callbacks:
            callback()

    def _load_failed(self, _exc: Exception) -> None:
        self._loading = False
        callbacks, self._pending_done = self._pending_done, []
        for callback in callbacks:
            callback()

    def _scan_error(self, exc: Exception) -> None:
        self._cancel = None
        self.load()  # what was saved before the failure is in the library
        self.scan_failed.emit(
            QCoreApplication.translate("LibraryService", "The scan stopped: {error}").format(
                error=exc
            )
        )
        self._scan_queued()

    def _scan_done(self, report: ScanReport, scanned: set[Path]) -> None:
        if not report.cancelled:
            self._unreachable -= scanned
        self._unreachable |= {Path(p) for p in report.unavailable}
        # Finished means the list shows the result: tell the views once it is loaded. The
        # scan counts as running until then, so that no removal slips in before the watch.
        self.load(lambda: self._after_scan(report))

    def _after_scan(self, report: ScanReport) -> None:
        self._cancel = None
        self._watch(report.folders_seen)
        self.scan_finished.emit(report)
        self._scan_queued()
        if self._rescan_pending:
            self._rescan_pending = False
            self._settle.start()

    # -- files and folders opened from outside ------------------------------------------------
    def open_paths(
        self, paths: Iterable[Path], on_done: Callable[[OpenedPaths], None] | None = None
    ) -> None:
        """Take files and folders opened from outside: the command line, a file manager, a drop.

        On a worker thread, each path is looked at once. A folder becomes a music folder and
        is scanned (as :meth:`scan` does; after the running scan, if one runs). An audio file
        the library already holds is used as it is. Any other audio file is read with the
        scanner's tag reader and saved as a track: of the music folder it lies in, if any,
        else of no folder (it stays in the library, keeps its notes, and joins a folder added
        later). A path that is missing or not audio is reported, and the others go on.

        ``on_done`` runs on the GUI thread once every track is in :meth:`get`; to play them:
        ``player.play_tracks(result.track_ids)``.
        """
        # Absolute here, where the caller's working dir is this process's; no disk access.
        targets = [Path(os.path.normpath(Path(p).absolute())) for p in paths]
        known = list(self._tracks)  # a snapshot: the list changes on this thread only
        database = self._repo.database_path

        def job() -> tuple[list[int], list[Path], list[tuple[Path, str]], bool]:
            from ostplayer.library.scanner import read_files

            by_path = {track.path: track.id for track in known}
            found: list[int | Path] = []  # an id, or a file to read
            folders: list[Path] = []
            problems: list[tuple[Path, str]] = []
            sizes: dict[Path, tuple[int, int]] = {}
            for path in targets:
                try:
                    st = path.stat()
                except FileNotFoundError:
                    problems.append((path, _tr("there is no such file or folder")))
                    continue
                except OSError as exc:
                    problems.append((path, exc.strerror or str(exc)))
                    continue
                if stat.S_ISDIR(st.st_mode):
                    folders.append(path)
                elif path in by_path:
                    found.append(by_path[path])
                else:
                    found.append(path)
                    sizes[path] = (st.st_size, st.st_mtime_ns)
            # Read as a scan reads: in a worker process, each file within the time limit, so
            # that a file that makes the tag reader loop cannot hold this thread forever.
            to_read = [item for item in found if isinstance(item, Path)]
            read: dict[Path, Track] = {}
            for index, track, problem in read_files(to_read):
                if track is not None:
                    read[to_read[index]] = track
                elif problem is not None:
                    problems.append((to_read[index], problem[1]))
            found = [item for item in found if not isinstance(item, Path) or item in read]
            new = [read[item] for item in found if isinstance(item, Path)]
            if not new:
                return [item for item in found if isinstance(item, int)], folders, problems, False
            db = Database(database)  # SQLite connections belong to the thread that made them
            try:
                ids = _save_opened(TrackRepository(db), new, sizes)
            finally:
                db.close()
            saved = iter(ids)
            return (
                [item if isinstance(item, int) else next(saved) for item in found],
                folders,
                problems,
                True,
            )

        def done(result: tuple[list[int], list[Path], list[tuple[Path, str]], bool]) -> None:
            if self._closed:
                return
            track_ids, folders, problems, saved = result
            if folders:
                self._queued_folders += folders
                self._scan_queued()
            opened = OpenedPaths(track_ids, folders, problems)
            finish = (lambda: on_done(opened)) if on_done is not None else (lambda: None)
            if saved:
                self.load(finish)  # the new tracks must be in get() before anyone plays them
            else:
                finish()

        def failed(exc: Exception) -> None:
            if self._closed or on_done is None:
                return
            message = _tr("could not be opened: {error}").format(error=exc)
            on_done(OpenedPaths([], [], [(path, message) for path in targets]))

        self._tasks.run(job, done, failed)

    def _scan_queued(self) -> None:
        """Scan the folders opened while the sources were changing, once they no longer are."""
        if self._queued_folders and not self._closed and self.scan(self._queued_folders):
            self._queued_folders = []

    # -- keeping up with changes while the app runs -----------------------------------------
    def _watch(self, folders: Iterable[str | Path]) -> None:
        watched = set(self._watcher.directories())
        new = [str(f) for f in folders if str(f) not in watched]
        room = self.MAX_WATCHED - len(watched)
        if new[:room]:
            self._watcher.addPaths(new[:room])
        if len(new) > room:  # too many folders to watch: look again now and then
            self._poll.start()

    def _folder_changed(self, _path: str) -> None:
        self._settle.start()  # restarts: a copy of an album is one rescan, not one per file

    def _rescan_changed(self) -> None:
        if self._closed:
            return
        if self.is_scanning() or self._removing:
            self._rescan_pending = True
        elif self.folders():
            self.scan()

    def shutdown(self) -> None:
        """Stop watching the folders, before the database closes (the app is quitting)."""
        self._closed = True
        self._settle.stop()
        self._poll.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())

    def _show(self, tracks: list[Track], search: list[str]) -> None:
        self._tracks = tracks
        self._search = search
        self._by_id = {t.id: t for t in tracks}
        self.tracks_changed.emit()

    # -- the sources, as the Settings page manages them ---------------------------------------
    def sources(self) -> list[Source]:
        """Every source (the demo OST, music folders) with its track count and availability.

        Availability is as the last load found it (every scan and folder change loads again):
        no folder is looked at here, on the GUI thread, where a hung mount would freeze it.
        """
        counts = self._repo.source_counts()
        unavailable = self._unavailable_sources
        return [
            Source(source_id, kind, path, counts.get(source_id, 0), source_id not in unavailable)
            for source_id, kind, path in self._repo.sources()
        ]

    def has_demo(self) -> bool:
        """Whether the demo OST is one of the sources."""
        return any(kind == "demo" for _id, kind, _path in self._repo.sources())

    def remove_source(self, source_id: int, on_done: Callable[[], None] | None = None) -> bool:
        """Take a source out of the library on a worker thread.

        Its tracks leave the collection but nothing is deleted: notes, moods and playlist
        entries stay, and come back if the folder is added again. The folder is no longer
        watched; the track list reloads (``tracks_changed``), then ``on_done`` runs. A removed
        demo OST stays removed on the next start. Returns False, doing nothing, while the
        sources are changing (:meth:`is_busy`) or when there is no such source.
        """
        found = [(kind, path) for i, kind, path in self._repo.sources() if i == source_id]
        if self.is_busy() or not found:
            return False
        ((kind, path),) = found
        self._removing = True
        self._unwatch(path)
        database = self._repo.database_path

        def job() -> int:
            db = Database(database)  # SQLite connections belong to the thread that made them
            try:
                return TrackRepository(db).remove_source(source_id)
            finally:
                db.close()

        def done(_taken: int) -> None:
            if kind == "demo":  # the next start must not bring it back
                self._remember_demo_removed(True)
            self._removal_ended()
            self.load(on_done)

        def failed(exc: Exception) -> None:
            self._removal_ended()
            self._watch_again(path)
            self.remove_failed.emit(
                QCoreApplication.translate(
                    "LibraryService", "The folder could not be removed: {error}"
                ).format(error=exc)
            )

        self._tasks.run(job, done, failed)
        return True

    def restore_demo(self, on_done: Callable[[ScanReport], None] | None = None) -> bool:
        """Bring the bundled demo OST back as a source, after the listener removed it.

        Returns False, doing nothing, when it is there already or the sources are changing.
        """
        if self.is_busy() or self.has_demo():
            return False
        self._remember_demo_removed(False)
        self.add_demo(on_done)
        return True

    def _remember_demo_removed(self, removed: bool) -> None:
        try:
            self._state.set(DEMO_REMOVED_KEY, removed)
        except StoreError as exc:
            what = (
                _tr("That the demo OST was removed was not saved: it may come back next time.")
                if removed
                else _tr("That the demo OST is back was not saved.")
            )
            log.error("%s %s", what, exc)
            self.store_failed.emit(not_saved(what, exc))

    def _removal_ended(self) -> None:
        self._removing = False
        self._scan_queued()
        if self._rescan_pending:  # a folder changed meanwhile
            self._rescan_pending = False
            self._settle.start()

    def _unwatch(self, folder: Path) -> None:
        # Folders below another source (nested music folders) stay watched for that one.
        others = [path for _id, _kind, path in self._repo.sources() if path != folder]
        gone = [
            watched
            for watched in self._watcher.directories()
            if Path(watched).is_relative_to(folder)
            and not any(Path(watched).is_relative_to(other) for other in others)
        ]
        if gone:
            self._watcher.removePaths(gone)

    def _watch_again(self, folder: Path) -> None:
        if folder_available(folder):
            self._watch([folder])  # its subfolders come back with the next scan


def _save_opened(
    repo: TrackRepository, tracks: list[Track], sizes: dict[Path, tuple[int, int]]
) -> list[int]:
    """Save tracks read from opened files, each with the source it lies in; ids in order.

    In the deepest source that holds it, a file is what a scan of that folder would have
    found (the scan then sees it unchanged); outside every source it has none.
    """
    sources = repo.sources()
    by_source: dict[int | None, list[int]] = {}
    for index, track in enumerate(tracks):
        holders = [
            (len(path.parts), i) for i, _kind, path in sources if track.path.is_relative_to(path)
        ]
        by_source.setdefault(max(holders)[1] if holders else None, []).append(index)
    ids = [0] * len(tracks)
    for source_id, indexes in by_source.items():
        rows = [(tracks[i], *sizes[tracks[i].path]) for i in indexes]
        for i, track_id in zip(indexes, repo.save_many(rows, source_id), strict=True):
            ids[i] = track_id
    return ids


class _Throttle:
    """``due()`` is true at most once per ``seconds`` (the first time at once)."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._last = -seconds

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < self._seconds:
            return False
        self._last = now
        return True


def _unavailable(repo: TrackRepository, unreachable: frozenset[Path]) -> frozenset[int]:
    """The sources whose folder cannot be read now, or that a scan found unreachable.

    One stat per music folder: an unmounted drive or a moved folder shows at once.
    """
    return frozenset(
        source_id
        for source_id, _kind, path in repo.sources()
        if not folder_available(path) or path in unreachable
    )
