"""Scene-pack and note-export use cases, shared by the command line and the window (no Qt here).

Importing a pack reads it whole, matches its entries to the tracks in the collection and stores
it in one transaction: a malformed pack raises :class:`~ostplayer.formats.pack.PackError` and
changes nothing. Nothing here fetches a URL, and an import writes only to the database in the
data dir. Exports return bytes or text; :func:`write_atomically` puts them in a file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from ostplayer.domain.scene import Note, SceneCue, normalise_episode_key
from ostplayer.domain.track import Track
from ostplayer.files import write_atomically
from ostplayer.formats.lrc import export_lrc
from ostplayer.formats.matching import MatchLevel, match_tracks
from ostplayer.formats.pack import PackError, build_pack, dump_pack, load_pack
from ostplayer.formats.webvtt import export_episode_vtt, export_track_vtt
from ostplayer.paths import resources_dir
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.tracks import TrackRepository

__all__ = [
    "DEMO_PACK",
    "PERSONAL_PACK_NAME",
    "PackImport",
    "check_scene",
    "export_notes",
    "export_pack",
    "export_personal_pack",
    "import_pack",
    "track_cues",
    "write_atomically",
]

#: The demo scene pack that ships with the demo OST.
DEMO_PACK = resources_dir() / "demo" / "scenes.json"

#: The name the listener's notes get when exported as a pack, unless another is given.
PERSONAL_PACK_NAME = "My scene notes"

# A linked entry is matched unless only its title matched; a hand link kept from an earlier
# import counts as matched, since the listener confirmed it.
_UNCERTAIN = str(MatchLevel.TITLE_ONLY)


@dataclass(frozen=True)
class PackImport:
    """What an import did: how many entries found a track, and which ones need a look.

    ``matched`` counts MusicBrainz and title + album matches (and hand links kept from an
    earlier import), ``uncertain`` title-only matches, ``unmatched`` entries with no track
    (kept, to be linked by hand). ``cues`` is the number of cues in the pack.
    """

    name: str
    matched: int
    uncertain: int
    unmatched: int
    cues: int
    uncertain_titles: tuple[str, ...]
    unmatched_titles: tuple[str, ...]


def import_pack(
    source: bytes | Path, tracks: TrackRepository, scenes: SceneRepository
) -> PackImport:
    """Read a pack, match it against the collection and store it, replacing one of the same name.

    Raises ``PackError`` (the message names the entry and the field) before anything is
    written when the pack is malformed. The store's import is one transaction.
    """
    if isinstance(source, Path) and "\0" in str(source):  # open() raises ValueError for it
        raise PackError("Could not read the pack: its file name holds a NUL byte.")
    pack = load_pack(source)
    document = dump_pack(pack)  # canonical bytes, so that an export gives back the same pack
    matches = match_tracks(pack.tracks, tracks.all())  # missing tracks are not candidates
    scenes.import_pack(pack, document, [(m.track_id, str(m.level)) for m in matches])
    # Count what was stored rather than what the matcher said: a hand link the listener made
    # on an earlier import of this pack survives, and is a match.
    entries = [entry for entry in scenes.entries() if entry.pack == pack.name]
    uncertain = tuple(e.title for e in entries if e.track_id is not None and e.match == _UNCERTAIN)
    unmatched = tuple(e.title for e in entries if e.track_id is None)
    matched = len(entries) - len(uncertain) - len(unmatched)
    return PackImport(
        name=pack.name,
        matched=matched,
        uncertain=len(uncertain),
        unmatched=len(unmatched),
        cues=pack.cue_count,
        uncertain_titles=uncertain,
        unmatched_titles=unmatched,
    )


def export_pack(scenes: SceneRepository, name: str) -> bytes:
    """The imported pack ``name`` exactly as imported (its canonical bytes).

    Raises ``LookupError`` when no pack of that name was imported.
    """
    document = scenes.pack_document(name)
    if document is None:
        raise LookupError(f"no scene pack called “{name}” has been imported")
    return document


def export_personal_pack(
    scenes: SceneRepository, tracks: TrackRepository, name: str = PERSONAL_PACK_NAME
) -> bytes:
    """The listener's notes that name an episode, as the bytes of a scene pack called ``name``.

    Each track's match keys come from its row in the library (title, album, artist, duration,
    MusicBrainz id), so the pack finds the same tracks in another library. Notes without an
    episode are plain notes, not scenes, and are left out; so are notes whose track is gone
    from the database altogether (nothing is left to say which track they were on). Raises
    ``PackError`` when a note would not make a valid pack (for example ``name`` is too long).
    """
    by_track: dict[int, list[SceneCue]] = {}
    for note in scenes.notes():
        cue = note.to_cue()
        if cue is not None and note.track_id:
            by_track.setdefault(note.track_id, []).append(cue)
    entries: list[tuple[_TrackKeys, list[SceneCue]]] = []
    for track_id, cues in by_track.items():
        track = tracks.get(track_id)
        if track is not None:
            entries.append((_TrackKeys.of(track), cues))
    wanted = {cue.episode for _, cues in entries for cue in cues}
    # Only the episodes the notes name, with the titles the library knows for them.
    episodes = [episode for episode in scenes.episodes() if episode.key in wanted]
    return dump_pack(build_pack(name, entries, episodes=episodes))


def check_scene(note: Note) -> None:
    """Raise ``PackError`` when a note that names an episode would not export as a scene pack.

    For checking a note before it is saved (a name too long, a control character in a mood, an
    end before its start...), so that sharing it later cannot fail. A note without an episode
    is a plain note and always passes.
    """
    cue = note.to_cue()
    if cue is not None:
        keys = _TrackKeys("track", "", "", 0, "")  # the track's own keys are not the note's
        dump_pack(build_pack(PERSONAL_PACK_NAME, [(keys, [cue])]))


def track_cues(scenes: SceneRepository, track_id: int) -> list[SceneCue]:
    """Every cue on a track in track-time order: pack cues, and notes that name an episode.

    A note comes as a personal cue (``source == PERSONAL``) whose ``id`` is the note's id.
    Notes without an episode are not cues and are left out; see ``SceneRepository.notes``.
    """
    personal = [
        replace(cue, id=note.id)
        for note in scenes.notes(track_id)
        if (cue := note.to_cue()) is not None
    ]
    # sorted() is stable: at the same time, pack cues (already in order) come before notes.
    return sorted([*scenes.cues(track_id), *personal], key=lambda cue: cue.start_ms)


def export_notes(
    scenes: SceneRepository,
    tracks: TrackRepository,
    fmt: Literal["lrc", "vtt"],
    *,
    track_id: int | None = None,
    episode: str | None = None,
) -> str:
    """A track's cues and notes as LRC or WebVTT, or an episode's as WebVTT on its timeline.

    Give exactly one of ``track_id`` and ``episode`` (any accepted spelling, e.g. ``"s01e03"``).
    Per track, every pack cue and every note of the track is a line at its track position. Per
    episode, every linked pack cue and every note naming that episode with an episode time is a
    subtitle over its span of the episode. Raises ``LookupError`` for an unknown track and
    ``ValueError`` for a bad episode key, a bad format, or LRC of an episode (LRC is a
    track-time format: it has no way to place a line on an episode's timeline).
    """
    if fmt not in ("lrc", "vtt"):
        raise ValueError(f"{fmt!r} is not an export format; choose lrc or vtt")
    if (track_id is None) == (episode is None):
        raise ValueError("export the notes of one track or of one episode")
    if track_id is not None:
        track = tracks.get(track_id)
        if track is None:
            raise LookupError(f"there is no track with id {track_id}")
        items: list[SceneCue | Note] = [*scenes.cues(track_id), *scenes.notes(track_id)]
        if fmt == "lrc":
            return export_lrc(track, items)
        return export_track_vtt(track, items, note=f"{track.display_title} — scene notes")
    assert episode is not None
    key = normalise_episode_key(episode)
    if fmt == "lrc":
        raise ValueError(
            "LRC follows a track's timeline, not an episode's; export an episode as vtt"
        )
    titles: dict[int, str] = {}

    def title(track_id: int) -> str:
        if track_id not in titles:
            track = tracks.get(track_id) if track_id else None
            titles[track_id] = track.display_title if track is not None else "(unknown track)"
        return titles[track_id]

    entries: list[tuple[str, SceneCue | Note]] = [
        (title(cue.track_id), cue) for cue in scenes.episode_cues(key)
    ]
    entries.extend((title(n.track_id), n) for n in scenes.notes() if n.episode == key)
    return export_episode_vtt(key, entries, note=_episode_note(scenes, key))


def _episode_note(scenes: SceneRepository, key: str) -> str:
    episode = next((e for e in scenes.episodes() if e.key == key), None)
    if episode is not None and episode.title:
        return f"{key} “{episode.title}” — music notes from OST Player"
    return f"{key} — music notes from OST Player"


@dataclass(frozen=True, slots=True)
class _TrackKeys:
    """A track's match keys for a pack, with the file name standing in for a missing title."""

    title: str
    album: str
    artist: str
    duration_ms: int
    musicbrainz_recording_id: str

    @classmethod
    def of(cls, track: Track) -> _TrackKeys:
        return cls(
            title=track.display_title,
            album=track.album,
            artist=track.artist,
            duration_ms=track.duration_ms,
            musicbrainz_recording_id=track.musicbrainz_recording_id,
        )
