"""Scene cues: where a moment of a track is used in the series, and the listener's own notes.

A scene cue links a span of a track (1:05–2:10) to a moment of an episode (S1E3 41:20–42:25)
with a scene description, characters, a place, a role and moods. A scene pack is a shareable
set of cues for one series; a note is the listener's own, and may carry a full cue.

Times are integer milliseconds. Episodes are named by a stable key such as ``"S1E3"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from ostplayer.domain.timefmt import format_ms

#: The ``source`` of a cue the listener wrote; a cue from a pack has the pack's name instead.
PERSONAL = "personal"

# One to three digits of season and one to four of episode: "S1E3", "s01e03", "S1E1024"; and
# the "1x03" form that fan wikis and file names use. ASCII digits only ([0-9], never \d, which
# would also take Arabic-Indic and other digits).
_EPISODE_KEY = re.compile(
    r"(?:[Ss](?P<s1>[0-9]{1,3})[Ee](?P<e1>[0-9]{1,4}))|(?:(?P<s2>[0-9]{1,3})[xX](?P<e2>[0-9]{1,4}))"
)


class Role(StrEnum):
    """How the music is used in the scene."""

    OPENING = "opening"
    """The opening titles."""
    ENDING = "ending"
    """The end credits."""
    INSERT = "insert"
    """An insert song: a song with words placed in a scene."""
    SCORE = "score"
    """Background score (the default)."""


class Confidence(StrEnum):
    """How sure the writer of a cue is that it is right.

    A small scale rather than a 0..1 number, because a fan writing a pack by hand can pick a word
    but not a meaningful decimal, and the UI only ever needs to tell these three apart.
    """

    CERTAIN = "certain"
    """Checked against the episode (the default)."""
    LIKELY = "likely"
    """From memory, or taken from another fan's list without checking."""
    GUESS = "guess"
    """A guess: the track sounds right but nobody has checked."""


def format_episode_key(season: int, number: int) -> str:
    """The stable key of an episode: ``format_episode_key(1, 3) == "S1E3"``."""
    return f"S{season}E{number}"


def parse_episode_key(text: str) -> tuple[int, int]:
    """Parse ``"S1E3"``, ``"s01e03"`` or ``"1x03"`` (spaces around allowed) into (season, number).

    Raises ``ValueError`` with a message for people when the text is not an episode key.
    """
    match = _EPISODE_KEY.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an episode; write it as S1E3 (season 1, episode 3)")
    season = match["s1"] if match["s1"] is not None else match["s2"]
    number = match["e1"] if match["e1"] is not None else match["e2"]
    return int(season), int(number)


def normalise_episode_key(text: str) -> str:
    """Any accepted spelling of an episode key in its stable form: ``"s01e03"`` → ``"S1E3"``."""
    return format_episode_key(*parse_episode_key(text))


def is_episode_key(text: str) -> bool:
    """True when ``text`` (exactly, no spaces) is an episode key in any accepted spelling."""
    return _EPISODE_KEY.fullmatch(text) is not None


def episode_label(key: str) -> str:
    """How people read an episode key: ``"Ep 3"`` in season 1, ``"S2 Ep 3"`` in other seasons."""
    season, number = parse_episode_key(key)
    return f"Ep {number}" if season == 1 else f"S{season} Ep {number}"


def episode_order(key: str) -> tuple[int, int]:
    """A sort key that puts episodes in airing order (season, then number)."""
    return parse_episode_key(key)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) turned into one space."""
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Episode:
    """One episode of the series. ``title`` may be empty when nobody has written it down."""

    season: int
    number: int
    title: str = ""

    @property
    def key(self) -> str:
        """The stable key, e.g. ``"S1E3"``."""
        return format_episode_key(self.season, self.number)

    @property
    def label(self) -> str:
        """``"Ep 3"`` (season 1) or ``"S2 Ep 3"``."""
        return episode_label(self.key)


@dataclass(frozen=True, slots=True)
class SceneCue:
    """A span of a track linked to a moment of an episode.

    ``start_ms``/``end_ms`` are on the track's timeline; ``end_ms`` is ``None`` when the cue runs
    until the next one. ``episode`` is an episode key in its stable form (``"S1E3"``), and
    ``episode_start_ms``/``episode_end_ms`` are on the episode's timeline; either may be unknown
    (fan lists often only say "this track is in episode 3"), but an end needs a start.

    ``source`` is :data:`PERSONAL` or the name of the pack the cue came from. ``spoiler_from``
    is set when the cue gives away something from a later episode than its own; see
    :attr:`spoiler_episode`. ``id`` and ``track_id`` are the store's (0 when not stored).
    """

    start_ms: int
    episode: str
    description: str
    end_ms: int | None = None
    episode_start_ms: int | None = None
    episode_end_ms: int | None = None
    characters: tuple[str, ...] = field(default_factory=tuple)
    place: str = ""
    role: Role = Role.SCORE
    moods: tuple[str, ...] = field(default_factory=tuple)
    source: str = PERSONAL
    confidence: Confidence = Confidence.CERTAIN
    spoiler_from: str | None = None
    id: int = 0
    track_id: int = 0

    @property
    def spoiler_episode(self) -> str:
        """The episode a listener must have watched before this cue is safe to show."""
        if self.spoiler_from is not None and episode_order(self.spoiler_from) > episode_order(
            self.episode
        ):
            return self.spoiler_from
        return self.episode

    def is_spoiler(self, watched_up_to: str | None) -> bool:
        """True when the cue gives away an episode after ``watched_up_to`` (``None``: no guard)."""
        if watched_up_to is None:
            return False
        return episode_order(self.spoiler_episode) > episode_order(watched_up_to)

    @property
    def headline(self) -> str:
        """One line for people: ``"Ep 3, 41:20 — the rooftop confession"``."""
        return cue_headline(self.episode, self.episode_start_ms, self.description)


@dataclass(frozen=True, slots=True)
class Note:
    """The listener's own note: free text at a track position, optionally a full scene cue.

    The cue fields are all optional; a note with an episode becomes a :class:`SceneCue` with
    :meth:`to_cue` (for the scene panel and for exporting personal notes as a pack).
    """

    text: str
    position_ms: int
    end_ms: int | None = None
    episode: str | None = None
    episode_start_ms: int | None = None
    episode_end_ms: int | None = None
    characters: tuple[str, ...] = field(default_factory=tuple)
    place: str = ""
    role: Role = Role.SCORE
    moods: tuple[str, ...] = field(default_factory=tuple)
    spoiler_from: str | None = None
    id: int = 0
    track_id: int = 0

    @property
    def headline(self) -> str:
        """One line for people: the text, after the episode and its time when there is one."""
        if self.episode is None:
            return one_line(self.text)
        return cue_headline(self.episode, self.episode_start_ms, self.text)

    def to_cue(self) -> SceneCue | None:
        """This note as a personal scene cue, or ``None`` when it names no episode."""
        if self.episode is None:
            return None
        return SceneCue(
            start_ms=self.position_ms,
            end_ms=self.end_ms,
            episode=self.episode,
            episode_start_ms=self.episode_start_ms,
            episode_end_ms=self.episode_end_ms,
            description=self.text,
            characters=self.characters,
            place=self.place,
            role=self.role,
            moods=self.moods,
            source=PERSONAL,
            confidence=Confidence.CERTAIN,
            spoiler_from=self.spoiler_from,
            track_id=self.track_id,
        )


def cue_headline(episode: str, episode_start_ms: int | None, text: str) -> str:
    """``"Ep 3, 41:20 — text"`` (``"Ep 3 — text"`` without a time), always on one line."""
    where = episode_label(episode)
    if episode_start_ms is not None:
        where = f"{where}, {format_ms(episode_start_ms)}"
    text = one_line(text)
    return f"{where} — {text}" if text else where


@dataclass(frozen=True, slots=True)
class PackTrack:
    """One track's entry in a scene pack: the keys to find the track, and its cues in time order.

    The keys are compared with the local library on import (see ``ostplayer.formats.matching``).
    ``duration_ms`` is ``None`` when the pack does not say.
    """

    title: str
    cues: tuple[SceneCue, ...] = field(default_factory=tuple)
    album: str = ""
    artist: str = ""
    duration_ms: int | None = None
    musicbrainz_recording_id: str = ""


@dataclass(frozen=True, slots=True)
class ScenePack:
    """A shareable set of scene cues for one series, as read from or written to a pack file.

    The ``name`` identifies the pack: every cue loaded from it has ``source == name``, and a
    second import of a pack with the same name replaces the first.
    """

    name: str
    tracks: tuple[PackTrack, ...] = field(default_factory=tuple)
    episodes: tuple[Episode, ...] = field(default_factory=tuple)
    author: str = ""
    series: str = ""
    description: str = ""
    licence: str = ""

    @property
    def cue_count(self) -> int:
        """How many cues the pack holds over all its tracks."""
        return sum(len(track.cues) for track in self.tracks)

    def episode(self, key: str) -> Episode | None:
        """The pack's episode with this key (any accepted spelling), or ``None``."""
        wanted = parse_episode_key(key)
        for episode in self.episodes:
            if (episode.season, episode.number) == wanted:
                return episode
        return None
