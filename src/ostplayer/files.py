"""Writing files whole or not at all, shared by every export (packs, notes, playlists) and by
the mood write-back. Qt-free."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temp file beside it, fsynced, renamed.

    A crash or a full disk leaves the old file (or none), never half a file.
    """
    path = Path(path)
    folder = path.parent
    # The name's start only: a valid name of 230+ bytes would make the temp name too long.
    temp = folder / f".{path.name[:50]}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    # os.open rather than mkstemp: mkstemp makes the file private (0600), while an export is
    # for sharing and should get the permissions any new file gets here (0666 less the umask).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        temp.replace(path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Flush a folder's entries, so that a rename in it survives a power cut.

    Not every system can open a folder; there it does nothing.
    """
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def folder_available(folder: Path) -> bool:
    """Whether a music folder can be read now (not unmounted, moved or locked)."""
    return folder.is_dir() and os.access(folder, os.R_OK | os.X_OK)
