"""Thousands of rapid commands on the real libvlc: no crash, no stray error, and afterwards the
engine still plays a track to its end.

This is where a callback that touched Qt, a ctypes callback that was garbage collected, or an
event of an old media leaking into the new one would show up.
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.playback.engine import PlaybackState
from tests.playback.conftest import TIMEOUT

FORMATS = ("ogg", "opus", "mp3", "flac", "wav", "aiff")
OPERATIONS = 2400
BATCH = 12


@pytest.mark.vlc
def test_rapid_commands_then_a_clean_play_to_the_end(
    vlc_engine: Any, qtbot: QtBot, fixture_file: Any
) -> None:
    engine = vlc_engine
    rng = random.Random(20240607)
    paths = [fixture_file(fmt) for fmt in FORMATS]
    errors: list[str] = []
    engine.error.connect(errors.append)

    def load() -> None:
        engine.load(rng.choice(paths))

    def seek() -> None:
        # Half of them near the end, so tracks end in the middle of the storm too.
        engine.seek(rng.choice((rng.randrange(0, 6500), rng.randrange(4500, 6000))))

    storm_ends: list[bool] = []

    def next_track() -> None:  # what the queue does when a track ends
        storm_ends.append(True)
        if storming:
            load()
            engine.play()

    storming = True
    engine.track_ended.connect(next_track)

    operations = (
        [load] * 3
        + [engine.play] * 4
        + [seek] * 4
        + [engine.stop, engine.pause, engine.toggle]
        + [lambda: engine.set_rate(rng.choice((0.5, 1.0, 2.0)))]
        + [lambda: engine.set_volume(rng.randrange(0, 101))]
    )
    started = time.monotonic()
    for done in range(OPERATIONS):
        rng.choice(operations)()
        if done % BATCH == BATCH - 1:
            # Let the drain timer run, as the event loop would between user actions.
            # Mostly short, sometimes long enough for time reports and ends to come in.
            qtbot.wait(rng.choice((0, 1, 5, 20, 60, 150, 300)))
    storming = False
    engine.stop()
    qtbot.wait(100)
    elapsed = time.monotonic() - started
    assert errors == [], errors
    assert engine.state() is PlaybackState.STOPPED
    print(f"{OPERATIONS} operations in {elapsed:.1f} s, {len(storm_ends)} tracks ended")

    # The engine still plays a whole track correctly.
    engine.set_rate(1.0)
    ended: list[bool] = []
    engine.track_ended.connect(lambda: ended.append(True))
    engine.load(fixture_file("ogg"))
    with qtbot.waitSignal(engine.state_changed, timeout=TIMEOUT):
        engine.play()
    qtbot.waitUntil(lambda: engine.position() > 1000, timeout=TIMEOUT)
    assert engine.duration() == 6000
    qtbot.waitUntil(lambda: bool(ended), timeout=6000 + TIMEOUT)
    assert ended == [True]
    assert engine.state() is PlaybackState.STOPPED
    assert errors == []
