"""Mood playlists: selection, the four orders, the length target, and moment playlists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ostplayer.domain.mixer import (
    ORDERS,
    Candidate,
    Moment,
    MomentRule,
    MoodRule,
    Order,
    Pick,
    build_moments,
    build_playlist,
)
from ostplayer.domain.mood import ORIGINS, VOCABULARY, MoodIndex, mood_key, mood_position

MINUTE = 60_000


def candidate(
    track_id: int,
    minutes: float = 4,
    *,
    album: tuple[str, str] = ("composer", "ost"),
    disc: int | None = None,
    number: int | None = None,
    title: str = "",
    first: tuple[int, int, int] | None = None,
) -> Candidate:
    return Candidate(
        track_id=track_id,
        duration_ms=int(minutes * MINUTE),
        album_key=album,
        disc_number=disc,
        track_number=number,
        title=title or f"track {track_id}",
        first_appearance=first,
    )


def same_album(count: int, minutes: float = 4) -> dict[int, Candidate]:
    return {i: candidate(i, minutes, number=i) for i in range(1, count + 1)}


def tagged(track_ids: range | list[int], mood: str = "tender") -> MoodIndex:
    return MoodIndex([(track_id, mood, "tag") for track_id in track_ids])


def ids(picks: list[Pick]) -> list[int]:
    return [pick.track_id for pick in picks]


def total_ms(picks: list[Pick]) -> int:
    return sum(pick.duration_ms for pick in picks)


# -- selection -------------------------------------------------------------------------------


INDEX_ROWS = [
    (1, "Tender", "tag"),
    (1, "tender", "pack"),
    (1, "warm", "listener"),
    (2, "tender", "listener"),
    (3, "warm", "tag"),
    (3, "tense", "pack"),
    (4, "tense", "tag"),
    (5, "tender", "tag"),  # not a candidate: its file is unavailable
]


def test_selection_any_all_exclude_and_only_candidates() -> None:
    index = MoodIndex(INDEX_ROWS)
    candidates = same_album(4)

    def picked(**rule: object) -> list[int]:
        return ids(build_playlist(index, candidates, MoodRule(**rule)))  # type: ignore[arg-type]

    assert picked(include=("tender",)) == [1, 2]
    assert picked(include=("TENDER", "warm")) == [1, 2, 3]
    assert picked(include=("tender", "warm"), match_all=True) == [1]
    assert picked(include=("warm",), exclude=("Tense",)) == [1]
    assert picked() == [1, 2, 3, 4]
    assert picked(exclude=("tender",)) == [3, 4]
    assert picked(include=("nobody's",)) == []


def test_reason_names_the_matching_moods_and_their_origins() -> None:
    index = MoodIndex(INDEX_ROWS)
    candidates = same_album(4)
    picks = build_playlist(index, candidates, MoodRule(include=("tender", "warm")))
    assert [pick.reason for pick in picks] == [
        "tender (tag, pack) · warm (yours)",
        "tender (yours)",
        "warm (tag)",
    ]
    # Only the moods asked for are named; with no include, all of the track's moods.
    assert build_playlist(index, candidates, MoodRule(include=("warm",)))[0].reason == (
        "warm (yours)"
    )
    assert build_playlist(index, candidates, MoodRule())[2].reason == "tense (pack) · warm (tag)"
    assert all(pick.start_ms is None and pick.end_ms is None for pick in picks)
    assert [pick.duration_ms for pick in picks] == [4 * MINUTE] * 3


# -- album order -----------------------------------------------------------------------------


def test_album_order_is_album_disc_number_title_id() -> None:
    candidates = {
        1: candidate(1, album=("b artist", "second"), number=1),
        2: candidate(2, album=("a artist", "first"), disc=2, number=1),
        3: candidate(3, album=("a artist", "first"), disc=1, number=2),
        4: candidate(4, album=("a artist", "first"), disc=None, number=1),  # no disc: disc 1
        5: candidate(5, album=("a artist", "first"), disc=1, number=None, title="Zebra"),
        6: candidate(6, album=("a artist", "first"), disc=1, number=None, title="apple"),
        7: candidate(7, album=("a artist", "first"), disc=1, number=None, title="apple"),
        8: candidate(8, album=("a artist", "another"), number=9),
    }
    index = tagged(list(candidates))
    picks = build_playlist(index, candidates, MoodRule(order="album"))
    assert ids(picks) == [8, 4, 3, 6, 7, 5, 2, 1]


def test_album_order_over_many_small_albums_keeps_going_past_the_first_batch() -> None:
    # One track an album, more albums than one round of the builder takes.
    candidates = {
        i: candidate(i, 1, album=("artist", f"album {i:04d}"), number=1) for i in range(1, 301)
    }
    index = tagged(list(candidates))
    picks = build_playlist(index, candidates, MoodRule(order="album"))
    assert ids(picks) == list(range(1, 301))
    picks = build_playlist(index, candidates, MoodRule(order="album", minutes=100))
    assert ids(picks) == list(range(1, 101))


# -- length target ---------------------------------------------------------------------------


def test_length_target_stops_once_reached() -> None:
    candidates = same_album(10, minutes=4)
    index = tagged(range(1, 11))
    picks = build_playlist(index, candidates, MoodRule(minutes=30))
    assert ids(picks) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert total_ms(picks) == 32 * MINUTE
    # Reaching the target exactly stops there.
    picks = build_playlist(index, candidates, MoodRule(minutes=28))
    assert total_ms(picks) == 28 * MINUTE
    # A target longer than the selection gives all of it.
    assert ids(build_playlist(index, candidates, MoodRule(minutes=600))) == list(range(1, 11))


@pytest.mark.parametrize("order", ORDERS)
def test_length_target_in_every_order(order: Order) -> None:
    candidates = same_album(40, minutes=3)
    index = MoodIndex((i, VOCABULARY[i % 12].name, "tag") for i in range(1, 41))
    picks = build_playlist(index, candidates, MoodRule(minutes=20, order=order), seed=5)
    assert len(picks) == 7  # 21 minutes: the seventh track reaches 20
    assert len(set(ids(picks))) == 7


def test_tracks_of_unknown_length_never_end_the_fill() -> None:
    candidates = {i: candidate(i, 0 if i % 2 else 5, number=i) for i in range(1, 11)}
    index = tagged(range(1, 11))
    picks = build_playlist(index, candidates, MoodRule(minutes=10))
    assert ids(picks) == [1, 2, 3, 4]  # 0 + 5 + 0 + 5 minutes
    assert total_ms(picks) == 10 * MINUTE


# -- shuffle ---------------------------------------------------------------------------------


def test_shuffle_is_seeded_and_never_repeats() -> None:
    candidates = same_album(30)
    index = tagged(range(1, 31))
    rule = MoodRule(order="shuffle")
    first = ids(build_playlist(index, candidates, rule, seed=1))
    assert sorted(first) == list(range(1, 31))
    assert ids(build_playlist(index, candidates, rule, seed=1)) == first
    assert ids(build_playlist(index, candidates, rule, seed=2)) != first
    assert first != list(range(1, 31))
    # The same seed with a target plays the start of the same permutation.
    short = ids(build_playlist(index, candidates, MoodRule(order="shuffle", minutes=30), seed=1))
    assert short == first[:8]


def test_shuffle_does_not_depend_on_the_order_of_the_candidates() -> None:
    forward = same_album(30)
    backward = dict(reversed(forward.items()))
    index = tagged(range(1, 31))
    rule = MoodRule(order="shuffle")
    assert ids(build_playlist(index, forward, rule, seed=9)) == ids(
        build_playlist(index, backward, rule, seed=9)
    )


# -- arc -------------------------------------------------------------------------------------


def position(mood: str) -> tuple[float, float]:
    found = mood_position(mood)
    assert found is not None
    return found


def arc_energies(picks: list[Pick], moods: dict[int, str]) -> list[float]:
    return [position(moods[pick.track_id])[0] for pick in picks]


def test_arc_rises_to_a_peak_then_releases() -> None:
    moods = {i: info.name for i, info in enumerate(VOCABULARY, start=1)}
    index = MoodIndex((i, mood, "tag") for i, mood in moods.items())
    candidates = same_album(12)
    picks = build_playlist(index, candidates, MoodRule(order="arc"))
    assert sorted(ids(picks)) == list(range(1, 13))
    energies = arc_energies(picks, moods)
    peak = energies.index(max(energies))
    assert 0 < peak < len(energies) - 1
    assert peak == 7  # ~60 % of the way in
    assert energies[: peak + 1] == sorted(energies[: peak + 1])
    assert energies[peak:] == sorted(energies[peak:], reverse=True)
    assert moods[picks[peak].track_id] == "triumphant"
    # The release resolves into brighter music than the rise climbed through.
    valences = [position(moods[p.track_id])[1] for p in picks]
    rise, release = valences[:peak], valences[peak + 1 :]
    assert sum(release) / len(release) > sum(rise) / len(rise)
    phases = [pick.reason.split(" · ")[0] for pick in picks]
    assert phases == ["calm opening"] * 3 + ["rising"] * 4 + ["peak"] + ["release"] * 4
    assert picks[0].reason == f"calm opening · {moods[picks[0].track_id]} (tag)"


def test_arc_with_a_target_samples_by_seed_and_keeps_its_shape() -> None:
    moods = {i: VOCABULARY[i % 12].name for i in range(1, 121)}
    index = MoodIndex((i, mood, "tag") for i, mood in moods.items())
    candidates = same_album(120, minutes=3)
    rule = MoodRule(order="arc", minutes=30)
    builds = [build_playlist(index, candidates, rule, seed=seed) for seed in range(5)]
    assert build_playlist(index, candidates, rule, seed=3) == builds[3]
    assert len({tuple(ids(picks)) for picks in builds}) == 5
    for picks in builds:
        assert len(picks) == 10
        energies = arc_energies(picks, moods)
        peak = [pick.reason.split(" · ")[0] for pick in picks].index("peak")
        assert energies[peak] == max(energies)
        assert 0 < peak < len(picks) - 1
        assert energies[: peak + 1] == sorted(energies[: peak + 1])
        assert energies[peak:] == sorted(energies[peak:], reverse=True)


def test_arc_places_tracks_by_the_mean_of_their_moods() -> None:
    rows = [
        (1, "serene", "tag"),
        (2, "triumphant", "tag"),
        (3, "tense", "tag"),
        (3, "serene", "pack"),  # mean energy 0.45
        (4, "rainy day", "listener"),  # off the map: the middle, energy 0.5
        (5, "eerie", "tag"),
    ]
    index = MoodIndex(rows)
    picks = build_playlist(index, same_album(5), MoodRule(order="arc"))
    # Energy bands below the peak: {eerie 0.55, rainy 0.5} and {tense+serene 0.45, serene
    # 0.1}; the brighter of each (rainy at valence 0, serene) goes to the release.
    assert ids(picks) == [3, 5, 2, 4, 1]


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_arc_of_a_few_tracks(count: int) -> None:
    moods = ["serene", "triumphant", "warm"][:count]
    index = MoodIndex((i, mood, "tag") for i, mood in enumerate(moods, start=1))
    picks = build_playlist(index, same_album(count), MoodRule(order="arc"))
    phases = [pick.reason.split(" · ")[0] for pick in picks]
    assert (
        phases
        == [[], ["peak"], ["calm opening", "peak"], ["calm opening", "peak", "release"]][count]
    )


# -- series ----------------------------------------------------------------------------------


def test_series_order_by_first_appearance_then_the_rest_in_album_order() -> None:
    candidates = {
        1: candidate(1, number=1, first=(1, 3, 725_000)),
        2: candidate(2, number=2, first=(1, 1, 30_000)),
        3: candidate(3, number=3),
        4: candidate(4, number=4, first=(2, 1, 0)),
        5: candidate(5, number=5, first=(1, 3, 100_000)),
        6: candidate(6, number=0),
        7: candidate(7, number=7, first=(1, 3, -1)),  # episode known, time not
    }
    index = tagged(list(candidates))
    picks = build_playlist(index, candidates, MoodRule(order="series"))
    assert ids(picks) == [2, 7, 5, 1, 4, 6, 3]
    assert [pick.reason for pick in picks] == [
        "first heard S1E1 0:30 · tender (tag)",
        "first heard S1E3 · tender (tag)",
        "first heard S1E3 1:40 · tender (tag)",
        "first heard S1E3 12:05 · tender (tag)",
        "first heard S2E1 0:00 · tender (tag)",
        "not in the scene cues · tender (tag)",
        "not in the scene cues · tender (tag)",
    ]
    picks = build_playlist(index, candidates, MoodRule(order="series", minutes=17))
    assert ids(picks) == [2, 7, 5, 1, 4]
    picks = build_playlist(index, candidates, MoodRule(order="series", minutes=21))
    assert ids(picks) == [2, 7, 5, 1, 4, 6]


def test_series_order_breaks_ties_by_album() -> None:
    candidates = {
        1: candidate(1, album=("b", "b"), number=1, first=(1, 2, 0)),
        2: candidate(2, album=("a", "a"), number=2, first=(1, 2, 0)),
        3: candidate(3, album=("a", "a"), number=1, first=(1, 2, 0)),
    }
    index = tagged([1, 2, 3])
    assert ids(build_playlist(index, candidates, MoodRule(order="series"))) == [3, 2, 1]


# -- rules as JSON ---------------------------------------------------------------------------


def test_rule_json_round_trip() -> None:
    rule = MoodRule(
        include=("Tender", "warm"), match_all=True, exclude=("eerie",), minutes=45, order="arc"
    )
    data = rule.to_json()
    assert data == {
        "include": ["Tender", "warm"],
        "match_all": True,
        "exclude": ["eerie"],
        "minutes": 45,
        "order": "arc",
    }
    assert MoodRule.from_json(data) == rule
    assert MoodRule.from_json(MoodRule().to_json()) == MoodRule()
    assert MoodRule.from_json({}) == MoodRule()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"include": "tender"}, "include must be a list"),
        ({"exclude": [1]}, "exclude must be a list of mood words"),
        ({"include": ["tender", "  "]}, "include holds a blank mood"),
        ({"match_all": "yes"}, "match_all must be true or false"),
        ({"minutes": 0}, "minutes must be a whole number of at least 1"),
        ({"minutes": True}, "minutes must be a whole number"),
        ({"minutes": 12.5}, "minutes must be a whole number"),
        ({"order": "random"}, "order must be one of album, shuffle, arc, series"),
        ({"order": "album", "colour": "red"}, "no field 'colour'"),
    ],
)
def test_rule_json_is_validated(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MoodRule.from_json(data)


# -- moments ---------------------------------------------------------------------------------


def moment(
    cue_id: int,
    episode: str,
    at: int | None,
    *,
    track_id: int = 1,
    start: int = 0,
    end: int | None = 60_000,
    track_ms: int = 180_000,
    moods: tuple[str, ...] = ("tender",),
    characters: tuple[str, ...] = (),
    description: str = "",
) -> Moment:
    return Moment(
        cue_id=cue_id,
        track_id=track_id,
        start_ms=start,
        end_ms=end,
        track_duration_ms=track_ms,
        episode=episode,
        episode_start_ms=at,
        moods=moods,
        characters=characters,
        description=description or f"scene {cue_id}",
    )


MOMENTS = [
    moment(1, "S1E3", 2_480_000, track_id=1, start=65_000, end=130_000, description="rooftop"),
    moment(2, "S1E1", 600_000, track_id=2, moods=("Tense",), characters=("Ji-woo",)),
    moment(3, "S1E3", 300_000, track_id=3, end=None, characters=("Min-jun", "ji-woo")),
    moment(4, "S2E1", None, track_id=4, moods=("warm", "tender")),
    moment(5, "S2E1", 10_000, track_id=5, moods=("warm",), characters=("Min-jun",)),
    moment(6, "S1E10", 0, track_id=6, moods=("TENDER",)),
]


def test_moments_in_series_order_with_their_spans() -> None:
    picks = build_moments(MOMENTS, MomentRule())
    assert ids(picks) == [2, 3, 1, 6, 5, 4]
    rooftop = picks[2]
    assert (rooftop.start_ms, rooftop.end_ms, rooftop.duration_ms) == (65_000, 130_000, 65_000)
    assert rooftop.reason == "Ep 3, 41:20 — rooftop"
    # No end: to the end of the track.
    assert (picks[1].start_ms, picks[1].end_ms, picks[1].duration_ms) == (0, 180_000, 180_000)
    # No time in the episode: at the episode's end, and the headline says only the episode.
    assert picks[-1].reason == "S2 Ep 1 — scene 4"


def test_moment_filters() -> None:
    def picked(**rule: object) -> list[int]:
        return ids(build_moments(MOMENTS, MomentRule(**rule)))  # type: ignore[arg-type]

    assert picked(moods=("tender",)) == [3, 1, 6, 4]
    assert picked(moods=(" Tense", "warm")) == [2, 5, 4]
    assert picked(characters=("JI-WOO",)) == [2, 3]
    assert picked(characters=("min-jun", "nobody")) == [3, 5]
    assert picked(first_episode="S1E3", last_episode="s01e10") == [3, 1, 6]
    assert picked(first_episode="S1E4") == [6, 5, 4]
    assert picked(last_episode="1x3") == [2, 3, 1]
    assert picked(moods=("tender",), characters=("Min-jun",), last_episode="S1E3") == [3]


def test_moment_length_target() -> None:
    # 1:00 + 3:00 + 1:05 + 1:00 ... : 5 minutes are reached by the third moment.
    picks = build_moments(MOMENTS, MomentRule(minutes=5))
    assert ids(picks) == [2, 3, 1]
    assert total_ms(picks) == 305_000
    assert len(build_moments(MOMENTS, MomentRule(minutes=500))) == len(MOMENTS)


def test_a_span_cued_twice_plays_once() -> None:
    moments = [
        moment(1, "S1E5", 1000, track_id=7, start=5_000, end=50_000, description="later"),
        moment(2, "S1E2", 1000, track_id=7, start=5_000, end=50_000, description="earlier"),
        # The same span written without an end, the track being 50 s long: the same span.
        moment(3, "S1E6", 0, track_id=7, start=5_000, end=None, track_ms=50_000),
        moment(4, "S1E6", 0, track_id=7, start=5_000, end=40_000),  # a different span
        moment(5, "S1E7", 0, track_id=8, start=5_000, end=50_000),  # another track
    ]
    picks = build_moments(moments, MomentRule())
    assert [(p.track_id, p.start_ms, p.end_ms) for p in picks] == [
        (7, 5_000, 50_000),
        (7, 5_000, 40_000),
        (8, 5_000, 50_000),
    ]
    assert picks[0].reason == "Ep 2, 0:01 — earlier"


def test_moments_of_unknown_or_broken_length() -> None:
    moments = [
        moment(1, "S1E1", 0, start=5_000, end=None, track_ms=0),  # length unknown
        moment(2, "S1E2", 0, start=5_000, end=5_000),  # empty span: left out
        moment(3, "S1E3", 0, start=9_000, end=2_000),  # backwards: left out
        moment(4, "S1E4", 0, start=0, end=60_000),
    ]
    picks = build_moments(moments, MomentRule(minutes=1))
    assert [(p.track_id, p.end_ms, p.duration_ms) for p in picks] == [
        (1, None, 0),
        (1, 60_000, 60_000),
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"first_episode": "episode three"}, "write it as S1E3"),
        ({"first_episode": "S1E5", "last_episode": "S1E3"}, "run backwards"),
        ({"characters": ("Ji-woo", " ")}, "characters must be a list of names"),
        ({"moods": ("",)}, "moods holds a blank mood"),
        ({"minutes": -3}, "minutes must be a whole number of at least 1"),
    ],
)
def test_moment_rule_is_validated(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MomentRule(**rule)  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------------------

MOOD_WORDS = ["tender", "Warm", "tense", "eerie", "rainy day", "TRIUMPHANT"]


@st.composite
def libraries(draw: st.DrawFn) -> tuple[list[tuple[int, str, str]], dict[int, Candidate]]:
    track_ids = draw(st.lists(st.integers(1, 60), unique=True, max_size=40))
    rows = [
        (track_id, mood, draw(st.sampled_from(ORIGINS)))
        for track_id in track_ids
        for mood in draw(st.lists(st.sampled_from(MOOD_WORDS), max_size=3))
    ]
    candidates = {
        track_id: Candidate(
            track_id=track_id,
            duration_ms=draw(st.integers(0, 8 * MINUTE)),
            album_key=(draw(st.sampled_from("ab")), draw(st.sampled_from("xyz"))),
            disc_number=draw(st.none() | st.integers(1, 2)),
            track_number=draw(st.none() | st.integers(1, 5)),
            title=draw(st.sampled_from(["", "A", "b"])),
            first_appearance=draw(
                st.none() | st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(-1, 9))
            ),
        )
        for track_id in draw(st.lists(st.integers(1, 60), unique=True, max_size=40))
    }
    return rows, candidates


rules = st.builds(
    MoodRule,
    include=st.lists(st.sampled_from(MOOD_WORDS), max_size=3).map(tuple),
    match_all=st.booleans(),
    exclude=st.lists(st.sampled_from(MOOD_WORDS), max_size=2).map(tuple),
    minutes=st.none() | st.integers(1, 40),
    order=st.sampled_from(ORDERS),
)


@settings(max_examples=300, deadline=None)
@given(libraries(), rules, st.integers(0, 3))
def test_every_playlist_keeps_the_rule(
    library: tuple[list[tuple[int, str, str]], dict[int, Candidate]], rule: MoodRule, seed: int
) -> None:
    rows, candidates = library
    picks = build_playlist(MoodIndex(rows), candidates, rule, seed=seed)  # type: ignore[arg-type]

    # What each track's moods are, worked out here without the index.
    moods: dict[int, set[str]] = {}
    for track_id, mood, _origin in rows:
        moods.setdefault(track_id, set()).add(mood_key(mood))
    include = {mood_key(mood) for mood in rule.include}
    exclude = {mood_key(mood) for mood in rule.exclude}

    def wanted(track_id: int) -> bool:
        have = moods.get(track_id, set())
        if not have or have & exclude:
            return False
        if not include:
            return True
        return include <= have if rule.match_all else bool(include & have)

    chosen = ids(picks)
    assert len(chosen) == len(set(chosen))
    assert all(track_id in candidates and wanted(track_id) for track_id in chosen)
    selection = {track_id for track_id in candidates if wanted(track_id)}
    total = total_ms(picks)
    if rule.minutes is None:
        assert set(chosen) == selection
    else:
        target = rule.minutes * MINUTE
        if total < target:
            assert set(chosen) == selection  # all there is
        else:
            # Past the target by less than one track: without its longest track it is short.
            assert total - max(pick.duration_ms for pick in picks) < target
    if rule.order == "arc" and len(picks) >= 3:
        phases = [pick.reason.split(" · ")[0] for pick in picks]
        assert phases.count("peak") == 1
        assert phases[0] == "calm opening"
        assert phases[-1] == "release"
    if rule.order == "series":
        firsts = [candidates[track_id].first_appearance for track_id in chosen]
        heard = [first for first in firsts if first is not None]
        assert firsts[: len(heard)] == heard == sorted(heard)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.builds(
            moment,
            st.integers(1, 50),
            st.sampled_from(["S1E1", "S1E2", "S2E1"]),
            st.none() | st.integers(0, 5),
            track_id=st.integers(1, 4),
            start=st.integers(0, 3).map(lambda s: s * 10_000),
            end=st.none() | st.integers(1, 4).map(lambda s: s * 10_000),
            track_ms=st.sampled_from([0, 40_000]),
            moods=st.lists(st.sampled_from(MOOD_WORDS), max_size=2).map(tuple),
        ),
        max_size=20,
    ),
    st.lists(st.sampled_from(MOOD_WORDS), max_size=2).map(tuple),
    st.none() | st.integers(1, 3),
)
def test_every_moment_playlist_keeps_the_rule(
    moments: list[Moment], moods: tuple[str, ...], minutes: int | None
) -> None:
    picks = build_moments(moments, MomentRule(moods=moods, minutes=minutes))
    spans = [(pick.track_id, pick.start_ms, pick.end_ms) for pick in picks]
    assert len(spans) == len(set(spans))
    for pick in picks:
        start, end = pick.start_ms, pick.end_ms
        assert start is not None
        assert end is None or end > start
        assert pick.duration_ms == (0 if end is None else end - start)
    if minutes is not None and picks:
        assert total_ms(picks) - max(pick.duration_ms for pick in picks) < minutes * MINUTE
