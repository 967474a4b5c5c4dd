"""The subcommands of ``ostplayer``: for scripts and headless use, with no Qt and no libvlc.

Output contracts (scripts and acceptance checks rely on them) are documented in the README.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from ostplayer.domain.text import fold, matches
from ostplayer.domain.track import Track
from ostplayer.paths import AppPaths
from ostplayer.store.database import Database, StoreError
from ostplayer.store.tracks import TrackRepository


class CommandError(Exception):
    """A command cannot go on; the message is for people and goes to stderr."""


def run_command(args: argparse.Namespace, paths: AppPaths) -> int:
    """Run one subcommand; returns the exit code. Errors are one line on stderr."""
    try:
        paths.ensure()
        db = Database(paths.database)
    except (StoreError, OSError) as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 1
    try:
        handler = {"scan": _scan, "tracks": _tracks}[args.command]
        return handler(args, TrackRepository(db))
    except CommandError as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 2
    except (StoreError, OSError) as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def _scan(args: argparse.Namespace, repo: TrackRepository) -> int:
    from ostplayer.library.scanner import scan_folders

    folders = [Path(p).absolute() for p in args.paths]
    for folder in folders:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
    report = scan_folders(repo, folders)
    if args.json:
        _print_json(
            {
                "added": report.added,
                "updated": report.updated,
                "removed": report.removed,
                "unchanged": report.unchanged,
                "problems": [
                    {"path": _path_text(p), "reason": reason, "message": message}
                    for p, reason, message in report.problems
                ],
                "unavailable": [_path_text(p) for p in report.unavailable],
            }
        )
    else:
        print(
            f"{report.added} added, {report.updated} updated, {report.removed} removed, "
            f"{report.unchanged} unchanged, {len(report.problems)} could not be read"
        )
        for path, reason, message in report.problems:
            print(f"  {_path_text(path)}: {message} ({reason})")
        for folder in report.unavailable:
            print(f"  {_path_text(folder)}: unavailable; its tracks are kept as they were")
    return 0


def _tracks(args: argparse.Namespace, repo: TrackRepository) -> int:
    tracks = repo.all()
    if args.filter:
        words = fold(args.filter).split()
        tracks = [t for t in tracks if matches(_search_text(t), words)]
    if args.json:
        _print_json([_track_json(t) for t in tracks])
    else:
        for t in tracks:
            number = f"{t.track_number:>3}" if t.track_number is not None else "   "
            print(f"{t.id:>6}  {number}  {t.display_title} — {t.artist} — {t.album}")
    return 0


def _search_text(track: Track) -> str:
    return fold(" ".join((track.display_title, track.artist, track.album, *track.moods)))


def _track_json(track: Track) -> dict[str, Any]:
    return {
        "id": track.id,
        "path": _path_text(track.path),
        "title": track.title,
        "artist": track.artist,
        "album": track.album,
        "album_artist": track.album_artist,
        "track_number": track.track_number,
        "disc_number": track.disc_number,
        "year": track.year,
        "genre": track.genre,
        "moods": list(track.moods),
        "duration_ms": track.duration_ms,
    }


def _path_text(path: Path) -> str:
    # Absolute and as on disk; bytes that are not UTF-8 keep their surrogate escapes, which
    # JSON writes as \\udcXX so that os.fsencode() gives the exact bytes back.
    return os.fspath(path)


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=True, indent=2) + "\n")
