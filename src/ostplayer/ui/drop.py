"""What a drop on the window brings: music folders to add, audio files to queue, and the rest.

Pure functions over paths, so the window's drop handling stays short and is tested without a
drag. Folders go to the library (a scan); audio files are played or queued, through the library
service, which takes in files it does not have yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QUrl


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
