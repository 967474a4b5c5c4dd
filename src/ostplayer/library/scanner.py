"""Scanning music folders into the library: incremental, and never losing user data.

- A file whose size and mtime are unchanged is not read again.
- A folder that is missing, unreadable or suddenly empty is *unavailable*: nothing of it is
  touched, its tracks stay with everything that hangs on them.
- Only a file positively seen to be gone from a readable folder leaves the collection, and even
  then its row stays (``missing_since``), so notes on it survive and can be re-linked.
- Every file or folder that cannot be read is accounted for, with a reason.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Final

from ostplayer.domain.track import Track, tag_values, track_from_tags
from ostplayer.library.tagreader import (
    AUDIO_EXTENSIONS,
    TEMP_MARKER,
    FilePath,
    P,
    ScannedFile,
    TagReadError,
    read_for_scan,
    read_tags,
)
from ostplayer.store.tracks import Identity, TrackRepository

log = logging.getLogger(__name__)

#: Files saved per transaction: a crash loses at most one batch of index work.
BATCH = 500

Problem = tuple[Path, str, str]  # path, reason, message for people
Outcome = tuple[int, Track | None, tuple[str, str] | None]  # index, track, (reason, message)
_Read = tuple[int, ScannedFile | None, tuple[str, str] | None]  # index, read, (reason, message)


class ReadError(Exception):
    """A reader could not read a file; ``reason`` is one of the problem reasons."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


Reader = Callable[[Path], Track]


@dataclass
class ScanReport:
    """What a scan did, in the counts the command line reports."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    unavailable: list[Path] = field(default_factory=list)
    cancelled: bool = False
    added_ids: list[int] = field(default_factory=list)
    removed_ids: list[int] = field(default_factory=list)
    folders_seen: list[str] = field(default_factory=list)  # every folder walked, to watch

    def merge(self, other: ScanReport) -> None:
        """Add another folder's counts to these."""
        self.added += other.added
        self.updated += other.updated
        self.removed += other.removed
        self.unchanged += other.unchanged
        self.problems += other.problems
        self.unavailable += other.unavailable
        self.cancelled = self.cancelled or other.cancelled
        self.added_ids += other.added_ids
        self.removed_ids += other.removed_ids
        self.folders_seen += other.folders_seen


def default_reader(path: Path) -> Track:
    """Read a file's tags with the library's tag reader."""
    try:
        return read_tags(path).to_track(path)
    except TagReadError as exc:
        raise ReadError(exc.reason, str(exc)) from exc


def audio_files(
    root: Path, problems: list[Problem], folders: list[str] | None = None
) -> Iterator[tuple[Path, os.stat_result]]:
    """Regular audio files below ``root`` with their stat, in a stable order.

    Symlinked folders are followed once; a loop, an unreadable folder, a broken link or a
    FIFO or device with an audio name is added to ``problems`` and passed over.
    """
    for path, entry in _walk(os.fsencode(root), problems, folders):
        try:
            st = entry.stat()
        except OSError as exc:
            problems.append((_path(path), *_file_problem(exc)))
            continue
        yield Path(os.fsdecode(path)), st


_NAME: Final = attrgetter("name")
_AUDIO_SUFFIXES: Final = frozenset(os.fsencode(suffix) for suffix in AUDIO_EXTENSIONS)
_TEMP: Final = os.fsencode(TEMP_MARKER)


def _walk(
    root: bytes, problems: list[Problem], folders: list[str] | None
) -> Iterator[tuple[bytes, os.DirEntry[bytes]]]:
    # Bytes all the way: they are what the database keys on, and a rescan of an unchanged
    # library spends most of its time here (a Path per file tripled it). Regular files come
    # with their directory entry: a caller that needs the file's size asks it (one stat), and
    # a full scan does not (its readers give the size of the file they open).
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)  # noqa: PTH116 - bytes, not Path, on purpose
            # Reverse name order onto a stack: folders come out depth-first, in name order.
            entries = sorted(os.scandir(folder), key=_NAME, reverse=True)
        except OSError as exc:
            problems.append((_path(folder), *_folder_problem(exc)))
            continue
        if (info.st_dev, info.st_ino) in seen:
            problems.append(
                (_path(folder), "symlink-loop", "skipped: this folder was already scanned")
            )
            continue
        seen.add((info.st_dev, info.st_ino))
        if folders is not None:
            folders.append(os.fsdecode(folder))
        for entry in entries:
            try:
                if entry.is_dir():  # follows symlinks; loops are caught by ``seen``
                    stack.append(entry.path)
                    continue
                name = entry.name
                dot = name.rfind(b".")
                # As Path.suffix: ".mp3" alone is a hidden file's name, not a suffix.
                if dot < 1 or name[dot:].lower() not in _AUDIO_SUFFIXES:
                    continue
                if name[:dot].endswith(_TEMP):  # a write-back's copy, not a track
                    continue
                # The entry's type, as the folder listing gave it: no stat for most files.
                regular = entry.is_file() or stat.S_ISREG(entry.stat().st_mode)
            except OSError as exc:  # a broken link, a file gone since the listing
                problems.append((_path(entry.path), *_file_problem(exc)))
                continue
            if not regular:
                problems.append(
                    (_path(entry.path), "unsupported", "not a regular file (never opened)")
                )
                continue
            yield entry.path, entry


def _path(raw: bytes) -> Path:
    return Path(os.fsdecode(raw))


def scan_folder(
    repo: TrackRepository,
    folder: Path,
    *,
    reader: Reader | None = None,
    workers: int = 2,
    progress: Callable[[int, int, Path], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    kind: str = "folder",
    link: bool = True,
    saved: Callable[[list[Track]], None] | None = None,
) -> ScanReport:
    """Bring the library up to date with ``folder`` (added as a ``kind`` source if it is new).

    Tags are read in ``workers`` processes, each file within a time limit (see
    :mod:`~ostplayer.library.workers`); ``reader`` reads in this process instead (tests, and
    the bundled demo). Even one file goes to a worker, so that every file has the time limit.
    ``saved`` gets each batch of tracks, with their ids, once it is in the database.
    """
    report = ScanReport()
    folder = folder.absolute()
    if not folder.is_dir() or not os.access(folder, os.R_OK | os.X_OK):
        report.unavailable.append(folder)
        return report
    source_id = repo.add_source(kind, folder)
    known = repo.known_files(source_id)
    seen: set[bytes] = set()
    # Raw paths, as the walk gives them and the database keys on them: a Path per file, in
    # this process, was a third of its own work in a full scan.
    to_read: list[bytes] = []  # in the order the walk found them

    def files_to_read() -> Iterator[bytes]:
        # The walk, as a generator: the workers read while it goes on.
        for key, entry in _walk(os.fsencode(folder), report.problems, report.folders_seen):
            old = known.get(key)
            if old is not None and not old[3]:
                # A file the library has: with the same size and time it is not read again.
                # A new one is not even looked at here: its reader gives both.
                try:
                    st = entry.stat()
                except OSError as exc:
                    report.problems.append((_path(key), *_file_problem(exc)))
                    continue
                if old[1] == st.st_size and old[2] == st.st_mtime_ns:
                    seen.add(key)
                    report.unchanged += 1
                    continue
            seen.add(key)
            to_read.append(key)
            yield key

    batch: list[tuple[bytes, int, int, tuple[object, ...], tuple[str, ...]]] = []

    def save() -> None:
        ids, created = repo.save_read(batch, source_id)
        # Only rows created now are new: a path the database already had (under another
        # folder, or a removed one) keeps its row, and what hangs on it.
        new = [track_id for track_id in ids if track_id in created]
        report.added += len(new)
        report.updated += len(ids) - len(new)
        report.added_ids += new
        if saved is not None:  # only then are the tracks made at all
            saved(
                [
                    track_from_tags(_path(key), values, moods, track_id)
                    for (key, _size, _mtime, values, moods), track_id in zip(
                        batch, ids, strict=True
                    )
                ]
            )
        batch.clear()

    shown_folder = (b"", folder)  # the folder progress names, made a Path once per folder
    for done, (index, tags, problem) in enumerate(
        _read_all(files_to_read(), to_read, reader, workers, cancelled), start=1
    ):
        key = to_read[index]
        if problem is not None:
            report.problems.append((_path(key), *problem))
        else:
            assert tags is not None
            (values, moods), size, mtime_ns = tags  # as the file was when it was read
            batch.append((key, size, mtime_ns, values, moods))
            if len(batch) >= BATCH:
                save()
        if progress is not None:
            parent = os.path.dirname(key)  # noqa: PTH120 - bytes, no Path per file
            if parent != shown_folder[0]:
                shown_folder = (parent, _path(parent))
            progress(done, len(to_read), shown_folder[1])  # files done / found so far
    report.cancelled = cancelled()
    if batch:
        save()
    if report.cancelled:
        return report
    present = {key: info[0] for key, info in known.items() if not info[3]}
    if present and not seen:
        # A folder that is suddenly empty is far more often an unmounted drive than a
        # listener who deleted every file: keep everything.
        report.unavailable.append(folder)
        return report
    gone = [
        present[key]
        for key in sorted(present.keys() - seen)
        if not os.path.lexists(key)  # not seen, yet there: a folder that failed to list
    ]
    repo.mark_missing(gone)
    report.removed = len(gone)
    report.removed_ids = gone
    repo.set_problems(source_id, report.problems)
    if link:  # scan_folders links once, after every folder, so moves between them are seen
        link_moves(repo, report)
    return report


def scan_folders(repo: TrackRepository, folders: list[Path], **options: object) -> ScanReport:
    """Scan several folders, then match files that moved from one of them to another."""
    report = ScanReport()
    for folder in folders:
        report.merge(scan_folder(repo, folder, link=False, **options))  # type: ignore[arg-type]
    link_moves(repo, report)
    return report


def link_moves(repo: TrackRepository, report: ScanReport) -> None:
    """Give files that moved or were renamed (and maybe retagged) their old identity back.

    A newly added file is the same track as a missing one when both have the same size,
    mtime and duration (a move or rename keeps them), or, failing that, when exactly one
    missing track and exactly one new file share codec and exact duration (moved and
    retagged). Anything ambiguous stays apart: the old track waits, missing, to be re-linked.
    """
    if not report.added_ids:
        return
    missing = repo.identities()
    if not missing:  # the usual first scan: nothing can have moved
        return
    added = repo.identities(report.added_ids)
    # Grouped once, so that matching stays linear in the size of the library.
    by_file: dict[tuple[int, int, int], list[Identity]] = defaultdict(list)
    missing_by_sound: dict[tuple[int, str], list[Identity]] = defaultdict(list)
    for m in missing:
        by_file[(m[1], m[2], m[3])].append(m)
        missing_by_sound[(m[3], m[4])].append(m)

    def merge(old: Identity, new: Identity) -> None:
        repo.merge_moved(old[0], new[0])
        by_file[(old[1], old[2], old[3])].remove(old)
        missing_by_sound[(old[3], old[4])].remove(old)
        report.added_ids.remove(new[0])
        report.added -= 1
        report.updated += 1
        if old[0] in report.removed_ids:  # gone in this scan, not an earlier one
            report.removed_ids.remove(old[0])
            report.removed -= 1

    unmatched: list[Identity] = []
    for new in added:
        same_file = by_file.get((new[1], new[2], new[3]), [])
        if len(same_file) == 1:
            merge(same_file[0], new)
        else:
            unmatched.append(new)
    added_by_sound: dict[tuple[int, str], list[Identity]] = defaultdict(list)
    for new in unmatched:
        if new[4] and new[3] > 0:
            added_by_sound[(new[3], new[4])].append(new)
    for sound, news in added_by_sound.items():
        olds = missing_by_sound.get(sound, [])
        if len(olds) == 1 and len(news) == 1:
            merge(olds[0], news[0])


def read_files(
    paths: Sequence[Path], workers: int = 1, cancelled: Callable[[], bool] = lambda: False
) -> Iterator[Outcome]:
    """Read ``paths`` as a scan does, in worker processes with a time limit on each file.

    Yields ``(index into paths, track, problem)`` in the order they finish. For files opened
    from outside the library (the command line, a drop), which no one has vetted either.
    """
    drawn: list[Path] = []

    def draw() -> Iterator[Path]:
        for path in paths:
            drawn.append(path)  # as a walk does: a file is in ``drawn`` once it is handed out
            yield path

    for index, tags, problem in _read_all(draw(), drawn, None, workers, cancelled):
        yield index, None if tags is None else track_from_tags(paths[index], *tags[0]), problem


def _read_all(
    files: Iterator[P],
    drawn: Sequence[P],
    reader: Reader | None,
    workers: int,
    cancelled: Callable[[], bool],
) -> Iterator[_Read]:
    """Read ``files``; yield ``(index, tags, problem)`` in the order they finish.

    ``drawn`` is every file ``files`` has given so far (``index`` points into it). Even one
    file goes to a worker: a file that loops forever must stop at the time limit, and a worker
    starts in ~15 ms once the fork server runs. ``reader`` reads in this process instead.
    """
    if reader is not None or workers < 1:
        for index, path in enumerate(files):
            if cancelled():
                return
            yield _read_one(index, path, reader)
        return
    from ostplayer.library.workers import WorkerPool, WorkerStartError  # only when needed

    done: set[int] = set()
    try:
        for outcome in WorkerPool(workers).read_indexed(files, cancelled):
            done.add(outcome[0])
            yield outcome
    except WorkerStartError:
        # No worker processes here (a locked-down system): read the rest in this process,
        # without the time limit, rather than not at all.
        log.warning("tag reader processes could not start; reading in the app's process")
        for index in [i for i in range(len(drawn)) if i not in done]:
            if cancelled():
                return
            yield _read_one(index, drawn[index], None)
        for path in files:  # what the walk has not given yet
            if cancelled():
                return
            yield _read_one(len(drawn) - 1, path, None)


def _read_one(index: int, path: FilePath, reader: Reader | None) -> _Read:
    try:
        if reader is None:
            return index, read_for_scan(path), None
        track = reader(path if isinstance(path, Path) else _path(os.fsencode(path)))
    except TagReadError as exc:
        return index, None, (exc.reason, str(exc))
    except ReadError as exc:
        return index, None, (exc.reason, str(exc))
    try:
        st = os.stat(path)  # noqa: PTH116 - str or bytes
    except OSError as exc:  # gone since the reader read it
        return index, None, _file_problem(exc)
    return index, ((tag_values(track), track.moods), st.st_size, st.st_mtime_ns), None


def _folder_problem(exc: OSError) -> tuple[str, str]:
    if exc.errno == errno.ELOOP:
        return "symlink-loop", "skipped: a symbolic link points back into itself"
    if isinstance(exc, PermissionError):
        return "permission", "cannot open this folder: permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished", "the folder disappeared during the scan"
    return "io-error", f"cannot read this folder: {exc.strerror or exc}"


def _file_problem(exc: OSError) -> tuple[str, str]:
    if exc.errno == errno.ELOOP:
        return "symlink-loop", "a symbolic link points back into itself"
    if isinstance(exc, FileNotFoundError):
        return "vanished", "the file disappeared during the scan (or is a broken link)"
    if isinstance(exc, PermissionError):
        return "permission", "permission denied"
    return "io-error", f"input/output error: {exc.strerror or exc}"
