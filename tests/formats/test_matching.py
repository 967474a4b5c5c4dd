"""Matching pack entries to local tracks: MusicBrainz id, then title + album within 2 s, then
title alone (uncertain), else unmatched."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from ostplayer.domain.scene import PackTrack
from ostplayer.domain.track import Track
from ostplayer.formats.matching import (
    MatchLevel,
    TrackMatch,
    count_levels,
    match_tracks,
    normalise_title,
)

MBID = "4b8e3a1c-1d0b-4f3e-9a6a-2f1b7c9d0e5f"


class Keys(NamedTuple):
    """The minimal local track: the five fields matching reads."""

    id: int
    title: str
    album: str
    duration_ms: int
    musicbrainz_recording_id: str = ""


def track(
    id: int, title: str, album: str = "OST", duration_ms: int = 60_000, mbid: str = ""
) -> Track:
    return Track(
        path=Path(f"/music/{id}.ogg"),
        id=id,
        title=title,
        album=album,
        duration_ms=duration_ms,
        musicbrainz_recording_id=mbid,
    )


def entry(
    title: str, album: str = "OST", duration_ms: int | None = 60_000, mbid: str = ""
) -> PackTrack:
    return PackTrack(
        title=title, album=album, duration_ms=duration_ms, musicbrainz_recording_id=mbid
    )


def test_musicbrainz_id_wins_over_everything() -> None:
    local = [track(1, "Theme"), track(2, "Renamed by the user", "Other", 1_000, MBID.upper())]
    (result,) = match_tracks([entry("Theme", mbid=MBID)], local)
    assert result == TrackMatch(0, 2, MatchLevel.MUSICBRAINZ)
    assert not result.uncertain


def test_same_recording_in_two_files_prefers_the_packs_album() -> None:
    local = [track(1, "Theme", "Best Of", mbid=MBID), track(2, "Theme", "OST", mbid=MBID)]
    assert match_tracks([entry("Theme", mbid=MBID)], local)[0].track_id == 2


def test_unknown_musicbrainz_id_falls_back_to_title_and_album() -> None:
    (result,) = match_tracks([entry("Theme", mbid=MBID)], [track(3, "Theme")])
    assert result == TrackMatch(0, 3, MatchLevel.TITLE_ALBUM)


@pytest.mark.parametrize(
    ("local_ms", "level"),
    [
        (60_000, MatchLevel.TITLE_ALBUM),
        (62_000, MatchLevel.TITLE_ALBUM),
        (58_000, MatchLevel.TITLE_ALBUM),
        (62_001, MatchLevel.TITLE_ONLY),
        (57_999, MatchLevel.TITLE_ONLY),
        (0, MatchLevel.TITLE_ONLY),  # the local duration is unknown
    ],
)
def test_title_and_album_need_the_duration_within_two_seconds(
    local_ms: int, level: MatchLevel
) -> None:
    (result,) = match_tracks([entry("Theme")], [track(4, "Theme", duration_ms=local_ms)])
    assert result == TrackMatch(0, 4, level)


def test_an_entry_without_duration_or_album_is_only_a_title_match() -> None:
    local = [track(5, "Theme")]
    assert match_tracks([entry("Theme", duration_ms=None)], local)[0].level is MatchLevel.TITLE_ONLY
    assert match_tracks([entry("Theme", album="")], local)[0].level is MatchLevel.TITLE_ONLY


def test_title_only_is_flagged_uncertain() -> None:
    (result,) = match_tracks([entry("Theme", album="Soundtrack Vol. 2")], [track(6, "Theme")])
    assert result == TrackMatch(0, 6, MatchLevel.TITLE_ONLY)
    assert result.uncertain


def test_unmatched_entries_are_kept() -> None:
    results = match_tracks([entry("Theme"), entry("Nowhere"), entry("Theme")], [track(7, "Theme")])
    assert results == [
        TrackMatch(0, 7, MatchLevel.TITLE_ALBUM),
        TrackMatch(1, None, MatchLevel.UNMATCHED),
        TrackMatch(2, 7, MatchLevel.TITLE_ALBUM),
    ]
    assert count_levels(results) == {
        MatchLevel.MUSICBRAINZ: 0,
        MatchLevel.TITLE_ALBUM: 2,
        MatchLevel.TITLE_ONLY: 0,
        MatchLevel.UNMATCHED: 1,
    }


def test_ties_go_to_the_closest_duration_then_the_lowest_id() -> None:
    local = [track(9, "Theme", duration_ms=61_500), track(8, "Theme", duration_ms=60_500)]
    assert match_tracks([entry("Theme")], local)[0].track_id == 8
    same = [track(12, "Theme"), track(11, "Theme")]
    assert match_tracks([entry("Theme")], same)[0].track_id == 11
    loose = [track(14, "Theme", "X", 0), track(13, "Theme", "Y", 90_000)]
    assert match_tracks([entry("Theme")], loose)[0].track_id == 13


def test_accepts_any_object_with_the_five_fields() -> None:
    (result,) = match_tracks([entry("Theme")], [Keys(21, "THEME", "ost", 59_000)])
    assert result == TrackMatch(0, 21, MatchLevel.TITLE_ALBUM)


@pytest.mark.parametrize(
    ("pack", "local"),
    [
        ("First Love’s Whisper", "first loves whisper"),
        ("First Love's Whisper", "First Love’s Whisper"),
        ("Café au lait", "CAFE AU LAIT"),
        ("ＦＩＲＳＴ　ＬＯＶＥ", "First Love"),
        ("Theme  (Reprise)", "theme - reprise"),
        ("Theme/Reprise", "Theme Reprise"),
        ("  Theme\n", "theme"),
        ("Straße", "STRASSE"),
        ("ｶﾞﾗｽ", "ガラス"),
        ("…", "..."),
    ],
)
def test_normalised_titles_match(pack: str, local: str) -> None:
    assert normalise_title(pack) == normalise_title(local)
    (result,) = match_tracks([entry(pack, album="Ｏ.Ｓ.Ｔ.")], [track(30, local, "o s t")])
    assert result.level is MatchLevel.TITLE_ALBUM


@pytest.mark.parametrize(
    ("a", "b"),
    [("ガラス", "カラス"), ("Theme 1", "Theme 2"), ("?!", "!?"), ("Theme", "Themes")],
)
def test_different_titles_stay_different(a: str, b: str) -> None:
    assert normalise_title(a) != normalise_title(b)
    assert match_tracks([entry(a)], [track(31, b)])[0].level is MatchLevel.UNMATCHED
