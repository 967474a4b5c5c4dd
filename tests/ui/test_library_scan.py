"""Adding music folders from the window: the scan runs in the background and reports back."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from ostplayer.ui.track_model import Column
from tests.conftest import ALL_FIXTURES as FIXTURES
from tests.conftest import DATA, MakeApp


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "My OSTs"
    folder.mkdir()
    for fixture in FIXTURES:
        shutil.copy(fixture, folder / fixture.name)
    (folder / "broken <b>bold.mp3").write_bytes(b"\xff\xfb" + os.urandom(500))
    return folder


def titles(app: object) -> set[str]:
    model = app.window.model  # type: ignore[attr-defined]
    return {model.index(r, Column.TITLE).data() for r in range(model.rowCount())}


def test_adding_a_folder_scans_it_in_the_background(
    make_app: MakeApp, qtbot: QtBot, music: Path
) -> None:
    app = make_app()
    window = app.window
    progress: list[tuple[int, int]] = []
    app.library.scan_progress.connect(lambda done, total, _f: progress.append((done, total)))
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000) as finished:
        window.add_folders([music])
        assert window.scan_progress.isVisible()
        assert window.cancel_scan_button.isVisible()
    report = finished.args[0]
    assert report.added == len(FIXTURES)
    assert progress and progress[-1] == (len(FIXTURES) + 1, len(FIXTURES) + 1)  # the bad one too
    assert "Fixture Tone (FLAC)" in titles(app)
    assert "First Love’s Whisper" in titles(app)  # the demo stays its own source
    assert not window.scan_progress.isVisible()
    assert "could not be read" in window.statusBar().currentMessage()

    dialog = window.show_problems()
    assert dialog.model.rowCount() == 1
    name = dialog.model.index(0, 0).data()
    assert name.endswith("broken <b>bold.mp3")  # shown as it is, never as markup
    assert dialog.model.index(0, 1).data() == "Damaged"
    dialog.close()


def test_dropping_a_folder_adds_it_and_f5_rescans(
    make_app: MakeApp, qtbot: QtBot, music: Path
) -> None:
    app = make_app()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(music))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        app.window.dropEvent(event)
    assert "Fixture Tone (WavPack)" in titles(app)
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000) as again:
        qtbot.keyClick(app.window.table, Qt.Key.Key_F5)
    assert again.args[0].unchanged == len(FIXTURES)


def test_a_scan_that_fails_says_so_and_allows_the_next(
    make_app: MakeApp, qtbot: QtBot, music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()

    def full_disk(*_args: object, **_kw: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ostplayer.library.scanner.scan_folders", full_disk)
    with qtbot.waitSignal(app.library.scan_failed, timeout=10_000):
        app.window.add_folders([music])
    assert "No space left on device" in app.window.statusBar().currentMessage()
    assert not app.library.is_scanning()
    monkeypatch.undo()
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        app.window.add_folders([music])


def test_a_change_in_a_watched_folder_is_picked_up(
    make_app: MakeApp, qtbot: QtBot, music: Path
) -> None:
    app = make_app()
    app.library._settle.setInterval(50)  # settle quickly in the test
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        app.window.add_folders([music])
    assert str(music) in app.library._watcher.directories()
    with qtbot.waitSignal(app.library.scan_finished, timeout=30_000) as rescan:
        shutil.copy(DATA / "tone.ogg", music / "new arrival.ogg")
    assert rescan.args[0].added == 1
    assert any(t.path.name == "new arrival.ogg" for t in app.library.tracks())


def test_the_next_start_catches_up_with_changes(
    make_app: MakeApp, qtbot: QtBot, music: Path
) -> None:
    first = make_app()
    with qtbot.waitSignal(first.library.scan_finished, timeout=60_000):
        first.window.add_folders([music])
    first.window.close()
    first.shutdown()
    (music / "tone.wv").unlink()  # while the app is closed
    second = make_app()  # its start-up scan may end before or after make_app returns
    qtbot.waitUntil(
        lambda: (
            not second.library.is_scanning()
            and all(t.path.name != "tone.wv" for t in second.library.tracks())
        ),
        timeout=60_000,
    )
    assert any(t.path.name == "tone.flac" for t in second.library.tracks())


def test_tracks_of_an_unavailable_folder_stay_greyed_out(
    make_app: MakeApp, qtbot: QtBot, music: Path, tmp_path: Path
) -> None:
    app = make_app()
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        app.window.add_folders([music])
    count = len(app.library.tracks())
    music.rename(tmp_path / "unplugged")  # the drive goes away
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000) as rescan:
        app.library.scan()
    assert rescan.args[0].unavailable == [music]
    assert len(app.library.tracks()) == count  # nothing lost
    model = app.window.model
    rows = [r for r in range(model.rowCount()) if "Fixture" in model.index(r, Column.TITLE).data()]
    tip = model.index(rows[0], Column.TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert "unavailable" in tip
    assert model.index(rows[0], Column.TITLE).data(Qt.ItemDataRole.ForegroundRole) is not None

    (tmp_path / "unplugged").rename(music)  # and comes back
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        app.library.scan()
    assert all(t.available for t in app.library.tracks())


def test_first_run_invites_the_listener_to_add_their_music(make_app: MakeApp, qtbot: QtBot) -> None:
    first = make_app()
    welcome = first.window.welcome
    assert welcome.isVisible()
    assert welcome.action_button.text() == "Add Music Folder…"
    assert welcome.body.textFormat() == Qt.TextFormat.PlainText
    first.window.close()
    first.shutdown()
    second = make_app()  # not the first run any more
    assert not second.window.welcome.isVisible()
