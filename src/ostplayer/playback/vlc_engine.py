"""The libvlc 3 engine (python-vlc), keeping the contract in :mod:`ostplayer.playback.engine`.

Only :func:`ostplayer.playback.factory.create_engine` imports this module, so ``import vlc``
never slows down the start of the app or of a command that does not play.

Threads. libvlc calls its event callbacks on its own threads (the input thread, or the thread
that called ``stop()``). A callback here only puts ``(generation, kind, value, monotonic time)``
on a :class:`queue.SimpleQueue`: it touches no Qt object, emits no signal and never calls
libvlc (that deadlocks). A :class:`~PySide6.QtCore.QTimer` on the engine's (GUI) thread drains
the queue and emits the signals, so every signal comes from the GUI thread and a slot may call
any engine method, ``load()`` and ``play()`` from ``track_ended`` included.

Generations. Every time the engine stops libvlc's input (``load()``, ``stop()``, the end of a
track, an error) it bumps a generation counter *after* ``MediaPlayer.stop()`` has returned. In
libvlc 3 ``stop()`` joins the input thread, so nothing of the old media can be queued after
that with the new generation, and the drain drops every event of an older one.

State is driven by the commands (``play()`` says PLAYING at once, ``pause()`` PAUSED); libvlc's
Playing event only starts the position clock, so a late event never undoes a newer command.
End, error and libvlc stopping by itself do set the state (to STOPPED).

The clock. Measured on libvlc 3.0.24 with ``--aout=dummy`` and the six fixtures (see
``_DEMUX_OPTION``): TimeChanged comes every ~256 ms (372 ms for the 22 kHz FLAC), and the
reports lie on one straight line with wall time (1 ms apart at most), so the clock is started
at the Playing event's timestamp and re-anchored on every report at the *report's* timestamp
(taken in the callback, not when the GUI thread got to it). Its prediction for the instant of
the next report was off by 11 ms at most (the first report of a track), 0-1 ms after that.
Reports made before the last seek, pause, resume or rate change are dropped: the clock already
knows better. Right after ``set_time()`` libvlc echoes the target as a report; it agrees with
the clock, which was anchored on the target by ``seek()``. A rate change makes libvlc re-time
(its next report jumps by up to ~250 ms for PCM); the clock takes that report as it comes.

Output device. ``audio_output_device_enum()`` lists the current audio output's devices (none
with ``--aout=dummy``, and none for PulseAudio without a server); ``audio_output_device_set``
with no module moves the sound at once. libvlc has no "back to the default" call, so the
device libvlc reported when the engine was made stands for the system's default.

ReplayGain. The gain (see :mod:`~ostplayer.playback.replaygain` for why it is not libvlc's own
option) goes through libvlc's equalizer preamp, a gain stage inside libvlc that can change while
playing, with every band at 0 dB. The equalizer scales its input by 1/4 (``EQZ_IN_FACTOR`` in
VLC's ``modules/audio_filter/equalizer.c``) and lets the preamp make it up, so a preamp of
20·log10(4) ≈ 12.04 dB is unity gain; the preamp's -20..+20 dB thus allows -32..+8 dB. With
ReplayGain off the equalizer is taken out of the chain.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import math
import queue
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import vlc
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from ostplayer.playback.clock import PositionClock
from ostplayer.playback.engine import (
    Engine,
    OutputDevice,
    PlaybackState,
    PlayerError,
    ReplayGainMode,
)

log = logging.getLogger(__name__)

# Why avformat, for every file: measured on libvlc 3.0.24 by seeking to 10-75 % while playing
# and reading the next TimeChanged report (error = report - (target + time since the seek)):
#
#   format  set_time (native demux)   set_position (native)   avformat + set_time
#   ogg     runs off the end (~1.65x) -11 ms, reports ~1/s    -10..+10 ms
#   opus    -14 ms                    -14 ms                  -3..+2 ms
#   mp3     +16 ms                    +17 ms                  -2..+14 ms
#   flac    +290..+375 ms             +290..+376 ms           +4..+161 ms (see _aim: -81..+4)
#   wav     +40 ms (report bias)      +39 ms                  -11 ms
#   aiff    +89 ms (report bias)      +90 ms                  -10 ms
#
# set_position() avoids the Ogg bug but keeps the native demuxers' report biases, FLAC's
# 1-3 blocks of overshoot and Ogg's sparse reports. With avformat, decoding PCM whose samples
# count themselves (captured through libvlc's audio callbacks) showed that the reports agree
# with where the sound really resumed, within ~11 ms.
# avformat also makes libvlc report time every ~256 ms for Ogg (the native demuxer reports only
# when a new Ogg page starts, 1-2.4 s apart), which keeps the position clock tight. ",any" lets
# libvlc fall back to its own demuxers when avformat cannot open a file (or is not installed,
# as in some distributions' minimal plugin sets).
_DEMUX_OPTION = ":demux=avformat,any"
#: A track libvlc says lasts at least this long, ended before any time report, was not played:
#: libvlc reports time every ~256 ms while it plays.
SILENT_END_MS = 2000

# libvlc_track_type_t: the ESAdded event says which kind of stream appeared.
_TRACK_AUDIO = 0

# How often the GUI thread drains libvlc's events. Reports keep their own timestamps, so this
# only bounds the latency of track_ended/error (and costs nothing while stopped: the timer
# stops then).
_DRAIN_INTERVAL_MS = 15

#: The equalizer preamp (dB) at which libvlc's equalizer leaves the level as it is, and the
#: preamp's range (see the module's docstring).
EQUALIZER_UNITY_DB = 20.0 * math.log10(4.0)
_PREAMP_MIN_DB, _PREAMP_MAX_DB = -20.0, 20.0

_EVENT_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.POINTER(vlc.Event), ctypes.c_void_p)


class _EsChanged(ctypes.Structure):
    """``libvlc_event_t.u.media_player_es_changed`` (python-vlc's union lacks it)."""

    _fields_ = (("i_type", ctypes.c_int), ("i_id", ctypes.c_int))


class _EventSink:
    """The only part of the engine that libvlc's threads touch.

    Its ctypes callbacks put ``(generation, kind, value, monotonic time)`` on a thread-safe
    queue and return: no Qt, no signal, no libvlc call. They refer to the sink, not to the
    engine, and stay in ``_ATTACHED`` while attached, so libvlc can never call a callback that
    Python has freed, even if an engine were dropped without ``shutdown()``.
    """

    def __init__(self) -> None:
        self.events: queue.SimpleQueue[tuple[int, str, Any, float]] = queue.SimpleQueue()
        self.generation = 0  # written on the GUI thread only; an int read is atomic
        self.callbacks: dict[int, Any] = {}

    def callback(self, kind: str) -> Any:
        """A ctypes callback that records events of one kind."""
        put = self.events.put

        def record(event: Any, _data: Any) -> None:
            try:  # never raise into C: ctypes would only print it
                now = time.monotonic()
                value: Any = None
                if kind == "time":
                    value = int(event.contents.u.new_time)
                elif kind == "length":
                    value = int(event.contents.u.new_length)
                elif kind == "es":
                    u = ctypes.cast(ctypes.byref(event.contents.u), ctypes.POINTER(_EsChanged))
                    value = int(u.contents.i_type)
                put((self.generation, kind, value, now))
            except BaseException:
                pass

        return _EVENT_CALLBACK(record)

    def attach(self, event_manager: Any, kinds: dict[int, str]) -> None:
        """Attach one callback per libvlc event type."""
        _ATTACHED.add(self)
        for event_type, kind in kinds.items():
            callback = self.callback(kind)
            self.callbacks[event_type] = callback
            vlc.libvlc_event_attach(event_manager, event_type, callback, None)

    def detach(self, event_manager: Any) -> None:
        """Detach every callback; libvlc waits for one that is running to return."""
        for event_type, callback in self.callbacks.items():
            vlc.libvlc_event_detach(event_manager, event_type, callback, None)
        _ATTACHED.discard(self)


#: Sinks whose callbacks libvlc may still call (see _EventSink).
_ATTACHED: set[_EventSink] = set()

# What the engine listens to. Paused is left out on purpose: pause() freezes the clock itself,
# and the state follows the commands, not libvlc's events.
_EVENT_KINDS = {
    vlc.EventType.MediaPlayerPlaying.value: "playing",
    vlc.EventType.MediaPlayerStopped.value: "stopped",
    vlc.EventType.MediaPlayerEndReached.value: "end",
    vlc.EventType.MediaPlayerEncounteredError.value: "error",
    vlc.EventType.MediaPlayerTimeChanged.value: "time",
    vlc.EventType.MediaPlayerLengthChanged.value: "length",
    vlc.EventType.MediaPlayerESAdded.value: "es",
}


def to_vlc_volume(volume: int) -> int:
    """Map the slider's perceptual 0-100 to libvlc's linear gain 0-100 (100 is 0 dB).

    Loudness follows roughly the cube root of the amplitude, so a cubic curve makes equal
    slider steps sound like equal steps: 50 % is -18 dB, 20 % is -42 dB, 10 % is -60 dB.
    (PulseAudio's volume sliders use the same curve.)
    """
    v = max(0, min(100, int(volume))) / 100.0
    return round(100.0 * v**3)


def flac_block_ms(path: Path) -> float | None:
    """The length of one FLAC block in ms when the file uses one fixed block size, else None.

    Reads only the STREAMINFO header (the first 42 bytes).
    """
    try:
        with path.open("rb") as f:
            head = f.read(42)
    except OSError:
        return None
    # "fLaC", then a metadata block header (1 type byte + 3 length bytes), then STREAMINFO.
    if len(head) < 42 or head[:4] != b"fLaC" or head[4] & 0x7F != 0:
        return None
    min_block, max_block = struct.unpack(">HH", head[8:12])
    rate = int.from_bytes(head[18:21], "big") >> 4
    if min_block != max_block or min_block == 0 or rate == 0:
        return None
    return min_block * 1000.0 / rate


def _tr(text: str) -> str:
    return QCoreApplication.translate("Engine", text)


def _text(value: bytes | str | None) -> str:
    """A libvlc string (python-vlc gives bytes in structures) as text."""
    if value is None:
        return ""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class VlcEngine(Engine):
    """Plays audio files through libvlc 3.

    ``args`` are libvlc's command-line arguments (see :func:`~.factory.vlc_args`).
    ``shutdown_timeout`` bounds :meth:`shutdown` in seconds.
    Raises :class:`PlayerError` when libvlc cannot be started with these arguments.
    """

    #: Each accepted TimeChanged report: (reported ms, what the clock predicted for the moment
    #: of the report in ms, monotonic time of the report). For diagnostics and the clock test.
    time_reported = Signal(int, int, float)

    def __init__(
        self,
        args: list[str],
        parent: QObject | None = None,
        *,
        shutdown_timeout: float = 2.0,
    ) -> None:
        super().__init__(parent)
        started = time.monotonic()
        instance = vlc.Instance(list(args))
        if instance is None:
            raise PlayerError(
                _tr("VLC could not be started"),
                _tr("libvlc refused these arguments: {args}").format(args=" ".join(args)),
            )
        self._instance: Any = instance
        self._player: Any = instance.media_player_new()
        log.debug("libvlc instance made in %.1f ms", (time.monotonic() - started) * 1000)
        self._shutdown_timeout = shutdown_timeout
        self._closed = False

        self._clock = PositionClock()
        self._duration = 0
        self._start_ms = 0  # where the next play() from stopped begins
        self._block_ms: float | None = None  # FLAC block length, to aim seeks (see seek())
        # Reports made before this monotonic time predate the last command that set the
        # clock (seek, pause, rate...), so they are older news than the clock: drop them.
        self._floor = 0.0

        self._input_started = False  # libvlc said Playing for this generation
        self._has_audio = False  # an audio stream appeared for this generation
        # libvlc reported time past the start, or the listener moved: an end is a real end.
        self._heard = False

        self._timer = QTimer(self)
        self._timer.setInterval(_DRAIN_INTERVAL_MS)
        self._timer.timeout.connect(self._drain)

        self._event_manager = self._player.event_manager()
        self._sink = _EventSink()
        self._sink.attach(self._event_manager, _EVENT_KINDS)

        # What libvlc plays to before any choice: the way back to the system's default.
        self._default_device: str | None = self._player.audio_output_device_get() or None
        self._gain_db = 0.0  # the ReplayGain applied to the loaded track
        self._equalizer_on = False

    # -- the GUI thread ----------------------------------------------------------------------
    def _post(self, kind: str, value: Any = None) -> None:
        """Queue an event of our own, so it is emitted like libvlc's (never re-entrantly)."""
        self._sink.events.put((self._sink.generation, kind, value, time.monotonic()))
        self._wake()

    def _wake(self) -> None:
        if not self._timer.isActive() and not self._closed:
            self._timer.start()

    def _drain(self) -> None:
        while True:
            try:
                generation, kind, value, at = self._sink.events.get_nowait()
            except queue.Empty:
                break
            # Checked per event: a slot may load another track in the middle of the batch.
            if generation != self._sink.generation or self._closed:
                continue
            handler = self._HANDLERS.get(kind)
            if handler is not None:
                handler(self, value, at)
        if self._state == PlaybackState.STOPPED and self._sink.events.empty():
            self._timer.stop()

    def _on_playing(self, _value: Any, at: float) -> None:
        self._input_started = True
        # libvlc ignores the volume until its audio output exists: apply it again now.
        self._apply_volume()
        if self._state == PlaybackState.PAUSED:
            # pause() came before the input could pause; do it now that it can.
            self._player.set_pause(1)
        elif self._state == PlaybackState.PLAYING:
            self._clock.start(at=max(at, self._floor))

    def _on_time(self, value: int, at: float) -> None:
        if at < self._floor or self._state == PlaybackState.STOPPED or value < 0:
            return
        predicted = self._clock.position(at=at)
        self._clock.anchor(value, at=at)
        self._heard = self._heard or value > 0
        if self._state == PlaybackState.PLAYING and self._input_started and not self._clock.running:
            # A resume whose Playing event was merged away: the report proves it plays.
            self._clock.start(at=at)
        self.time_reported.emit(value, predicted, at)
        self.position_changed.emit(value)

    def _on_length(self, value: int, _at: float) -> None:
        value = max(0, value)
        if value != self._duration:
            self._duration = value
            self._clock.set_duration(value)
            self.duration_changed.emit(value)

    def _on_es(self, value: int, _at: float) -> None:
        if value == _TRACK_AUDIO:
            self._has_audio = True

    def _on_end(self, _value: Any, _at: float) -> None:
        if not self._has_audio or (not self._heard and self._duration >= SILENT_END_MS):
            # libvlc "plays" a file it cannot read to an immediate end, without an error; and
            # one it reads but cannot decode (ffmpeg's own WavPack, DSD) ends as soon, having
            # never reported a moment of a track it says lasts seconds.
            self._fail(self._cannot_play_message())
            return
        self._halt()
        self._set_state(PlaybackState.STOPPED)
        self.track_ended.emit()

    def _on_error(self, _value: Any, _at: float) -> None:
        self._fail(self._cannot_play_message())

    def _on_stopped(self, _value: Any, _at: float) -> None:
        # libvlc stopped by itself. (Our own stops bump the generation right after stop()
        # returns, so their Stopped event is dropped before it gets here.)
        if self._state != PlaybackState.STOPPED:
            self._halt()
            self._set_state(PlaybackState.STOPPED)

    def _on_posted_error(self, message: str, _at: float) -> None:
        self._fail(message)

    _HANDLERS: ClassVar[dict[str, Callable[[VlcEngine, Any, float], None]]] = {
        "playing": _on_playing,
        "time": _on_time,
        "length": _on_length,
        "es": _on_es,
        "end": _on_end,
        "error": _on_error,
        "stopped": _on_stopped,
        "posted_error": _on_posted_error,
    }

    def _fail(self, message: str) -> None:
        self._halt()
        self._set_state(PlaybackState.STOPPED)
        self.error.emit(message)

    def _cannot_play_message(self) -> str:
        path = self._path
        name = path.name if path is not None else ""
        if path is None or not path.is_file():
            return _tr("Cannot play “{name}”: the file no longer exists").format(name=name)
        return _tr(
            "Cannot play “{name}”: the file is damaged or not a supported audio format"
        ).format(name=name)

    def _halt(self) -> None:
        """Stop libvlc's input, forget its pending events and go back to the start."""
        self._player.stop()  # joins the input thread in libvlc 3
        self._sink.generation += 1
        self._input_started = False
        self._has_audio = False
        self._heard = False
        self._start_ms = 0
        self._clock.freeze()
        self._clock.anchor(0)
        self._floor = time.monotonic()

    def _apply_volume(self) -> None:
        # The slider's 0-100 is perceptual; libvlc's gain is linear (see to_vlc_volume).
        if not self._closed:
            self._player.audio_set_volume(to_vlc_volume(self._volume))
            self._player.audio_set_mute(self._muted)

    def _aim(self, position_ms: int) -> int:
        """Where to ask libvlc to go so that it lands as near ``position_ms`` as it can.

        After a seek libvlc drops every block that starts before the target, so it lands on the
        next block start. FLAC blocks are long (4096 samples: 93 ms at 44.1 kHz, 186 ms at
        22.05 kHz), so aim at the nearest block start instead: the error is at most half a
        block, and the clock is anchored exactly where the sound resumes.
        """
        block = self._block_ms
        if block is None or position_ms <= 0:
            return position_ms
        return int(round(position_ms / block) * block)

    # -- commands ----------------------------------------------------------------------------
    def load(self, path: Path) -> None:
        """Replace the current media with ``path``; the engine is stopped afterwards."""
        if self._closed:
            return
        if self._state != PlaybackState.STOPPED:
            self._halt()
        else:
            self._sink.generation += 1
            self._start_ms = 0
            self._clock.freeze()
            self._clock.anchor(0)
        self._path = Path(path)
        self._block_ms = flac_block_ms(self._path)
        if self._replay_gain is not ReplayGainMode.OFF:
            self._apply_replay_gain()
        self._clock.set_duration(None)
        if self._duration != 0:
            self._duration = 0
            self.duration_changed.emit(0)
        self._set_state(PlaybackState.STOPPED)
        if not self._path.is_file():
            self._post("posted_error", self._cannot_play_message())

    def play(self) -> None:
        """Start or resume the loaded track."""
        if self._closed or self._path is None or self._state == PlaybackState.PLAYING:
            return
        if self._state == PlaybackState.PAUSED:
            self._floor = time.monotonic()
            if self._input_started:
                self._player.set_pause(0)
            self._set_state(PlaybackState.PLAYING)
            return
        if not self._path.is_file():
            self._post("posted_error", self._cannot_play_message())
            return
        media = self._instance.media_new_path(str(self._path))
        media.add_option(_DEMUX_OPTION)
        if self._start_ms > 0:
            # Start there directly rather than seeking after Playing: no blip from 0.
            media.add_option(f":start-time={self._start_ms / 1000.0:.3f}")
        self._player.set_media(media)
        media.release()  # the player holds its own reference
        self._sink.generation += 1
        self._input_started = False
        self._has_audio = False
        self._heard = self._start_ms > 0  # started near the end, it may end before a report
        self._clock.freeze()
        self._clock.anchor(self._start_ms)
        self._floor = time.monotonic()
        if self._player.play() != 0:
            self._post("posted_error", self._cannot_play_message())
            return
        self._set_state(PlaybackState.PLAYING)
        self._wake()

    def pause(self) -> None:
        """Pause, keeping the position."""
        if self._closed or self._state != PlaybackState.PLAYING:
            return
        self._clock.freeze()
        self._floor = time.monotonic()
        if self._input_started:
            self._player.set_pause(1)
        # else: the Playing handler pauses once libvlc can (it stops a not-yet-pausable input).
        self._set_state(PlaybackState.PAUSED)

    def stop(self) -> None:
        """Stop; the track stays loaded and the position goes back to 0."""
        if self._closed:
            return
        if self._state != PlaybackState.STOPPED:
            self._halt()
            self._set_state(PlaybackState.STOPPED)
        else:
            self._start_ms = 0
            self._clock.anchor(0)

    def seek(self, position_ms: int) -> None:
        """Go to ``position_ms`` (clamped to the track); ``seeked`` says where it went."""
        if self._closed or self._path is None:
            return
        target = max(0, int(position_ms))
        if self._duration > 0:
            target = min(self._aim(min(target, self._duration)), self._duration)
        else:
            target = self._aim(target)
        self._floor = time.monotonic()
        self._clock.anchor(target)
        self._heard = True  # a seek to the end ends the track at once, and rightly
        if self._state == PlaybackState.STOPPED:
            self._start_ms = target
        else:
            self._player.set_time(target)
        self.seeked.emit(target)

    def position(self) -> int:
        """The smooth play position in ms."""
        return self._clock.position()

    def duration(self) -> int:
        """The length of the loaded track in ms, 0 until libvlc has read it."""
        return self._duration

    # -- output device and ReplayGain ------------------------------------------------------------
    def output_devices(self) -> list[OutputDevice]:
        """The current audio output's devices, as libvlc lists them (may be empty)."""
        if self._closed:
            return []
        head = self._player.audio_output_device_enum()
        devices: list[OutputDevice] = []
        try:
            node = head
            while node:
                entry = node.contents
                device = _text(entry.device)
                if device:
                    devices.append(OutputDevice(device, _text(entry.description) or device))
                node = entry.next
        finally:
            if head:
                vlc.libvlc_audio_output_device_list_release(head)
        return devices

    def playing_device(self) -> str | None:
        """The device libvlc says it plays to (``None`` when it does not say)."""
        if self._closed:
            return None
        return self._player.audio_output_device_get() or None

    def _apply_output_device(self) -> None:
        if self._closed:
            return
        target = self._device if self._device is not None else self._default_device
        if target is not None:
            self._player.audio_output_device_set(None, target)

    def replay_gain_db(self) -> float:
        """The ReplayGain applied to the loaded track, in dB (0 when off or untagged)."""
        return self._gain_db

    def _apply_replay_gain(self) -> None:
        if self._closed:
            return
        from ostplayer.playback.replaygain import read_replay_gain  # mutagen: only when on

        mode, path = self._replay_gain, self._path
        gain = 0.0
        if mode is not ReplayGainMode.OFF and path is not None:
            # A tag read (a few ms): load() already touches the file, and the gain must be
            # in place before the first sample plays.
            gain = read_replay_gain(path).gain_db(mode)
        self._gain_db = gain
        if mode is ReplayGainMode.OFF:
            if self._equalizer_on:
                self._player.set_equalizer(None)
                self._equalizer_on = False
            return
        preamp = max(_PREAMP_MIN_DB, min(_PREAMP_MAX_DB, gain + EQUALIZER_UNITY_DB))
        equalizer = vlc.libvlc_audio_equalizer_new()  # every band at 0 dB
        try:
            vlc.libvlc_audio_equalizer_set_preamp(equalizer, preamp)
            self._player.set_equalizer(equalizer)  # libvlc copies the settings
        finally:
            vlc.libvlc_audio_equalizer_release(equalizer)
        self._equalizer_on = True

    def _apply_rate(self) -> None:
        # libvlc keeps the pitch (time stretch); the clock runs at the new rate from now.
        if not self._closed:
            self._player.set_rate(self._rate)
        self._floor = time.monotonic()
        self._clock.set_rate(self._rate)

    def shutdown(self) -> None:
        """Stop and release libvlc, giving up after ``shutdown_timeout`` seconds if it hangs."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self._sink.generation += 1
        self._sink.detach(self._event_manager)
        player, instance = self._player, self._instance
        abandoned = threading.Event()

        def release() -> None:
            player.stop()
            if abandoned.is_set():
                return  # too late: the app has moved on; leave libvlc to process exit
            player.release()
            instance.release()

        worker = threading.Thread(target=release, name="vlc-shutdown", daemon=True)
        worker.start()
        worker.join(self._shutdown_timeout)
        if worker.is_alive():
            abandoned.set()
            log.warning(
                "libvlc did not stop within %.1f s; exiting without releasing it",
                self._shutdown_timeout,
            )
        self._clock.freeze()
        with contextlib.suppress(RuntimeError):  # the QObject may be half torn down at exit
            self._set_state(PlaybackState.STOPPED)
