"""Remote control inside the app, and opening files and folders from outside.

The app here is the real one on a real database, with the fake engine; the same requests
against real libvlc, through the real command, are in ``test_app_remote.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.desktop.instance import Message
from ostplayer.desktop.remote import RemoteControl
from ostplayer.playback.engine import PlaybackState
from ostplayer.services.library import LibraryService, OpenedPaths
from tests.conftest import DATA, REPO, MakeApp


class Remote:
    """The app's remote control, with what it asked of the window recorded."""

    def __init__(self, app: Application, qtbot: QtBot, *, ready: bool = True) -> None:
        self.app = app
        self.qtbot = qtbot
        self.shown = 0
        self.quits = 0
        self.control = RemoteControl(
            app.player,
            app.library,
            show_window=self._show,
            show_problems=app.window.show_banner,
            quit_app=self._quit,
            parent=app,
        )
        if ready:
            self.control.set_ready()

    def _show(self) -> None:
        self.shown += 1

    def _quit(self) -> None:
        self.quits += 1

    def send(self, message: Message) -> Message:
        """Send one request and wait for its reply."""
        replies: list[Message] = []
        self.control.handle(message, replies.append)
        self.qtbot.waitUntil(lambda: bool(replies), timeout=10_000)
        (reply,) = replies
        return reply


@pytest.fixture
def remote(make_app: MakeApp, qtbot: QtBot) -> Remote:
    return Remote(make_app(), qtbot)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Audio files that are in no music folder."""
    folder = tmp_path / "Downloads"
    folder.mkdir()
    for fmt in ("ogg", "flac"):
        shutil.copy(DATA / f"tone.{fmt}", folder / f"tone.{fmt}")
    return folder


def test_a_file_not_in_the_library_is_added_and_plays_first(
    remote: Remote, outside: Path, qtbot: QtBot
) -> None:
    app = remote.app
    sources = app.library.sources()
    reply = remote.send(
        {"cmd": "open", "paths": [str(outside / "tone.ogg"), str(outside / "tone.flac")]}
    )
    assert reply["ok"] and reply["problems"] == [] and reply["folders"] == []
    first, second = reply["track_ids"]
    assert app.library.get(first).path == outside / "tone.ogg"
    assert app.library.get(first).title == "Fixture Tone (Ogg Vorbis)"  # its tags were read
    assert app.player.queue.items == [first, second]  # the rest are queued after it
    assert app.player.current_track().id == first
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=5000)
    assert app.engine.current_path() == outside / "tone.ogg"
    assert app.library.sources() == sources  # no folder was added for it
    # A track like any other: it is in the database, and in the window's list.
    assert app.tracks.get(first).path == outside / "tone.ogg"
    assert app.window.model.row_of(first) is not None


def test_a_file_already_in_the_library_keeps_its_track(remote: Remote) -> None:
    app = remote.app
    demo = app.library.tracks()[0]
    count = app.tracks.count()
    reply = remote.send({"cmd": "open", "paths": [str(demo.path)]})
    assert reply["track_ids"] == [demo.id]
    assert app.tracks.count() == count
    assert app.player.current_track() == demo


def test_what_cannot_be_opened_is_reported_and_the_rest_plays(
    remote: Remote, outside: Path
) -> None:
    app = remote.app
    missing, not_audio = outside / "gone.ogg", REPO / "README.md"
    reply = remote.send(
        {"cmd": "open", "paths": [str(missing), str(outside / "tone.ogg"), str(not_audio)]}
    )
    assert reply["ok"]
    assert reply["problems"] == [
        {"path": str(missing), "message": "there is no such file or folder"},
        {"path": str(not_audio), "message": "not an audio format OST Player can read"},
    ]
    assert len(reply["track_ids"]) == 1
    assert app.player.current_track().path == outside / "tone.ogg"
    banner = app.window.banner
    assert banner.isVisible()
    assert banner.headline.text() == "Some of what you opened could not be played"
    assert str(missing) in banner.body.text() and str(not_audio) in banner.body.text()


def test_a_folder_becomes_a_music_folder_and_is_scanned(
    remote: Remote, outside: Path, qtbot: QtBot
) -> None:
    app = remote.app
    with qtbot.waitSignal(app.library.scan_finished, timeout=30_000):
        reply = remote.send({"cmd": "open", "paths": [str(outside)]})
    assert reply["folders"] == [str(outside)] and reply["track_ids"] == []
    assert outside in app.library.folders()
    assert {outside / "tone.ogg", outside / "tone.flac"} <= {t.path for t in app.library.tracks()}


def test_relative_paths_and_bad_requests_are_refused(remote: Remote) -> None:
    assert remote.send({"cmd": "open", "paths": ["tone.ogg"]}) == {
        "ok": False,
        "error": "paths must be absolute: tone.ogg",
    }
    assert not remote.send({"cmd": "open", "paths": []})["ok"]
    assert not remote.send({"cmd": "open", "paths": "/a.ogg"})["ok"]
    assert remote.send({"cmd": "dance"})["error"] == "unknown command 'dance'"
    assert not remote.send({"nothing": 1})["ok"]


def test_status_and_the_transport_commands(remote: Remote, outside: Path, qtbot: QtBot) -> None:
    app = remote.app
    assert remote.send({"cmd": "status"}) == {
        "ok": True,
        "state": "stopped",
        "track_id": None,
        "title": None,
        "artist": None,
        "album": None,
        "path": None,
        "position_ms": 0,
        "duration_ms": None,
        "queue_index": None,
        "queue_length": 0,
    }
    assert remote.send({"cmd": "play"})["error"] == "Nothing to play: the queue is empty"
    assert remote.send({"cmd": "seek", "position_ms": 1000})["error"] == "Nothing is playing"
    opened = remote.send(
        {"cmd": "open", "paths": [str(outside / "tone.ogg"), str(outside / "tone.flac")]}
    )
    first, second = opened["track_ids"]
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=5000)
    status = remote.send({"cmd": "status"})
    assert status["state"] == "playing" and status["track_id"] == first
    assert status["title"] == "Fixture Tone (Ogg Vorbis)"
    assert status["artist"] == "Fixture Ensemble" and status["album"] == "Fixtures"
    assert status["path"] == str(outside / "tone.ogg")
    assert status["duration_ms"] == 6000
    assert (status["queue_index"], status["queue_length"]) == (0, 2)

    assert remote.send({"cmd": "pause"})["ok"]
    assert app.engine.state() == PlaybackState.PAUSED
    assert remote.send({"cmd": "seek", "position_ms": 1500}) == {"ok": True, "position_ms": 1500}
    assert remote.send({"cmd": "seek", "offset_ms": 2000})["position_ms"] == 3500
    assert remote.send({"cmd": "seek", "offset_ms": -10_000})["position_ms"] == 0
    assert not remote.send({"cmd": "seek", "position_ms": "1:00"})["ok"]
    assert not remote.send({"cmd": "seek", "position_ms": 1, "offset_ms": 1})["ok"]
    assert remote.send({"cmd": "status"})["state"] == "paused"
    assert remote.send({"cmd": "play-pause"})["ok"]
    assert app.engine.state() == PlaybackState.PLAYING
    assert remote.send({"cmd": "next"})["ok"]
    assert remote.send({"cmd": "status"})["track_id"] == second
    assert remote.send({"cmd": "previous"})["ok"]
    assert remote.send({"cmd": "status"})["track_id"] == first
    assert remote.send({"cmd": "stop"})["ok"]
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.STOPPED, timeout=5000)
    assert remote.send({"cmd": "status"})["state"] == "stopped"


def test_activate_hello_and_quit(remote: Remote, qtbot: QtBot) -> None:
    assert remote.send({"cmd": "activate"}) == {"ok": True}
    assert remote.shown == 1
    hello = remote.send({"cmd": "hello"})
    assert hello["ok"] and isinstance(hello["pid"], int) and hello["version"]
    assert remote.send({"cmd": "quit"}) == {"ok": True}  # the reply comes first...
    qtbot.waitUntil(lambda: remote.quits == 1, timeout=2000)  # ...then the app quits


def test_what_changes_playback_waits_for_start_up(
    make_app: MakeApp, qtbot: QtBot, outside: Path
) -> None:
    remote = Remote(make_app(), qtbot, ready=False)
    replies: list[Message] = []
    remote.control.handle({"cmd": "open", "paths": [str(outside / "tone.ogg")]}, replies.append)
    remote.control.handle({"cmd": "status"}, replies.append)
    assert [reply["state"] for reply in replies] == ["stopped"]  # status answers at once
    assert remote.app.player.queue.items == []
    remote.control.set_ready()  # the saved session is back: now the open goes ahead
    qtbot.waitUntil(lambda: len(replies) == 2, timeout=10_000)
    assert remote.app.player.current_track().path == outside / "tone.ogg"


# -- the library service on its own ------------------------------------------------------------


def opened(library: LibraryService, qtbot: QtBot, paths: list[Path]) -> OpenedPaths:
    results: list[OpenedPaths] = []
    library.open_paths(paths, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    return results[0]


def test_an_opened_file_is_kept_and_joins_its_folder_when_added(
    library: LibraryService, qtbot: QtBot, outside: Path, data_dir: Path
) -> None:
    result = opened(library, qtbot, [outside / "tone.ogg", outside / "tone.ogg"])
    first, again = result.track_ids
    assert first == again  # the same file is one track
    assert library.get(first).path == outside / "tone.ogg"
    # Notes hang on the id: adding the folder later keeps it, and the scan reads it no more.
    with qtbot.waitSignal(library.scan_finished, timeout=30_000) as scan:
        library.scan([outside])
    assert scan.args[0].unchanged == 1 and scan.args[0].added == 1
    assert library.get(first).path == outside / "tone.ogg"
    (source,) = library.sources()
    assert source.track_count == 2


def test_an_opened_file_that_hangs_the_tag_reader_is_stopped_and_the_others_open(
    library: LibraryService, qtbot: QtBot, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read in a worker with the scan's time limit, not on the app's own thread: a file that
    # makes the reader loop must not hold the open (nor the thread) forever.
    from ostplayer.library import workers
    from tests.test_workers import misbehaving_reader

    monkeypatch.setattr(workers, "TIMEOUT_S", 1.0)
    monkeypatch.setattr(workers, "read_in_worker", misbehaving_reader)
    shutil.copy(DATA / "tone.mp3", outside / "hang.mp3")
    result = opened(library, qtbot, [outside / "hang.mp3", outside / "tone.ogg"])
    [track_id] = result.track_ids
    assert library.get(track_id).path == outside / "tone.ogg"
    [(path, message)] = result.problems
    assert path == outside / "hang.mp3"
    assert "took longer than 1 s" in message


def test_a_new_file_in_a_music_folder_is_saved_in_that_folder(
    library: LibraryService, qtbot: QtBot, outside: Path
) -> None:
    (outside / "tone.flac").unlink()
    with qtbot.waitSignal(library.scan_finished, timeout=30_000):
        library.scan([outside])
    shutil.copy(DATA / "tone.mp3", outside / "new.mp3")  # not scanned yet
    result = opened(library, qtbot, [outside / "new.mp3"])
    assert library.get(result.track_ids[0]).path == outside / "new.mp3"
    (source,) = library.sources()
    assert source.track_count == 2


def test_a_folder_opened_during_a_scan_is_scanned_after_it(
    library: LibraryService, qtbot: QtBot, outside: Path, tmp_path: Path
) -> None:
    other = tmp_path / "Other"
    other.mkdir()
    shutil.copy(DATA / "tone.mp3", other / "tone.mp3")
    scans: list[object] = []
    library.scan_finished.connect(scans.append)
    assert library.scan([outside])
    result = opened(library, qtbot, [other])
    assert result.folders == [other]
    qtbot.waitUntil(lambda: len(scans) == 2, timeout=30_000)
    assert set(library.folders()) == {outside, other}
