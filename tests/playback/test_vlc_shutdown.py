"""shutdown() stops libvlc before releasing it, and never blocks exit for long."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.playback.engine import PlaybackState
from tests.playback.conftest import new_vlc_engine, start


@pytest.mark.vlc
def test_shutdown_while_playing(qtbot: QtBot, fixture_file: Any) -> None:
    engine = new_vlc_engine()
    start(engine, qtbot, fixture_file("mp3"))
    signals: list[object] = []
    engine.track_ended.connect(lambda: signals.append("ended"))
    engine.error.connect(signals.append)
    engine.shutdown()
    assert engine.state() is PlaybackState.STOPPED
    engine.shutdown()  # twice is fine
    # After shutdown every command is a harmless no-op.
    engine.load(fixture_file("ogg"))
    engine.play()
    engine.seek(1000)
    engine.set_volume(20)
    qtbot.wait(100)
    assert engine.state() is PlaybackState.STOPPED
    assert signals == []


@pytest.mark.vlc
def test_shutdown_is_bounded_when_libvlc_hangs(
    qtbot: QtBot, fixture_file: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    import vlc

    engine = new_vlc_engine(shutdown_timeout=0.5)
    start(engine, qtbot, fixture_file("ogg"))
    release = threading.Event()
    real_stop = vlc.MediaPlayer.stop

    def hanging_stop(player: Any) -> None:
        release.wait(30)
        real_stop(player)

    monkeypatch.setattr(vlc.MediaPlayer, "stop", hanging_stop)
    asked = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="ostplayer.playback.vlc_engine"):
        engine.shutdown()
    took = time.monotonic() - asked
    # The point of this test is the bound: without it, shutdown would wait the full 30 s.
    assert took < 5.0
    assert "did not stop" in caplog.text
    assert engine.state() is PlaybackState.STOPPED

    # Let the abandoned worker finish; it must then skip releasing libvlc.
    release.set()
    for thread in threading.enumerate():
        if thread.name == "vlc-shutdown":
            thread.join(5)
            assert not thread.is_alive()
