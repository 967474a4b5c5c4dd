"""The playback engine contract, and the engine used when libvlc cannot be loaded.

Rules every engine keeps (the contract suite in ``tests/playback/`` holds each one to them):

- Every signal is emitted on the GUI thread, whatever thread the backend works on.
- Times are integer milliseconds. ``position()`` is the smooth, interpolated play position
  (see :class:`~ostplayer.playback.clock.PositionClock`); ``position_changed`` carries the
  backend's own coarse reports and is for re-anchoring, not for drawing.
- ``load()`` replaces the current media and leaves the engine stopped; ``play()`` starts it.
- ``seek()`` while a loaded track is stopped sets where the next ``play()`` starts, and
  ``position()`` reports that place, so a restored session resumes where it was left.
- ``track_ended`` is emitted once when a track plays to its end; the engine is then stopped,
  at position 0.
- ``error`` carries a message for people; after it the engine is stopped.
- ``error`` and ``track_ended`` come from the event loop, never from inside the call that
  caused them, so a listener that loads the next track on them never recurses.
- ``seeked`` carries where the engine really went (a FLAC seek lands on a block start).
- ``duration()`` may stay 0 until playback starts (libvlc learns the length by playing).
- Volume is 0–100 (perceptual, as shown on the slider); rate is a factor (1.0 normal speed).
- The output device is ``None`` (the system's default) or one of :meth:`Engine.output_devices`'
  ids; a device that is not there falls back to the default.
- ReplayGain (:class:`ReplayGainMode`) is applied from the next ``load()`` and, when changed, to
  the loaded track at once. It never changes ``volume()``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal


class PlaybackState(enum.Enum):
    """What the engine is doing."""

    STOPPED = "stopped"
    PLAYING = "playing"
    PAUSED = "paused"


class ReplayGainMode(enum.Enum):
    """Which ReplayGain value of a file sets its loudness, if any."""

    OFF = "off"
    TRACK = "track"  # every track at the same loudness
    ALBUM = "album"  # each album at the same loudness, its tracks as the mastering left them


@dataclass(frozen=True, slots=True)
class OutputDevice:
    """An audio output device: the backend's id and a description for people."""

    id: str
    description: str


class PlayerError(Exception):
    """An engine could not be made, with a short and a long message for people."""

    def __init__(self, short: str, long: str = "") -> None:
        super().__init__(short)
        self.short = short
        self.long = long


class Engine(QObject):
    """Base class of the playback engines: the signals, the rules, and the shared state."""

    #: ``True`` when the engine can really play audio.
    available: bool = True

    state_changed = Signal(object)  # PlaybackState
    position_changed = Signal(int)  # ms, as reported by the backend (coarse)
    duration_changed = Signal(int)  # ms, 0 while unknown
    seeked = Signal(int)  # ms, after every seek the engine carried out
    track_ended = Signal()
    error = Signal(str)  # a message for people
    volume_changed = Signal(int)  # 0-100
    muted_changed = Signal(bool)
    rate_changed = Signal(float)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = PlaybackState.STOPPED
        self._path: Path | None = None
        self._volume = 100
        self._muted = False
        self._rate = 1.0
        self._device: str | None = None  # None: the system's default
        self._replay_gain = ReplayGainMode.OFF

    # -- state -------------------------------------------------------------------------------
    def state(self) -> PlaybackState:
        """The current playback state."""
        return self._state

    def current_path(self) -> Path | None:
        """The loaded file, or ``None``."""
        return self._path

    def volume(self) -> int:
        """The volume, 0-100."""
        return self._volume

    def is_muted(self) -> bool:
        """Whether the sound is muted (the volume is kept)."""
        return self._muted

    def rate(self) -> float:
        """The playback rate factor."""
        return self._rate

    def _set_state(self, state: PlaybackState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    # -- commands ----------------------------------------------------------------------------
    def toggle(self) -> None:
        """Pause when playing, play otherwise."""
        if self._state == PlaybackState.PLAYING:
            self.pause()
        else:
            self.play()

    def load(self, path: Path) -> None:
        """Replace the current media with ``path``; the engine is stopped afterwards."""
        raise NotImplementedError

    def play(self) -> None:
        """Start or resume the loaded track."""
        raise NotImplementedError

    def pause(self) -> None:
        """Pause, keeping the position."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop; the track stays loaded and the position goes back to 0."""
        raise NotImplementedError

    def seek(self, position_ms: int) -> None:
        """Go to ``position_ms`` (clamped to the track)."""
        raise NotImplementedError

    def position(self) -> int:
        """The smooth play position in ms."""
        raise NotImplementedError

    def duration(self) -> int:
        """The length of the loaded track in ms, 0 while unknown."""
        raise NotImplementedError

    def set_volume(self, volume: int) -> None:
        """Set the volume, 0-100 (clamped)."""
        self._volume = max(0, min(100, int(volume)))
        self._apply_volume()
        self.volume_changed.emit(self._volume)

    def set_muted(self, muted: bool) -> None:
        """Mute or unmute without losing the volume."""
        self._muted = bool(muted)
        self._apply_volume()
        self.muted_changed.emit(self._muted)

    def set_rate(self, rate: float) -> None:
        """Set the playback rate factor (clamped to 0.25-4.0)."""
        self._rate = max(0.25, min(4.0, float(rate)))
        self._apply_rate()
        self.rate_changed.emit(self._rate)

    # -- output device and ReplayGain ------------------------------------------------------------
    def output_devices(self) -> list[OutputDevice]:
        """The devices the backend can play to, besides the system's default (may be empty)."""
        return []

    def output_device(self) -> str | None:
        """The chosen output device's id, or ``None`` for the system's default."""
        return self._device

    def set_output_device(self, device_id: str | None) -> bool:
        """Play to ``device_id`` (``None``: the system's default), at once if playing.

        Returns False, and plays to the default, when the device is not (or no longer) there.
        """
        known = device_id is None or any(d.id == device_id for d in self.output_devices())
        self._device = device_id if known else None
        self._apply_output_device()
        return known

    def replay_gain_mode(self) -> ReplayGainMode:
        """How loudness is evened out between tracks."""
        return self._replay_gain

    def set_replay_gain_mode(self, mode: ReplayGainMode) -> None:
        """Choose the ReplayGain mode; the loaded track follows it at once."""
        self._replay_gain = ReplayGainMode(mode)
        self._apply_replay_gain()

    def _apply_output_device(self) -> None:
        """Hand the chosen device to the backend (nothing to do without one)."""

    def _apply_replay_gain(self) -> None:
        """Hand the ReplayGain mode to the backend (nothing to do without one)."""

    def _apply_volume(self) -> None:
        """Hand the stored volume and mute to the backend (nothing to do without one)."""

    def _apply_rate(self) -> None:
        """Hand the stored rate to the backend (nothing to do without one)."""

    def shutdown(self) -> None:
        """Stop and release the backend, bounded in time: a hang never blocks exit."""


class UnavailableEngine(Engine):
    """The engine when libvlc is missing: it keeps the contract but cannot make a sound.

    The library, notes and playlists go on working; ``play()`` explains, once per attempt,
    that playback needs VLC.
    """

    available = False

    def __init__(self, reason: PlayerError, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reason = reason
        self._start_ms = 0

    def load(self, path: Path) -> None:
        """Remember the track, so the window can show what would play."""
        self._path = path
        self._start_ms = 0
        self._set_state(PlaybackState.STOPPED)

    def play(self) -> None:
        """Say why nothing plays (from the event loop, as every engine does)."""
        message = QCoreApplication.translate("Engine", "Playback needs VLC: {reason}").format(
            reason=self.reason.short
        )
        QTimer.singleShot(0, self, lambda: self.error.emit(message))

    def pause(self) -> None:
        """Nothing plays, so nothing pauses."""

    def stop(self) -> None:
        """Go back to the start."""
        self._start_ms = 0

    def seek(self, position_ms: int) -> None:
        """Remember where playing would start."""
        self._start_ms = max(0, int(position_ms))

    def position(self) -> int:
        """Where playing would start."""
        return self._start_ms

    def duration(self) -> int:
        """Unknown without a backend."""
        return 0
