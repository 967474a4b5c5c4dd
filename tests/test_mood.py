"""Moods: folding, the shipped vocabulary and the index of tracks by mood."""

from __future__ import annotations

import pytest

from ostplayer.domain.mood import (
    ORIGINS,
    VOCABULARY,
    MoodCount,
    MoodIndex,
    mood_info,
    mood_key,
    mood_position,
)


def test_mood_key_folds_case_and_spacing() -> None:
    assert mood_key("Tender") == mood_key(" tender ") == mood_key("TENDER") == "tender"
    assert mood_key("bitter  sweet") == mood_key("Bitter\tSweet\n") == "bitter sweet"
    assert mood_key("") == mood_key("   ") == ""
    # Composed and decomposed accents are one mood; the accent itself stays.
    assert mood_key("Mélancolie") == mood_key("Me\u0301lancolie") == "mélancolie"
    assert mood_key("切ない") == "切ない"


def test_vocabulary_holds_the_twelve_moods_on_the_map() -> None:
    names = [info.name for info in VOCABULARY]
    assert sorted(names) == sorted(
        [
            "tender",
            "longing",
            "hopeful",
            "cathartic",
            "warm",
            "serene",
            "playful",
            "melancholic",
            "tense",
            "brooding",
            "eerie",
            "triumphant",
        ]
    )
    for info in VOCABULARY:
        assert info.name == mood_key(info.name)
        assert 0.0 <= info.energy <= 1.0
        assert -1.0 <= info.valence <= 1.0
        assert info.description.strip()
        assert "\n" not in info.description
        assert mood_position(info.name) == (info.energy, info.valence)
    # The map says what the words mean: serene is calmer than tense, eerie darker than warm.
    serene, tense, eerie, warm = map(mood_info, ("serene", "tense", "eerie", "warm"))
    assert serene is not None and tense is not None and eerie is not None and warm is not None
    assert serene.energy < tense.energy
    assert eerie.valence < warm.valence


def test_mood_position_takes_any_spelling_and_knows_only_the_vocabulary() -> None:
    assert mood_position(" Tender ") == mood_position("tender")
    assert mood_info("TRIUMPHANT") is not None
    assert mood_position("rainy day") is None
    assert mood_info("") is None


ROWS = [
    (1, "Tender", "tag"),
    (1, "tender", "pack"),
    (2, "TENDER", "listener"),
    (2, "warm", "tag"),
    (3, "Bitter  Sweet", "listener"),
    (4, "bitter sweet", "tag"),
    (4, "Bitter Sweet", "pack"),
    (5, "warm", "pack"),
    (5, "Tense", "tag"),
    (6, "   ", "tag"),  # blank: ignored
]


def test_counts_by_origin_and_display_names() -> None:
    index = MoodIndex(ROWS)
    assert index.counts() == [
        MoodCount("bitter sweet", "Bitter Sweet", total=2, tag=1, pack=1, listener=1),
        MoodCount("tender", "tender", total=2, tag=1, pack=1, listener=1),
        MoodCount("warm", "warm", total=2, tag=1, pack=1),
        MoodCount("tense", "tense", total=1, tag=1),
    ]
    # The vocabulary's own name wins over the most common spelling ("Tender" twice, once here).
    assert index.name("TENDER") == "tender"
    # Outside the vocabulary, the spelling most tracks carry (whitespace folded, case kept).
    assert index.name("bitter sweet") == "Bitter Sweet"
    assert index.name("never used") == "never used"
    assert len(index) == 4
    assert "Warm" in index
    assert "cold" not in index
    assert index.keys() == ["bitter sweet", "tender", "tense", "warm"]
    assert index.track_ids == {1, 2, 3, 4, 5}


def test_display_name_ties_go_to_the_first_spelling_in_sorted_order() -> None:
    index = MoodIndex([(1, "Rainy Day", "tag"), (2, "rainy day", "tag")])
    assert index.name("rainy day") == "Rainy Day"
    index = MoodIndex([(1, "Rainy Day", "tag"), (2, "rainy day", "tag"), (3, "rainy day", "pack")])
    assert index.name("rainy day") == "rainy day"


def test_tracks_and_moods_of_a_track() -> None:
    index = MoodIndex(ROWS)
    assert index.tracks(" Tender") == frozenset({1, 2})
    assert index.tracks("unknown") == frozenset()
    assert index.moods_of(1) == [("tender", frozenset({"tag", "pack"}))]
    assert index.moods_of(5) == [("tense", frozenset({"tag"})), ("warm", frozenset({"pack"}))]
    assert index.moods_of(6) == []
    assert index.moods_by_track([2, 4, 99]) == {
        2: [("tender", frozenset({"listener"})), ("warm", frozenset({"tag"}))],
        4: [("bitter sweet", frozenset({"tag", "pack"}))],
    }


def test_select_any_all_and_exclude() -> None:
    index = MoodIndex(ROWS)
    assert index.select(["tender", "WARM"], False, []) == {1, 2, 5}
    assert index.select(["tender", "warm"], True, []) == {2}
    assert index.select(["tender", "warm"], False, ["tense"]) == {1, 2}
    assert index.select(["tender", "nobody's mood"], True, []) == set()
    assert index.select(["tender", "nobody's mood"], False, []) == {1, 2}
    # An empty include is every track with a mood; blanks are no moods at all.
    assert index.select([], False, []) == {1, 2, 3, 4, 5}
    assert index.select(["  "], True, ["bitter  SWEET"]) == {1, 2, 5}
    assert index.select([], False, ["tender", "warm", "tense", "bitter sweet"]) == set()


def test_select_returns_a_set_of_its_own() -> None:
    index = MoodIndex(ROWS)
    for include in ([], ["tender"], ["tender", "tender"]):
        selected = index.select(include, True, [])
        selected.clear()
    assert index.tracks("tender") == {1, 2}
    assert index.select([], False, []) == {1, 2, 3, 4, 5}


def test_an_unknown_origin_is_refused() -> None:
    with pytest.raises(ValueError, match="origin"):
        MoodIndex([(1, "tender", "tags")])  # type: ignore[list-item]
    assert ORIGINS == ("tag", "pack", "listener")


def test_a_large_index_builds_and_selects() -> None:
    # Not a timing test (see benchmarks/); it checks the set algebra at size.
    rows = [
        (track, mood.name, ORIGINS[track % 3]) for track in range(20_000) for mood in VOCABULARY
    ]
    rows += [(track, "Extra", "listener") for track in range(0, 20_000, 2)]
    index = MoodIndex(rows)
    assert len(index.select(["extra"], False, [])) == 10_000
    assert len(index.select(["tender", "extra"], True, ["eerie"])) == 0
    assert index.counts()[0].total == 20_000
