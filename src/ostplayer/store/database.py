"""The SQLite database: one file, WAL, forward migrations numbered by ``PRAGMA user_version``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ostplayer.store.migrations import MIGRATIONS


class StoreError(Exception):
    """The database cannot be used; the message is for people."""


class Database:
    """An open library database.

    One connection per thread: the GUI thread's is this object's; workers open their own with
    :meth:`connect`. Each user action runs in one :meth:`transaction`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._refuse_newer()
        self.conn = self.connect()
        self._migrate()

    def _refuse_newer(self) -> None:
        # Read the version before anything writes: even switching to WAL changes the file,
        # and a database from a newer version must be left exactly as it is.
        if not self.path.exists():
            return
        try:
            conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
            try:
                current = int(conn.execute("PRAGMA user_version").fetchone()[0])
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"Cannot open the library database {self.path}: {exc}") from exc
        if current > len(MIGRATIONS):
            raise StoreError(
                f"The library database {self.path} was made by a newer OST Player "
                f"(schema {current}, this version knows {len(MIGRATIONS)}). "
                "Update OST Player to open it; nothing was changed."
            )

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
            raise StoreError(f"Cannot open the library database {self.path}: {exc}") from exc
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

        ``durable=False`` is for the library index only (what a scan reads from the files,
        which a rescan rebuilds): its commit does not wait for the disk. A crash may then lose
        that last batch, never the database's consistency, and never the listener's own data:
        every other commit still waits for the disk (``synchronous=FULL``).
        """
        if not durable:
            self.conn.execute("PRAGMA synchronous=NORMAL")  # cannot change inside a transaction
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        finally:
            if not durable:
                self.conn.execute("PRAGMA synchronous=FULL")

    def close(self) -> None:
        """Close the GUI thread's connection."""
        self.conn.close()


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
