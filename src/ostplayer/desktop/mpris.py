"""MPRIS 2 on the D-Bus session bus: media keys, the desktop's player widgets and ``playerctl``.

The app is ``org.mpris.MediaPlayer2.ostplayer`` (``...ostplayer.instance<pid>`` when another
OST Player, on another data dir, has the name) at ``/org/mpris/MediaPlayer2``, with the root
interface and the player interface of the MPRIS 2.2 specification. It has no track list.

Units: the bus speaks microseconds, the program milliseconds; the conversion happens here and
nowhere else. Volume is 0.0-1.0 on the bus, 0-100 in the player.

``PropertiesChanged`` goes out for every change of a player property but ``Position`` (the
spec's rule: clients extrapolate it from ``Rate``), gathered once per turn of the event loop;
``Seeked`` goes out when the position jumps.

A limit of PySide: a Python ``int`` inside a dictionary becomes a D-Bus ``int32`` when it fits
one, so ``mpris:length`` is ``x`` only for tracks over 35 minutes. Top-level values (``Position``,
``Seek``, ``SetPosition``, ``Seeked``) are declared ``qlonglong`` and are always ``x``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from PySide6.QtCore import (
    ClassInfo,
    Property,
    QCoreApplication,
    QMetaType,
    QObject,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtDBus import (
    QDBusAbstractAdaptor,
    QDBusArgument,
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
)

from ostplayer import APP_ID, APP_NAME
from ostplayer.services.player import PlaybackState, PlayerService, RepeatMode

if TYPE_CHECKING:
    from ostplayer.app import Application
    from ostplayer.domain.track import Track
    from ostplayer.services.library import OpenedPaths
    from ostplayer.services.tasks import Tasks

log = logging.getLogger(__name__)

SERVICE_NAME: Final = "org.mpris.MediaPlayer2.ostplayer"
OBJECT_PATH: Final = "/org/mpris/MediaPlayer2"
ROOT_INTERFACE: Final = "org.mpris.MediaPlayer2"
PLAYER_INTERFACE: Final = "org.mpris.MediaPlayer2.Player"
PROPERTIES_INTERFACE: Final = "org.freedesktop.DBus.Properties"
#: A track's id on the bus is this followed by its library id.
TRACK_PATH_PREFIX: Final = "/io/github/ostplayer/track/"
#: The spec's track id for "no track".
NO_TRACK: Final = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
#: What the app opens: the same list as the desktop file's MimeType.
MIME_TYPES: Final = (
    "audio/mpeg",
    "audio/ogg",
    "audio/x-vorbis+ogg",
    "audio/x-opus+ogg",
    "audio/flac",
    "audio/mp4",
    "audio/x-m4b",
    "audio/x-wav",
    "audio/x-aiff",
    "audio/x-aifc",
    "audio/x-ms-wma",
    "audio/x-ape",
    "audio/x-wavpack",
)
#: Covers copied for the desktop to show are kept this many at most (the most recent ones).
MAX_CACHED_COVERS: Final = 100

_NOT_SUPPORTED: Final = "org.freedesktop.DBus.Error.NotSupported"
_FAILED: Final = "org.freedesktop.DBus.Error.Failed"

_LOOP_STATUS: Final = {
    RepeatMode.OFF: "None",
    RepeatMode.ONE: "Track",
    RepeatMode.ALL: "Playlist",
}
_PLAYBACK_STATUS: Final = {
    PlaybackState.PLAYING: "Playing",
    PlaybackState.PAUSED: "Paused",
    PlaybackState.STOPPED: "Stopped",
}
_IMAGE_SUFFIXES: Final = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"GIF8", ".gif"),
    (b"BM", ".bmp"),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Mpris", text)


@dataclass(frozen=True, slots=True)
class MprisHost:
    """What MPRIS needs from the rest of the app, so that nothing here imports a widget.

    ``start`` plays something when the queue is empty (what Space does in the window), and
    ``can_start`` says whether it would. ``open_paths`` is
    :meth:`~ostplayer.services.library.LibraryService.open_paths`; ``show_problems(headline,
    body)`` tells the listener about files that could not be opened. Covers are copied into
    ``cover_dir`` on ``tasks``' threads; without ``tasks`` there is no ``mpris:artUrl``.
    """

    raise_window: Callable[[], None]
    quit: Callable[[], None]
    start: Callable[[], None]
    can_start: Callable[[], bool]
    open_paths: Callable[[list[Path], Callable[[OpenedPaths], None]], None] | None = None
    show_problems: Callable[[str, str], None] | None = None
    tasks: Tasks | None = None
    cover_dir: Path | None = None


def track_object_path(track_id: int) -> str:
    """The D-Bus object path that names a track on the bus."""
    return f"{TRACK_PATH_PREFIX}{track_id}"


def _text(value: str) -> str:
    # D-Bus strings are UTF-8 without NUL; a file name may hold undecodable bytes (surrogates).
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _no_strings() -> QDBusArgument:
    """An empty ``as`` (an empty Python list would go out as ``av``)."""
    argument = QDBusArgument()
    argument.beginArray(QMetaType(QMetaType.Type.QString))
    argument.endArray()
    return argument


def cover_file(track_path: Path, cover_dir: Path) -> Path | None:
    """The track's cover art as a file the desktop can show, or ``None`` when it has none.

    The picture :func:`~ostplayer.library.cover.read_cover` finds (embedded, else the album
    folder's) is copied into ``cover_dir`` under a name made from its bytes, so a cover shared
    by an album is stored once; the oldest copies go beyond :data:`MAX_CACHED_COVERS`. Reads
    the disk: call it off the GUI thread.
    """
    from ostplayer.files import write_atomically
    from ostplayer.library.cover import read_cover

    data = read_cover(track_path)
    if not data:
        return None
    suffix = next((s for magic, s in _IMAGE_SUFFIXES if data.startswith(magic)), None)
    if suffix is None:
        suffix = ".webp" if data[:4] == b"RIFF" and data[8:12] == b"WEBP" else None
    if suffix is None:
        return None
    target = cover_dir / f"{hashlib.sha256(data).hexdigest()[:32]}{suffix}"
    try:
        if target.is_file():
            os.utime(target)  # recently used: pruned last
        else:
            cover_dir.mkdir(parents=True, exist_ok=True)
            write_atomically(target, data)
            _prune_covers(cover_dir)
    except OSError as exc:
        log.info("cover art for MPRIS not copied to %s: %s", cover_dir, exc)
        return None
    return target


def _prune_covers(cover_dir: Path) -> None:
    entries = []
    for path in cover_dir.iterdir():
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    entries.sort(reverse=True)
    for _mtime, path in entries[MAX_CACHED_COVERS:]:
        path.unlink(missing_ok=True)


class Mpris(QObject):
    """The object at ``/org/mpris/MediaPlayer2``: the player's state and commands, on the bus.

    Everything runs on the GUI thread: QtDBus delivers calls there, and the player's signals
    arrive there.
    """

    def __init__(
        self,
        bus: QDBusConnection,
        player: PlayerService,
        host: MprisHost,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bus = bus
        self._player = player
        self._host = host
        self.service_name: str | None = None
        self._registered = False
        self._art: dict[Path, str | None] = {}  # track file -> file:// URL of its cover
        self._art_pending: set[Path] = set()
        self._seeked_to: int | None = None  # ms: a jump not yet announced
        self._root_adaptor = _RootAdaptor(self)
        self._player_adaptor = _PlayerAdaptor(self)
        self._published = self._player_properties()
        # Changes come in bursts (a track change moves the state, the metadata and Can*):
        # one PropertiesChanged per turn of the event loop carries them all.
        self._publish_timer = QTimer(self)
        self._publish_timer.setSingleShot(True)
        self._publish_timer.setInterval(0)
        self._publish_timer.timeout.connect(self._publish)
        for signal in (
            player.state_changed,
            player.queue_changed,
            player.modes_changed,
            player.volume_changed,
            player.duration_changed,
            player.engine_attached,
        ):
            signal.connect(self.refresh)
        player.current_changed.connect(self._on_current_changed)
        player.seeked.connect(self._on_seeked)
        self._on_current_changed(player.current_track())

    # -- the bus -----------------------------------------------------------------------------------
    def register(self) -> bool:
        """Put the object on the bus and take the bus name; False (and nothing left) on failure.

        The object comes first, so a client that sees the name appear finds it at once.
        """
        if not self._bus.registerObject(OBJECT_PATH, self):
            return False
        for name in (SERVICE_NAME, f"{SERVICE_NAME}.instance{os.getpid()}"):
            if self._bus.registerService(name):
                self.service_name = name
                self._registered = True
                self._published = self._player_properties()
                return True
        self._bus.unregisterObject(OBJECT_PATH)
        return False

    def unregister(self) -> None:
        """Leave the bus: the name goes first, so clients drop the player at once."""
        if not self._registered:
            return
        self._registered = False
        self._publish_timer.stop()
        if self.service_name is not None:
            self._bus.unregisterService(self.service_name)
        self._bus.unregisterObject(OBJECT_PATH)

    def last_error(self) -> str:
        """Why the bus refused the last request, for the log."""
        error = self._bus.lastError()
        return error.message() or error.name() or "unknown error"

    def refresh(self, *_args: object) -> None:
        """Something the properties show may have changed: tell the bus what did, soon.

        Takes (and ignores) the arguments of whatever signal calls it.
        """
        if self._registered:
            self._publish_timer.start()

    def _publish(self) -> None:
        if not self._registered:
            return
        current = self._player_properties()
        changed = {k: v for k, v in current.items() if self._published.get(k) != v}
        self._published = current
        if changed:
            if "Metadata" in changed:
                changed["Metadata"] = _dbus_metadata(changed["Metadata"])
            message = QDBusMessage.createSignal(
                OBJECT_PATH, PROPERTIES_INTERFACE, "PropertiesChanged"
            )
            message.setArguments([PLAYER_INTERFACE, changed, _no_strings()])
            self._bus.send(message)
        # After the new metadata: a client that resets the position on a track change would
        # otherwise undo a track that starts part-way (a restored session, a moment's span).
        if self._seeked_to is not None:
            position_us, self._seeked_to = self._seeked_to * 1000, None
            self._player_adaptor.Seeked.emit(position_us)

    def _on_seeked(self, position_ms: int) -> None:
        self._seeked_to = int(position_ms)
        self.refresh()

    def _on_current_changed(self, track: Track | None) -> None:
        if track is not None:
            self._request_art(track.path)
        self.refresh()

    # -- the properties, as plain Python values ----------------------------------------------------
    def _player_properties(self) -> dict[str, Any]:
        """Every player property but Position, compared to find what changed."""
        return {
            "PlaybackStatus": self.playback_status(),
            "LoopStatus": self.loop_status(),
            "Rate": 1.0,
            "Shuffle": self.shuffle(),
            "Metadata": self._metadata(),
            "Volume": self.volume(),
            "MinimumRate": 1.0,
            "MaximumRate": 1.0,
            "CanGoNext": self.can_go_next(),
            "CanGoPrevious": self.can_go_next(),
            "CanPlay": self.can_play(),
            "CanPause": self.can_pause(),
            "CanSeek": self.can_seek(),
            "CanControl": True,
        }

    def playback_status(self) -> str:
        """``Playing``, ``Paused`` or ``Stopped``."""
        return _PLAYBACK_STATUS[self._player.state()]

    def loop_status(self) -> str:
        """The player's repeat mode as MPRIS names it: ``None``, ``Track`` or ``Playlist``."""
        return _LOOP_STATUS[self._player.queue.repeat]

    def shuffle(self) -> bool:
        """Whether the queue plays shuffled."""
        return self._player.queue.shuffle

    def volume(self) -> float:
        """The player's volume, 0.0-1.0."""
        return self._player.volume() / 100.0

    def position_us(self) -> int:
        """The play position in microseconds (0 with nothing loaded)."""
        if self._player.current_track() is None:
            return 0
        return int(self._player.position()) * 1000

    def can_go_next(self) -> bool:
        """Next and Previous always do something with a queue: they move, restart or stop."""
        return len(self._player.queue) > 0

    def can_play(self) -> bool:
        """There is a current track, or Play would start one (the list the window shows)."""
        return self._player.current_track() is not None or self._host.can_start()

    def can_pause(self) -> bool:
        """There is a current track to pause."""
        return self._player.current_track() is not None

    def can_seek(self) -> bool:
        """A current track, and an engine that plays."""
        engine = self._player.engine
        return engine is not None and engine.available and self._player.current_track() is not None

    def _metadata(self) -> dict[str, Any]:
        track = self._player.current_track()
        if track is None:
            return {"mpris:trackid": NO_TRACK}
        meta: dict[str, Any] = {
            "mpris:trackid": track_object_path(track.id),
            "xesam:title": _text(track.display_title),
            "xesam:url": QUrl.fromLocalFile(os.fspath(track.path)).toString(
                QUrl.ComponentFormattingOption.FullyEncoded
            ),
        }
        length_ms = track.duration_ms or self._player.duration()
        if length_ms > 0:
            meta["mpris:length"] = int(length_ms) * 1000
        # Lists of text go out only when they hold something: an empty list is no ``as``.
        for key, value in (
            ("xesam:artist", track.artist),
            ("xesam:albumArtist", track.album_artist),
            ("xesam:composer", track.composer),
            ("xesam:genre", track.genre),
        ):
            if value:
                meta[key] = [_text(value)]
        if track.album:
            meta["xesam:album"] = _text(track.album)
        if track.track_number:
            meta["xesam:trackNumber"] = int(track.track_number)
        if track.disc_number:
            meta["xesam:discNumber"] = int(track.disc_number)
        art = self._art.get(track.path)
        if art:
            meta["mpris:artUrl"] = art
        return meta

    def metadata(self) -> dict[str, Any]:
        """The current track's metadata, in D-Bus types."""
        return _dbus_metadata(self._metadata())

    # -- cover art ---------------------------------------------------------------------------------
    def _request_art(self, path: Path) -> None:
        tasks, cover_dir = self._host.tasks, self._host.cover_dir
        if tasks is None or cover_dir is None or path in self._art or path in self._art_pending:
            return
        self._art_pending.add(path)
        tasks.run(
            lambda: cover_file(path, cover_dir),
            lambda found: self._art_found(path, found),
            lambda _exc: self._art_found(path, None),
        )

    def _art_found(self, path: Path, found: Path | None) -> None:
        self._art_pending.discard(path)
        if len(self._art) > 4 * MAX_CACHED_COVERS:  # the copies behind old entries are gone
            self._art.clear()
        self._art[path] = None if found is None else QUrl.fromLocalFile(os.fspath(found)).toString()
        track = self._player.current_track()
        if track is not None and track.path == path:
            self.refresh()

    # -- the commands ------------------------------------------------------------------------------
    def raise_window(self) -> None:
        """Bring the window to the front."""
        self._host.raise_window()

    def quit(self) -> None:
        """Quit the app, once the reply to Quit has gone out."""
        QTimer.singleShot(0, self._host.quit)

    def play(self) -> None:
        """Play; with an empty queue, start what the window would."""
        if self._player.queue.current() is None:
            self._host.start()
        else:
            self._player.play()

    def play_pause(self) -> None:
        """Toggle; with an empty queue, start what the window would."""
        if self._player.queue.current() is None:
            self._host.start()
        else:
            self._player.play_pause()

    def pause(self) -> None:
        """Pause, if playing."""
        self._player.pause()

    def stop(self) -> None:
        """Stop, keeping the queue."""
        self._player.stop()

    def next(self) -> None:
        """The next track (at the end of the queue, stop)."""
        self._player.next()

    def previous(self) -> None:
        """The previous track, or the start of this one when more than 3 s in."""
        self._player.previous()

    def seek(self, offset_us: int) -> None:
        """Move by ``offset_us``; past the end the next track plays (the track simply ends)."""
        if self.can_seek():
            self._player.seek_by(int(offset_us) // 1000)

    def set_position(self, track_path: str, position_us: int) -> None:
        """Go to ``position_us`` of the current track; a stale track id or a position outside
        the track does nothing, as the spec says."""
        track = self._player.current_track()
        if track is None or not self.can_seek() or track_path != track_object_path(track.id):
            return
        length_ms = track.duration_ms or self._player.duration()
        if position_us < 0 or (length_ms > 0 and position_us > length_ms * 1000):
            return
        self._player.seek(int(position_us) // 1000)

    def set_volume(self, volume: float) -> None:
        """Set the volume from 0.0-1.0 (clamped; not a number: ignored)."""
        if math.isfinite(volume):
            self._player.set_volume(round(max(0.0, min(1.0, volume)) * 100))

    def set_rate(self, rate: float) -> None:
        """Only normal speed is offered; the spec says a rate of 0 means Pause."""
        if rate == 0.0:
            self._player.pause()

    def set_loop_status(self, status: str) -> None:
        """``None``, ``Track`` or ``Playlist``; anything else is ignored."""
        for mode, name in _LOOP_STATUS.items():
            if name == status:
                self._player.set_repeat(mode)
                return
        log.info("MPRIS: unknown LoopStatus %r ignored", status)

    def set_shuffle(self, on: bool) -> None:
        """Turn shuffle on or off."""
        self._player.set_shuffle(bool(on))

    def open_uri(self, uri: str, message: QDBusMessage) -> None:
        """Open a ``file://`` URI and play it; the reply waits until the file is read."""
        # Every answer is sent by hand (an error now, or the reply once the file is read).
        message.setDelayedReply(True)
        url = QUrl(uri)
        if not url.isValid() or not url.isLocalFile():
            text = _tr("Only file:// URIs can be opened")
            self._bus.send(message.createErrorReply(_NOT_SUPPORTED, text))
            return
        open_paths = self._host.open_paths
        if open_paths is None:
            self._bus.send(message.createErrorReply(_NOT_SUPPORTED, _tr("Not supported yet")))
            return

        def opened(result: OpenedPaths) -> None:
            if result.track_ids:
                self._player.play_tracks(result.track_ids)
            if result.problems:
                text = result.problem_text()
                if self._host.show_problems is not None:
                    headline = _tr("Some of what you opened could not be played")
                    self._host.show_problems(headline, text)
                self._bus.send(message.createErrorReply(_FAILED, text))
            else:
                self._bus.send(message.createReply())

        open_paths([Path(url.toLocalFile())], opened)


def _dbus_metadata(plain: dict[str, Any]) -> dict[str, Any]:
    """The metadata with its track id as an object path (``o``), as the spec types it."""
    meta = dict(plain)
    meta["mpris:trackid"] = QDBusObjectPath(plain["mpris:trackid"])
    return meta


# The adaptors: names and D-Bus types exactly as the spec has them (its CamelCase member
# names, hence the noqa: N802). The XML gives introspection the spec's argument names.

_ROOT_XML: Final = """
<interface name="org.mpris.MediaPlayer2">
  <method name="Raise"/>
  <method name="Quit"/>
  <property name="CanQuit" type="b" access="read"/>
  <property name="Fullscreen" type="b" access="readwrite"/>
  <property name="CanSetFullscreen" type="b" access="read"/>
  <property name="CanRaise" type="b" access="read"/>
  <property name="HasTrackList" type="b" access="read"/>
  <property name="Identity" type="s" access="read"/>
  <property name="DesktopEntry" type="s" access="read"/>
  <property name="SupportedUriSchemes" type="as" access="read"/>
  <property name="SupportedMimeTypes" type="as" access="read"/>
</interface>
"""

_PLAYER_XML: Final = """
<interface name="org.mpris.MediaPlayer2.Player">
  <method name="Next"/>
  <method name="Previous"/>
  <method name="Pause"/>
  <method name="PlayPause"/>
  <method name="Stop"/>
  <method name="Play"/>
  <method name="Seek">
    <arg name="Offset" type="x" direction="in"/>
  </method>
  <method name="SetPosition">
    <arg name="TrackId" type="o" direction="in"/>
    <arg name="Position" type="x" direction="in"/>
  </method>
  <method name="OpenUri">
    <arg name="Uri" type="s" direction="in"/>
  </method>
  <signal name="Seeked">
    <arg name="Position" type="x"/>
  </signal>
  <property name="PlaybackStatus" type="s" access="read"/>
  <property name="LoopStatus" type="s" access="readwrite"/>
  <property name="Rate" type="d" access="readwrite"/>
  <property name="Shuffle" type="b" access="readwrite"/>
  <property name="Metadata" type="a{sv}" access="read">
    <annotation name="org.qtproject.QtDBus.QtTypeName" value="QVariantMap"/>
  </property>
  <property name="Volume" type="d" access="readwrite"/>
  <property name="Position" type="x" access="read">
    <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="false"/>
  </property>
  <property name="MinimumRate" type="d" access="read"/>
  <property name="MaximumRate" type="d" access="read"/>
  <property name="CanGoNext" type="b" access="read"/>
  <property name="CanGoPrevious" type="b" access="read"/>
  <property name="CanPlay" type="b" access="read"/>
  <property name="CanPause" type="b" access="read"/>
  <property name="CanSeek" type="b" access="read"/>
  <property name="CanControl" type="b" access="read">
    <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="false"/>
  </property>
</interface>
"""


class _Adaptor(QDBusAbstractAdaptor):
    """An interface of :class:`Mpris`, which owns it."""

    def __init__(self, mpris: Mpris) -> None:
        super().__init__(mpris)
        # Weak: a cycle would leave Mpris to the garbage collector, which may run (and emit
        # ``destroyed``, which QtDBus relays) on any thread. Its parent deletes it instead.
        self._owner = weakref.ref(mpris)
        self.setAutoRelaySignals(False)  # Mpris's own signals are not for the bus

    @property
    def _mpris(self) -> Mpris:
        mpris = self._owner()
        assert mpris is not None, "an adaptor outlived its Mpris"
        return mpris


@ClassInfo(**{"D-Bus Interface": ROOT_INTERFACE, "D-Bus Introspection": _ROOT_XML})
class _RootAdaptor(_Adaptor):
    """``org.mpris.MediaPlayer2``: who the player is, Raise and Quit."""

    def _true(self) -> bool:
        return True

    def _false(self) -> bool:
        return False

    def _ignore_fullscreen(self, _on: bool) -> None:
        """Fullscreen cannot be set (CanSetFullscreen is false)."""

    def _identity(self) -> str:
        return APP_NAME

    def _desktop_entry(self) -> str:
        return APP_ID

    def _uri_schemes(self) -> list[str]:
        return ["file"]

    def _mime_types(self) -> list[str]:
        return list(MIME_TYPES)

    CanQuit = Property(bool, _true)
    CanRaise = Property(bool, _true)
    Fullscreen = Property(bool, _false, _ignore_fullscreen)
    CanSetFullscreen = Property(bool, _false)
    HasTrackList = Property(bool, _false)
    Identity = Property(str, _identity)
    DesktopEntry = Property(str, _desktop_entry)
    SupportedUriSchemes = Property("QStringList", _uri_schemes)
    SupportedMimeTypes = Property("QStringList", _mime_types)

    @Slot()
    def Raise(self) -> None:  # noqa: N802 (the spec's name)
        """Bring the window to the front."""
        self._mpris.raise_window()

    @Slot()
    def Quit(self) -> None:  # noqa: N802
        """Quit the app."""
        self._mpris.quit()


@ClassInfo(**{"D-Bus Interface": PLAYER_INTERFACE, "D-Bus Introspection": _PLAYER_XML})
class _PlayerAdaptor(_Adaptor):
    """``org.mpris.MediaPlayer2.Player``: the player's state and its commands."""

    Seeked = Signal("qlonglong")  # µs: "x" on the bus

    def _playback_status(self) -> str:
        return self._mpris.playback_status()

    def _loop_status(self) -> str:
        return self._mpris.loop_status()

    def _set_loop_status(self, status: str) -> None:
        self._mpris.set_loop_status(status)

    def _rate(self) -> float:
        return 1.0

    def _set_rate(self, rate: float) -> None:
        self._mpris.set_rate(rate)

    def _shuffle(self) -> bool:
        return self._mpris.shuffle()

    def _set_shuffle(self, on: bool) -> None:
        self._mpris.set_shuffle(on)

    def _metadata(self) -> dict[str, Any]:
        return self._mpris.metadata()

    def _volume(self) -> float:
        return self._mpris.volume()

    def _set_volume(self, volume: float) -> None:
        self._mpris.set_volume(volume)

    def _position(self) -> int:
        return self._mpris.position_us()

    def _can_go_next(self) -> bool:
        return self._mpris.can_go_next()

    def _can_play(self) -> bool:
        return self._mpris.can_play()

    def _can_pause(self) -> bool:
        return self._mpris.can_pause()

    def _can_seek(self) -> bool:
        return self._mpris.can_seek()

    def _true(self) -> bool:
        return True

    PlaybackStatus = Property(str, _playback_status)
    LoopStatus = Property(str, _loop_status, _set_loop_status)
    Rate = Property(float, _rate, _set_rate)
    Shuffle = Property(bool, _shuffle, _set_shuffle)
    Metadata = Property("QVariantMap", _metadata)
    Volume = Property(float, _volume, _set_volume)
    Position = Property("qlonglong", _position)
    MinimumRate = Property(float, _rate)
    MaximumRate = Property(float, _rate)
    CanGoNext = Property(bool, _can_go_next)
    CanGoPrevious = Property(bool, _can_go_next)
    CanPlay = Property(bool, _can_play)
    CanPause = Property(bool, _can_pause)
    CanSeek = Property(bool, _can_seek)
    CanControl = Property(bool, _true)

    @Slot()
    def Next(self) -> None:  # noqa: N802 (the spec's names, here and below)
        """The next track."""
        self._mpris.next()

    @Slot()
    def Previous(self) -> None:  # noqa: N802
        """The previous track."""
        self._mpris.previous()

    @Slot()
    def Pause(self) -> None:  # noqa: N802
        """Pause."""
        self._mpris.pause()

    @Slot()
    def PlayPause(self) -> None:  # noqa: N802
        """Play or pause."""
        self._mpris.play_pause()

    @Slot()
    def Stop(self) -> None:  # noqa: N802
        """Stop."""
        self._mpris.stop()

    @Slot()
    def Play(self) -> None:  # noqa: N802
        """Play."""
        self._mpris.play()

    @Slot("qlonglong")
    def Seek(self, offset: int) -> None:  # noqa: N802
        """Move by ``offset`` µs."""
        self._mpris.seek(offset)

    @Slot(QDBusObjectPath, "qlonglong")
    def SetPosition(self, track_id: QDBusObjectPath, position: int) -> None:  # noqa: N802
        """Go to ``position`` µs of the track ``track_id``."""
        self._mpris.set_position(track_id.path(), position)

    @Slot(str, QDBusMessage)
    def OpenUri(self, uri: str, message: QDBusMessage) -> None:  # noqa: N802
        """Open and play a file:// URI."""
        self._mpris.open_uri(uri, message)


def _session_bus() -> QDBusConnection:
    """The session bus (a seam for tests, which give a bus that cannot connect)."""
    return QDBusConnection.sessionBus()


def _raise(window: Any) -> None:
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def attach_mpris(app: Application) -> Mpris | None:
    """Put ``app`` on the session bus; ``None`` (and one line in the log) when that fails.

    Called by the composition root once start-up has finished, after the first paint: this
    is where QtDBus gets loaded.
    """
    bus = _session_bus()
    if not bus.isConnected():
        error = bus.lastError()
        log.warning("MPRIS is off: no D-Bus session bus (%s)", error.message() or error.name())
        return None
    window = app.window
    host = MprisHost(
        raise_window=lambda: _raise(window),
        quit=app.qapp.quit,
        start=window.play_pause_action.trigger,  # with an empty queue: plays the list shown
        can_start=lambda: window.model.rowCount() > 0,
        open_paths=app.library.open_paths,
        show_problems=window.show_banner,
        tasks=app.tasks,
        cover_dir=app.paths.data_dir / "cache" / "covers",
    )
    mpris = Mpris(bus, app.player, host, parent=app)
    if not mpris.register():
        log.warning("MPRIS is off: the session bus refused the player (%s)", mpris.last_error())
        mpris.deleteLater()
        return None
    # CanPlay says whether Play would find something to start.
    app.library.tracks_changed.connect(mpris.refresh)
    app.library.tracks_added.connect(mpris.refresh)
    return mpris
