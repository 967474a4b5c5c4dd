"""One contract suite, run against every engine: the FakeEngine and the real libvlc engine.

The libvlc runs use the dummy audio output (conftest sets ``OSTPLAYER_VLC_ARGS``). They never
skip: without libvlc they fail and say how to install it.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.playback.engine import Engine, PlaybackState
from tests.fakes import FakeEngine
from tests.playback.conftest import TIMEOUT, new_vlc_engine, start


@pytest.fixture(params=["fake", pytest.param("vlc", marks=pytest.mark.vlc)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Each contract test runs once per engine."""
    made: Engine = FakeEngine() if request.param == "fake" else new_vlc_engine()
    yield made
    made.shutdown()


def wait_duration(engine: Engine, qtbot: QtBot) -> int:
    qtbot.waitUntil(lambda: engine.duration() > 0, timeout=TIMEOUT)
    return engine.duration()


def test_load_then_play_reaches_playing(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    path = fixture_file("ogg")
    engine.load(path)
    assert engine.state() is PlaybackState.STOPPED
    assert engine.current_path() == path
    assert engine.position() == 0
    with qtbot.waitSignal(engine.state_changed, timeout=TIMEOUT) as blocker:
        engine.play()
    assert blocker.args == [PlaybackState.PLAYING]
    assert abs(wait_duration(engine, qtbot) - 6000) <= 100
    qtbot.waitUntil(lambda: engine.position() > 200, timeout=TIMEOUT)


def test_play_with_nothing_loaded_does_nothing(engine: Engine, qtbot: QtBot) -> None:
    engine.play()
    engine.pause()
    engine.seek(1000)
    qtbot.wait(50)
    assert engine.state() is PlaybackState.STOPPED
    assert engine.current_path() is None


def test_pause_freezes_position_and_play_resumes(
    engine: Engine, qtbot: QtBot, fixture_file: Any
) -> None:
    start(engine, qtbot, fixture_file("ogg"), past_ms=500)
    with qtbot.waitSignal(engine.state_changed, timeout=TIMEOUT) as blocker:
        engine.pause()
    assert blocker.args == [PlaybackState.PAUSED]
    frozen = engine.position()
    qtbot.wait(300)
    # libvlc may still report where it really paused, a few ms later: a small correction.
    assert abs(engine.position() - frozen) <= 50
    settled = engine.position()
    qtbot.wait(200)
    assert engine.position() == settled
    engine.play()
    assert engine.state() is PlaybackState.PLAYING
    qtbot.waitUntil(lambda: engine.position() > settled + 200, timeout=TIMEOUT)


def test_toggle(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    engine.load(fixture_file("mp3"))
    engine.toggle()
    assert engine.state() is PlaybackState.PLAYING
    qtbot.waitUntil(lambda: engine.position() > 100, timeout=TIMEOUT)
    engine.toggle()
    assert engine.state() is PlaybackState.PAUSED
    engine.toggle()
    assert engine.state() is PlaybackState.PLAYING


def test_stop_rewinds_and_play_starts_over(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    path = fixture_file("ogg")
    start(engine, qtbot, path, past_ms=800)
    with qtbot.waitSignal(engine.state_changed, timeout=TIMEOUT) as blocker:
        engine.stop()
    assert blocker.args == [PlaybackState.STOPPED]
    assert engine.position() == 0
    assert engine.current_path() == path
    qtbot.wait(100)
    assert engine.position() == 0  # no late report moves a stopped engine
    with qtbot.waitSignal(engine.position_changed, timeout=TIMEOUT) as report:
        engine.play()
    assert report.args[0] < 800


def test_seek_while_playing(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    start(engine, qtbot, fixture_file("ogg"))
    with qtbot.waitSignal(engine.seeked, timeout=TIMEOUT) as blocker:
        engine.seek(3000)
    assert blocker.args == [3000]
    assert 3000 <= engine.position() < 3200
    with qtbot.waitSignal(
        engine.position_changed, timeout=TIMEOUT, check_params_cb=lambda ms: ms > 3000
    ):
        pass
    assert engine.position() > 3000


def test_seek_is_clamped(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    start(engine, qtbot, fixture_file("ogg"))
    duration = wait_duration(engine, qtbot)
    engine.pause()
    with qtbot.waitSignal(engine.seeked, timeout=TIMEOUT) as blocker:
        engine.seek(-500)
    assert blocker.args == [0]
    with qtbot.waitSignal(engine.seeked, timeout=TIMEOUT) as blocker:
        engine.seek(duration + 10_000)
    assert blocker.args == [duration]


def test_seek_while_stopped_sets_where_play_starts(
    engine: Engine, qtbot: QtBot, fixture_file: Any
) -> None:
    engine.load(fixture_file("ogg"))
    with qtbot.waitSignal(engine.seeked, timeout=TIMEOUT) as blocker:
        engine.seek(2500)
    assert blocker.args == [2500]
    assert engine.state() is PlaybackState.STOPPED
    assert engine.position() == 2500  # a restored session shows where it will resume
    qtbot.wait(50)
    assert engine.position() == 2500
    with qtbot.waitSignal(engine.position_changed, timeout=TIMEOUT) as report:
        engine.play()
        assert engine.position() >= 2500
    assert report.args[0] >= 2450
    assert engine.position() >= 2500


def test_volume_mute_and_rate_signals(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    # Set before anything plays: kept, and applied once playing starts.
    for asked, expected in ((40, 40), (150, 100), (-5, 0), (70, 70)):
        with qtbot.waitSignal(engine.volume_changed, timeout=TIMEOUT) as blocker:
            engine.set_volume(asked)
        assert blocker.args == [expected]
        assert engine.volume() == expected
    with qtbot.waitSignal(engine.muted_changed, timeout=TIMEOUT) as blocker:
        engine.set_muted(True)
    assert blocker.args == [True]
    assert engine.is_muted()
    assert engine.volume() == 70  # muting keeps the volume
    start(engine, qtbot, fixture_file("ogg"))
    assert engine.is_muted()
    assert engine.volume() == 70
    with qtbot.waitSignal(engine.muted_changed, timeout=TIMEOUT) as blocker:
        engine.set_muted(False)
    assert blocker.args == [False]
    for asked, expected in ((1.5, 1.5), (10.0, 4.0), (0.0, 0.25), (1.0, 1.0)):
        with qtbot.waitSignal(engine.rate_changed, timeout=TIMEOUT) as blocker:
            engine.set_rate(asked)
        assert blocker.args == [expected]
        assert engine.rate() == expected
    assert engine.state() is PlaybackState.PLAYING


def test_track_ended_once_and_stopped(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    ends: list[PlaybackState] = []
    engine.track_ended.connect(lambda: ends.append(engine.state()))
    start(engine, qtbot, fixture_file("ogg"))
    duration = wait_duration(engine, qtbot)
    with qtbot.waitSignal(engine.track_ended, timeout=TIMEOUT):
        engine.seek(duration - 400)
    assert ends == [PlaybackState.STOPPED]  # already stopped when the signal comes
    assert engine.state() is PlaybackState.STOPPED
    assert engine.position() == 0
    qtbot.wait(300)
    assert len(ends) == 1


def test_track_ended_slot_can_play_the_next_track(
    engine: Engine, qtbot: QtBot, fixture_file: Any
) -> None:
    first, second = fixture_file("ogg"), fixture_file("mp3")

    def next_track() -> None:  # what the queue service does: load and play from the slot
        engine.load(second)
        engine.play()

    engine.track_ended.connect(next_track)
    start(engine, qtbot, first)
    duration = wait_duration(engine, qtbot)
    engine.seek(duration - 300)
    qtbot.waitUntil(
        lambda: engine.current_path() == second and engine.position() > 300, timeout=TIMEOUT
    )
    assert engine.state() is PlaybackState.PLAYING


def test_load_while_playing_stops(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    start(engine, qtbot, fixture_file("ogg"))
    engine.load(fixture_file("flac"))
    assert engine.state() is PlaybackState.STOPPED
    assert engine.position() == 0
    assert engine.current_path() == fixture_file("flac")
    qtbot.wait(100)
    assert engine.position() == 0  # nothing of the old track leaks into the new one


def corrupt_file(tmp_path: Path) -> Path:
    bad = tmp_path / "bad.ogg"
    bad.write_bytes(random.Random(0).randbytes(20_000))
    return bad


def test_error_on_a_corrupt_file(engine: Engine, qtbot: QtBot, tmp_path: Path) -> None:
    engine.load(corrupt_file(tmp_path))
    with qtbot.waitSignal(engine.error, timeout=TIMEOUT) as blocker:
        engine.play()
    message = blocker.args[0]
    assert "“bad.ogg”" in message
    assert "damaged or not a supported audio format" in message
    assert engine.state() is PlaybackState.STOPPED


def test_error_on_a_file_deleted_after_load(
    engine: Engine, qtbot: QtBot, tmp_path: Path, fixture_file: Any
) -> None:
    path = tmp_path / "gone.ogg"
    shutil.copy(fixture_file("ogg"), path)
    engine.load(path)
    path.unlink()
    with qtbot.waitSignal(engine.error, timeout=TIMEOUT) as blocker:
        engine.play()
    assert blocker.args[0] == "Cannot play “gone.ogg”: the file no longer exists"
    assert engine.state() is PlaybackState.STOPPED


def test_error_on_loading_a_missing_file(engine: Engine, qtbot: QtBot, tmp_path: Path) -> None:
    with qtbot.waitSignal(engine.error, timeout=TIMEOUT) as blocker:
        engine.load(tmp_path / "never.mp3")
    assert "no longer exists" in blocker.args[0]
    assert engine.state() is PlaybackState.STOPPED


def test_usable_after_an_error(
    engine: Engine, qtbot: QtBot, tmp_path: Path, fixture_file: Any
) -> None:
    engine.load(corrupt_file(tmp_path))
    with qtbot.waitSignal(engine.error, timeout=TIMEOUT):
        engine.play()
    start(engine, qtbot, fixture_file("opus"))
    with qtbot.waitSignal(engine.seeked, timeout=TIMEOUT):
        engine.seek(2000)
    qtbot.waitUntil(lambda: engine.position() > 2200, timeout=TIMEOUT)


def test_pause_right_after_play(engine: Engine, qtbot: QtBot, fixture_file: Any) -> None:
    # Before libvlc has even opened the file: the pause must hold once it has.
    engine.load(fixture_file("mp3"))
    engine.play()
    engine.pause()
    assert engine.state() is PlaybackState.PAUSED
    qtbot.wait(400)
    assert engine.state() is PlaybackState.PAUSED
    held = engine.position()
    assert held <= 100
    qtbot.wait(200)
    assert engine.position() == held
    engine.play()
    qtbot.waitUntil(lambda: engine.position() > held + 300, timeout=TIMEOUT)
    assert engine.state() is PlaybackState.PLAYING
