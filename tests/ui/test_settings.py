"""The Settings dialog's Music Folders page, driven as a listener would, with the fake engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.services.library import Source
from ostplayer.ui.settings import (
    SOURCE_ROLE,
    MusicFoldersPage,
    SettingsDialog,
    SourceColumn,
    SourceTableModel,
)
from ostplayer.ui.track_model import Column
from tests.conftest import DATA, MakeApp

FORMATS = ("ogg", "flac", "mp3")  # fewer than the scanner's worker threshold: read in-process
DEMO_TITLES = {"First Love’s Whisper", "Shadows of Doubt", "A Promise Kept", "Hometown Serenade"}


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "My <b>OSTs"  # a folder name is shown as it is, never as markup
    folder.mkdir()
    for fmt in FORMATS:
        shutil.copy(DATA / f"tone.{fmt}", folder / f"tone.{fmt}")
    return folder


def titles(app: Application) -> set[str]:
    model = app.window.model
    return {model.index(r, Column.TITLE).data() for r in range(model.rowCount())}


def rows(page: MusicFoldersPage) -> list[list[str]]:
    model = page.model
    return [[model.index(r, c).data() for c in SourceColumn] for r in range(model.rowCount())]


def open_settings(app: Application, qtbot: QtBot) -> SettingsDialog:
    qtbot.keyClick(app.window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = app.window.findChild(SettingsDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def answer(
    monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton
) -> list[QMessageBox]:
    asked: list[QMessageBox] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(box)
        return button

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


def select(page: MusicFoldersPage, kind: str) -> Source:
    row = next(r for r in range(page.model.rowCount()) if page.model.source(r).kind == kind)
    page.table.selectRow(row)
    return page.model.source(row)


def test_the_model_shows_sources_without_a_window(qapp: object, tmp_path: Path) -> None:
    model = SourceTableModel()
    model.set_sources(
        [
            Source(1, "demo", tmp_path / "demo", 4, available=True),
            Source(2, "folder", tmp_path / "gone", 12345, available=False),
        ]
    )
    assert model.rowCount() == 2
    assert model.headerData(SourceColumn.TRACKS, Qt.Orientation.Horizontal) == "Tracks"
    assert model.index(0, SourceColumn.KIND).data() == "Demo OST"
    assert model.index(1, SourceColumn.KIND).data() == "Folder"
    assert model.index(1, SourceColumn.STATUS).data() == "Unavailable"
    assert model.index(0, SourceColumn.STATUS).data() == "Available"
    assert model.index(1, SourceColumn.PATH).data() == str(tmp_path / "gone")
    assert model.index(1, SourceColumn.PATH).data(SOURCE_ROLE).id == 2
    grey = Qt.ItemDataRole.ForegroundRole
    assert model.index(1, SourceColumn.PATH).data(grey) is not None
    assert model.index(0, SourceColumn.PATH).data(grey) is None
    assert "unavailable" in model.index(1, SourceColumn.PATH).data(Qt.ItemDataRole.ToolTipRole)


def test_removing_a_folder_from_settings(
    make_app: MakeApp, qtbot: QtBot, music: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        app.window.add_folders([music])
    assert "Fixture Tone (FLAC)" in titles(app)
    dialog = open_settings(app, qtbot)
    page = dialog.music_folders
    assert dialog.pages.currentWidget() is page
    assert rows(page) == [
        ["Bundled with OST Player", "Demo OST", "4", "Available"],
        [str(music), "Folder", str(len(FORMATS)), "Available"],
    ]
    assert not page.restore_demo_button.isEnabled()  # the demo is there
    assert not page.remove_button.isEnabled()  # nothing selected yet

    select(page, "folder")
    cancelled = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert len(cancelled) == 1
    assert len(rows(page)) == 2  # "Cancel" removes nothing

    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(app.library.tracks_changed, timeout=10_000):
        qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    (box,) = asked
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert str(music) in box.text()
    assert "notes" in box.informativeText()
    assert "add the folder again" in box.informativeText()
    qtbot.waitUntil(lambda: len(rows(page)) == 1)
    assert rows(page)[0][1] == "Demo OST"
    qtbot.waitUntil(lambda: str(music) in page.status_label.text())
    assert page.status_label.textFormat() == Qt.TextFormat.PlainText
    assert titles(app) == DEMO_TITLES  # its tracks left the main table
    assert app.window.count_label.text() == "4 tracks"


def test_a_removed_demo_can_be_restored(
    make_app: MakeApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    dialog = app.window.show_settings()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=2000)
    page = dialog.music_folders
    page.table.setFocus()
    select(page, "demo")
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(app.library.tracks_changed, timeout=10_000):
        qtbot.keyClick(page.table, Qt.Key.Key_Delete)  # the key does what the button does
    qtbot.waitUntil(lambda: rows(page) == [])
    assert titles(app) == set()
    assert page.restore_demo_button.isEnabled()
    assert not page.rescan_button.isEnabled()  # no music folder to rescan

    with qtbot.waitSignal(app.library.tracks_changed, timeout=10_000):
        qtbot.mouseClick(page.restore_demo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(rows(page)) == 1)
    assert titles(app) == DEMO_TITLES
    assert not page.restore_demo_button.isEnabled()


def test_adding_a_folder_and_seeing_it_unavailable(
    make_app: MakeApp,
    qtbot: QtBot,
    music: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app()
    page = app.window.show_settings().music_folders
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *_a, **_k: str(music))
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        assert page.status_label.text() == "Looking for music…"
        assert not page.add_button.isEnabled()  # one change to the library at a time
    assert rows(page)[1] == [str(music), "Folder", str(len(FORMATS)), "Available"]
    assert page.rescan_button.isEnabled()

    music.rename(tmp_path / "unplugged")
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        qtbot.mouseClick(page.rescan_button, Qt.MouseButton.LeftButton)
    assert rows(page)[1][3] == "Unavailable"
    index = page.model.index(1, SourceColumn.PATH)
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_every_control_has_a_name_and_a_tooltip(make_app: MakeApp) -> None:
    app = make_app()
    dialog = app.window.show_settings()
    dialog.close()
    assert app.window.show_settings() is dialog  # one dialog, opened again
    for button in dialog.findChildren(QPushButton):
        assert button.accessibleName(), button.text()
        assert button.toolTip(), button.text()
    table = dialog.music_folders.table
    assert table.accessibleName() and table.toolTip()
    assert dialog.pages.tabToolTip(0)
    assert app.window.settings_action in app.window.menuBar().actions()[0].menu().actions()
