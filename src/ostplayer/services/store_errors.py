"""A save the database refused, in words for the listener.

Every service that writes turns :class:`~ostplayer.store.database.StoreError` into a message
(its ``store_failed`` signal) instead of letting a traceback escape a slot: what was not saved,
why, and what to do. The transaction was rolled back, so nothing is half-written, and what the
window shows stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from ostplayer.store.database import NewerDatabaseError, StoreError

#: The longest piece of a note quoted back in a "not saved" message.
QUOTE_CHARS = 400


def _tr(text: str) -> str:
    return QCoreApplication.translate("StoreErrors", text)


def why(exc: StoreError) -> str:
    """Why the database refused the write, and what to do about it."""
    reasons = {
        "full": _tr(
            "The disk that holds your data folder is full. Free some space, then try again."
        ),
        "readonly": _tr(
            "Your data folder cannot be written to: it is read-only, or you may not write "
            "there. Make it writable, then try again."
        ),
        "io": _tr("The disk could not be written to (an input/output error). Check the disk."),
        "busy": _tr("Another program is holding the library database. Close it, then try again."),
        "corrupt": _tr(
            "The library database is damaged. Restart OST Player: it repairs it from your "
            "newest backup."
        ),
    }
    return reasons.get(exc.reason, str(exc))


def cannot_open(exc: StoreError | OSError) -> str:
    """Why the app cannot start on this data folder, for the window (the command line prints
    the English ``str(exc)``)."""
    if isinstance(exc, NewerDatabaseError):
        return _tr(
            "Your library {path} was saved by a newer version of OST Player (database version "
            "{found}; this version reads up to {known}). Update OST Player to open it. "
            "Nothing was changed."
        ).format(path=exc.path, found=exc.found, known=exc.known)
    if isinstance(exc, StoreError):
        return _tr("OST Player cannot open your library.") + " " + why(exc)
    return _tr("OST Player cannot use its data folder: {error}").format(error=exc.strerror or exc)


def not_saved(what: str, exc: StoreError) -> str:
    """``what`` (a sentence: "Your note was not saved.") and why."""
    return f"{what} {why(exc)}"


def quote(text: str) -> str:
    """The start of the listener's own text, to show them what was not saved."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


def attempt(
    command: QUndoCommand, write: Callable[[], None], failed: Callable[[StoreError], None]
) -> bool:
    """Run an undo command's ``write``; True when it was saved.

    When the database refuses, the command is marked obsolete, so that the undo stack drops
    it instead of claiming a change that was not made (Qt deletes an obsolete command after
    its ``redo()`` in ``push()``, or after ``undo()``/``redo()``), and ``failed`` says why.
    """
    try:
        write()
    except StoreError as exc:
        command.setObsolete(True)
        failed(exc)
        return False
    return True
