"""What a drop on the window brings: music folders to add, audio files to queue, and the rest.

Pure functions over paths, so the window's drop handling stays short and is tested without a
drag. Folders go to the library (a scan); audio files are played or queued, through the library
service, which takes in files it does not have yet; :func:`opened_message` then says what was
done and what was left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl


def _tr(text: str) -> str:
    return QCoreApplication.translate("Drop", text)


@dataclass(frozen=True, slots=True)
class Dropped:
    """The local paths of a drop, sorted by what the window does with them."""

    folders: list[Path] = field(default_factory=list)
    audio_files: list[Path] = field(default_factory=list)
    other_files: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.folders or self.audio_files)


def _audio_suffixes() -> frozenset[str]:
    # The scanner's own list: a file it would read is a file we can queue.
    from ostplayer.library.tagreader import AUDIO_EXTENSIONS

    return AUDIO_EXTENSIONS


def sort_drop(urls: Iterable[QUrl]) -> Dropped:
    """Sort the dropped URLs: local folders, audio files, other files (remote URLs are left)."""
    dropped = Dropped()
    suffixes = _audio_suffixes()
    for url in urls:
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if path.is_dir():
            dropped.folders.append(path)
        elif path.suffix.lower() in suffixes:
            dropped.audio_files.append(path)
        else:
            dropped.other_files.append(path)
    return dropped


def opened_message(
    ids: list[int], failed: list[Path], others: list[Path], *, play_now: bool
) -> str:
    """What the status bar says once dropped files were opened: queued or playing, and what was
    left out (``failed``: unreadable, ``others``: not audio). Empty when there is nothing to say.
    """
    parts: list[str] = []
    if ids:
        if play_now:
            one, many = _tr("Playing the dropped track"), _tr("Playing {n} dropped tracks")
        else:
            one, many = _tr("Added 1 track to the queue"), _tr("Added {n} tracks to the queue")
        parts.append((one if len(ids) == 1 else many).format(n=len(ids)))
    left_out = (
        (
            failed,
            _tr("{names} could not be read (see Problems for files in your library)"),
            _tr("{n} files could not be read ({names})"),
        ),
        (others, _tr("{names} is not an audio file"), _tr("{n} files are not audio ({names})")),
    )
    for paths, one, many in left_out:
        if paths:  # file names as they are: the status bar draws plain text
            text = one if len(paths) == 1 else many
            parts.append(text.format(n=len(paths), names=_names(paths)))
    return "; ".join(parts) + "." if parts else ""


def _names(paths: list[Path], shown: int = 3) -> str:
    """The first few file names of ``paths``, for a one-line message."""
    names = ", ".join(p.name for p in paths[:shown])
    return names + (", …" if len(paths) > shown else "")
