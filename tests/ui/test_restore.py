"""Settings → Data → Restore from Backup…: the backups are listed (when, why, how big), and the
one chosen, once confirmed, replaces the library at a restart, never while it is open."""

from __future__ import annotations

import os
import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ostplayer.app import Application, relaunch_command
from ostplayer.domain.scene import Note
from ostplayer.paths import AppPaths
from ostplayer.store.backup import Backup, Reason, list_backups, make_backup, pending_restore
from ostplayer.ui import settings_desktop
from ostplayer.ui.settings_desktop import BackupColumn, BackupTableModel, RestoreDialog
from tests.conftest import MakeApp

NOON = datetime(2026, 5, 9, 12, 0)


def answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    """Answer every message box with ``button``; returns what each asked."""
    asked: list[str] = []

    def exec_(box: QMessageBox) -> int:
        asked.append(f"{box.text()}\n{box.informativeText()}")
        return button

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return asked


@pytest.fixture
def restarts(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record the restart the page asks for (``QCoreApplication.exit`` would end the run)."""
    asked: list[bool] = []
    monkeypatch.setattr(settings_desktop, "request_restart", lambda: asked.append(True))
    return asked


def open_restore(app: Application, qtbot: QtBot) -> RestoreDialog:
    app.window.show_settings()
    pages = app.window.desktop_pages
    assert pages is not None
    qtbot.mouseClick(pages.data.restore_button, Qt.MouseButton.LeftButton)
    dialog = pages.data.findChild(RestoreDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _note(app: Application, text: str) -> None:
    track = app.library.tracks()[0].id
    assert app.scenes.add_note(Note(text=text, position_ms=0, track_id=track)) is not None


def _texts(app: Application) -> list[str]:
    return [n.text for n in app.scenes.repository.notes()]


def test_the_model_shows_when_why_and_how_big_without_a_window(
    qapp: object, tmp_path: Path
) -> None:
    backups = [
        Backup(tmp_path / "b.sqlite3", NOON, Reason.MANUAL, 2048),
        Backup(tmp_path / "a.sqlite3", NOON - timedelta(days=1), Reason.DAILY, 131072),
        Backup(tmp_path / "c.sqlite3", NOON - timedelta(days=2), Reason.MIGRATION, 4096, 3),
        Backup(tmp_path / "d.sqlite3", NOON - timedelta(days=3), Reason.RESTORE, 4096),
    ]
    model = BackupTableModel()
    model.set_backups(backups)
    assert (model.rowCount(), model.columnCount()) == (4, len(BackupColumn))
    shown = [[model.data(model.index(row, column)) for column in BackupColumn] for row in range(4)]
    assert shown[0][BackupColumn.TAKEN] == QLocale().toString(
        QDateTime(NOON), QLocale.FormatType.ShortFormat
    )
    assert [row[BackupColumn.REASON] for row in shown] == [
        "Made with “ostplayer backup”",
        "Daily, at start",
        "Before an upgrade",
        "Before a restore",
    ]
    assert shown[0][BackupColumn.SIZE] == QLocale().formattedDataSize(2048)
    assert model.data(model.index(1, 0), settings_desktop.BACKUP_ROLE) == backups[1]
    tooltip = model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole)
    assert tooltip == os.fspath(backups[1].path)


def test_without_backups_the_dialog_says_when_one_is_made(
    make_app: MakeApp, qtbot: QtBot, data_dir: Path, restarts: list[bool]
) -> None:
    app = make_app()
    app.tasks.wait(10_000)  # the day's backup is taken after start-up: take it away again
    qtbot.wait(50)
    for backup in list_backups(AppPaths(data_dir).backups_dir):
        backup.path.unlink()
    dialog = open_restore(app, qtbot)
    assert dialog.model.rowCount() == 0
    assert "no backup yet" in dialog.status_label.text()
    assert not dialog.restore_button.isEnabled()


def test_a_chosen_backup_is_restored_at_the_restart_and_the_window_says_so(
    make_app: MakeApp,
    qtbot: QtBot,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    restarts: list[bool],
) -> None:
    app = make_app()
    qtbot.waitUntil(lambda: app.daily_backup is not None, timeout=10_000)
    _note(app, "in the backup")
    paths = AppPaths(data_dir)
    chosen = make_backup(paths.database, paths.backups_dir, Reason.MANUAL)
    _note(app, "after the backup")
    dialog = open_restore(app, qtbot)
    assert [dialog.model.backup(r) for r in range(dialog.model.rowCount())] == list_backups(
        paths.backups_dir
    )
    assert dialog.selected_backup() == chosen  # the newest is chosen first
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)

    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    assert len(asked) == 1 and "lost" in asked[0]
    assert restarts == [True]
    assert pending_restore(paths.database) == chosen.path
    assert "after the backup" in _texts(app)  # nothing is replaced while the app has it open
    app.window.close()
    app.shutdown()  # what QCoreApplication.exit() leads to

    again = make_app()  # the restart

    texts = _texts(again)
    assert "in the backup" in texts and "after the backup" not in texts
    assert pending_restore(paths.database) is None
    restored = again.opened.restored
    assert restored is not None and restored.previous is not None
    assert restored.previous.reason is Reason.RESTORE
    banner = again.window.banner
    assert banner.isVisible() and banner.headline.text() == "Backup restored"
    assert os.fspath(restored.previous.path) in banner.body.text()
    # The library as it was before stays a backup away: restore it to undo the restore.
    assert "after the backup" in [
        r[0] for r in _rows(restored.previous.path, "SELECT text FROM note")
    ]


def test_cancelling_restores_nothing(
    make_app: MakeApp,
    qtbot: QtBot,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    restarts: list[bool],
) -> None:
    app = make_app()
    paths = AppPaths(data_dir)
    make_backup(paths.database, paths.backups_dir, Reason.MANUAL)
    dialog = open_restore(app, qtbot)
    answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    assert dialog.restore_selected() is False
    assert restarts == []
    assert pending_restore(paths.database) is None


def test_a_backup_gone_bad_is_refused_with_its_reason(
    make_app: MakeApp,
    qtbot: QtBot,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    restarts: list[bool],
) -> None:
    app = make_app()
    paths = AppPaths(data_dir)
    made = make_backup(paths.database, paths.backups_dir, Reason.MANUAL, now=datetime.now())
    dialog = open_restore(app, qtbot)
    made.path.write_bytes(os.urandom(4096))  # damaged since it was listed
    dialog.table.selectRow(
        next(r for r in range(dialog.model.rowCount()) if dialog.model.backup(r).path == made.path)
    )
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert dialog.restore_selected() is False
    assert "cannot be restored" in dialog.status_label.text()
    assert "not a database" in dialog.status_label.text()
    assert restarts == []
    assert pending_restore(paths.database) is None


def test_the_restart_starts_the_same_app_on_the_same_data_dir(data_dir: Path) -> None:
    command = relaunch_command(AppPaths(data_dir))
    assert command[-2:] == ["--data-dir", os.fspath(data_dir)]
    assert command[:3] == [sys.executable, "-m", "ostplayer"]


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()
