"""Adding a folder of audio files to the library (the first cut of the scanner)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ostplayer.library.tags import AUDIO_EXTENSIONS, TagError, read_track
from ostplayer.store.tracks import TrackRepository


@dataclass
class ImportResult:
    """What an import did: the ids of the tracks read, and each file it could not read."""

    track_ids: list[int] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)


def audio_files(folder: Path) -> list[Path]:
    """Regular audio files below ``folder``, sorted, without following symlinked folders."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root, name)
            if path.suffix.lower() in AUDIO_EXTENSIONS and path.is_file():
                found.append(path)
    return found


def import_folder(repo: TrackRepository, folder: Path, kind: str = "folder") -> ImportResult:
    """Read every audio file below ``folder`` into the library, as one transaction."""
    source_id = repo.add_source(kind, folder)
    result = ImportResult()
    rows = []
    for path in audio_files(folder):
        try:
            track = read_track(path)
            stat = path.stat()
        except (TagError, OSError) as exc:
            result.problems.append((path, str(exc)))
            continue
        rows.append((track, stat.st_size, stat.st_mtime_ns))
    result.track_ids = repo.save_many(rows, source_id)
    return result
