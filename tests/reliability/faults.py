"""Injected storage faults: a connection that fails its Nth write, and a small real tmpfs.

The injected error is the exception SQLite itself raises for a full disk (an
``sqlite3.OperationalError`` with SQLite's words); the code under test only ever sees the real
connection's behaviour otherwise. A real full disk (a tmpfs that fills up) is proven once too,
where the test may mount one.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ostplayer.store.database import Database

#: Statements that change the database (a COMMIT is where a full disk often shows).
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|COMMIT)\b", re.IGNORECASE)


class FaultyConnection:
    """A ``sqlite3.Connection`` whose writes fail once armed, after ``after`` more succeed.

    Everything else goes to the real connection, so a failed write leaves SQLite's own
    transaction open exactly as a real ``SQLITE_FULL`` at that statement would.
    """

    def __init__(self, conn: sqlite3.Connection, message: str = "database or disk is full") -> None:
        self._conn = conn
        self._message = message
        self._left: int | None = None
        self._only: str | None = None
        #: Writes refused so far.
        self.refused = 0

    def arm(self, after: int = 0, *, only: str | None = None) -> None:
        """Fail every write after the next ``after`` ones (``only``: writes of that verb)."""
        self._left = after
        self._only = only.upper() if only else None

    def disarm(self) -> None:
        """Let every write through again (the listener freed some space)."""
        self._left = None

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        self._check(sql)
        return self._conn.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any) -> sqlite3.Cursor:
        self._check(sql)
        return self._conn.executemany(sql, parameters)

    def _check(self, sql: str) -> None:
        verb = _WRITE.match(sql)
        if self._left is None or verb is None:
            return
        if self._only is not None and verb.group(1).upper() != self._only:
            return
        if self._left > 0:
            self._left -= 1
            return
        self.refused += 1
        raise sqlite3.OperationalError(self._message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


@contextmanager
def faulty(db: Database, message: str = "database or disk is full") -> Iterator[FaultyConnection]:
    """Put a :class:`FaultyConnection` (not armed yet) in place of ``db``'s connection."""
    real = db.conn
    wrapper = FaultyConnection(real, message)
    db.conn = wrapper  # type: ignore[assignment]
    try:
        yield wrapper
    finally:
        db.conn = real


def tmpfs_problem() -> str | None:
    """Why this test run cannot mount a tmpfs, or ``None``."""
    if os.name != "posix" or not hasattr(os, "geteuid"):
        return "mounting a tmpfs needs a POSIX system"
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root (run as root, or in a container that allows it)"
    if shutil.which("mount") is None or shutil.which("umount") is None:
        return "mount(8) and umount(8) are not installed"
    return None


@contextmanager
def small_tmpfs(where: Path, size_kib: int) -> Iterator[Path]:
    """Mount a tmpfs of ``size_kib`` KiB at ``where``; raises ``OSError`` when not allowed."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0755", "tmpfs", os.fspath(where)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        raise OSError(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield where
    finally:
        subprocess.run(
            ["umount", "-l", os.fspath(where)], capture_output=True, timeout=30, check=False
        )


def fill(folder: Path) -> Path:
    """Fill the disk that holds ``folder`` to the last byte; returns the filler file."""
    filler = folder / "filler.bin"
    chunk = b"\0" * 4096
    with filler.open("wb", buffering=0) as file:
        try:
            while True:
                file.write(chunk)
        except OSError:
            pass
        try:
            while True:
                file.write(b"\0")
        except OSError:
            pass
    return filler
