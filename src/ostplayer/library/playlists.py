"""Mood and playlist use cases, shared by the command line and the window (no Qt here).

A :class:`Mixer` gathers what building a playlist needs from the library and the scene notes:
the mood index, each track's place in the album and its first appearance in the series, and
the moments (pack cues and the listener's notes with an episode). Building is then pure domain
work (:mod:`ostplayer.domain.mixer`). Playlist files are read and written by
:mod:`ostplayer.formats.playlist_file`.

What a playlist import touches (tests/reliability/test_import_paths.py holds it to this):

- it opens one file, the playlist, and writes none;
- an entry is a *name*, matched against the library's tracks: as written (normalised), then
  with symbolic links resolved. Nothing an entry names is ever opened, read or fetched; a URL
  is listed as skipped; a name with a NUL byte too;
- the file system is asked about a local name only (``lstat``/``readlink``, to resolve links
  and to tell "file not found" from "not in your library"). A network name (``//server/share``
  or ``\\\\server\\share``) is never looked up: on Windows that alone connects to the
  server and hands it the listener's credentials.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ostplayer.domain.mixer import (
    Candidate,
    Moment,
    MomentRule,
    MoodRule,
    Pick,
    build_moments,
    build_playlist,
)
from ostplayer.domain.mood import MoodIndex
from ostplayer.domain.playlist import Playlist, PlaylistEntry
from ostplayer.domain.scene import SceneCue, episode_order
from ostplayer.domain.text import fold
from ostplayer.domain.track import Track
from ostplayer.formats.playlist_file import (
    PlaylistFileError,
    PlaylistItem,
    read_playlist,
    write_playlist,
)
from ostplayer.store.database import Database
from ostplayer.store.moods import MoodRepository
from ostplayer.store.scenes import SceneRepository

__all__ = [
    "ImportedPlaylist",
    "Mixer",
    "entries_of",
    "export_playlist",
    "first_appearances",
    "import_playlist",
    "picks_of_entries",
]


def first_appearances(cues: Iterable[SceneCue]) -> dict[int, tuple[int, int, int]]:
    """``track id → (season, episode, time in the episode)`` of the track's first cue.

    A cue without a time in the episode gets -1: it sorts first in its episode, and the
    builder then says only which episode.
    """
    first: dict[int, tuple[int, int, int]] = {}
    for cue in cues:
        if not cue.track_id:
            continue
        season, number = episode_order(cue.episode)
        at = cue.episode_start_ms if cue.episode_start_ms is not None else -1
        key = (season, number, at)
        if cue.track_id not in first or key < first[cue.track_id]:
            first[cue.track_id] = key
    return first


def _candidate(track: Track, appearance: tuple[int, int, int] | None) -> Candidate:
    artist, album = track.album_key
    return Candidate(
        track_id=track.id,
        duration_ms=track.duration_ms,
        album_key=(fold(artist), fold(album)),
        disc_number=track.disc_number,
        track_number=track.track_number,
        title=track.display_title,
        first_appearance=appearance,
    )


@dataclass
class Mixer:
    """What building playlists needs, read once from the database and the track list.

    ``tracks`` are the collection's tracks that can be played (unavailable ones are left out
    by the caller or here). ``watched_up_to`` keeps moments from later episodes out of moment
    playlists, as the scene panel keeps them hidden.
    """

    index: MoodIndex
    tracks: dict[int, Track]
    cues: list[SceneCue]
    notes_as_cues: list[SceneCue]
    watched_up_to: str | None = None
    _candidates: dict[int, Candidate] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, db: Database, tracks: Iterable[Track], watched_up_to: str | None = None) -> Mixer:
        """Read the moods, cues and notes from ``db`` (on the calling thread's connection)."""
        scenes = SceneRepository(db)
        playable = {t.id: t for t in tracks if t.available}
        # Note ids and cue ids are separate sequences: a note's moment gets a negative id.
        notes = [
            replace(cue, id=-note.id)
            for note in scenes.notes()
            if (cue := note.to_cue()) is not None
        ]
        return cls(
            MoodIndex(MoodRepository(db).rows()),
            playable,
            scenes.linked_cues(),
            notes,
            watched_up_to,
        )

    @property
    def candidates(self) -> dict[int, Candidate]:
        """Every playable track as the builder sees it (made once)."""
        if self._candidates is None:
            first = first_appearances([*self.cues, *self.notes_as_cues])
            self._candidates = {
                track_id: _candidate(track, first.get(track_id))
                for track_id, track in self.tracks.items()
            }
        return self._candidates

    def build(self, rule: MoodRule, seed: int | None = None) -> list[Pick]:
        """The tracks for a mood rule, in its order, filled to its length."""
        return build_playlist(self.index, self.candidates, rule, seed=seed)

    def moments(self) -> list[Moment]:
        """Every moment of a playable track that the spoiler guard lets through."""
        found: list[Moment] = []
        for cue in (*self.cues, *self.notes_as_cues):
            track = self.tracks.get(cue.track_id)
            if track is None or cue.is_spoiler(self.watched_up_to):
                continue
            found.append(
                Moment(
                    cue_id=cue.id,
                    track_id=track.id,
                    start_ms=cue.start_ms,
                    end_ms=cue.end_ms,
                    track_duration_ms=track.duration_ms,
                    episode=cue.episode,
                    episode_start_ms=cue.episode_start_ms,
                    moods=cue.moods,
                    characters=cue.characters,
                    description=cue.description,
                )
            )
        return found

    def build_moments(self, rule: MomentRule) -> list[Pick]:
        """The moments a rule picks, in series order, filled to its length."""
        return build_moments(self.moments(), rule)

    def smart(self, playlist: Playlist) -> list[Pick]:
        """A smart playlist's tracks as its rule finds them now.

        A shuffled one is seeded by its id: the same order each time until the moods change.
        """
        if playlist.rule is None:
            return []
        return self.build(playlist.rule, seed=playlist.id)


def entries_of(picks: Sequence[Pick]) -> list[PlaylistEntry]:
    """The playlist entries for built picks (moments keep their spans)."""
    return [PlaylistEntry(p.track_id, p.start_ms, p.end_ms) for p in picks]


def picks_of_entries(entries: Iterable[PlaylistEntry], tracks: Mapping[int, Track]) -> list[Pick]:
    """A static playlist's entries as picks, with what each plays; entries whose track is not
    in ``tracks`` (missing, or its folder unavailable) are kept in the playlist but left out."""
    picks = []
    for entry in entries:
        track = tracks.get(entry.track_id)
        if track is None:
            continue
        duration = track.duration_ms
        if entry.is_moment:
            end = entry.end_ms if entry.end_ms is not None else track.duration_ms
            duration = max(0, end - (entry.start_ms or 0))
        picks.append(Pick(entry.track_id, entry.start_ms, entry.end_ms, duration))
    return picks


def export_playlist(
    path: Path, name: str, entries: Sequence[PlaylistEntry], tracks: Mapping[int, Track]
) -> int:
    """Write ``entries`` as an M3U8 or XSPF file (by ``path``'s suffix); returns how many.

    Entries whose track is not in ``tracks`` (missing from the collection) are left out.
    Only ``path`` is written (through a temp file beside it, renamed over it; a symbolic link
    at ``path`` is replaced, its target left alone). Raises
    :class:`~ostplayer.formats.playlist_file.PlaylistFileError`.
    """
    if "\0" in os.fspath(path):
        raise PlaylistFileError("Could not save the playlist: its file name holds a NUL byte.")
    items = []
    for pick in picks_of_entries(entries, tracks):
        track = tracks[pick.track_id]
        items.append(
            PlaylistItem(
                path=track.path,
                title=track.display_title,
                artist=track.artist,
                album=track.album,
                duration_ms=pick.duration_ms,
                start_ms=pick.start_ms,
                end_ms=pick.end_ms,
            )
        )
    write_playlist(path, name, items)
    return len(items)


@dataclass(frozen=True)
class ImportedPlaylist:
    """A playlist file read against the library.

    ``entries`` are the items found in the library, in order; ``missing`` lists every other
    item as ``(location as written, reason)``: not in the library, or a URL (never fetched).
    """

    name: str
    entries: tuple[PlaylistEntry, ...]
    missing: tuple[tuple[str, str], ...]


def import_playlist(path: Path, tracks: Iterable[Track]) -> ImportedPlaylist:
    """Read a playlist file and find its entries among ``tracks`` by path.

    Relative paths are resolved against the playlist's folder. A path is matched as written,
    then with symbolic links resolved (see the module's docstring for what is looked up).
    Raises :class:`~ostplayer.formats.playlist_file.PlaylistFileError` for a file that cannot
    be read.
    """
    if "\0" in os.fspath(path):  # open() would raise ValueError, not the error we promise
        raise PlaylistFileError("Could not open the playlist: its file name holds a NUL byte.")
    read = read_playlist(path)
    by_path: dict[str, int] = {}
    for track in tracks:
        by_path.setdefault(os.path.normpath(track.path), track.id)
    entries: list[PlaylistEntry] = []
    missing: list[tuple[str, str]] = list(read.skipped)
    for item in read.items:
        track_id = by_path.get(os.path.normpath(item.path))
        if track_id is None and _is_network_name(item.path):
            missing.append((os.fsdecode(item.path), "a file on another computer"))
            continue
        if track_id is None:
            try:
                track_id = by_path.get(os.path.realpath(item.path))
            except (OSError, ValueError):
                track_id = None
        if track_id is None:
            reason = "not in your library" if os.path.lexists(item.path) else "file not found"
            missing.append((os.fsdecode(item.path), reason))
        else:
            entries.append(PlaylistEntry(track_id, item.start_ms, item.end_ms))
    return ImportedPlaylist(read.name, tuple(entries), tuple(missing))


def _is_network_name(path: Path) -> bool:
    """``//server/share/…`` (or with backslashes): a name whose lookup reaches the network."""
    text = os.fspath(path).replace("\\", "/")
    return text.startswith("//") and not text.startswith("///")
