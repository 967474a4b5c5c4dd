"""Building playlists by mood: of whole tracks (:func:`build_playlist`) and of scene moments
(:func:`build_moments`, every tender scene's excerpt in series order).

Both fill to a length target the same way: entries are added in the playlist's order until the
total reaches the target, so the playlist never runs past it by more than one entry. An entry
of unknown length (0 ms) counts as 0 and never ends the fill on its own.

The builders are pure: they take the mood index and what they need to know of each track
(:class:`Candidate`), and return :class:`Pick` entries with a reason in plain English.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import attrgetter, is_, is_not, itemgetter
from typing import Any, Literal, Protocol, TypeVar, get_args

from ostplayer.domain.mood import VOCABULARY, MoodIndex, Origin, mood_key
from ostplayer.domain.scene import cue_headline, episode_order, format_episode_key
from ostplayer.domain.text import fold
from ostplayer.domain.timefmt import format_ms

#: How a mood playlist is ordered; see :func:`build_playlist`.
Order = Literal["album", "shuffle", "arc", "series"]

#: Every order, in the order the UI offers them.
ORDERS: tuple[Order, ...] = get_args(Order)

_MS_PER_MINUTE = 60_000

# How origins read in a reason: the listener's own moods are "yours".
_ORIGIN_WORDS: dict[Origin, str] = {"tag": "tag", "pack": "pack", "listener": "yours"}

_POSITIONS: dict[str, tuple[float, float]] = {m.name: (m.energy, m.valence) for m in VOCABULARY}

# A track none of whose moods is on the map sits in the middle: medium energy, neither dark
# nor bright, so it lands mid-slope rather than opening the arc or taking its peak.
_NEUTRAL = (0.5, 0.0)


class _Timed(Protocol):
    @property
    def duration_ms(self) -> int: ...


_T = TypeVar("_T", bound=_Timed)

# A track on the arc: (energy, valence, candidate).
_Placed = tuple[float, float, "Candidate"]

# The arc puts its peak this far in (the first ~60 % rises, the rest is the release).
_ARC_PEAK_AT = 0.6


def _validate_moods(field_name: str, moods: object) -> None:
    if not isinstance(moods, tuple) or not all(isinstance(mood, str) for mood in moods):
        raise ValueError(f"{field_name} must be a list of mood words")
    if any(not mood_key(mood) for mood in moods):
        raise ValueError(f"{field_name} holds a blank mood")


def _validate_minutes(minutes: object) -> None:
    # bool is an int subclass: "minutes": true must not mean one minute.
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 1
    ):
        raise ValueError(f"minutes must be a whole number of at least 1, or empty; not {minutes!r}")


@dataclass(frozen=True, slots=True)
class MoodRule:
    """What a mood playlist holds and how it is ordered; saved as a smart playlist.

    ``include``: the moods to pick (any of them, or all with ``match_all``; empty means every
    track that has a mood). ``exclude``: moods a track must not have. ``minutes``: the target
    length, ``None`` for no limit. Moods are kept as the listener wrote them and folded with
    :func:`~ostplayer.domain.mood.mood_key` when used. Raises ``ValueError`` when a field is
    out of range.
    """

    include: tuple[str, ...] = ()
    match_all: bool = False
    exclude: tuple[str, ...] = ()
    minutes: int | None = None
    order: Order = "album"

    def __post_init__(self) -> None:
        """Check every field, so a bad rule fails where it is made, not when it is played."""
        _validate_moods("include", self.include)
        _validate_moods("exclude", self.exclude)
        if not isinstance(self.match_all, bool):
            raise ValueError(f"match_all must be true or false, not {self.match_all!r}")
        _validate_minutes(self.minutes)
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}; not {self.order!r}")

    def to_json(self) -> dict[str, Any]:
        """The rule as a JSON-ready dict (what :meth:`from_json` reads back)."""
        return {
            "include": list(self.include),
            "match_all": self.match_all,
            "exclude": list(self.exclude),
            "minutes": self.minutes,
            "order": self.order,
        }

    @classmethod
    def from_json(cls, data: object) -> MoodRule:
        """Read a rule saved by :meth:`to_json`; missing fields take their defaults.

        Raises ``ValueError`` with a message for people when ``data`` is not a rule. Unknown
        fields are refused rather than ignored: a rule saved by a newer version would
        otherwise play a different list than the one the listener made.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"a mood rule must be a JSON object, not {type(data).__name__}")
        unknown = sorted(set(data) - {"include", "match_all", "exclude", "minutes", "order"})
        if unknown:
            raise ValueError(f"a mood rule has no field {', '.join(map(repr, unknown))}")
        values = dict(data)
        for name in ("include", "exclude"):
            if name in values:
                # A bare string would otherwise become a tuple of its letters.
                if not isinstance(values[name], list):
                    raise ValueError(f"{name} must be a list of mood words")
                values[name] = tuple(values[name])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the playlist builder needs to know of a track it may pick.

    ``album_key`` is (album artist or artist, album), already folded for sorting.
    ``first_appearance`` is (season, episode, episode_start_ms) of the track's first scene
    cue, ``None`` when no cue uses it. A cue that says only which episode has no time; give it
    a negative ``episode_start_ms`` (it then sorts first in its episode and reads "first
    heard S1E3").
    """

    track_id: int
    duration_ms: int
    album_key: tuple[str, str]
    disc_number: int | None
    track_number: int | None
    title: str
    first_appearance: tuple[int, int, int] | None


@dataclass(frozen=True, slots=True)
class Pick:
    """One entry of a built playlist: a track, or a moment of it (``start_ms``..``end_ms``).

    ``duration_ms`` is what the entry plays (the span for a moment; 0 when unknown).
    ``reason`` says in plain English why it was picked, e.g. ``"tender (tag, pack) · warm
    (yours)"``, after the arc's phase or the series' "first heard S1E3 12:05" when ordered so.
    """

    track_id: int
    start_ms: int | None = None
    end_ms: int | None = None
    duration_ms: int = 0
    reason: str = ""


def build_playlist(
    index: MoodIndex,
    candidates: Mapping[int, Candidate],
    rule: MoodRule,
    *,
    seed: int | None = None,
) -> list[Pick]:
    """The playlist a rule makes of the candidates; a track never appears twice.

    The selection is ``index.select(...)`` limited to the ids in ``candidates`` (a missing or
    unavailable track is simply not a candidate). Orders:

    - ``album``: by album, disc (none counts as disc 1), track number (none after the
      numbered tracks), title and id.
    - ``shuffle``: a random permutation (``random.Random(seed)``), drawn lazily: only as many
      tracks as the target needs are drawn.
    - ``arc``: calm → intense → release. Each track sits at the mean (energy, valence) of its
      vocabulary moods (the middle when it has none). With a target, a seeded random sample
      that fills it is chosen first, so rebuilds vary with the seed. The tracks are then laid
      out as a mountain: the most intense track is the peak, about 60 % of the way in; before
      it, the rise, rising in energy from the calmest (its first third is the "calm
      opening"); after it, the release, falling in energy. Both slopes take tracks from the
      whole range of energies, so each starts calm and ends next to the peak; of tracks of
      about the same energy the brightest goes to the release, so the release moves to
      brighter music than the rise climbed through (valence rises after the peak).
    - ``series``: by first appearance (season, episode, time in the episode); tracks that no
      cue uses follow, in album order.

    With a target, no order sorts the whole selection: shuffle and arc draw lazily, and album
    and series order find only the first albums or appearances the target needs (a few
    linear C-level passes). About 40 to 60 ms for 100,000 candidates on a slow machine.
    """
    selected = index.select(rule.include, rule.match_all, rule.exclude)
    target = None if rule.minutes is None else rule.minutes * _MS_PER_MINUTE
    # Random orders draw from the ids sorted, so a seed gives the same playlist whatever the
    # set's history; album and series order end each group on the track id anyway.
    ids = sorted(selected) if rule.order in ("shuffle", "arc") else selected
    # One C-level pass; filter(None) drops the ids that are not candidates (a Candidate is
    # always true).
    pool: list[Candidate] = list(filter(None, map(candidates.get, ids)))
    phases: dict[int, str] = {}
    if rule.order == "album":
        chosen = _fill(_in_album_order(pool, target is not None), target)
    elif rule.order == "shuffle":
        chosen = _fill(_shuffled(pool, random.Random(seed)), target)
    elif rule.order == "arc":
        sample = _fill(_shuffled(pool, random.Random(seed)), target) if target is not None else pool
        chosen, phases = _arc(sample, index)
    else:
        chosen = _fill(_in_series_order(pool, target is not None), target)
        phases = {c.track_id: _first_heard(c.first_appearance) for c in chosen}

    wanted = {mood_key(mood) for mood in rule.include}
    moods = index.moods_by_track({candidate.track_id for candidate in chosen})
    # Few distinct (mood, origins) pairs: each is worded once, not once per track.
    words: dict[tuple[str, frozenset[Origin]], str] = {}
    picks = []
    for candidate in chosen:
        parts = [phases[candidate.track_id]] if candidate.track_id in phases else []
        for mood in moods.get(candidate.track_id, ()):
            if wanted and mood[0] not in wanted:
                continue
            text = words.get(mood)
            if text is None:
                text = words[mood] = _mood_words(index, *mood)
            parts.append(text)
        picks.append(
            Pick(
                track_id=candidate.track_id,
                duration_ms=max(0, candidate.duration_ms),
                reason=" · ".join(parts),
            )
        )
    return picks


def _mood_words(index: MoodIndex, key: str, origins: frozenset[Origin]) -> str:
    """``"tender (tag, pack)"``: a mood's name and where it came from."""
    sources = ", ".join(word for origin, word in _ORIGIN_WORDS.items() if origin in origins)
    return f"{index.name(key)} ({sources})"


def _fill(entries: Iterable[_T], target_ms: int | None) -> list[_T]:
    """Entries in order until their total reaches the target; all of them without a target."""
    if target_ms is None:
        return list(entries)
    taken: list[_T] = []
    total = 0
    for entry in entries:
        taken.append(entry)
        total += max(0, entry.duration_ms)
        # Checked after adding, so the total passes the target by less than the last entry.
        if total >= target_ms:
            break
    return taken


def _shuffled(pool: Sequence[_T], rng: random.Random) -> Iterator[_T]:
    """A random permutation drawn one entry at a time (a Fisher–Yates shuffle run lazily)."""
    items = list(pool)
    size = len(items)
    for i in range(size):
        j = rng.randrange(i, size)
        items[i], items[j] = items[j], items[i]
        yield items[i]


_ALBUM = attrgetter("album_key")
_FIRST_APPEARANCE = attrgetter("first_appearance")


def _within_album(candidate: Candidate) -> tuple[int, bool, int, str, int]:
    disc = 1 if candidate.disc_number is None else candidate.disc_number
    number = candidate.track_number
    return (disc, number is None, number or 0, fold(candidate.title), candidate.track_id)


def _in_album(candidate: Candidate) -> tuple[tuple[str, str], int, bool, int, str, int]:
    return (candidate.album_key, *_within_album(candidate))


# ``lazy``: only a prefix will be taken (there is a target). Without a target all of it is
# wanted, and one sort beats many rounds of _by_group.


def _in_album_order(pool: list[Candidate], lazy: bool) -> Iterable[Candidate]:
    if not lazy:
        return sorted(pool, key=_in_album)
    return _by_group(pool, list(map(_ALBUM, pool)), _within_album)


def _in_series_order(pool: list[Candidate], lazy: bool) -> Iterator[Candidate]:
    firsts = list(map(_FIRST_APPEARANCE, pool))
    if lazy:
        # None (no cue) is never a group, and the pass's membership test skips it.
        yield from _by_group(pool, firsts, _in_album)
    else:
        heard = compress(pool, map(is_not, firsts, repeat(None)))
        yield from sorted(heard, key=lambda c: (c.first_appearance, *_in_album(c)))
    # With a target, only reached when the heard tracks do not fill it.
    yield from _in_album_order(list(compress(pool, map(is_, firsts, repeat(None)))), lazy)


def _by_group(
    pool: list[Candidate], keys: list[Any], within: Callable[[Candidate], Any]
) -> Iterator[Candidate]:
    """The pool in order of its group keys (``keys[i]`` is ``pool[i]``'s), each group by ``within``.

    Candidates whose key is ``None`` are left out.

    Lazy, and never a full sort: a 30-minute playlist out of 100,000 tracks needs a few
    groups. Each round takes the next smallest distinct keys with ``heapq.nsmallest`` (one
    linear pass) and finds their members with one C-level ``map``/``compress`` pass over the
    keys; the batch doubles each round, so even one-track groups need only a round or two. No
    per-candidate tuple is allocated, which also keeps the garbage collector out of it.
    """
    # Distinct keys first (a C-level pass): an album's tracks share one key, so album order
    # then searches albums, not tracks.
    distinct = set(keys)
    distinct.discard(None)
    remaining: Collection[Any] = distinct
    # Each round costs a few passes, and a group is often one track (series order) or one
    # album: start with enough for a typical target in one round.
    batch_size = 32
    while batch := heapq.nsmallest(batch_size, remaining):
        members = set(batch)
        hits = list(map(members.__contains__, keys))
        groups: dict[Any, list[Candidate]] = {key: [] for key in batch}
        for candidate, key in zip(compress(pool, hits), compress(keys, hits), strict=True):
            groups[key].append(candidate)
        for key in batch:
            yield from sorted(groups[key], key=within)
        remaining = list(filter(batch[-1].__lt__, remaining))
        batch_size *= 2


def _first_heard(first_appearance: tuple[int, int, int] | None) -> str:
    if first_appearance is None:
        return "not in the scene cues"
    season, episode, start_ms = first_appearance
    where = format_episode_key(season, episode)
    return f"first heard {where} {format_ms(start_ms)}" if start_ms >= 0 else f"first heard {where}"


def _arc(sample: list[Candidate], index: MoodIndex) -> tuple[list[Candidate], dict[int, str]]:
    """The sample laid out calm → peak → release (see :func:`build_playlist`), with phases."""
    if not sample:
        return [], {}
    ids = {candidate.track_id for candidate in sample}
    # One intersection per vocabulary mood, then a loop over the hits only.
    sums: dict[int, list[float]] = {}
    for key, (energy, valence) in _POSITIONS.items():
        for track_id in index.tracks(key) & ids:
            acc = sums.setdefault(track_id, [0.0, 0.0, 0])
            acc[0] += energy
            acc[1] += valence
            acc[2] += 1
    placed: list[_Placed] = []
    for candidate in sample:
        acc = sums.get(candidate.track_id)
        energy, valence = _NEUTRAL if acc is None else (acc[0] / acc[2], acc[1] / acc[2])
        placed.append((energy, valence, candidate))

    # Most intense first (the brighter of equals, then by id, so the result is stable).
    placed.sort(key=lambda p: (-p[0], -p[1], p[2].track_id))
    peak, rest = placed[0], placed[1:]
    release_size = len(rest) - int(len(rest) * _ARC_PEAK_AT + 0.5)
    rise: list[_Placed] = []
    release: list[_Placed] = []
    if release_size:
        # Cut the rest, from the most intense down, into one band per release slot; each
        # band gives its brightest track to the release and the others to the rise. So both
        # slopes span the whole range of energies (each starts calm and ends next to the
        # peak), and the release resolves into brighter music than the rise climbed through.
        bands: dict[int, list[_Placed]] = {}
        for i, entry in enumerate(rest):
            bands.setdefault(i * release_size // len(rest), []).append(entry)
        for band in bands.values():
            brightest = max(band, key=lambda p: (p[1], -p[0], -p[2].track_id))
            release.append(brightest)
            rise.extend(entry for entry in band if entry is not brightest)
    else:
        rise = rest  # one or two tracks: a rise to the peak and no release
    rise.sort(key=lambda p: (p[0], -p[1], p[2].track_id))
    release.sort(key=lambda p: (-p[0], p[1], p[2].track_id))

    calm_size = (len(rise) + 2) // 3
    phases = {p[2].track_id: "calm opening" for p in rise[:calm_size]}
    phases.update((p[2].track_id, "rising") for p in rise[calm_size:])
    phases[peak[2].track_id] = "peak"
    phases.update((p[2].track_id, "release") for p in release)
    return [p[2] for p in (*rise, peak, *release)], phases


@dataclass(frozen=True, slots=True)
class Moment:
    """A scene cue as the moment builder sees it: a span of a track and the scene it scores.

    ``end_ms`` ``None`` runs to the end of the track (``track_duration_ms``; 0 when unknown).
    ``episode`` is an episode key (``"S1E3"``) and ``episode_start_ms`` the time in it, if known.
    """

    cue_id: int
    track_id: int
    start_ms: int
    end_ms: int | None
    track_duration_ms: int
    episode: str
    episode_start_ms: int | None
    moods: tuple[str, ...]
    characters: tuple[str, ...]
    description: str


@dataclass(frozen=True, slots=True)
class MomentRule:
    """Which moments a moment playlist holds: any of the moods, any of the characters, within
    an inclusive episode range, up to ``minutes``. An empty field does not filter.

    Raises ``ValueError`` for a blank mood or character, an episode that is not a key
    (``"S1E3"``), a range that runs backwards or a target under a minute.
    """

    moods: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    first_episode: str | None = None
    last_episode: str | None = None
    minutes: int | None = None

    def __post_init__(self) -> None:
        """Check every field, so a bad rule fails where it is made."""
        _validate_moods("moods", self.moods)
        if not isinstance(self.characters, tuple) or not all(
            isinstance(name, str) and name.strip() for name in self.characters
        ):
            raise ValueError("characters must be a list of names, none of them blank")
        # parse_episode_key raises a ValueError that tells people how to write an episode.
        first = None if self.first_episode is None else episode_order(self.first_episode)
        last = None if self.last_episode is None else episode_order(self.last_episode)
        if first is not None and last is not None and first > last:
            raise ValueError(
                f"the episodes run backwards: {self.first_episode} comes after {self.last_episode}"
            )
        _validate_minutes(self.minutes)


def _person_key(name: str) -> str:
    return fold(" ".join(name.split()))


def build_moments(moments: Iterable[Moment], rule: MomentRule) -> list[Pick]:
    """The moments a rule picks, in series order, each as a :class:`Pick` of its span.

    Series order is by episode, time in the episode (a moment whose time is unknown goes at
    its episode's end) and start in the track. The reason is the cue's headline ("Ep 3, 41:20
    — the rooftop confession"). Two cues on the same span of the same track play once, as the
    first of them. A span that ends before it starts plays nothing and is left out.
    """
    moods = {mood_key(mood) for mood in rule.moods}
    characters = {_person_key(name) for name in rule.characters}
    first = None if rule.first_episode is None else episode_order(rule.first_episode)
    last = None if rule.last_episode is None else episode_order(rule.last_episode)

    placed: list[tuple[tuple[int, int, bool, int, int, int], Moment, int | None]] = []
    for moment in moments:
        if moods and moods.isdisjoint(map(mood_key, moment.moods)):
            continue
        if characters and characters.isdisjoint(map(_person_key, moment.characters)):
            continue
        season, number = episode_order(moment.episode)
        if (first is not None and (season, number) < first) or (
            last is not None and (season, number) > last
        ):
            continue
        end = moment.end_ms if moment.end_ms is not None else moment.track_duration_ms or None
        if end is not None and end <= moment.start_ms:
            continue
        at = moment.episode_start_ms
        sort_key = (season, number, at is None, at or 0, moment.start_ms, moment.cue_id)
        placed.append((sort_key, moment, end))
    placed.sort(key=itemgetter(0))

    seen: set[tuple[int, int, int | None]] = set()
    picks: list[Pick] = []
    for _, moment, end in placed:
        span = (moment.track_id, moment.start_ms, end)
        if span in seen:
            continue
        seen.add(span)
        picks.append(
            Pick(
                track_id=moment.track_id,
                start_ms=moment.start_ms,
                end_ms=end,
                duration_ms=0 if end is None else end - moment.start_ms,
                reason=cue_headline(moment.episode, moment.episode_start_ms, moment.description),
            )
        )
    target = None if rule.minutes is None else rule.minutes * _MS_PER_MINUTE
    return _fill(picks, target)
