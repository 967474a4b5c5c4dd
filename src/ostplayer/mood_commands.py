"""The ``moods``, ``mood`` and ``playlist`` subcommands (no Qt, no libvlc).

Their output is a contract, documented in the README: scripts and acceptance checks use it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ostplayer.commands import CommandError, print_json
from ostplayer.domain.mixer import MomentRule, MoodRule, Pick
from ostplayer.domain.mood import MoodIndex, mood_key
from ostplayer.domain.playlist import Playlist
from ostplayer.domain.scene import normalise_episode_key
from ostplayer.domain.timefmt import format_ms
from ostplayer.domain.track import Track
from ostplayer.files import folder_available
from ostplayer.formats.playlist_file import PlaylistFileError
from ostplayer.library.playlists import (
    Mixer,
    entries_of,
    export_playlist,
    import_playlist,
    picks_of_entries,
)
from ostplayer.store.database import Database
from ostplayer.store.moods import MoodRepository
from ostplayer.store.playlists import PlaylistNameError, PlaylistRepository
from ostplayer.store.state import StateRepository, watched_up_to
from ostplayer.store.tracks import TrackRepository


def run(args: argparse.Namespace, db: Database) -> int:
    """Run a ``moods``, ``mood`` or ``playlist`` command; returns the exit code."""
    handler = _COMMANDS[(args.command, getattr(args, "action", None))]
    return handler(args, db)


# -- moods -------------------------------------------------------------------------------------


def _moods(args: argparse.Namespace, db: Database) -> int:
    counts = MoodIndex(MoodRepository(db).rows()).counts()
    if args.json:
        print_json(
            {
                c.name: {"tracks": c.total, "sources": {o: getattr(c, o) for o in _ORIGINS}}
                for c in counts
            }
        )
        return 0
    for c in counts:
        sources = ", ".join(
            f"{_ORIGIN_WORDS[o]} {getattr(c, o)}" for o in _ORIGINS if getattr(c, o)
        )
        print(f"{c.name:<20} {c.total:>6}  ({sources})")
    return 0


_ORIGINS = ("tag", "pack", "listener")
_ORIGIN_WORDS = {"tag": "tags", "pack": "packs", "listener": "yours"}


def _mood_edit(args: argparse.Namespace, db: Database) -> int:
    tracks = TrackRepository(db)
    for track_id in args.track:
        if tracks.get(track_id) is None:
            raise CommandError(f"there is no track with id {track_id} (see `ostplayer tracks`)")
    if not mood_key(args.mood):
        raise CommandError("the mood is empty; say which mood, e.g. tender")
    repository = MoodRepository(db)
    if args.action == "add":
        repository.add(args.track, args.mood)
    else:
        repository.remove(args.track, args.mood)
    combined = repository.combined(args.track)
    for track_id in args.track:
        print(f"{track_id}: {', '.join(combined.get(track_id, ())) or '(no moods)'}")
    return 0


# -- playlists -----------------------------------------------------------------------------------


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(v.strip() for value in values for v in value.split(",") if v.strip())
    )


def _episodes(text: str | None) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    first, _, last = text.partition("-")
    try:
        return normalise_episode_key(first), normalise_episode_key(last or first)
    except ValueError as exc:
        raise CommandError(f"--episodes: {exc}") from None


def _collection(db: Database) -> list[Track]:
    repo = TrackRepository(db)
    unavailable = frozenset(
        source_id for source_id, _kind, path in repo.sources() if not folder_available(path)
    )
    return repo.all(unavailable)


def _build(args: argparse.Namespace, db: Database) -> int:
    include, exclude = _split(args.mood), _split(args.exclude)
    if not args.moments and args.character:
        raise CommandError("--character needs --moments (it picks scenes, not tracks)")
    if args.smart and (args.moments or not args.name):
        raise CommandError("--smart saves a mood rule: give --name, and no --moments")
    tracks = _collection(db)
    mixer = Mixer.load(db, tracks, watched_up_to(StateRepository(db)))
    if args.moments:
        first, last = _episodes(args.episodes)
        picks = mixer.build_moments(
            MomentRule(include, _split(args.character), first, last, args.minutes)
        )
        rule = None
    else:
        rule = MoodRule(include, args.all, exclude, args.minutes, args.order)
        picks = mixer.build(rule, seed=args.seed)
    by_id = {t.id: t for t in tracks}
    saved: Playlist | None = None
    if args.name:
        playlists = PlaylistRepository(db)
        try:
            if args.smart:
                saved = playlists.create(args.name, rule=rule)
            else:
                saved = playlists.create(args.name, entries_of(picks))
        except PlaylistNameError:
            raise CommandError(
                f"a playlist called “{args.name}” already exists; choose another --name"
            ) from None
    if args.output:
        _export(Path(args.output), args.name or _rule_name(include, args.moments), picks, by_id)
    if args.json:
        print_json(
            {
                "name": saved.name if saved else None,
                "id": saved.id if saved else None,
                "duration_ms": sum(p.duration_ms for p in picks),
                "entries": [_pick_json(p, by_id) for p in picks],
            }
        )
    else:
        _print_picks(picks, by_id)
        if saved is not None:
            print(f"Saved as “{saved.name}”.")
    return 0


def _rule_name(include: tuple[str, ...], moments: bool) -> str:
    words = " + ".join(include) or "every mood"
    return f"{words} moments" if moments else words


def _export(path: Path, name: str, picks: list[Pick], by_id: dict[int, Track]) -> None:
    try:
        export_playlist(path, name, entries_of(picks), by_id)
    except PlaylistFileError as exc:
        raise CommandError(str(exc)) from None


def _print_picks(picks: list[Pick], by_id: dict[int, Track]) -> None:
    for p in picks:
        track = by_id[p.track_id]
        span = ""
        if p.start_ms is not None or p.end_ms is not None:
            end = p.end_ms if p.end_ms is not None else track.duration_ms
            span = f" [{format_ms(p.start_ms or 0)}–{format_ms(end)}]"
        print(f"{format_ms(p.duration_ms):>8}  {track.display_title}{span} — {p.reason}")
    total = sum(p.duration_ms for p in picks)
    print(f"{len(picks)} entries, {format_ms(total)}")


def _pick_json(pick: Pick, by_id: dict[int, Track]) -> dict[str, Any]:
    track = by_id[pick.track_id]
    return {
        "track_id": pick.track_id,
        "title": track.display_title,
        "path": os.fspath(track.path),
        "start_ms": pick.start_ms,
        "end_ms": pick.end_ms,
        "duration_ms": pick.duration_ms,
        "reason": pick.reason,
    }


def _find(db: Database, name: str) -> Playlist:
    playlist = PlaylistRepository(db).find(name)
    if playlist is None:
        names = ", ".join(f"“{p.name}”" for p in PlaylistRepository(db).all()) or "none yet"
        raise CommandError(f"there is no playlist called “{name}” (saved: {names})")
    return playlist


def _picks_of(db: Database, playlist: Playlist, tracks: list[Track]) -> list[Pick]:
    """A playlist's entries as picks: a smart one built from its rule now."""
    if playlist.is_smart:
        mixer = Mixer.load(db, tracks, watched_up_to(StateRepository(db)))
        return mixer.smart(playlist)
    return picks_of_entries(playlist.entries, {t.id: t for t in tracks})


def _list(args: argparse.Namespace, db: Database) -> int:
    playlists = PlaylistRepository(db)
    rows = [playlists.get(p.id) or p for p in playlists.all()]
    if args.json:
        print_json(
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "kind": p.kind,
                    "entries": None if p.is_smart else len(p.entries),
                    "rule": p.rule.to_json() if p.rule else None,
                }
                for p in rows
            ]
        )
        return 0
    for p in rows:
        what = "smart" if p.is_smart else f"{len(p.entries)} entries"
        print(f"{p.name}  ({what})")
    return 0


def _show(args: argparse.Namespace, db: Database) -> int:
    playlist = _find(db, args.name)
    tracks = _collection(db)
    picks = _picks_of(db, playlist, tracks)
    by_id = {t.id: t for t in tracks}
    if args.json:
        print_json(
            {
                "id": playlist.id,
                "name": playlist.name,
                "kind": playlist.kind,
                "rule": playlist.rule.to_json() if playlist.rule else None,
                "duration_ms": sum(p.duration_ms for p in picks),
                "entries": [_pick_json(p, by_id) for p in picks],
            }
        )
    else:
        print(playlist.name)
        _print_picks(picks, by_id)
    return 0


def _export_command(args: argparse.Namespace, db: Database) -> int:
    playlist = _find(db, args.name)
    tracks = _collection(db)
    picks = _picks_of(db, playlist, tracks)
    _export(Path(args.output), playlist.name, picks, {t.id: t for t in tracks})
    return 0


def _import(args: argparse.Namespace, db: Database) -> int:
    path = Path(args.file)
    try:
        imported = import_playlist(path, _collection(db))
    except PlaylistFileError as exc:
        raise CommandError(str(exc)) from None
    playlists = PlaylistRepository(db)
    name = playlists.free_name(args.name or imported.name or path.stem)
    saved = playlists.create(name, imported.entries)
    if args.json:
        print_json(
            {
                "id": saved.id,
                "name": saved.name,
                "entries": len(saved.entries),
                "missing": [{"location": loc, "reason": why} for loc, why in imported.missing],
            }
        )
        return 0
    print(f"Imported “{saved.name}”: {len(saved.entries)} entries found")
    for location, reason in imported.missing:
        print(f"  not found: {location} ({reason})")
    return 0


def _delete(args: argparse.Namespace, db: Database) -> int:
    playlist = _find(db, args.name)
    PlaylistRepository(db).delete(playlist.id)
    print(f"Deleted “{playlist.name}”.")
    return 0


_COMMANDS: dict[tuple[str, str | None], Callable[[argparse.Namespace, Database], int]] = {
    ("moods", None): _moods,
    ("mood", "add"): _mood_edit,
    ("mood", "remove"): _mood_edit,
    ("playlist", "build"): _build,
    ("playlist", "list"): _list,
    ("playlist", "show"): _show,
    ("playlist", "export"): _export_command,
    ("playlist", "import"): _import,
    ("playlist", "delete"): _delete,
}
