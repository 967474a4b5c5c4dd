"""The subcommands of ``ostplayer``: for scripts and headless use, with no Qt and no libvlc.

Output contracts (scripts and acceptance checks rely on them) are documented in the README.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ostplayer.domain.scene import Note, Role, normalise_episode_key
from ostplayer.domain.text import fold, matches
from ostplayer.domain.timefmt import format_ms, parse_time
from ostplayer.domain.track import Track
from ostplayer.paths import AppPaths
from ostplayer.store.backup import Backup, BackupError, OpenedLibrary, Recovery
from ostplayer.store.database import CorruptDatabaseError, Database, StoreError
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.tracks import TrackRepository


class CommandError(Exception):
    """A command cannot go on; the message is for people and goes to stderr."""


def run_command(args: argparse.Namespace, paths: AppPaths) -> int:
    """Run one subcommand; returns the exit code. Errors are one line on stderr."""
    if args.command in ("backup", "restore"):
        return _run_backup_command(args, paths)
    try:
        paths.ensure()
        db = open_database(paths)
    except (StoreError, OSError) as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 1
    try:
        if args.command in ("moods", "mood", "playlist"):
            from ostplayer import mood_commands

            return mood_commands.run(args, db)
        tracks = TrackRepository(db)
        if args.command in _LIBRARY_COMMANDS:
            return _LIBRARY_COMMANDS[args.command](args, tracks)
        handler = _SCENE_COMMANDS[(args.command, args.action)]
        return handler(args, tracks, SceneRepository(db))
    except CommandError as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 2
    except (StoreError, OSError) as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 1
    finally:
        db.close()


def open_database(paths: AppPaths) -> Database:
    """Open the library for a command, repairing a damaged one as the app's start does.

    A command never replaces the database while OST Player runs on the data dir: only when it
    can take the app's lock does it move a damaged database aside and restore the newest sound
    backup, saying so on stderr. A restore chosen in the app waits for the app's next start.
    """
    from ostplayer.store.backup import open_library, pending_restore

    pending = pending_restore(paths.database)
    if pending is not None:
        print(
            f"ostplayer: a restore of {pending} waits for OST Player's next start; until then "
            "commands use the library as it is",
            file=sys.stderr,
        )
    try:
        opened = open_library(
            paths.database, paths.backups_dir, recover_damaged=False, apply_pending=False
        )
    except CorruptDatabaseError as exc:
        opened = _recover(paths, exc)
    if opened.db.backup_problem is not None:
        print(f"ostplayer: no backup before upgrading: {opened.db.backup_problem}", file=sys.stderr)
    return opened.db


def _recover(paths: AppPaths, damage: CorruptDatabaseError) -> OpenedLibrary:
    from ostplayer.store.backup import open_library

    with _data_dir_lock(paths) as held:
        if not held:
            raise StoreError(
                f"{damage}. OST Player is running on this data folder: quit it and start it "
                "again, and it repairs the library from its newest backup."
            )
        opened = open_library(paths.database, paths.backups_dir, apply_pending=False)
    if opened.recovery is not None:
        print(f"ostplayer: {recovery_text(opened.recovery)}", file=sys.stderr)
    return opened


def recovery_text(recovery: Recovery) -> str:
    """What recovering a damaged database did, in one paragraph for people."""
    what = f"the library database was damaged ({recovery.problem}); it was moved to "
    what += f"{recovery.damaged}"
    if recovery.backup is None:
        return what + ". There was no backup, so the library starts again, empty."
    when = recovery.backup.taken_at.strftime("%Y-%m-%d %H:%M")
    return (
        what + f", and the backup from {when} ({recovery.backup.path}) was restored: notes, "
        "moods and playlists changed after that time are lost."
    )


@contextmanager
def _data_dir_lock(paths: AppPaths) -> Iterator[bool]:
    """Hold the app's single-instance lock meanwhile; yields False when the app runs."""
    from ostplayer.desktop.instance import InstanceError, InstanceLock  # QtCore, no display

    paths.ensure()
    lock = InstanceLock(paths.data_dir)
    try:
        held = lock.try_acquire()
        if not held and lock.remove_abandoned():  # its pid was reused after a reboot
            held = lock.try_acquire()
    except InstanceError as exc:
        raise StoreError(str(exc)) from exc
    try:
        yield held
    finally:
        if held:
            lock.release()


# -- backup and restore --------------------------------------------------------------------------


def _run_backup_command(args: argparse.Namespace, paths: AppPaths) -> int:
    try:
        if args.command == "backup":
            return _backup_list(args, paths) if args.list else _backup(args, paths)
        return _restore(args, paths)
    except CommandError as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 2
    except (StoreError, OSError) as exc:
        print(f"ostplayer: {exc}", file=sys.stderr)
        return 1


def _backup(args: argparse.Namespace, paths: AppPaths) -> int:
    """Back the library up now (safe while the app runs: SQLite's online backup)."""
    from ostplayer.store.backup import Reason, make_backup, rotate

    backup = make_backup(paths.database, paths.backups_dir, Reason.MANUAL)
    rotate(paths.backups_dir, Reason.MANUAL)
    if args.json:
        print_json(_backup_json(backup))
    else:
        print(_path_text(backup.path))
    return 0


def _backup_list(args: argparse.Namespace, paths: AppPaths) -> int:
    from ostplayer.store.backup import list_backups

    backups = list_backups(paths.backups_dir)
    if args.json:
        print_json([_backup_json(b) for b in backups])
        return 0
    for b in backups:
        print(f"{b.taken_at:%Y-%m-%d %H:%M:%S}  {b.reason.value:<13}  {b.size:>10}  {b.path}")
    return 0


def _backup_json(backup: Backup) -> dict[str, Any]:
    return {
        "path": _path_text(backup.path),
        "taken_at": backup.taken_at.isoformat(),
        "reason": backup.reason.value,
        "size": backup.size,
    }


def _restore(args: argparse.Namespace, paths: AppPaths) -> int:
    """Replace the library with FILE, never under a running app."""
    from ostplayer.store.backup import check_database, restore

    source = Path(args.file).absolute()
    try:
        check_database(source)
    except BackupError as exc:
        raise CommandError(f"{str(exc).rstrip('.')}. Nothing was restored.") from None
    with _data_dir_lock(paths) as held:
        if not held:
            raise StoreError(
                "OST Player is running on this data folder; quit it first, or restore from "
                "its Settings → Data → Restore from Backup…. Nothing was restored."
            )
        restored = restore(source, paths.database, paths.backups_dir)
        # An older schema is brought up to date now, while no app can start meanwhile.
        Database(paths.database, backups_dir=paths.backups_dir).close()
    previous = restored.previous.path if restored.previous is not None else None
    if args.json:
        print_json(
            {
                "restored": _path_text(source),
                "schema": restored.version,
                "previous": _path_text(previous) if previous is not None else None,
                "damaged": _path_text(restored.damaged) if restored.damaged else None,
            }
        )
        return 0
    print(f"Restored {_path_text(source)}.")
    if previous is not None:
        print(f"Your library as it was is kept in {_path_text(previous)}.")
    if restored.damaged is not None:
        print(
            f"Your library as it was was damaged; it was moved to {_path_text(restored.damaged)}."
        )
    return 0


# -- library commands ----------------------------------------------------------------------------


def _scan(args: argparse.Namespace, repo: TrackRepository) -> int:
    from ostplayer.library.scanner import scan_folders

    folders = [Path(p).absolute() for p in args.paths]
    for folder in folders:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
    report = scan_folders(repo, folders)
    if args.json:
        print_json(
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
        print_json([_track_json(t) for t in tracks])
    else:
        for t in tracks:
            number = f"{t.track_number:>3}" if t.track_number is not None else "   "
            print(f"{t.id:>6}  {number}  {t.display_title} — {t.artist} — {t.album}")
    return 0


# -- notes and scene packs -------------------------------------------------------------------


def _notes_list(args: argparse.Namespace, tracks: TrackRepository, scenes: SceneRepository) -> int:
    if args.track is not None:
        _known_track(tracks, args.track)
    notes = scenes.notes(args.track)
    orphaned = {note.id for note in scenes.orphaned_notes()}
    if args.json:
        print_json([_note_json(note, note.id in orphaned) for note in notes])
        return 0
    titles: dict[int, str] = {}
    for note in notes:
        if note.track_id not in titles:
            track = tracks.get(note.track_id) if note.track_id else None
            titles[note.track_id] = track.display_title if track else "(no track)"
        mark = "  (orphaned)" if note.id in orphaned else ""
        print(f"{titles[note.track_id]}  {format_ms(note.position_ms)}  {note.headline}{mark}")
    return 0


def _notes_add(args: argparse.Namespace, tracks: TrackRepository, scenes: SceneRepository) -> int:
    from ostplayer.formats.pack import PackError
    from ostplayer.library.packs import check_scene

    track = _known_track(tracks, args.track)
    text = args.text.strip()
    if not text:
        raise CommandError("--text is empty; write what happens at this moment")
    position = _time(args.at, "--at")
    end = _time(args.end, "--end") if args.end is not None else None
    if end is not None and end <= position:
        raise CommandError(f"--end ({format_ms(end)}) must come after --at ({format_ms(position)})")
    if args.episode_at is not None and args.episode is None:
        raise CommandError("--episode-at needs --episode (e.g. --episode S1E3 --episode-at 41:20)")
    episode = None
    if args.episode is not None:
        try:
            episode = normalise_episode_key(args.episode)
        except ValueError as exc:
            raise CommandError(f"--episode: {exc}") from None
    note = Note(
        text=text,
        position_ms=position,
        end_ms=end,
        episode=episode,
        episode_start_ms=(
            _time(args.episode_at, "--episode-at") if args.episode_at is not None else None
        ),
        characters=tuple(name.strip() for name in args.character if name.strip()),
        place=(args.place or "").strip(),
        role=Role(args.role),
        moods=tuple(
            mood.strip() for value in args.mood for mood in value.split(",") if mood.strip()
        ),
        track_id=track.id,
    )
    try:
        check_scene(note)
    except PackError as exc:
        raise CommandError(f"this note would not make a valid scene: {exc}") from None
    print(scenes.add_note(note).id)
    return 0


def _notes_export(
    args: argparse.Namespace, tracks: TrackRepository, scenes: SceneRepository
) -> int:
    from ostplayer.library.packs import export_notes, write_atomically

    try:
        text = export_notes(scenes, tracks, args.format, track_id=args.track, episode=args.episode)
    except (LookupError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    write_atomically(Path(args.output), text.encode("utf-8"))
    return 0


def _pack_import(args: argparse.Namespace, tracks: TrackRepository, scenes: SceneRepository) -> int:
    from ostplayer.formats.pack import PackError
    from ostplayer.library.packs import import_pack

    try:
        result = import_pack(Path(args.file), tracks, scenes)
    except PackError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        print_json(
            {
                "name": result.name,
                "matched": result.matched,
                "uncertain": result.uncertain,
                "unmatched": result.unmatched,
                "cues": result.cues,
                "uncertain_titles": list(result.uncertain_titles),
                "unmatched_titles": list(result.unmatched_titles),
            }
        )
        return 0
    print(
        f"Imported “{result.name}”: {result.cues} scenes; {result.matched} tracks matched, "
        f"{result.uncertain} uncertain, {result.unmatched} unmatched"
    )
    for title in result.uncertain_titles:
        print(f"  uncertain (title only): {title}")
    for title in result.unmatched_titles:
        print(f"  unmatched (link it in the app): {title}")
    return 0


def _pack_export(args: argparse.Namespace, tracks: TrackRepository, scenes: SceneRepository) -> int:
    from ostplayer.formats.pack import PackError
    from ostplayer.library.packs import (
        PERSONAL_PACK_NAME,
        export_pack,
        export_personal_pack,
        write_atomically,
    )

    try:
        if args.personal:
            data = export_personal_pack(scenes, tracks, args.name or PERSONAL_PACK_NAME)
        elif args.name is not None:
            data = export_pack(scenes, args.name)
        else:
            names = ", ".join(f"“{pack.name}”" for pack in scenes.packs()) or "none"
            raise CommandError(
                f"say which pack: --personal for your notes, or --name NAME (imported: {names})"
            )
    except (LookupError, PackError) as exc:
        raise CommandError(str(exc)) from None
    write_atomically(Path(args.output), data)
    return 0


def _known_track(tracks: TrackRepository, track_id: int) -> Track:
    track = tracks.get(track_id)
    if track is None:
        raise CommandError(f"there is no track with id {track_id} (see `ostplayer tracks`)")
    return track


def _time(text: str, option: str) -> int:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None


def _note_json(note: Note, orphaned: bool) -> dict[str, Any]:
    return {
        "id": note.id,
        "track_id": note.track_id or None,
        "position_ms": note.position_ms,
        "end_ms": note.end_ms,
        "text": note.text,
        "episode": note.episode,
        "episode_start_ms": note.episode_start_ms,
        "episode_end_ms": note.episode_end_ms,
        "characters": list(note.characters),
        "place": note.place,
        "role": str(note.role),
        "moods": list(note.moods),
        "orphaned": orphaned,
    }


_LIBRARY_COMMANDS = {"scan": _scan, "tracks": _tracks}
_SCENE_COMMANDS = {
    ("notes", "list"): _notes_list,
    ("notes", "add"): _notes_add,
    ("notes", "export"): _notes_export,
    ("pack", "import"): _pack_import,
    ("pack", "export"): _pack_export,
}


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


def print_json(value: object) -> None:
    """Print ``value`` as the JSON the command-line contract promises (ASCII, indented)."""
    sys.stdout.write(json.dumps(value, ensure_ascii=True, indent=2) + "\n")
