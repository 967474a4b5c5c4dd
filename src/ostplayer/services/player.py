"""The player as the window sees it: a queue of tracks played through an engine.

The engine arrives after the window's first paint (creating libvlc is slow), so every command
works before it is attached: the queue changes at once, and a play request waits for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from ostplayer.domain.track import Track
from ostplayer.playback.engine import Engine, PlaybackState
from ostplayer.playback.queue import PlayQueue, RepeatMode
from ostplayer.store.state import StateRepository

# Re-exported: listeners of the service (MPRIS, remote control) need them, not the engine.
__all__ = ["PlaybackState", "PlayerService", "RepeatMode", "Span"]

SESSION_KEY = "session"
#: How often, in ms, span mode looks at the engine's position to end a span.
SPAN_TICK_MS = 50


class Span(NamedTuple):
    """A stretch of a track to play: from ``start_ms`` to ``end_ms`` (``None``: the track's end)."""

    track_id: int
    start_ms: int
    end_ms: int | None


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlayerService", text)


class PlayerService(QObject):
    """Plays the queue: advances at the end of a track, skips what cannot play, saves the session.

    Rules: Previous restarts the track when more than :attr:`RESTART_MS` into it. A file that
    cannot play is reported and skipped; :attr:`MAX_FAILURES` failures in a row stop the queue,
    so a queue of broken files never spins.
    """

    RESTART_MS = 3000
    MAX_FAILURES = 3

    current_changed = Signal(object)  # Track | None
    status = Signal(str)  # a message for people
    modes_changed = Signal()  # shuffle or repeat
    engine_attached = Signal(object)  # Engine
    queue_changed = Signal()  # entries were added to the queue
    # The engine's own signals, passed on: they exist before the engine is attached.
    state_changed = Signal(object)  # PlaybackState
    seeked = Signal(int)  # ms: the position jumped (a seek, not playback going on)
    duration_changed = Signal(int)  # ms, 0 while unknown
    volume_changed = Signal(int)  # 0-100, whoever changed it

    def __init__(
        self,
        lookup: Callable[[int], Track | None],
        state: StateRepository,
        queue: PlayQueue | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._lookup = lookup
        self._state = state
        self.queue = queue or PlayQueue()
        self.engine: Engine | None = None
        self._loaded: int | None = None  # the track id the engine holds
        self._failures = 0
        self._play_when_ready = False
        self._restore_position = 0
        self._volume = 100
        self._muted = False
        # Span mode (play_spans): the spans, and which one plays; empty when off.
        self._spans: list[Span] = []
        self._span_pos = 0
        self._span_timer = QTimer(self)
        self._span_timer.setInterval(SPAN_TICK_MS)
        self._span_timer.timeout.connect(self._check_span)

    # -- engine --------------------------------------------------------------------------------
    def attach_engine(self, engine: Engine) -> None:
        """Take the engine, load the current track (paused where it was left) and apply volume."""
        self.engine = engine
        engine.track_ended.connect(self._on_track_ended)
        engine.error.connect(self._on_error)
        engine.state_changed.connect(self._on_state)
        engine.seeked.connect(self.seeked.emit)
        engine.duration_changed.connect(self.duration_changed.emit)
        engine.set_volume(self._volume)
        engine.set_muted(self._muted)
        if self.queue.current() is not None:
            self._load_current(play=self._play_when_ready, start_ms=self._restore_position)
        self._restore_position = 0
        self._play_when_ready = False
        self.engine_attached.emit(engine)

    def current_track(self) -> Track | None:
        """The queue's current track."""
        track_id = self.queue.current()
        return None if track_id is None else self._lookup(track_id)

    def state(self) -> PlaybackState:
        """What the engine is doing (stopped until one is attached)."""
        return self.engine.state() if self.engine is not None else PlaybackState.STOPPED

    def position(self) -> int:
        """The smooth play position in ms (0 with no engine)."""
        return self.engine.position() if self.engine is not None else 0

    def duration(self) -> int:
        """The loaded track's length in ms as the engine knows it; 0 while unknown."""
        return self.engine.duration() if self.engine is not None else 0

    # -- commands ------------------------------------------------------------------------------
    def play_tracks(self, track_ids: list[int], start: int = 0) -> None:
        """Replace the queue with ``track_ids`` and play the one at ``start``."""
        self.leave_spans()
        self.queue.set_items(track_ids, start)
        self._failures = 0
        self._load_current(play=True)

    def enqueue(self, track_ids: list[int]) -> None:
        """Add tracks at the end of the queue; playback goes on as it was."""
        if track_ids:
            self.queue.append(list(track_ids))
            self.queue_changed.emit()

    def play_pause(self) -> None:
        """Toggle playback; with nothing loaded, start the queue's current track."""
        if self.engine is None:
            self._play_when_ready = not self._play_when_ready
            return
        if self._loaded is None or self._loaded != self.queue.current():
            if self.queue.current() is not None:
                self._load_current(play=True)
            return
        self.engine.toggle()

    def play(self) -> None:
        """Play (resume) the current track."""
        if self.engine is None or self.engine.state() != PlaybackState.PLAYING:
            self.play_pause()

    def pause(self) -> None:
        """Pause, if playing."""
        if self.engine is not None and self.engine.state() == PlaybackState.PLAYING:
            self.engine.pause()

    def stop(self) -> None:
        """Stop, keeping the queue."""
        self._play_when_ready = False
        if self.engine is not None:
            self.engine.stop()

    def next(self) -> None:
        """Go to the next track (at the end of the queue, stop)."""
        self.leave_spans()
        if self.queue.next() is None:
            self.stop()
            return
        self._load_current(play=True)

    def previous(self) -> None:
        """Restart the track when more than 3 s in, else go to the previous track."""
        self.leave_spans()
        if self.engine is not None and self.engine.position() > self.RESTART_MS:
            self.engine.seek(0)
            return
        if self.queue.previous() is not None:
            self._load_current(play=self._is_playing())

    def seek(self, position_ms: int) -> None:
        """Go to a position of the current track."""
        if self.engine is not None:
            self.engine.seek(max(0, position_ms))

    def seek_by(self, delta_ms: int) -> None:
        """Go forward or back by ``delta_ms``, staying inside the track."""
        if self.engine is None:
            return
        target = self.engine.position() + delta_ms
        duration = self.engine.duration()
        if duration:
            target = min(target, max(0, duration - 1))
        self.engine.seek(max(0, target))

    def set_volume(self, volume: int) -> None:
        """Set the volume, 0-100; ``volume_changed`` follows when it changed."""
        volume = max(0, min(100, int(volume)))
        changed = volume != self._volume
        self._volume = volume
        if self.engine is not None:
            self.engine.set_volume(self._volume)
        if changed:
            self.volume_changed.emit(volume)

    def volume(self) -> int:
        """The volume, 0-100."""
        return self._volume

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute."""
        self._muted = muted
        if self.engine is not None:
            self.engine.set_muted(muted)

    def is_muted(self) -> bool:
        """Whether the sound is muted."""
        return self._muted

    def set_shuffle(self, on: bool) -> None:
        """Turn shuffle on or off."""
        self.queue.set_shuffle(on)
        self.modes_changed.emit()

    def set_repeat(self, mode: RepeatMode) -> None:
        """Set repeat off, all or one."""
        self.queue.repeat = mode
        self.modes_changed.emit()

    def cycle_repeat(self) -> RepeatMode:
        """Off → all → one → off, as a single repeat button does."""
        order = [RepeatMode.OFF, RepeatMode.ALL, RepeatMode.ONE]
        mode = order[(order.index(self.queue.repeat) + 1) % len(order)]
        self.set_repeat(mode)
        return mode

    # -- session -------------------------------------------------------------------------------
    def save_session(self) -> None:
        """Remember the queue, the track, the position, the volume, shuffle and repeat."""
        position = self.engine.position() if self.engine is not None else self._restore_position
        self._state.set(
            SESSION_KEY,
            {
                "queue": self.queue.to_state(),
                "position_ms": int(position),
                "volume": self._volume,
                "muted": self._muted,
            },
        )

    def restore_session(self, known_ids: set[int]) -> None:
        """Bring back the last session, paused; tracks gone from the library are dropped."""
        saved: Any = self._state.get(SESSION_KEY, {})
        if not isinstance(saved, dict):
            return
        queue = saved.get("queue")
        if isinstance(queue, dict):
            kept = self.queue.restore(queue, known_ids)
            position = saved.get("position_ms", 0)
            # The position belongs to the saved track; it means nothing for another one.
            if kept and isinstance(position, int):
                self._restore_position = max(0, position)
        volume = saved.get("volume")
        if isinstance(volume, int) and not isinstance(volume, bool):
            self.set_volume(volume)
        self._muted = bool(saved.get("muted", False))
        self.modes_changed.emit()
        self.current_changed.emit(self.current_track())

    # -- internals -----------------------------------------------------------------------------
    def _is_playing(self) -> bool:
        return self.engine is not None and self.engine.state() == PlaybackState.PLAYING

    def _load_current(self, *, play: bool, start_ms: int = 0) -> None:
        track = self.current_track()
        self.current_changed.emit(track)
        if self.engine is None:
            self._play_when_ready = play
            return
        if track is None:
            self._loaded = None
            self.engine.stop()
            return
        self._loaded = track.id
        self.engine.load(track.path)
        if start_ms:
            self.engine.seek(start_ms)
        if play:
            self.engine.play()

    def _on_state(self, state: PlaybackState) -> None:
        if state == PlaybackState.PLAYING:
            self._failures = 0
        self.state_changed.emit(state)

    def _on_track_ended(self) -> None:
        # Runs on the GUI thread (the engine's drain), never inside a libvlc callback.
        if self._spans:  # a span that runs to the track's end is over: the next span plays
            self._next_span()
            return
        if self.queue.next(automatic=True) is None:
            self._loaded = None
            self.current_changed.emit(self.current_track())
            return
        self._load_current(play=True)

    def _on_error(self, message: str) -> None:
        self.status.emit(message)
        if self.engine is None or not self.engine.available:
            return
        self._failures += 1
        if self._failures >= self.MAX_FAILURES:
            self._failures = 0
            self.status.emit(
                _tr("Stopped: {n} tracks in a row could not be played. {message}").format(
                    n=self.MAX_FAILURES, message=message
                )
            )
            return
        if self.queue.next() is not None:
            self._load_current(play=True)

    # -- spans ---------------------------------------------------------------------------------
    def play_at(self, track_id: int, start_ms: int) -> None:
        """Play only ``track_id``, from ``start_ms``."""
        self.leave_spans()
        self.queue.set_items([track_id])
        self._failures = 0
        self._load_current(play=True, start_ms=max(0, start_ms))

    def play_spans(self, spans: list[Span]) -> None:
        """Play each span in turn: from its start to its end, then on to the next span.

        The queue holds the spans' tracks (one entry per span), so the window shows what plays.
        Span mode ends after the last span, or when the listener plays, skips or goes back.
        """
        self.leave_spans()
        if not spans:
            return
        self.queue.set_items([span.track_id for span in spans])
        self._failures = 0
        self._spans = list(spans)
        self._span_pos = 0
        self._jump_to_span()
        self._span_timer.start()

    def enqueue_spans(self, spans: list[Span]) -> None:
        """Add spans after the last one of span mode (outside it: their tracks, whole)."""
        if not self._spans:
            self.enqueue([span.track_id for span in spans])
            return
        # In span mode the queue holds one entry per span, in order: keep it that way.
        self._spans += spans
        self.queue.append([span.track_id for span in spans])
        self.queue_changed.emit()

    def spans(self) -> list[Span]:
        """The spans of span mode; empty when it is off."""
        return list(self._spans)

    def span_index(self) -> int | None:
        """Which span plays, or ``None`` outside span mode."""
        return self._span_pos if self._spans else None

    def leave_spans(self) -> None:
        """Turn span mode off; the current track plays on."""
        self._spans = []
        self._span_timer.stop()

    def _jump_to_span(self) -> None:
        span = self._spans[self._span_pos]
        self.queue.jump(self._span_pos)
        self._load_current(play=True, start_ms=max(0, span.start_ms))

    def _next_span(self) -> None:
        if self._span_pos + 1 >= len(self._spans):
            self.leave_spans()
            self.stop()
            return
        done = self._spans[self._span_pos]
        self._span_pos += 1
        span = self._spans[self._span_pos]
        if span.track_id == done.track_id and span.start_ms == done.end_ms and self._is_playing():
            # The next span carries straight on in the same track: no reload, no gap.
            self.queue.jump(self._span_pos)
            return
        self._jump_to_span()

    def _check_span(self) -> None:
        # Polled on the GUI thread: the engine's own position reports are too coarse (~250 ms).
        if not self._spans or not self._is_playing() or self.engine is None:
            return
        if self.queue.current_index() != self._span_pos:  # moved on without us (an error skip)
            self.leave_spans()
            return
        end = self._spans[self._span_pos].end_ms
        if end is not None and self.engine.position() >= end:
            self._next_span()
