"""The position clock keeps up with libvlc: at every TimeChanged report, what the clock
predicted for the moment of the report is within 50 ms of what libvlc reported.

The engine hands both numbers out through ``VlcEngine.time_reported`` (reported, predicted,
time of the report), computed just before it re-anchors on the report.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.playback.conftest import TIMEOUT

MAX_ERROR_MS = 50
PLAY_MS = 3000


@pytest.mark.vlc
@pytest.mark.parametrize("fmt", ["ogg", "mp3"])
def test_clock_predicts_every_report(
    vlc_engine: Any, qtbot: QtBot, fixture_file: Any, fmt: str
) -> None:
    engine = vlc_engine
    samples: list[tuple[int, int]] = []
    engine.time_reported.connect(lambda ms, predicted, _at: samples.append((ms, predicted)))
    engine.load(fixture_file(fmt))
    engine.play()
    qtbot.waitUntil(lambda: bool(samples) and samples[-1][0] >= PLAY_MS, timeout=PLAY_MS + TIMEOUT)
    # libvlc reports about every 256 ms here; a clock that never re-anchored would drift.
    assert len(samples) >= 8, samples
    errors = [reported - predicted for reported, predicted in samples]
    worst = max(errors, key=abs)
    assert abs(worst) <= MAX_ERROR_MS, f"{fmt}: errors {errors}"


@pytest.mark.vlc
def test_clock_follows_a_rate_change(vlc_engine: Any, qtbot: QtBot, fixture_file: Any) -> None:
    engine = vlc_engine
    samples: list[tuple[int, int]] = []
    engine.time_reported.connect(lambda ms, predicted, _at: samples.append((ms, predicted)))
    engine.load(fixture_file("flac"))
    engine.play()
    qtbot.waitUntil(lambda: bool(samples) and samples[-1][0] >= 500, timeout=TIMEOUT)
    engine.set_rate(2.0)
    first_at_double = len(samples)
    qtbot.waitUntil(lambda: len(samples) >= first_at_double + 6, timeout=TIMEOUT)
    # The first report after the change may still carry libvlc's switch-over; after it, the
    # clock runs at the new rate.
    errors = [reported - predicted for reported, predicted in samples[first_at_double + 1 :]]
    assert max(map(abs, errors)) <= MAX_ERROR_MS, errors
