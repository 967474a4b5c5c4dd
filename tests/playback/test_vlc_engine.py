"""What only the libvlc engine has: the volume curve, FLAC seek aiming, volume re-applied once
the audio output exists, and no leaks of a previous track's events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.playback.engine import PlaybackState
from tests.playback.conftest import TIMEOUT, start


def test_volume_curve_is_cubic() -> None:
    from ostplayer.playback.vlc_engine import to_vlc_volume

    assert [to_vlc_volume(v) for v in (0, 10, 20, 50, 80, 100)] == [0, 0, 1, 12, 51, 100]
    assert to_vlc_volume(-3) == 0
    assert to_vlc_volume(250) == 100
    steps = [to_vlc_volume(v) for v in range(101)]
    assert steps == sorted(steps)


def test_flac_block_length(fixture_file: Any, tmp_path: Path) -> None:
    from ostplayer.playback.vlc_engine import flac_block_ms

    assert flac_block_ms(fixture_file("flac")) == pytest.approx(4096 * 1000 / 22050)
    assert flac_block_ms(fixture_file("ogg")) is None
    assert flac_block_ms(tmp_path / "missing.flac") is None
    (tmp_path / "short.flac").write_bytes(b"fLaC\x00")
    assert flac_block_ms(tmp_path / "short.flac") is None


@pytest.mark.vlc
def test_flac_seeks_aim_at_the_nearest_block(
    vlc_engine: Any, qtbot: QtBot, fixture_file: Any
) -> None:
    block = 4096 * 1000 / 22050
    vlc_engine.load(fixture_file("flac"))
    for asked in (1500, 3000, 100):
        with qtbot.waitSignal(vlc_engine.seeked, timeout=TIMEOUT) as blocker:
            vlc_engine.seek(asked)
        went = blocker.args[0]
        assert abs(went - asked) <= block / 2 + 1
        assert went == int(round(asked / block) * block)
        assert vlc_engine.position() == went


@pytest.mark.vlc
def test_volume_and_mute_are_applied_once_playing(
    vlc_engine: Any, qtbot: QtBot, fixture_file: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vlc

    calls: list[tuple[str, object]] = []
    real_volume, real_mute = vlc.MediaPlayer.audio_set_volume, vlc.MediaPlayer.audio_set_mute

    def spy_volume(player: Any, volume: int) -> int:
        calls.append(("volume", volume))
        return real_volume(player, volume)

    def spy_mute(player: Any, muted: bool) -> None:
        calls.append(("mute", muted))
        real_mute(player, muted)

    monkeypatch.setattr(vlc.MediaPlayer, "audio_set_volume", spy_volume)
    monkeypatch.setattr(vlc.MediaPlayer, "audio_set_mute", spy_mute)
    vlc_engine.set_volume(50)
    vlc_engine.set_muted(True)
    calls.clear()  # libvlc ignores these: no audio output exists yet
    start(vlc_engine, qtbot, fixture_file("ogg"))
    assert ("volume", 12) in calls
    assert ("mute", True) in calls


@pytest.mark.vlc
def test_no_events_of_the_previous_track_leak(
    vlc_engine: Any, qtbot: QtBot, fixture_file: Any
) -> None:
    start(vlc_engine, qtbot, fixture_file("wav"), past_ms=1500)
    reports: list[int] = []
    durations: list[int] = []
    vlc_engine.position_changed.connect(reports.append)
    vlc_engine.duration_changed.connect(durations.append)
    vlc_engine.load(fixture_file("opus"))
    qtbot.wait(400)
    assert reports == []
    assert durations == [0]  # from load() itself: unknown until the new track plays
    assert vlc_engine.position() == 0
    assert vlc_engine.duration() == 0
    assert vlc_engine.state() is PlaybackState.STOPPED


def test_a_track_libvlc_cannot_decode_is_an_error_not_an_end(
    vlc_engine: Any, qtbot: QtBot, fixture_file: Any
) -> None:
    # libvlc 3 as packaged here opens ffmpeg's own WavPack (the fixture) and decodes nothing:
    # it ends at once, with no error, after saying the track lasts 6 s.
    ended: list[bool] = []
    vlc_engine.track_ended.connect(lambda: ended.append(True))
    vlc_engine.load(fixture_file("wv"))
    with qtbot.waitSignal(vlc_engine.error, timeout=TIMEOUT) as failed:
        vlc_engine.play()
    assert failed.args[0] == (
        "Cannot play “tone.wv”: the file is damaged or not a supported audio format"
    )
    assert ended == []
    assert vlc_engine.state() is PlaybackState.STOPPED


def test_a_seek_to_the_end_before_any_report_is_a_real_end(
    vlc_engine: Any, qtbot: QtBot, fixture_file: Any
) -> None:
    errors: list[str] = []
    vlc_engine.error.connect(errors.append)
    vlc_engine.load(fixture_file("ogg"))
    vlc_engine.seek(5_900)  # before playing: the track starts 0.1 s before its end
    with qtbot.waitSignal(vlc_engine.track_ended, timeout=TIMEOUT):
        vlc_engine.play()
    assert errors == []
