"""What the FakeEngine offers beyond the contract suite: simulated time, virtual tracks and
finish(), for fast service and UI tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from ostplayer.playback.engine import PlaybackState
from tests.fakes import DEFAULT_DURATION_MS, FakeEngine
from tests.playback.test_clock import FakeTime


def test_durations_come_from_mutagen(qtbot: QtBot, fixture_file: Any) -> None:
    engine = FakeEngine()
    with qtbot.waitSignal(engine.duration_changed, timeout=1000) as blocker:
        engine.load(fixture_file("flac"))
    assert blocker.args == [6000]
    assert DEFAULT_DURATION_MS == 5000


def test_virtual_tracks_need_no_file(qtbot: QtBot) -> None:
    engine = FakeEngine(durations={"/nowhere/a.ogg": 1200})
    engine.load(Path("/nowhere/a.ogg"))
    assert engine.duration() == 1200
    engine.play()
    assert engine.state() is PlaybackState.PLAYING


def test_simulated_time_drives_position_and_end(qtbot: QtBot) -> None:
    now = FakeTime()
    engine = FakeEngine(durations={"a.ogg": 2000, "b.ogg": 3000}, now=now)
    engine.load(Path("a.ogg"))
    engine.play()
    now.advance(1500)
    assert engine.position() == 1500
    engine.set_rate(2.0)
    now.advance(100)
    assert engine.position() == 1700
    with qtbot.waitSignal(engine.track_ended, timeout=1000):
        now.advance(1000)
    assert engine.state() is PlaybackState.STOPPED
    assert engine.position() == 0


def test_finish_ends_the_track_at_once(qtbot: QtBot) -> None:
    engine = FakeEngine(durations={"a.ogg": 60_000})
    ended: list[PlaybackState] = []
    engine.track_ended.connect(lambda: ended.append(engine.state()))
    engine.finish()  # nothing playing: nothing ends
    engine.load(Path("a.ogg"))
    engine.play()
    engine.finish()
    assert ended == [PlaybackState.STOPPED]
    engine.finish()
    assert len(ended) == 1
