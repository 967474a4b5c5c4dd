"""Rotating backups of the library database, restoring one, and recovering from a damaged file.

Backups are made with SQLite's online backup API (``sqlite3.Connection.backup``), so that they
are consistent even while the app writes. Each is written under a temporary name, checked with
``PRAGMA integrity_check``, switched to a single self-contained file (no WAL), fsynced and then
renamed: a backup is never half a file. They live in the data folder's ``backups/``, named
``library-YYYYMMDD-HHMMSS[-reason].sqlite3`` (local time), and are kept by reason:

============== ============================================ ====
reason         when                                         kept
============== ============================================ ====
(daily)        at start, at most one a day                  7
pre-migration  before a new version changes the schema      3
pre-restore    the library as it was, before a restore      3
manual         ``ostplayer backup``                         10
============== ============================================ ====

A damaged database is never deleted nor overwritten: it is moved aside as
``library.sqlite3.corrupt-<timestamp>`` (with its ``-wal`` and ``-shm``), and the newest backup
that passes ``integrity_check`` takes its place.

Plain Python and SQLite, no Qt: the command line uses it too. Messages are for people.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ostplayer.files import fsync_folder, write_atomically
from ostplayer.store.database import (
    CorruptDatabaseError,
    Database,
    StoreError,
    check_header,
    reason_of,
)
from ostplayer.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)

#: A restore chosen in the app, done at the next start (with the database closed).
PENDING_RESTORE = "restore-pending.json"
#: Tables every OST Player library has had since its first schema.
_OUR_TABLES = frozenset({"source", "track", "track_mood", "state"})
#: Temporary files older than this (seconds) were left by a process that died: removed.
_STALE_TEMP_S = 24 * 3600
_NAME = re.compile(
    r"^library-(?P<date>\d{8})-(?P<time>\d{6})"
    r"(?:-(?P<reason>manual|pre-restore|pre-migration-v(?P<version>\d+)))?"
    r"(?:-(?P<n>\d+))?\.sqlite3$"
)


class Reason(enum.Enum):
    """Why a backup was made; it decides how many of its kind are kept."""

    DAILY = "daily"
    MIGRATION = "pre-migration"
    RESTORE = "pre-restore"
    MANUAL = "manual"


#: How many backups of each reason are kept (the newest ones).
KEEP: dict[Reason, int] = {
    Reason.DAILY: 7,
    Reason.MIGRATION: 3,
    Reason.RESTORE: 3,
    Reason.MANUAL: 10,
}


class BackupError(StoreError):
    """A backup or a restore could not be made; nothing was changed. The message is for people.

    ``reason`` is :class:`~ostplayer.store.database.StoreError`'s: ``"corrupt"`` when the file
    itself is damaged or not a library, ``"full"`` for a full disk, and so on.
    """


@dataclass(frozen=True, slots=True)
class Backup:
    """One backup file."""

    path: Path
    #: When it was taken, local time (from its name).
    taken_at: datetime
    reason: Reason
    #: Its size in bytes.
    size: int
    #: For a pre-migration backup: the schema version it holds.
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Recovery:
    """What happened to a damaged database at start."""

    #: What was wrong with it (SQLite's words).
    problem: str
    #: Where the damaged file now is (``library.sqlite3.corrupt-<timestamp>``).
    damaged: Path
    #: The backup put in its place, or ``None``: there was none, the library starts empty.
    backup: Backup | None


@dataclass(frozen=True, slots=True)
class Restored:
    """A restore that was done."""

    #: The file restored.
    source: Path
    #: Its schema version (an older one is migrated when the library opens).
    version: int
    #: The library as it was before, or ``None`` when there was none.
    previous: Backup | None
    #: When the library before was damaged: where it was moved instead of backed up.
    damaged: Path | None = None


@dataclass(frozen=True, slots=True)
class OpenedLibrary:
    """The open database, and what had to be done to open it."""

    db: Database
    recovery: Recovery | None = None
    restored: Restored | None = None
    #: A restore chosen in the app that could not be done (the library is as it was).
    restore_problem: str | None = None


# -- making and listing backups ------------------------------------------------------------------
def list_backups(backups_dir: Path) -> list[Backup]:
    """The backups in ``backups_dir``, newest first; other files there are ignored."""
    found: list[tuple[datetime, int, int, Backup]] = []
    try:
        entries = list(os.scandir(backups_dir))
    except OSError:
        return []
    for entry in entries:
        match = _NAME.match(entry.name)
        if match is None or not entry.is_file():
            continue
        try:
            taken = datetime.strptime(match["date"] + match["time"], "%Y%m%d%H%M%S")
            info = entry.stat()
        except (ValueError, OSError):
            continue
        word = match["reason"] or "daily"
        reason = Reason.MIGRATION if word.startswith("pre-migration") else Reason(word)
        version = int(match["version"]) if match["version"] else None
        backup = Backup(Path(entry.path), taken, reason, info.st_size, version)
        # Two in the same second: the later file is the newer one.
        found.append((taken, int(match["n"] or 1), info.st_mtime_ns, backup))
    found.sort(key=lambda item: item[:3], reverse=True)
    return [item[3] for item in found]


def make_backup(
    database: Path,
    backups_dir: Path,
    reason: Reason,
    *,
    version: int | None = None,
    now: datetime | None = None,
) -> Backup:
    """Copy ``database`` into ``backups_dir`` now; raises :class:`BackupError`.

    The copy is checked before it gets its name, so a backup that exists is whole and sound.
    ``version`` names the schema in a pre-migration backup. Rotation is :func:`rotate`'s job.
    """
    if not database.is_file():
        raise BackupError(f"There is no library database to back up at {database}.")
    taken = (now or datetime.now()).replace(microsecond=0)
    try:
        backups_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(backups_dir)
    except OSError as exc:
        raise BackupError(f"Cannot write backups in {backups_dir}: {exc}", _os_reason(exc)) from exc
    final = _free_name(backups_dir, taken, reason, version)
    temporary = _temporary(final)
    try:
        _copy_checked(database, temporary, read_only=False)
        temporary.replace(final)
        fsync_folder(backups_dir)
    except BackupError:
        _unlink_quietly(temporary)
        raise
    except OSError as exc:
        _unlink_quietly(temporary)
        raise BackupError(f"Cannot write the backup {final}: {exc}", _os_reason(exc)) from exc
    log.info("backed up %s to %s", database, final)
    kept_version = version if reason is Reason.MIGRATION else None
    return Backup(final, taken, reason, final.stat().st_size, kept_version)


def rotate(backups_dir: Path, reason: Reason, *, spare: Path | None = None) -> list[Path]:
    """Delete the backups of ``reason`` beyond the newest :data:`KEEP`; returns what went.

    ``spare`` is never deleted (the file being restored from). A file that cannot be deleted is
    logged and left.
    """
    same = [b for b in list_backups(backups_dir) if b.reason is reason]
    removed: list[Path] = []
    for backup in same[KEEP[reason] :]:
        if spare is not None and backup.path == spare:
            continue
        try:
            backup.path.unlink()
        except OSError as exc:
            log.warning("could not remove the old backup %s: %s", backup.path, exc)
        else:
            removed.append(backup.path)
    return removed


def daily_backup_due(backups_dir: Path, now: datetime | None = None) -> bool:
    """True when no daily backup was taken on ``now``'s day (local time)."""
    today = (now or datetime.now()).date()
    return not any(
        b.reason is Reason.DAILY and b.taken_at.date() == today for b in list_backups(backups_dir)
    )


def take_daily_backup(
    database: Path, backups_dir: Path, now: datetime | None = None
) -> Backup | None:
    """The start's backup: one a day at most, the newest seven kept; ``None`` when not due.

    Raises :class:`BackupError` (``reason == "corrupt"`` when the copy fails its check: the
    database itself is damaged, and no older backup is deleted).
    """
    if not daily_backup_due(backups_dir, now):
        return None
    backup = make_backup(database, backups_dir, Reason.DAILY, now=now)
    rotate(backups_dir, Reason.DAILY)
    return backup


def check_database(path: Path) -> int:
    """Check that ``path`` is a sound OST Player library this version can open; its schema.

    Reads only. Raises :class:`BackupError` saying what is wrong: not a file, not a database,
    damaged (``integrity_check``), not an OST Player library, or from a newer version.
    """
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    try:
        check_header(path)
        if path.stat().st_size == 0:
            raise BackupError(f"{path} is empty.", "corrupt")
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if version > len(MIGRATIONS):
                raise BackupError(
                    f"{path} was made by a newer OST Player (schema {version}, this version "
                    f"knows {len(MIGRATIONS)}); update OST Player to use it.",
                    "newer",
                )
            if version < 1 or not tables >= _OUR_TABLES:
                raise BackupError(f"{path} is not an OST Player library.", "corrupt")
            problems = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except CorruptDatabaseError as exc:
        raise BackupError(str(exc), "corrupt") from exc
    except StoreError as exc:
        if isinstance(exc, BackupError):
            raise
        raise BackupError(str(exc), exc.reason) from exc
    except sqlite3.DatabaseError as exc:
        reason = reason_of(exc)
        state = "is damaged" if reason == "corrupt" else "cannot be read"
        raise BackupError(f"{path} {state}: {exc}", reason) from exc
    except OSError as exc:
        raise BackupError(f"{path} cannot be read: {exc}", _os_reason(exc)) from exc
    if problems != ["ok"]:
        raise BackupError(f"{path} is damaged: {'; '.join(problems[:3])}", "corrupt")
    return version


# -- restoring ---------------------------------------------------------------------------------
def restore(
    source: Path, database: Path, backups_dir: Path, *, now: datetime | None = None
) -> Restored:
    """Put ``source`` in place of ``database``, which must not be open anywhere.

    ``source`` is checked first (:func:`check_database`); the library as it is now is backed up
    (``pre-restore``), or, when it is damaged, moved aside. The replacement is atomic: the
    database is either the old one or the restored one. Raises :class:`BackupError`, having
    changed nothing.
    """
    version = check_database(source)
    if database.exists() and source.resolve() == database.resolve():
        raise BackupError(f"{source} is the library itself.")
    previous: Backup | None = None
    damaged: Path | None = None
    if database.exists() and database.stat().st_size > 0:
        try:
            previous = make_backup(database, backups_dir, Reason.RESTORE, now=now)
        except BackupError as exc:
            if exc.reason != "corrupt":
                raise BackupError(
                    f"Your library as it is now could not be backed up, so nothing was "
                    f"restored: {exc}",
                    exc.reason,
                ) from exc
            damaged = move_aside(database, now)
    if damaged is None:
        _close_wal(database)
    install(source, database)
    rotate(backups_dir, Reason.RESTORE, spare=source)
    log.info("restored %s over %s", source, database)
    return Restored(source, version, previous, damaged)


def install(source: Path, database: Path) -> None:
    """Copy ``source`` (a checked library) to ``database`` atomically; raises BackupError.

    ``database`` must have no WAL left (it is closed, or was moved aside).
    """
    wal = _sibling(database, "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise BackupError(f"The library {database} is still in use; nothing was restored.", "busy")
    for leftover in (wal, _sibling(database, "-shm")):  # empty, or an index SQLite rebuilds
        _unlink_quietly(leftover)
    temporary = _temporary(database)
    try:
        _copy_checked(source, temporary)
        temporary.replace(database)
        fsync_folder(database.parent)
    except BackupError:
        _unlink_quietly(temporary)
        raise
    except OSError as exc:
        _unlink_quietly(temporary)
        raise BackupError(f"Cannot write {database}: {exc}", _os_reason(exc)) from exc


def move_aside(database: Path, now: datetime | None = None) -> Path:
    """Rename a damaged database (and its ``-wal``, ``-shm``) to ``NAME.corrupt-<timestamp>``.

    Never overwrites a file; returns the new path of the database. Raises BackupError.
    """
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = database.with_name(f"{database.name}.corrupt-{stamp}")
    n = 2
    while any(_sibling(target, s).exists() for s in ("", "-wal", "-shm")):
        target = database.with_name(f"{database.name}.corrupt-{stamp}-{n}")
        n += 1
    try:
        # The WAL first: a WAL left behind without its database would be replayed into the
        # next, new one. Named as SQLite names them, so the damaged file opens with its WAL.
        for suffix in ("-wal", "-shm", ""):
            if _sibling(database, suffix).exists():
                _sibling(database, suffix).rename(_sibling(target, suffix))
        fsync_folder(database.parent)
    except OSError as exc:
        raise BackupError(f"Cannot move {database} aside: {exc}", _os_reason(exc)) from exc
    log.info("moved the damaged database %s to %s", database, target)
    return target


def recover(
    database: Path, backups_dir: Path, problem: str, now: datetime | None = None
) -> Recovery:
    """Move a damaged ``database`` aside and put the newest sound backup in its place.

    Backups that fail their check are skipped (and kept). Without any, the library starts
    empty. Raises :class:`BackupError` when the damaged file cannot even be moved.
    """
    damaged = move_aside(database, now)
    for backup in list_backups(backups_dir):
        try:
            check_database(backup.path)
            install(backup.path, database)
        except BackupError as exc:
            log.info("backup %s not used: %s", backup.path, exc)
            continue
        log.info("restored %s from the backup %s", database, backup.path)
        return Recovery(problem, damaged, backup)
    return Recovery(problem, damaged, None)


# -- a restore chosen in the app, done at the next start --------------------------------------
def pending_marker(database: Path) -> Path:
    """The file that asks for a restore at the next start."""
    return database.with_name(PENDING_RESTORE)


def stage_restore(source: Path, database: Path) -> int:
    """Ask for ``source`` to be restored when the app next opens ``database``; its schema.

    Checks ``source`` now (raises :class:`BackupError`); writes the request atomically.
    """
    version = check_database(source)
    marker = pending_marker(database)
    data = json.dumps({"source": os.fspath(source.absolute())}, ensure_ascii=True).encode()
    try:
        write_atomically(marker, data)
    except OSError as exc:
        raise BackupError(f"Cannot write {marker}: {exc}", _os_reason(exc)) from exc
    return version


def pending_restore(database: Path) -> Path | None:
    """The file a restore was asked for, or ``None``."""
    marker = pending_marker(database)
    try:
        data = json.loads(marker.read_bytes())
        return Path(data["source"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return marker  # unreadable: apply_pending_restore() says so and drops it


def cancel_pending_restore(database: Path) -> None:
    """Forget a restore asked for."""
    _unlink_quietly(pending_marker(database))


def apply_pending_restore(
    database: Path, backups_dir: Path, now: datetime | None = None
) -> Restored | None:
    """Do the restore asked for in the app, if any; the database must not be open.

    The request is dropped whether or not the restore could be done: a failed one raises
    :class:`BackupError` (the library is then as it was), and is not tried at every start.
    """
    source = pending_restore(database)
    if source is None:
        return None
    try:
        if source == pending_marker(database):
            raise BackupError(f"The restore asked for in {source} cannot be read.")
        return restore(source, database, backups_dir, now=now)
    finally:
        cancel_pending_restore(database)


# -- opening the library -----------------------------------------------------------------------
def open_library(
    database: Path,
    backups_dir: Path,
    *,
    recover_damaged: bool = True,
    apply_pending: bool = True,
    now: datetime | None = None,
) -> OpenedLibrary:
    """Open the library database as the app starts: restore, recover, migrate.

    Only the process that holds the data folder's lock may call this with ``recover_damaged``
    or ``apply_pending``: both replace the file. A restore asked for in the app is done first.
    A damaged database (not a database, cut short, an empty file where backups exist) is moved
    aside and the newest sound backup takes its place (:func:`recover`); with
    ``recover_damaged=False`` it raises :class:`CorruptDatabaseError` instead. A database from
    a newer version raises :class:`~ostplayer.store.database.NewerDatabaseError`, untouched.
    """
    restored: Restored | None = None
    restore_problem: str | None = None
    if apply_pending and pending_restore(database) is not None:
        try:
            restored = apply_pending_restore(database, backups_dir, now)
        except BackupError as exc:
            log.info("the restore asked for was not done: %s", exc)
            restore_problem = str(exc)
    recovery: Recovery | None = None
    try:
        if _emptied(database, backups_dir):
            raise CorruptDatabaseError(f"{database} is empty, though backups of it exist")
        db = Database(database, backups_dir=backups_dir)
    except CorruptDatabaseError as exc:
        if not recover_damaged:
            raise
        log.info("the library database is damaged: %s", exc)
        recovery = recover(database, backups_dir, str(exc), now)
        db = Database(database, backups_dir=backups_dir)
    return OpenedLibrary(db, recovery, restored, restore_problem)


def _emptied(database: Path, backups_dir: Path) -> bool:
    # SQLite takes an empty file for a new database. Ours only is empty before its first
    # commit; with backups beside it, it was cut to nothing, and the backups must not rotate
    # away behind a new, empty library.
    try:
        empty = database.stat().st_size == 0
    except OSError:
        return False
    return empty and bool(list_backups(backups_dir))


# -- files -------------------------------------------------------------------------------------
def _copy_checked(source: Path, target: Path, *, read_only: bool = True) -> None:
    """Copy a database with the backup API into ``target``, check it, make it one file.

    ``read_only=False`` is for the library itself: an ordinary connection, that only reads,
    tidies its WAL files away when it is the last to close; a read-only one leaves them.
    """
    try:
        if read_only:
            src = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
        else:
            src = sqlite3.connect(source)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
                # One self-contained file: a backup must not depend on a -wal beside it.
                dst.execute("PRAGMA journal_mode=DELETE")
                problems = [str(r[0]) for r in dst.execute("PRAGMA integrity_check")]
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Cannot copy {source}: {exc}", reason_of(exc)) from exc
    if problems != ["ok"]:
        raise BackupError(
            f"The copy of {source} is damaged, so the database itself is: "
            f"{'; '.join(problems[:3])}",
            "corrupt",
        )
    fd = os.open(target, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _free_name(backups_dir: Path, taken: datetime, reason: Reason, version: int | None) -> Path:
    stem = f"library-{taken:%Y%m%d-%H%M%S}"
    if reason is Reason.MIGRATION:
        stem += f"-pre-migration-v{version if version is not None else 0}"
    elif reason is not Reason.DAILY:
        stem += f"-{reason.value}"
    candidate = backups_dir / f"{stem}.sqlite3"
    n = 2
    while candidate.exists():
        candidate = backups_dir / f"{stem}-{n}.sqlite3"
        n += 1
    return candidate


def _temporary(final: Path) -> Path:
    # Hidden, unique per process, and never a name that list_backups() would take.
    return final.with_name(f".{final.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")


def _remove_stale_temporaries(folder: Path) -> None:
    cutoff = time.time() - _STALE_TEMP_S
    for entry in os.scandir(folder):
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            try:
                if entry.stat().st_mtime < cutoff:
                    Path(entry.path).unlink()
            except OSError:
                pass


def _close_wal(database: Path) -> None:
    """Fold the WAL into the database file, so that the file alone is the whole library.

    Leaving WAL mode needs the database to itself: while any other connection has it open
    (an app that runs without its lock), SQLite keeps WAL mode and the restore is refused.
    """
    if not database.exists():
        return
    try:
        conn = sqlite3.connect(database, timeout=0.5)
        try:
            mode = str(conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]).lower()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if reason_of(exc) == "busy":
            mode = "wal"
        else:
            raise BackupError(
                f"Cannot close the library {database}: {exc}; nothing was restored.",
                reason_of(exc),
            ) from exc
    if mode != "delete":
        raise BackupError(f"The library {database} is still in use; nothing was restored.", "busy")


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)


def _os_reason(exc: OSError) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "readonly"
    return "io"
