"""Test doubles shared by the suite.

:class:`FakeEngine` keeps the whole playback contract of
:class:`ostplayer.playback.engine.Engine` without libvlc, like Quod Libet's null backend with a
fake audio sink: "tracks" play in simulated time on a
:class:`~ostplayer.playback.clock.PositionClock`. Use it for fast service and UI tests; the
contract suite in ``tests/playback/test_engine_contract.py`` runs it side by side with the real
engine so the two cannot drift apart.

Its API is the contract plus :meth:`FakeEngine.finish`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path

import mutagen
from PySide6.QtCore import QObject, QTimer

from ostplayer.playback.clock import PositionClock
from ostplayer.playback.engine import Engine, PlaybackState

#: Used when mutagen cannot tell a file's length and no duration was given.
DEFAULT_DURATION_MS = 5000
#: How often, in simulated ms, the fake "backend" reports the position (libvlc: ~256 ms).
REPORT_EVERY_MS = 250


class FakeEngine(Engine):
    """An engine that plays nothing but keeps time, ends tracks and reports errors.

    ``durations`` maps paths to lengths in ms. A path in it is a *virtual* track: it needs no
    file and is always playable. Any other path must be a real file: its length comes from
    mutagen (``DEFAULT_DURATION_MS`` when mutagen knows the format but not the length), a file
    that mutagen cannot read is "damaged", and a missing one gives the "no longer exists" error,
    as with the real engine.

    ``now`` is the monotonic clock in seconds; pass your own to drive time by hand. A
    :class:`QTimer` (``tick_ms``) watches the position and ends the track when it passes the
    duration, so with a hand-driven clock, advance it and let Qt process events.

    Like the real engine, ``error`` and ``track_ended`` come from the event loop, never from
    inside the call that caused them (except :meth:`finish`, which is synchronous by design).
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        durations: Mapping[str | Path, int] | None = None,
        now: Callable[[], float] = time.monotonic,
        tick_ms: int = 10,
    ) -> None:
        super().__init__(parent)
        self._durations = {Path(p): int(ms) for p, ms in (durations or {}).items()}
        self._clock = PositionClock(now)
        self._duration = 0
        self._start_ms = 0
        self._last_report = 0
        self._pending_error: str | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._tick)
        self._error_timer = QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.setInterval(0)
        self._error_timer.timeout.connect(self._emit_pending_error)
        self._closed = False

    # -- the fake audio sink -----------------------------------------------------------------
    def _length_of(self, path: Path) -> int | None:
        """The track's length in ms, or None when the file is unreadable."""
        if path in self._durations:
            return self._durations[path]
        try:
            info = mutagen.File(path)
        except (mutagen.MutagenError, OSError):
            return None
        if info is None:
            return None
        length = getattr(info.info, "length", 0) or 0
        return round(length * 1000) or DEFAULT_DURATION_MS

    def _playable_error(self) -> str | None:
        path = self._path
        if path is None or path in self._durations:
            return None
        name = path.name
        if not path.is_file():
            return f"Cannot play “{name}”: the file no longer exists"
        if self._length_of(path) is None:
            return f"Cannot play “{name}”: the file is damaged or not a supported audio format"
        return None

    def _post_error(self, message: str) -> None:
        self._pending_error = message
        self._error_timer.start()

    def _emit_pending_error(self) -> None:
        message, self._pending_error = self._pending_error, None
        if message is not None:
            self._halt()
            self._set_state(PlaybackState.STOPPED)
            self.error.emit(message)

    def _tick(self) -> None:
        if self._state != PlaybackState.PLAYING:
            self._timer.stop()
            return
        pos = self._clock.position()
        if self._duration and pos >= self._duration:
            self.finish()
            return
        if abs(pos - self._last_report) >= REPORT_EVERY_MS:
            self._last_report = pos
            self.position_changed.emit(pos)

    def _halt(self) -> None:
        self._timer.stop()
        self._clock.freeze()
        self._clock.anchor(0)
        self._start_ms = 0
        self._last_report = 0

    # -- the contract ------------------------------------------------------------------------
    def finish(self) -> None:
        """End the current track now, as if it had played to its end."""
        if self._state == PlaybackState.STOPPED:
            return
        self._halt()
        self._set_state(PlaybackState.STOPPED)
        self.track_ended.emit()

    def load(self, path: Path) -> None:
        """Replace the current track; stopped afterwards."""
        if self._closed:
            return
        self._halt()
        self._pending_error = None
        self._error_timer.stop()
        self._path = Path(path)
        self._set_state(PlaybackState.STOPPED)
        if self._path in self._durations:
            duration = self._durations[self._path]
        elif self._path.is_file():
            duration = self._length_of(self._path) or 0
        else:
            duration = 0
            self._post_error(f"Cannot play “{self._path.name}”: the file no longer exists")
        self._clock.set_duration(duration)
        if duration != self._duration:
            self._duration = duration
            self.duration_changed.emit(duration)

    def play(self) -> None:
        """Start or resume."""
        if self._closed or self._path is None or self._state == PlaybackState.PLAYING:
            return
        if self._state == PlaybackState.STOPPED:
            problem = self._playable_error()
            if problem is not None:
                self._post_error(problem)
                return
            self._clock.anchor(self._start_ms)
            self._last_report = self._start_ms
        self._clock.start()
        self._set_state(PlaybackState.PLAYING)
        self._timer.start()

    def pause(self) -> None:
        """Pause, keeping the position."""
        if self._state != PlaybackState.PLAYING:
            return
        self._clock.freeze()
        self._timer.stop()
        self._set_state(PlaybackState.PAUSED)

    def stop(self) -> None:
        """Stop and go back to 0."""
        self._halt()
        self._set_state(PlaybackState.STOPPED)

    def seek(self, position_ms: int) -> None:
        """Go to ``position_ms``, clamped to the track; while stopped, where play() starts."""
        if self._closed or self._path is None:
            return
        target = max(0, int(position_ms))
        if self._duration:
            target = min(target, self._duration)
        self._clock.anchor(target)
        if self._state == PlaybackState.STOPPED:
            self._start_ms = target
        self._last_report = target
        self.seeked.emit(target)

    def position(self) -> int:
        """The simulated play position in ms."""
        return self._clock.position()

    def duration(self) -> int:
        """The track's length in ms (known from the start, unlike libvlc's)."""
        return self._duration

    def _apply_rate(self) -> None:
        # Simulated time runs that much faster.
        self._clock.set_rate(self._rate)

    def shutdown(self) -> None:
        """Stop for good."""
        self._closed = True
        self._error_timer.stop()
        self._halt()
        self._set_state(PlaybackState.STOPPED)
