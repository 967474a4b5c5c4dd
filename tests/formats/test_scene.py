"""The scene data model: episode keys, labels, spoilers, headlines and notes as cues."""

from __future__ import annotations

import dataclasses

import pytest

from ostplayer.domain.scene import (
    PERSONAL,
    Confidence,
    Episode,
    Note,
    PackTrack,
    Role,
    SceneCue,
    ScenePack,
    cue_headline,
    episode_label,
    episode_order,
    format_episode_key,
    is_episode_key,
    normalise_episode_key,
    parse_episode_key,
)


@pytest.mark.parametrize(
    ("text", "season", "number"),
    [
        ("S1E3", 1, 3),
        ("s01e03", 1, 3),
        ("S01E03", 1, 3),
        ("1x03", 1, 3),
        ("12X104", 12, 104),
        ("S0E1", 0, 1),
        (" S2E10 ", 2, 10),
        ("S999E9999", 999, 9999),
    ],
)
def test_parse_episode_key(text: str, season: int, number: int) -> None:
    assert parse_episode_key(text) == (season, number)
    assert normalise_episode_key(text) == f"S{season}E{number}"


@pytest.mark.parametrize(
    "text", ["", "S1", "E3", "S1E", "Episode 3", "S1 E3", "S1000E1", "S1E10000", "S١E٣", "1-03"]
)
def test_parse_episode_key_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not an episode"):
        parse_episode_key(text)
    assert not is_episode_key(text)


def test_is_episode_key_takes_no_spaces() -> None:
    assert is_episode_key("s01e03")
    assert not is_episode_key(" S1E3")


def test_episode_key_and_label() -> None:
    episode = Episode(1, 3, "The Rooftop Confession")
    assert episode.key == "S1E3" == format_episode_key(1, 3)
    assert episode.label == "Ep 3"
    assert episode_label("S2E10") == "S2 Ep 10"
    assert episode_label("s00e01") == "S0 Ep 1"


def test_episode_order_is_airing_order() -> None:
    keys = ["S2E1", "S1E10", "S1E2", "S0E5", "1x01"]
    assert sorted(keys, key=episode_order) == ["S0E5", "1x01", "S1E2", "S1E10", "S2E1"]


def test_headline_is_one_line() -> None:
    cue = SceneCue(
        start_ms=0,
        episode="S1E3",
        episode_start_ms=2_480_000,
        description="the rooftop\nconfession  ",
    )
    assert cue.headline == "Ep 3, 41:20 — the rooftop confession"
    assert cue_headline("S2E1", None, "x") == "S2 Ep 1 — x"
    assert cue_headline("S1E1", 3_723_000, "") == "Ep 1, 1:02:03"


def test_spoilers() -> None:
    cue = SceneCue(start_ms=0, episode="S1E4", description="letters")
    assert cue.spoiler_episode == "S1E4"
    assert not cue.is_spoiler(None)
    assert not cue.is_spoiler("S1E4")
    assert cue.is_spoiler("S1E3")
    later = dataclasses.replace(cue, spoiler_from="S1E7")
    assert later.spoiler_episode == "S1E7"
    assert later.is_spoiler("S1E6")
    assert not later.is_spoiler("S1E7")
    assert not later.is_spoiler("S2E1")


def test_note_without_episode_is_a_bookmark() -> None:
    note = Note(text="that  cello\nline", position_ms=65_000)
    assert note.headline == "that cello line"
    assert note.to_cue() is None


def test_note_with_episode_becomes_a_personal_cue() -> None:
    note = Note(
        text="the rooftop confession",
        position_ms=65_000,
        end_ms=130_000,
        episode="S1E3",
        episode_start_ms=2_480_000,
        characters=("Mina",),
        moods=("tender",),
        role=Role.INSERT,
        id=5,
        track_id=9,
    )
    assert note.headline == "Ep 3, 41:20 — the rooftop confession"
    cue = note.to_cue()
    assert cue == SceneCue(
        start_ms=65_000,
        end_ms=130_000,
        episode="S1E3",
        episode_start_ms=2_480_000,
        description="the rooftop confession",
        characters=("Mina",),
        role=Role.INSERT,
        moods=("tender",),
        source=PERSONAL,
        confidence=Confidence.CERTAIN,
        track_id=9,
    )


def test_values_are_frozen_and_comparable() -> None:
    cue = SceneCue(start_ms=0, episode="S1E1", description="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cue.start_ms = 5  # type: ignore[misc]
    assert cue.role == "score" and cue.confidence == "certain"
    pack = ScenePack(
        name="p",
        episodes=(Episode(1, 1, "One"),),
        tracks=(PackTrack(title="t", cues=(cue, cue)),),
    )
    assert pack.cue_count == 2
    assert pack.episode("s01e01") == Episode(1, 1, "One")
    assert pack.episode("S1E2") is None
