"""The whole app against real libvlc (dummy audio output): the behaviours the fake stands in for.

These never skip: without libvlc they fail and say how to install it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.library.scanner import scan_folder
from ostplayer.playback.engine import PlaybackState
from ostplayer.playback.factory import create_engine
from tests.conftest import DATA, MakeApp

pytestmark = pytest.mark.vlc


def real_engine_app(make_app: MakeApp) -> Application:
    app = make_app(create_engine)
    assert app.engine is not None
    assert app.engine.available, (
        "libvlc could not be loaded: run `make test` (it installs it) or "
        "`apt-get install libvlc5 libvlc-bin vlc-plugin-base`"
    )
    return app


def add_folder(app: Application, folder: Path, qtbot: QtBot) -> list[int]:
    scan_folder(app.tracks, folder)
    with qtbot.waitSignal(app.library.tracks_changed, timeout=10_000):
        app.library.load()
    in_folder = [t for t in app.library.tracks() if t.path.parent == folder]
    return [t.id for t in sorted(in_folder, key=lambda t: t.path)]


def test_space_plays_the_demo_for_real(make_app: MakeApp, qtbot: QtBot) -> None:
    app = real_engine_app(make_app)
    qtbot.keyClick(app.window.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=5000)
    assert app.player.current_track().title == "First Love’s Whisper"
    qtbot.waitUntil(lambda: app.engine.position() > 300, timeout=5000)
    qtbot.waitUntil(lambda: app.window.transport.seek_slider.maximum() > 50_000, timeout=5000)
    qtbot.keyClick(app.window.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PAUSED, timeout=5000)


def test_the_queue_advances_at_the_end_of_a_track(
    make_app: MakeApp, qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    for name in ("tone.ogg", "tone.mp3"):
        shutil.copy(DATA / name, folder / name)
    app = real_engine_app(make_app)
    ids = add_folder(app, folder, qtbot)
    app.player.play_tracks(ids)
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=5000)
    first = app.player.current_track()
    app.player.seek(5_400)
    qtbot.waitUntil(lambda: app.player.current_track() != first, timeout=5000)
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=5000)
    assert app.engine.current_path() == app.player.current_track().path


def test_corrupt_and_deleted_files_are_reported_and_skipped(
    make_app: MakeApp, qtbot: QtBot, tmp_path: Path
) -> None:
    folder = tmp_path / "music"
    folder.mkdir()
    shutil.copy(DATA / "tone.ogg", folder / "a-corrupt.ogg")
    shutil.copy(DATA / "tone.ogg", folder / "b-deleted.ogg")
    shutil.copy(DATA / "tone.flac", folder / "c-good.flac")
    app = real_engine_app(make_app)
    ids = add_folder(app, folder, qtbot)
    (folder / "a-corrupt.ogg").write_bytes(b"OggS" + bytes(range(256)) * 40)
    (folder / "b-deleted.ogg").unlink()
    messages: list[str] = []
    app.player.status.connect(messages.append)

    app.player.play_tracks(ids)
    qtbot.waitUntil(lambda: app.engine.current_path() == folder / "c-good.flac", timeout=10_000)
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=5000)
    assert any("a-corrupt.ogg" in m for m in messages), messages
    assert any("b-deleted.ogg" in m and "no longer exists" in m for m in messages), messages
    assert "b-deleted.ogg" in "".join(messages)
    # What the listener sees: the last message stays in the status bar.
    assert app.window.statusBar().currentMessage() == messages[-1]


def test_without_libvlc_the_real_factory_gives_the_banner(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSTPLAYER_VLC_DISABLE", "1")
    app = make_app(create_engine)
    assert not app.engine.available
    assert app.window.banner.isVisible()
    assert "apt-get install" in app.window.banner.body.text() or "install" in (
        app.window.banner.body.text().lower()
    )
