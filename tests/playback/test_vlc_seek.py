"""Seeks land where asked, in every fixture format, on the real libvlc.

After a seek libvlc echoes the target at once (a TimeChanged with exactly the asked time); that
proves nothing, so the check uses the first report made at least 100 ms later, when the
decoder really runs from the new place: it must be within 100 ms of the target plus the time
that has passed since the seek.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.playback.engine import PlaybackState
from tests.playback.conftest import TIMEOUT

FORMATS = ("ogg", "opus", "mp3", "flac", "wav", "aiff")
TOLERANCE_MS = 100
ECHO_S = 0.1


@pytest.mark.vlc
@pytest.mark.parametrize("fraction", [0.25, 0.5, 0.9])
@pytest.mark.parametrize("fmt", FORMATS)
def test_seek_lands_on_target(
    vlc_engine: Any, qtbot: QtBot, fixture_file: Any, fmt: str, fraction: float
) -> None:
    engine = vlc_engine
    reports: list[tuple[int, float]] = []
    engine.time_reported.connect(lambda ms, _predicted, at: reports.append((ms, at)))
    ended: list[bool] = []
    engine.track_ended.connect(lambda: ended.append(True))

    engine.load(fixture_file(fmt))
    engine.play()
    qtbot.waitUntil(lambda: engine.duration() > 0 and len(reports) > 0, timeout=TIMEOUT)
    target = round(engine.duration() * fraction)

    reports.clear()
    seeked: list[int] = []
    engine.seeked.connect(seeked.append)
    asked_at = time.monotonic()
    engine.seek(target)
    assert len(seeked) == 1
    # FLAC seeks aim at the nearest block start (see VlcEngine._aim): never more than half
    # a block away; every other format goes exactly where asked.
    assert abs(seeked[0] - target) <= (TOLERANCE_MS if fmt == "flac" else 0)
    assert abs(engine.position() - seeked[0]) <= 20

    def real_reports() -> list[tuple[int, float]]:
        return [(ms, at) for ms, at in reports if at - asked_at >= ECHO_S]

    qtbot.waitUntil(lambda: bool(real_reports()) or bool(ended), timeout=TIMEOUT)
    if fraction < 0.9:
        # The dummy audio output ends a track about one file-caching (1 s) early, so only
        # the 90 % seek may end before libvlc reports from the new place.
        assert real_reports(), "no time report after the seek"
    for reported, at in real_reports()[:1]:
        expected = target + (at - asked_at) * 1000.0
        assert abs(reported - expected) <= TOLERANCE_MS, (
            f"{fmt}: seek to {target} ms reported {reported} ms, expected {expected:.0f} ms"
        )

    if fraction >= 0.9:
        qtbot.waitUntil(lambda: bool(ended), timeout=TIMEOUT)
        assert ended == [True]
        assert engine.state() is PlaybackState.STOPPED
