"""The position clock: a smooth play position between libvlc's coarse time reports.

libvlc reports time for audio in steps of about a second. The clock anchors on the last reported
time, extrapolates it with a monotonic clock at the current rate, freezes while paused and
re-anchors on every seek and every new report. Everything "in time with the music" reads it.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class PositionClock:
    """A play position in milliseconds that moves on its own between anchors.

    ``now`` returns seconds from a monotonic clock; tests pass their own.
    """

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._anchor_ms = 0
        self._anchor_at = now()
        self._rate = 1.0
        self._running = False
        self._limit_ms: int | None = None

    @property
    def running(self) -> bool:
        """True while the clock advances (the engine is playing)."""
        return self._running

    @property
    def rate(self) -> float:
        """The playback rate the clock advances at (1.0 is normal speed)."""
        return self._rate

    def position(self, at: float | None = None) -> int:
        """The extrapolated position, clamped to ``[0, duration]`` when a duration is known.

        ``at`` asks for the position at another monotonic time than now (the engine compares
        its prediction with a report made a few milliseconds before it was handled).
        """
        pos = self._anchor_ms
        if self._running:
            when = self._now() if at is None else at
            pos += round((when - self._anchor_at) * 1000.0 * self._rate)
        if self._limit_ms is not None and self._limit_ms > 0:
            pos = min(pos, self._limit_ms)
        return max(0, pos)

    def anchor(self, position_ms: int, at: float | None = None) -> None:
        """Re-anchor on a reported position; ``at`` is the monotonic time it was reported."""
        self._anchor_ms = max(0, int(position_ms))
        self._anchor_at = self._now() if at is None else at

    def start(self, at: float | None = None) -> None:
        """Start advancing from the current position; ``at`` is when playing really began."""
        if not self._running:
            self._anchor_ms = self.position()
            self._anchor_at = self._now() if at is None else at
            self._running = True

    def freeze(self) -> None:
        """Stop advancing and hold the current position (pause, stop, end, buffering)."""
        if self._running:
            self._anchor_ms = self.position()
            self._anchor_at = self._now()
            self._running = False

    def set_rate(self, rate: float) -> None:
        """Change the rate without a jump in position."""
        self._anchor_ms = self.position()
        self._anchor_at = self._now()
        self._rate = rate

    def set_duration(self, duration_ms: int | None) -> None:
        """Clamp the position to this length, so it never runs past the end of the track."""
        self._limit_ms = duration_ms or None

    def reset(self) -> None:
        """Back to 0, frozen, with no known duration (a new track)."""
        self._running = False
        self._anchor_ms = 0
        self._anchor_at = self._now()
        self._limit_ms = None
