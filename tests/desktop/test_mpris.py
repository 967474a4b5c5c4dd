"""MPRIS 2 on a private D-Bus session bus: real dbus-daemon, real QtDBus, real clients.

The service is driven from outside with ``dbus-send`` and watched with ``dbus-monitor`` (both in
Debian's ``dbus-bin``), so each test sees exactly what a desktop would. The player behind it is
the real :class:`PlayerService` on the suite's fake engine; the last tests run the whole app,
on real libvlc, under ``playerctl``, and without any session bus.

Tests that need ``dbus-daemon``, ``dbus-send`` or ``playerctl`` skip, naming the package, when
they are missing (``make test`` installs them).
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest
import shiboken6
from PySide6.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from ostplayer.desktop import mpris as mpris_module
from ostplayer.desktop.mpris import (
    MIME_TYPES,
    NO_TRACK,
    OBJECT_PATH,
    SERVICE_NAME,
    Mpris,
    MprisHost,
    cover_file,
    track_object_path,
)
from ostplayer.domain.track import Track
from ostplayer.library.cover import read_cover
from ostplayer.playback.engine import PlaybackState
from ostplayer.playback.factory import create_engine
from ostplayer.playback.queue import RepeatMode
from ostplayer.services.library import OpenedPaths
from ostplayer.services.player import PlayerService
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database
from ostplayer.store.state import StateRepository
from tests.conftest import DATA, REPO, MakeApp
from tests.fakes import FakeEngine

DBUS_DAEMON = shutil.which("dbus-daemon")
DBUS_SEND = shutil.which("dbus-send")
DBUS_MONITOR = shutil.which("dbus-monitor")
PLAYERCTL = shutil.which("playerctl")
OSTPLAYER = Path(sys.executable).with_name("ostplayer")
PLAYER = "org.mpris.MediaPlayer2.Player"
ROOT = "org.mpris.MediaPlayer2"

TRACKS = {
    1: Track(id=1, path=Path("/virtual/1.ogg"), title="One", artist="Ensemble", album="OST"),
    2: Track(id=2, path=Path("/virtual/2.ogg"), title="Two", duration_ms=90_000),
    # Text a D-Bus string cannot hold: an undecodable file name byte and a NUL.
    3: Track(id=3, path=Path("/virtual/3.ogg"), title="Bad\udcff\x00name", genre="Score"),
}
DURATIONS = {t.path: 60_000 for t in TRACKS.values()}

#: Every property of the two interfaces, with its type as dbus-send prints it.
ROOT_TYPES = {
    "CanQuit": "boolean",
    "Fullscreen": "boolean",
    "CanSetFullscreen": "boolean",
    "CanRaise": "boolean",
    "HasTrackList": "boolean",
    "Identity": "string",
    "DesktopEntry": "string",
    "SupportedUriSchemes": "array of string",
    "SupportedMimeTypes": "array of string",
}
PLAYER_TYPES = {
    "PlaybackStatus": "string",
    "LoopStatus": "string",
    "Rate": "double",
    "Shuffle": "boolean",
    "Metadata": "array of dict entry",
    "Volume": "double",
    "Position": "int64",
    "MinimumRate": "double",
    "MaximumRate": "double",
    "CanGoNext": "boolean",
    "CanGoPrevious": "boolean",
    "CanPlay": "boolean",
    "CanPause": "boolean",
    "CanSeek": "boolean",
    "CanControl": "boolean",
}

_connections = itertools.count()


def need(tool: str | None, name: str, package: str) -> str:
    if tool is None:
        pytest.skip(f"{name} is missing: apt-get install {package} (make test installs it)")
    return tool


# -- a private session bus ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bus_address() -> Iterator[str]:
    """A dbus-daemon of our own, for this module; killed at the end."""
    daemon = need(DBUS_DAEMON, "dbus-daemon", "dbus-daemon")
    proc = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    try:
        address = proc.stdout.readline().strip()
        assert address, f"dbus-daemon printed no address (exit code {proc.poll()})"
        yield address
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


@pytest.fixture
def bus_env(bus_address: str) -> dict[str, str]:
    """The environment of a client of the private bus."""
    env = dict(os.environ)
    env["DBUS_SESSION_BUS_ADDRESS"] = bus_address
    return env


@pytest.fixture
def connect(bus_address: str) -> Iterator[Callable[[], QDBusConnection]]:
    """Open connections to the private bus (as many as a test wants); all closed at the end."""
    names: list[str] = []

    def make() -> QDBusConnection:
        name = f"mpris-test-{next(_connections)}"
        names.append(name)
        bus = QDBusConnection.connectToBus(bus_address, name)
        assert bus.isConnected(), bus.lastError().message()
        return bus

    yield make
    for name in names:
        QDBusConnection.disconnectFromBus(name)


def run_client(qtbot: QtBot, env: dict[str, str], *argv: str) -> tuple[int, str, str]:
    """Run a D-Bus client while the event loop goes on (the service lives in this process)."""
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=10_000)
    out, err = proc.communicate()
    return proc.returncode, out, err


class Monitor:
    """dbus-monitor on the private bus, its output gathered by a thread."""

    def __init__(self, address: str, rule: str) -> None:
        monitor = need(DBUS_MONITOR, "dbus-monitor", "dbus-bin")
        self.proc = subprocess.Popen(
            [monitor, "--address", address, rule],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        assert self.proc.stdout is not None
        self._thread = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self._thread.join(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


# -- the service in this process, on the fake engine ----------------------------------------------
@dataclass
class Host:
    """The app around MPRIS, as the tests see it: every call is recorded."""

    tracks_to_start: list[int] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    opened: list[list[Path]] = field(default_factory=list)
    open_result: OpenedPaths | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Harness:
    player: PlayerService
    engine: FakeEngine
    mpris: Mpris
    host: Host
    env: dict[str, str]
    qtbot: QtBot
    address: str

    def send(self, *args: str, interface: str = PLAYER) -> tuple[int, str, str]:
        """dbus-send a method call; ``args[0]`` is the member, the rest its arguments."""
        member, *rest = args
        tool = need(DBUS_SEND, "dbus-send", "dbus-bin")
        destination = self.mpris.service_name or SERVICE_NAME
        return run_client(
            self.qtbot,
            self.env,
            tool,
            "--session",
            "--print-reply",
            f"--dest={destination}",
            OBJECT_PATH,
            f"{interface}.{member}",
            *rest,
        )

    def get(self, prop: str, interface: str = PLAYER) -> str:
        code, out, err = self.send(
            "Get",
            f"string:{interface}",
            f"string:{prop}",
            interface="org.freedesktop.DBus.Properties",
        )
        assert code == 0, err
        return out.split("\n", 1)[1]  # the first line is "method return ..."

    def set(self, prop: str, value: str, interface: str = PLAYER) -> None:
        code, _out, err = self.send(
            "Set",
            f"string:{interface}",
            f"string:{prop}",
            value,
            interface="org.freedesktop.DBus.Properties",
        )
        assert code == 0, err

    def metadata(self) -> dict[str, str]:
        """The Metadata entries: key -> "type value", as dbus-send prints them."""
        text = self.get("Metadata")
        entries = re.findall(r'string "([^"]+)"\s+variant\s+(.+?)\s*\)', text, flags=re.DOTALL)
        return {key: " ".join(value.split()) for key, value in entries}


@pytest.fixture
def harness(
    qtbot: QtBot,
    data_dir: Path,
    tmp_path: Path,
    bus_env: dict[str, str],
    bus_address: str,
    connect: Callable[[], QDBusConnection],
) -> Iterator[Harness]:
    host = Host()
    db = Database(data_dir / "library.sqlite3")
    player = PlayerService(TRACKS.get, StateRepository(db))
    engine = FakeEngine(durations=DURATIONS)
    player.attach_engine(engine)

    def open_paths(paths: list[Path], on_done: Callable[[OpenedPaths], None]) -> None:
        host.opened.append(list(paths))
        assert host.open_result is not None
        on_done(host.open_result)

    tasks = Tasks()
    mpris = Mpris(
        connect(),
        player,
        MprisHost(
            raise_window=lambda: host.calls.append("raise"),
            quit=lambda: host.calls.append("quit"),
            start=lambda: player.play_tracks(host.tracks_to_start),
            can_start=lambda: bool(host.tracks_to_start),
            open_paths=open_paths,
            show_problems=lambda headline, body: host.problems.append((headline, body)),
            tasks=tasks,
            cover_dir=tmp_path / "covers",
        ),
    )
    assert mpris.register(), mpris.last_error()
    yield Harness(player, engine, mpris, host, bus_env, qtbot, bus_address)
    mpris.unregister()
    tasks.wait(5000)
    engine.shutdown()
    shiboken6.delete(mpris)  # now, on this thread (the app parents it instead)
    db.close()


def test_with_no_track_the_metadata_is_only_notrack(harness: Harness) -> None:
    assert harness.metadata() == {"mpris:trackid": f'object path "{NO_TRACK}"'}
    assert harness.get("PlaybackStatus").split() == ["variant", "string", '"Stopped"']
    assert "boolean false" in harness.get("CanPlay")  # nothing queued and nothing to start
    assert "boolean false" in harness.get("CanPause")
    assert "int64 0" in harness.get("Position")


def test_play_with_an_empty_queue_starts_what_the_window_would(harness: Harness) -> None:
    harness.host.tracks_to_start = [2, 1]
    assert "boolean true" in harness.get("CanPlay")
    assert harness.send("Play")[0] == 0
    assert harness.engine.state() == PlaybackState.PLAYING
    assert harness.player.current_track() == TRACKS[2]


def test_every_property_has_the_type_the_spec_gives_it(harness: Harness) -> None:
    harness.player.play_tracks([1])
    for interface, types in ((ROOT, ROOT_TYPES), (PLAYER, PLAYER_TYPES)):
        for prop, expected in types.items():
            text = " ".join(harness.get(prop, interface).split())
            assert text.startswith("variant "), text
            words = text.removeprefix("variant ").replace("[", "").replace("]", "").split()
            if expected == "array of string":
                assert words[0] == "array" and all(w == "string" for w in words[1::2]), text
            elif expected == "array of dict entry":
                assert words[:3] == ["array", "dict", "entry("], text
            else:
                assert words[0] == expected, f"{interface}.{prop}: {text}"
    assert '"OST Player"' in harness.get("Identity", ROOT)
    assert '"io.github.ostplayer.OSTPlayer"' in harness.get("DesktopEntry", ROOT)
    assert "file" in harness.get("SupportedUriSchemes", ROOT)


def test_the_metadata_of_the_current_track(harness: Harness) -> None:
    harness.player.play_tracks([1, 2])
    meta = harness.metadata()
    assert meta["mpris:trackid"] == f'object path "{track_object_path(1)}"'
    assert meta["xesam:title"] == 'string "One"'
    assert meta["xesam:artist"] == 'array [ string "Ensemble" ]'
    assert meta["xesam:album"] == 'string "OST"'
    assert meta["xesam:url"] == 'string "file:///virtual/1.ogg"'
    # Not in the tags: the engine's length (60 s for this virtual track), in µs.
    assert meta["mpris:length"].split()[-1] == "60000000"
    assert "mpris:artUrl" not in meta  # no cover on disk
    assert harness.get("PlaybackStatus").split()[-1] == '"Playing"'
    harness.player.next()
    meta = harness.metadata()
    assert meta["mpris:trackid"] == f'object path "{track_object_path(2)}"'
    assert meta["mpris:length"].split()[-1] == "90000000"  # the tags' length comes first
    assert "xesam:artist" not in meta  # no empty lists: they would not be "as"


def test_text_that_d_bus_cannot_carry_is_replaced_not_fatal(harness: Harness) -> None:
    harness.player.play_tracks([3])
    meta = harness.metadata()
    assert meta["xesam:title"] == 'string "Bad?name"'
    assert meta["xesam:genre"] == 'array [ string "Score" ]'


def test_set_position_with_a_stale_track_id_is_ignored(harness: Harness) -> None:
    harness.player.play_tracks([1, 2])
    stale = harness.send("SetPosition", f"objpath:{track_object_path(2)}", "int64:30000000")
    assert stale[0] == 0
    assert harness.engine.position() < 10_000
    past_the_end = harness.send("SetPosition", f"objpath:{track_object_path(1)}", "int64:61000000")
    assert past_the_end[0] == 0
    assert harness.engine.position() < 10_000
    assert harness.send("SetPosition", f"objpath:{track_object_path(1)}", "int64:30000000")[0] == 0
    assert 30_000 <= harness.engine.position() < 40_000


def test_seek_moves_and_says_so_with_seeked(harness: Harness) -> None:
    harness.player.play_tracks([1])
    monitor = Monitor(harness.address, f"type='signal',interface='{PLAYER}',member='Seeked'")
    try:
        harness.qtbot.waitUntil(lambda: "NameAcquired" in monitor.text(), timeout=10_000)
        assert harness.send("Seek", "int64:20000000")[0] == 0
        assert 20_000 <= harness.engine.position() < 30_000
        harness.qtbot.waitUntil(lambda: "member=Seeked" in monitor.text(), timeout=10_000)
        harness.qtbot.waitUntil(lambda: "int64 2" in monitor.text(), timeout=10_000)
        seeked = re.search(r"int64 (\d+)", monitor.text().split("member=Seeked", 1)[1])
        assert seeked is not None and 20_000_000 <= int(seeked.group(1)) < 30_000_000
    finally:
        monitor.close()


def test_a_track_that_starts_part_way_says_so_after_its_metadata(harness: Harness) -> None:
    monitor = Monitor(harness.address, f"type='signal',path='{OBJECT_PATH}'")
    try:
        harness.qtbot.waitUntil(lambda: "NameAcquired" in monitor.text(), timeout=10_000)
        harness.player.play_at(2, 30_000)  # a moment's excerpt: the track starts at 0:30
        harness.qtbot.waitUntil(lambda: "member=Seeked" in monitor.text(), timeout=10_000)
        text = monitor.text()
        assert track_object_path(2) in text.split("member=Seeked", 1)[0]
        assert "int64 30000000" in text.split("member=Seeked", 1)[1]
    finally:
        monitor.close()


def test_a_volume_change_is_announced_with_properties_changed(harness: Harness) -> None:
    harness.player.play_tracks([1])
    rule = "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'"
    monitor = Monitor(harness.address, rule)
    try:
        harness.qtbot.waitUntil(lambda: "NameAcquired" in monitor.text(), timeout=10_000)
        harness.set("Volume", "variant:double:0.25")
        assert harness.player.volume() == 25
        harness.qtbot.waitUntil(lambda: "double 0.25" in monitor.text(), timeout=10_000)
        # The window's slider goes through the same service: the bus hears of it too.
        harness.player.set_volume(80)
        harness.qtbot.waitUntil(lambda: "double 0.8" in monitor.text(), timeout=10_000)
        changed = monitor.text()
        assert f'string "{PLAYER}"' in changed and 'string "Volume"' in changed
        assert "Position" not in changed  # the spec: clients work the position out themselves
    finally:
        monitor.close()


def test_track_changes_are_announced_once_per_change(harness: Harness) -> None:
    rule = "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'"
    monitor = Monitor(harness.address, rule)
    try:
        harness.qtbot.waitUntil(lambda: "NameAcquired" in monitor.text(), timeout=10_000)
        harness.player.play_tracks([1, 2])
        harness.qtbot.waitUntil(lambda: track_object_path(1) in monitor.text(), timeout=10_000)
        harness.send("Next")
        harness.qtbot.waitUntil(lambda: track_object_path(2) in monitor.text(), timeout=10_000)
        harness.send("Pause")
        harness.qtbot.waitUntil(lambda: '"Paused"' in monitor.text(), timeout=10_000)
        text = monitor.text()
        # One signal per change, carrying all it changed (state, metadata, Can*), not one each.
        assert text.count("member=PropertiesChanged") == 3
        assert harness.player.current_track() == TRACKS[2]
    finally:
        monitor.close()


def test_loop_status_and_shuffle_are_the_players_repeat_and_shuffle(harness: Harness) -> None:
    harness.set("LoopStatus", "variant:string:Track")
    assert harness.player.queue.repeat == RepeatMode.ONE
    harness.set("LoopStatus", "variant:string:Playlist")
    assert harness.player.queue.repeat == RepeatMode.ALL
    harness.set("LoopStatus", "variant:string:Sometimes")  # not a loop status: ignored
    assert harness.player.queue.repeat == RepeatMode.ALL
    harness.player.set_repeat(RepeatMode.OFF)
    assert harness.get("LoopStatus").split()[-1] == '"None"'
    harness.set("Shuffle", "variant:boolean:true")
    assert harness.player.queue.shuffle
    assert harness.get("Shuffle").split()[-1] == "true"


def test_the_transport_commands_reach_the_player(harness: Harness) -> None:
    harness.player.play_tracks([1, 2])
    harness.send("Pause")
    assert harness.engine.state() == PlaybackState.PAUSED
    harness.send("PlayPause")
    assert harness.engine.state() == PlaybackState.PLAYING
    harness.send("Next")
    assert harness.player.current_track() == TRACKS[2]
    harness.send("Previous")
    assert harness.player.current_track() == TRACKS[1]
    harness.send("Stop")
    assert harness.engine.state() == PlaybackState.STOPPED
    harness.send("Play")
    assert harness.engine.state() == PlaybackState.PLAYING
    harness.set("Rate", "variant:double:0")  # the spec: a rate of 0 is Pause
    assert harness.engine.state() == PlaybackState.PAUSED


def test_raise_and_quit_reach_the_app(harness: Harness) -> None:
    assert harness.send("Raise", interface=ROOT)[0] == 0
    assert harness.send("Quit", interface=ROOT)[0] == 0
    # Quit comes once the reply has gone out, from the event loop.
    harness.qtbot.waitUntil(lambda: harness.host.calls == ["raise", "quit"], timeout=5000)


def test_open_uri_plays_a_file_and_refuses_other_schemes(harness: Harness) -> None:
    path = DATA / "tone.ogg"
    harness.host.open_result = OpenedPaths([2], [], [])
    code, _out, err = harness.send("OpenUri", f"string:{path.as_uri()}")
    assert code == 0, err
    assert harness.host.opened == [[path]]
    assert harness.player.current_track() == TRACKS[2]

    code, _out, err = harness.send("OpenUri", "string:https://example.com/a.ogg")
    assert code != 0 and "org.freedesktop.DBus.Error.NotSupported" in err
    assert harness.host.opened == [[path]]

    harness.host.open_result = OpenedPaths([], [], [(Path("/gone.ogg"), "no such file")])
    code, _out, err = harness.send("OpenUri", "string:file:///gone.ogg")
    assert code != 0 and "/gone.ogg: no such file" in err
    assert harness.host.problems and "/gone.ogg" in harness.host.problems[0][1]


def test_a_second_player_on_the_bus_takes_an_instance_name(
    harness: Harness, connect: Callable[[], QDBusConnection]
) -> None:
    assert harness.mpris.service_name == SERVICE_NAME
    other = Mpris(
        connect(),
        harness.player,
        MprisHost(lambda: None, lambda: None, lambda: None, lambda: False),
    )
    try:
        assert other.register()
        assert other.service_name == f"{SERVICE_NAME}.instance{os.getpid()}"
        # This one was given no way to open files: it says so instead of doing nothing.
        code, _out, err = run_client(
            harness.qtbot,
            harness.env,
            need(DBUS_SEND, "dbus-send", "dbus-bin"),
            "--session",
            "--print-reply",
            f"--dest={other.service_name}",
            OBJECT_PATH,
            f"{PLAYER}.OpenUri",
            f"string:{(DATA / 'tone.ogg').as_uri()}",
        )
        assert code != 0 and "NotSupported" in err and "Not supported yet" in err
    finally:
        other.unregister()
        shiboken6.delete(other)


def test_the_cover_on_disk_becomes_art_url(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "album"
    folder.mkdir()
    shutil.copy(DATA / "tone.ogg", folder / "tone.ogg")
    shutil.copy(REPO / "resources" / "demo" / "cover.jpg", folder / "cover.jpg")
    track = Track(id=7, path=folder / "tone.ogg", title="Toned")
    monkeypatch.setitem(TRACKS, 7, track)
    harness.player.play_tracks([7])
    harness.qtbot.waitUntil(lambda: "mpris:artUrl" in harness.metadata(), timeout=10_000)
    url = harness.metadata()["mpris:artUrl"].removeprefix('string "').removesuffix('"')
    assert url.startswith("file://")
    copied = Path(url.removeprefix("file://"))
    assert copied.parent == tmp_path / "covers"
    assert copied.read_bytes() == read_cover(track.path) == (folder / "cover.jpg").read_bytes()


def test_cover_copies_are_shared_and_the_oldest_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mpris_module, "MAX_CACHED_COVERS", 2)
    covers = tmp_path / "covers"
    paths = []
    for name, size in (("a", 10), ("b", 20), ("c", 30)):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(DATA / "tone.ogg", folder / "tone.ogg")
        (folder / "cover.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(size))
        paths.append(folder / "tone.ogg")
    first = cover_file(paths[0], covers)
    assert first is not None and first.suffix == ".png"
    assert cover_file(paths[0], covers) == first  # the same picture is stored once
    os.utime(first, (1, 1))  # long unused
    cover_file(paths[1], covers)
    cover_file(paths[2], covers)
    assert len(list(covers.iterdir())) == 2
    assert not first.exists()
    (tmp_path / "a" / "cover.png").write_bytes(b"not a picture")
    assert cover_file(paths[0], covers) is None


def test_mime_types_are_the_desktop_files() -> None:
    desktop = REPO / "packaging" / "io.github.ostplayer.OSTPlayer.desktop"
    line = next(
        line
        for line in desktop.read_text(encoding="utf-8").splitlines()
        if line.startswith("MimeType=")
    )
    assert list(MIME_TYPES) == [m for m in line.removeprefix("MimeType=").split(";") if m]


# -- the whole app --------------------------------------------------------------------------------
@pytest.mark.vlc
def test_without_a_session_bus_the_app_plays_and_logs_one_line(
    make_app: MakeApp,
    qtbot: QtBot,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dead = QDBusConnection.connectToBus("unix:path=/nonexistent/ostplayer-test-bus", "mpris-dead")
    monkeypatch.setattr(mpris_module, "_session_bus", lambda: dead)
    try:
        with caplog.at_level(logging.INFO):
            app = make_app(create_engine)
        assert app.mpris is None
        lines = [r for r in caplog.records if r.name == "ostplayer.desktop.mpris"]
        assert len(lines) == 1, lines
        assert "MPRIS is off" in lines[0].getMessage()
        assert app.engine is not None and app.engine.available, "libvlc is missing: make test"
        app.player.play_tracks([t.id for t in app.library.tracks()])
        qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=10_000)
    finally:
        QDBusConnection.disconnectFromBus("mpris-dead")


@pytest.fixture
def app_env(data_dir: Path) -> dict[str, str]:
    assert OSTPLAYER.is_file(), f"{OSTPLAYER} is missing: run `make test` (pip install -e .)"
    env = dict(os.environ)
    env.pop("OSTPLAYER_DATA_DIR", None)  # --data-dir says it
    env.update(QT_QPA_PLATFORM="offscreen", OSTPLAYER_VLC_ARGS="--aout=dummy")
    return env


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """Poll ``check`` until it gives something true; that is returned."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return value


@pytest.mark.vlc
def test_the_app_runs_without_a_session_bus_and_says_so_once(
    app_env: dict[str, str], data_dir: Path, tmp_path: Path
) -> None:
    app_env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/ostplayer-test-bus"
    log = tmp_path / "app.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [str(OSTPLAYER), "--data-dir", str(data_dir)],
            env=app_env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )

    def ostplayer(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(OSTPLAYER), "--data-dir", str(data_dir), *args],
            env=app_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    try:
        wait_for(lambda: "MPRIS" in log.read_text(), "the MPRIS line", 60)
        # Start-up went on past it: the app takes a file and plays it.
        opened = ostplayer(str(DATA / "tone.ogg"))
        assert opened.returncode == 0, opened.stderr
        wait_for(lambda: '"state": "playing"' in ostplayer("--status", "--json").stdout, "playing")
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    lines = [line for line in log.read_text().splitlines() if "MPRIS" in line or "D-Bus" in line]
    assert len(lines) == 1, log.read_text()
    assert "Traceback" not in log.read_text()


@pytest.mark.vlc
def test_playerctl_drives_the_running_app(
    app_env: dict[str, str], bus_address: str, data_dir: Path, tmp_path: Path
) -> None:
    playerctl = need(PLAYERCTL, "playerctl", "playerctl")
    dbus_send = need(DBUS_SEND, "dbus-send", "dbus-bin")
    app_env["DBUS_SESSION_BUS_ADDRESS"] = bus_address
    log = tmp_path / "app.log"

    def pc(*args: str) -> tuple[int, str]:
        done = subprocess.run(
            [playerctl, "-p", "ostplayer", *args],
            env=app_env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.returncode, done.stdout.strip()

    def out(*args: str) -> str:
        code, text = pc(*args)
        return text if code == 0 else ""

    def position() -> float:
        return float(out("position") or "nan")

    with log.open("w") as stderr:
        app = subprocess.Popen(
            [str(OSTPLAYER), "--data-dir", str(data_dir)],
            env=app_env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        # First run: the demo OST is imported, then the player appears on the bus.
        wait_for(lambda: pc("status")[0] == 0, "playerctl to see the app", 90)
        assert (
            "ostplayer"
            in subprocess.run(
                [playerctl, "-l"],
                env=app_env,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout.split()
        )
        assert out("status") == "Stopped"
        assert NO_TRACK in out("metadata", "mpris:trackid")

        pc("play")
        wait_for(lambda: out("status") == "Playing", "Playing")
        first = wait_for(lambda: out("metadata", "--format", "{{title}}"), "a title")
        assert first == "First Love’s Whisper"
        pc("pause")
        wait_for(lambda: out("status") == "Paused", "Paused")
        pc("play-pause")
        wait_for(lambda: out("status") == "Playing", "Playing again")

        pc("next")
        second = wait_for(
            lambda: (t := out("metadata", "--format", "{{title}}")) != first and t, "the next title"
        )
        # Back: paused at 0 s, so Previous changes the track instead of restarting this one.
        pc("pause")
        wait_for(lambda: out("status") == "Paused", "Paused before Previous")
        pc("position", "0")
        wait_for(lambda: position() < 1, "position 0")
        pc("previous")
        wait_for(lambda: out("metadata", "--format", "{{title}}") == first, "the first title")
        assert second != first
        pc("play")
        wait_for(lambda: out("status") == "Playing", "Playing after Previous")

        pc("position", "5")
        wait_for(lambda: 4.9 <= position() < 9, "about 5 s")
        pc("position", "2+")
        wait_for(lambda: 6.9 <= position() < 12, "about 7 s")

        meta = dict(
            line.split(None, 2)[1:]
            for line in out("metadata").splitlines()
            if len(line.split()) > 2
        )
        assert meta["xesam:title"] == first
        assert meta["xesam:artist"] and meta["xesam:album"]
        assert 10_000_000 < int(meta["mpris:length"]) < 600_000_000
        assert meta["mpris:trackid"].strip("'").startswith("/io/github/ostplayer/track/")
        art = wait_for(lambda: out("metadata", "mpris:artUrl"), "the cover's URL")
        track_file = Path(out("metadata", "xesam:url").removeprefix("file://"))
        cover = Path(art.removeprefix("file://"))
        assert cover.is_file() and cover.read_bytes() == read_cover(track_file)

        pc("volume", "0.5")
        wait_for(lambda: out("volume") == "0.500000", "volume 0.5")
        pc("loop", "Track")
        wait_for(lambda: out("loop") == "Track", "loop Track")

        opened = tmp_path / "opened.ogg"
        shutil.copy(DATA / "tone.ogg", opened)
        assert pc("open", opened.as_uri())[0] == 0
        wait_for(lambda: out("metadata", "xesam:url") == opened.as_uri(), "the opened file")
        wait_for(
            lambda: out("metadata", "--format", "{{title}}") == "Fixture Tone (Ogg Vorbis)",
            "its title",
        )

        pc("stop")
        wait_for(lambda: out("status") == "Stopped", "Stopped")

        quit_call = subprocess.run(
            [
                dbus_send,
                "--session",
                "--print-reply",
                f"--dest={SERVICE_NAME}",
                OBJECT_PATH,
                f"{ROOT}.Quit",
            ],
            env=app_env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert quit_call.returncode == 0, quit_call.stderr
        assert app.wait(60) == 0
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(30)
    assert "Traceback" not in log.read_text(), log.read_text()
