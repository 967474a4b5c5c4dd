"""Match a scene pack's track entries to the tracks of the local library.

The order is the issue's: the MusicBrainz recording id; then the normalised title and album with
a duration within 2 s; then the normalised title alone, flagged as uncertain. An entry that
matches nothing is kept as unmatched, for the listener to link by hand.

Normalising ignores case, accents, punctuation, runs of whitespace and full-width forms, so
"First Love’s Whisper", "first loves whisper" and "ＦＩＲＳＴ ＬＯＶＥ'Ｓ" (full-width) read
the same, while kana keep their voicing marks (ガラス, glass, is not カラス, crow).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ostplayer.domain.scene import PackTrack
from ostplayer.domain.text import fold

__all__ = [
    "DURATION_TOLERANCE_MS",
    "LocalTrack",
    "MatchLevel",
    "TrackMatch",
    "count_levels",
    "match_tracks",
    "normalise_title",
]

#: How far apart the pack's duration and the local file's may be for a title + album match.
DURATION_TOLERANCE_MS = 2_000

# Quotes and apostrophes join the letters around them ("Love’s" is "loves", so a title typed
# without the apostrophe still matches); any other punctuation or symbol separates words.
_JOINERS = frozenset("'\"`´‘’‚‛“”„‟′″")


class MatchLevel(StrEnum):
    """How an entry was matched, from most to least sure."""

    MUSICBRAINZ = "musicbrainz"
    TITLE_ALBUM = "title+album"
    TITLE_ONLY = "title-only (uncertain)"
    UNMATCHED = "unmatched"


class LocalTrack(Protocol):
    """What matching needs of a local track; ``ostplayer.domain.track.Track`` has it all.

    ``duration_ms`` is 0 when unknown and ``musicbrainz_recording_id`` empty when untagged.
    """

    @property
    def id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def album(self) -> str: ...
    @property
    def duration_ms(self) -> int: ...
    @property
    def musicbrainz_recording_id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class TrackMatch:
    """The outcome for one pack entry: the local track's id (``None`` if unmatched) and how."""

    entry_index: int
    track_id: int | None
    level: MatchLevel

    @property
    def uncertain(self) -> bool:
        """True for a title-only match, which the listener should confirm."""
        return self.level is MatchLevel.TITLE_ONLY


def normalise_title(text: str) -> str:
    """A title or album as matching compares it: folded, without punctuation, spaces collapsed."""
    chars: list[str] = []
    # NFKC first turns full-width and half-width forms into ordinary ones and composes kana
    # with their voicing marks, which fold() would otherwise strip like accents.
    for char in unicodedata.normalize("NFKC", text):
        if "\u3040" <= char <= "\u30ff":
            chars.append(char)
            continue
        for part in fold(char):
            if part in _JOINERS:
                continue
            category = unicodedata.category(part)
            chars.append(" " if category[0] in "PSZC" else part)
    normalised = " ".join("".join(chars).split())
    # A title made only of punctuation ("…", "?!") still has to tell itself from others.
    return normalised or " ".join(fold(text).split())


def match_tracks(entries: Sequence[PackTrack], local: Iterable[LocalTrack]) -> list[TrackMatch]:
    """Match each pack entry to a local track; one result per entry, in the entries' order.

    Entries are matched independently (two entries may find the same track). Among several
    candidates at the same level the closest duration wins, then the lowest track id.
    """
    by_mbid: dict[str, list[LocalTrack]] = {}
    by_title: dict[str, list[LocalTrack]] = {}
    for track in local:
        if track.musicbrainz_recording_id:
            by_mbid.setdefault(track.musicbrainz_recording_id.lower(), []).append(track)
        by_title.setdefault(normalise_title(track.title), []).append(track)
    return [_match(index, entry, by_mbid, by_title) for index, entry in enumerate(entries)]


def count_levels(matches: Iterable[TrackMatch]) -> dict[MatchLevel, int]:
    """How many entries matched at each level (every level present, zeros included)."""
    counts = Counter(match.level for match in matches)
    return {level: counts.get(level, 0) for level in MatchLevel}


def _match(
    index: int,
    entry: PackTrack,
    by_mbid: dict[str, list[LocalTrack]],
    by_title: dict[str, list[LocalTrack]],
) -> TrackMatch:
    album = normalise_title(entry.album)
    if entry.musicbrainz_recording_id:
        found = by_mbid.get(entry.musicbrainz_recording_id.lower())
        if found:
            # The same recording in several files: prefer the one on the pack's album.
            best = min(found, key=lambda t: (normalise_title(t.album) != album, *_rank(entry, t)))
            return TrackMatch(index, best.id, MatchLevel.MUSICBRAINZ)
    same_title = by_title.get(normalise_title(entry.title), [])
    if entry.album and entry.duration_ms is not None:
        close = [
            track
            for track in same_title
            if normalise_title(track.album) == album
            and track.duration_ms > 0
            and abs(track.duration_ms - entry.duration_ms) <= DURATION_TOLERANCE_MS
        ]
        if close:
            best = min(close, key=lambda t: _rank(entry, t))
            return TrackMatch(index, best.id, MatchLevel.TITLE_ALBUM)
    if same_title:
        best = min(same_title, key=lambda t: _rank(entry, t))
        return TrackMatch(index, best.id, MatchLevel.TITLE_ONLY)
    return TrackMatch(index, None, MatchLevel.UNMATCHED)


def _rank(entry: PackTrack, track: LocalTrack) -> tuple[int, int]:
    """Closest known duration first (unknown last), then the lowest id."""
    if entry.duration_ms is None or track.duration_ms <= 0:
        return (2**62, track.id)
    return (abs(track.duration_ms - entry.duration_ms), track.id)
