"""The demo scene pack that ships with the demo OST: fictional and labelled so, canonical, and
matched to all four demo tracks, with a cue showing within seconds of pressing play."""

from __future__ import annotations

from pathlib import Path

import mutagen
import pytest
import webvtt

from ostplayer.domain.scene import Role, ScenePack, episode_order
from ostplayer.domain.text import fold
from ostplayer.domain.track import Track
from ostplayer.formats.lrc import export_lrc, parse_lrc
from ostplayer.formats.matching import MatchLevel, match_tracks
from ostplayer.formats.pack import dump_pack, load_pack
from ostplayer.formats.webvtt import export_episode_vtt, export_track_vtt
from tests.formats.packs import DEMO_DIR, DEMO_PACK


@pytest.fixture(scope="module")
def pack() -> ScenePack:
    return load_pack(DEMO_PACK)


def demo_tracks() -> list[Track]:
    """The demo OST as the library would know it, read straight from the files' tags."""
    tracks = []
    for index, path in enumerate(sorted(DEMO_DIR.glob("*.ogg")), start=1):
        audio = mutagen.File(path)
        assert audio is not None and audio.tags is not None
        tracks.append(
            Track(
                path=path,
                id=index,
                title=audio.tags["title"][0],
                artist=audio.tags["artist"][0],
                album=audio.tags["album"][0],
                duration_ms=round(audio.info.length * 1000),
            )
        )
    assert len(tracks) == 4
    return tracks


def test_the_file_is_in_canonical_form() -> None:
    data = DEMO_PACK.read_bytes()
    assert dump_pack(load_pack(data)) == data


def test_it_says_it_is_fictional_and_written_for_the_demo(pack: ScenePack) -> None:
    assert "fictional" in fold(pack.name) and "demo" in fold(pack.name)
    assert "fictional" in fold(pack.series)
    assert "does not exist" in pack.description and "demo" in fold(pack.description)
    assert pack.licence == "CC0-1.0"


def test_every_demo_track_matches_by_title_and_album(pack: ScenePack) -> None:
    tracks = demo_tracks()
    matches = match_tracks(pack.tracks, tracks)
    assert [m.level for m in matches] == [MatchLevel.TITLE_ALBUM] * 4
    assert sorted(m.track_id for m in matches) == [1, 2, 3, 4]
    for entry, match in zip(pack.tracks, matches, strict=True):
        (local,) = [t for t in tracks if t.id == match.track_id]
        assert entry.title == local.title and entry.album == local.album


def test_cues_cover_each_track_from_its_first_seconds(pack: ScenePack) -> None:
    for entry in pack.tracks:
        assert entry.duration_ms is not None
        assert 3 <= len(entry.cues) <= 6, entry.title
        assert entry.cues[0].start_ms <= 3_000, "a cue shows within seconds of pressing play"
        assert entry.cues[-1].start_ms >= entry.duration_ms * 0.6, "cues spread over the track"
        for cue in entry.cues:
            assert cue.end_ms is not None and cue.end_ms <= entry.duration_ms
            assert cue.episode_start_ms is not None and cue.episode_end_ms is not None
            assert cue.description and cue.moods


def test_one_season_of_eight_titled_episodes_all_used(pack: ScenePack) -> None:
    assert [(e.season, e.number) for e in pack.episodes] == [(1, n) for n in range(1, 9)]
    assert all(episode.title for episode in pack.episodes)
    used = {cue.episode for entry in pack.tracks for cue in entry.cues}
    assert used == {episode.key for episode in pack.episodes}


def test_the_same_track_is_tender_in_one_episode_and_tense_in_another(pack: ScenePack) -> None:
    for entry in pack.tracks:
        moods = {mood for cue in entry.cues for mood in cue.moods}
        if {"tender", "tense"} <= moods:
            return
    pytest.fail("no track is both tender and tense")


def test_it_shows_roles_characters_places_and_spoilers(pack: ScenePack) -> None:
    cues = [cue for entry in pack.tracks for cue in entry.cues]
    assert {cue.role for cue in cues} >= {Role.OPENING, Role.ENDING, Role.SCORE}
    assert all(cue.characters or cue.place for cue in cues)
    spoilers = [cue for cue in cues if cue.spoiler_from is not None]
    assert len(spoilers) >= 2
    assert all(episode_order(c.spoiler_from or "") > episode_order(c.episode) for c in spoilers)
    assert all(c.is_spoiler("S1E6") for c in spoilers)


def test_the_demo_exports_to_lrc_and_webvtt(pack: ScenePack, tmp_path: Path) -> None:
    tracks = demo_tracks()
    for entry, match in zip(pack.tracks, match_tracks(pack.tracks, tracks), strict=True):
        (local,) = [t for t in tracks if t.id == match.track_id]
        lrc = parse_lrc(export_lrc(local, entry.cues))
        assert lrc.tag("ti") == local.title
        assert [line.time_ms for line in lrc.lines] == [cue.start_ms for cue in entry.cues]
        vtt = tmp_path / f"{match.track_id}.vtt"
        vtt.write_text(export_track_vtt(local, entry.cues, note=pack.name), encoding="utf-8")
        assert len(webvtt.read(str(vtt)).captions) == len(entry.cues)
    episode = export_episode_vtt(
        "S1E3", [(entry.title, cue) for entry in pack.tracks for cue in entry.cues]
    )
    assert len(webvtt.from_string(episode, strict=True).captions) == 2
