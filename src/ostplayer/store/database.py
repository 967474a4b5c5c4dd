"""The SQLite database: one file, WAL, forward migrations numbered by ``PRAGMA user_version``.

A write that fails (a full disk, a read-only data folder, an I/O error) is rolled back whole and
raised as :class:`StoreError` with a :attr:`~StoreError.reason`, so that the layers above can
tell the listener in their own words. A file that is not a database, or a damaged one, raises
:class:`CorruptDatabaseError` before anything writes to it; one made by a newer version raises
:class:`NewerDatabaseError` and is left exactly as it was.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ostplayer.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_MAGIC = b"SQLite format 3\x00"

# Primary result codes (https://www.sqlite.org/rescode.html); extended codes keep them in the
# low byte.
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_REASONS = {
    _FULL: "full",
    _READONLY: "readonly",
    _IOERR: "io",
    _CANTOPEN: "io",
    _BUSY: "busy",
    _LOCKED: "busy",
    _CORRUPT: "corrupt",
    _NOTADB: "corrupt",
}


class StoreError(Exception):
    """The database cannot be used; the message is for people.

    ``reason`` says why, for a message in the listener's language: ``"full"`` (the disk is
    full), ``"readonly"`` (the data folder or the file cannot be written), ``"io"`` (the disk
    failed), ``"busy"`` (another program holds the database), ``"corrupt"``, ``"newer"`` (made
    by a newer OST Player) or ``"other"``.
    """

    def __init__(self, message: str, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason


class CorruptDatabaseError(StoreError):
    """The file is not a database, or a damaged one; nothing was written to it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "corrupt")


class NewerDatabaseError(StoreError):
    """The database was made by a newer OST Player; it was not changed.

    ``path``, ``found`` (its schema version) and ``known`` (the newest this version knows)
    let the window say it in the listener's language; ``str()`` is the English sentence the
    command line prints.
    """

    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            f"The library database {path} was made by a newer OST Player "
            f"(schema {found}, this version knows {known}). "
            "Update OST Player to open it; nothing was changed.",
            "newer",
        )
        self.path = path
        self.found = found
        self.known = known


def reason_of(exc: sqlite3.Error) -> str:
    """The :attr:`StoreError.reason` for an error SQLite raised."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _REASONS.get(code & 0xFF, "other")
    # Without a code (an error raised by the sqlite3 module itself), go by SQLite's words.
    text = str(exc).lower()
    for words, reason in (
        ("disk is full", "full"),
        ("readonly", "readonly"),
        ("disk i/o", "io"),
        ("locked", "busy"),
        ("not a database", "corrupt"),
        ("malformed", "corrupt"),
    ):
        if words in text:
            return reason
    return "other"


def store_error(exc: sqlite3.Error, doing: str) -> StoreError:
    """``exc`` as a :class:`StoreError` whose message says what was being done."""
    reason = reason_of(exc)
    if reason == "corrupt":
        return CorruptDatabaseError(f"{doing}: {exc}")
    return StoreError(f"{doing}: {exc}", reason)


class Database:
    """An open library database.

    One connection per thread: the GUI thread's is this object's; workers open their own with
    :meth:`connect`. Each user action runs in one :meth:`transaction`.

    Before a migration changes an existing database, the file as it was is copied to
    ``backups_dir`` (by default the ``backups`` folder beside it: ``AppPaths.backups_dir``), so
    that a migration that fails halfway can be undone. A backup that cannot be made (a full
    disk) is logged and kept in :attr:`backup_problem`; the migration still runs, each step in
    its own transaction.
    """

    def __init__(self, path: Path, *, backups_dir: Path | None = None) -> None:
        self.path = path
        self.backups_dir = backups_dir if backups_dir is not None else path.parent / "backups"
        #: The backup taken before migrating, when there was one to take.
        self.migration_backup: Path | None = None
        #: Why the backup before migrating could not be made, or ``None``.
        self.backup_problem: str | None = None
        found = self._inspect()
        if 0 < found < len(MIGRATIONS):
            self._back_up_before_migrating(found)
        self.conn = self.connect()
        try:
            self._migrate()
        except BaseException:
            self.conn.close()  # a half-made Database must not keep the file open
            raise

    def _inspect(self) -> int:
        """The schema version of the file as it is, read without writing anything.

        Even switching to WAL changes the file: a database from a newer version, or a damaged
        one, must be left exactly as it is.
        """
        if not self.path.exists():
            return 0
        check_header(self.path)
        # A read-only connection to a WAL database makes -wal and -shm files that it cannot
        # remove. Without a -wal, no connection has the file open (SQLite removes it with the
        # last one) and the file alone is the database: read it as immutable, making nothing.
        # With one, read through it: a newer app may have left its version only there.
        wal = self.path.with_name(self.path.name + "-wal")
        immutable = "" if wal.exists() else "&immutable=1"
        try:
            conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro{immutable}", uri=True)
            try:
                current = int(conn.execute("PRAGMA user_version").fetchone()[0])
                # Reads and parses the schema: a damaged first page or schema fails here.
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            error = store_error(exc, f"Cannot open the library database {self.path}")
            raise error from exc
        if current > len(MIGRATIONS):
            raise NewerDatabaseError(self.path, current, len(MIGRATIONS))
        return current

    def _back_up_before_migrating(self, version: int) -> None:
        from ostplayer.store.backup import BackupError, Reason, make_backup, rotate

        try:
            backup = make_backup(self.path, self.backups_dir, Reason.MIGRATION, version=version)
        except BackupError as exc:
            log.error("no backup before migrating %s: %s", self.path, exc)
            self.backup_problem = str(exc)
        else:
            self.migration_backup = backup.path
            rotate(self.backups_dir, Reason.MIGRATION)

    def connect(self) -> sqlite3.Connection:
        """Open a new connection with the project's settings."""
        try:
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE in transaction()).
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            # The listener's own data must survive a crash right after a commit.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=5000")
        except sqlite3.DatabaseError as exc:
            raise store_error(exc, f"Cannot open the library database {self.path}") from exc
        conn.row_factory = sqlite3.Row
        return conn

    @property
    def version(self) -> int:
        """The schema version, ``PRAGMA user_version``."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.version
        latest = len(MIGRATIONS)
        for number in range(current + 1, latest + 1):
            with self.transaction() as conn:
                for statement in _statements(MIGRATIONS[number - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version={number}")

    @contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """Run a block as one transaction: committed when it ends, rolled back if it raises.

        A write SQLite refuses (``database or disk is full``, ``attempt to write a readonly
        database``, an I/O error), at any statement or at the commit, rolls the whole block
        back and raises :class:`StoreError`; nothing of it is left half-written. Other errors
        (a constraint the caller catches, a bug) are rolled back and raised as they are.

        ``durable=False`` is for the library index only (what a scan reads from the files,
        which a rescan rebuilds): its commit does not wait for the disk. A crash may then lose
        that last batch, never the database's consistency, and never the listener's own data:
        every other commit still waits for the disk (``synchronous=FULL``).
        """
        try:
            if not durable:
                self.conn.execute("PRAGMA synchronous=NORMAL")  # not inside a transaction
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                    self.conn.execute("COMMIT")
                except BaseException:
                    self._roll_back()
                    raise
            finally:
                if not durable:
                    self._restore_durability()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError):
                raise
            raise store_error(exc, f"Could not save to {self.path}") from exc

    def _roll_back(self) -> None:
        # After a full disk or an I/O error SQLite may have rolled back already; a failed
        # COMMIT leaves the transaction open. Either way, end it so that the next one starts.
        if not self.conn.in_transaction:
            return
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            log.error("rollback failed on %s: %s", self.path, exc)

    def _restore_durability(self) -> None:
        try:
            self.conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            log.error("could not set synchronous=FULL again on %s: %s", self.path, exc)

    def close(self) -> None:
        """Close the GUI thread's connection."""
        self.conn.close()


def check_header(path: Path) -> None:
    """Raise :class:`CorruptDatabaseError` when ``path`` plainly is not a whole SQLite file.

    Cheap (one 100-byte read), for the start: random bytes fail the magic, a truncated file is
    shorter than the page count its header promises. ``PRAGMA quick_check`` reads every page and
    runs on the copy each backup makes, off the GUI thread. An empty file is a new database.
    """
    try:
        with path.open("rb") as file:
            header = file.read(100)
            size = file.seek(0, 2)
    except OSError as exc:
        raise StoreError(f"Cannot read the library database {path}: {exc}", "io") from exc
    if size == 0:
        return
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise CorruptDatabaseError(f"{path} is not a database (its first bytes are not SQLite's)")
    (page_size,) = struct.unpack(">H", header[16:18])
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise CorruptDatabaseError(f"{path} is not a database (page size {page_size})")
    (change_counter,) = struct.unpack(">I", header[24:28])
    (pages,) = struct.unpack(">I", header[28:32])
    (valid_for,) = struct.unpack(">I", header[92:96])
    wal = path.with_name(path.name + "-wal")
    wal_holds_pages = wal.exists() and wal.stat().st_size > 0
    # The header's page count is only meaningful when the two counters agree; and while a WAL
    # holds pages, a checkpoint cut short may have written the first page before the others
    # (SQLite completes it from the WAL).
    if pages and change_counter == valid_for and not wal_holds_pages and size < pages * page_size:
        raise CorruptDatabaseError(
            f"{path} is damaged: it is cut short ({size} bytes of {pages * page_size})"
        )


def _statements(script: str) -> list[str]:
    # executescript() would commit the open transaction first; split so that a migration
    # and its version bump stay in one transaction.
    parts: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            parts.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        parts.append(buffer.strip())
    return parts
