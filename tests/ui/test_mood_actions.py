"""The window's mood and playlist actions, through the real widgets: the moods dialog on many
selected tracks, new playlists from the selection, enqueue, and importing a playlist file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.mood import mood_key
from ostplayer.ui.mood_editor import MoodDialog
from tests.conftest import MakeApp


@pytest.fixture
def app(make_app: MakeApp, qtbot: QtBot) -> Application:
    app = make_app()
    qtbot.waitUntil(lambda: app.window.model.rowCount() == 4, timeout=10_000)
    return app


def select_rows(app: Application, rows: list[int]) -> list[int]:
    table, model = app.window.table, app.window.model
    selection = table.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(model.index(row, 0), flags)
    return [model.track(row).id for row in rows]


def open_mood_dialog(app: Application, qtbot: QtBot) -> MoodDialog:
    app.window.mood_actions.moods_action.trigger()
    dialog = app.window.findChild(MoodDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_moods_dialog_adds_and_removes_on_every_selected_track(
    app: Application, qtbot: QtBot
) -> None:
    ids = select_rows(app, [0, 1, 2])
    dialog = open_mood_dialog(app, qtbot)
    assert dialog.windowTitle() == "Moods of 3 Tracks"
    qtbot.keyClicks(dialog.mood_edit, "  Bitter   Sweet ")
    qtbot.keyClick(dialog.mood_edit, Qt.Key.Key_Return)
    for track_id in ids:
        assert "Bitter Sweet" in app.library.get(track_id).moods  # type: ignore[union-attr]
    rows = [dialog.model.rows[i][0] for i in range(len(dialog.model.rows))]
    row = rows.index("Bitter Sweet")
    assert dialog.model.data(dialog.model.index(row)) == "Bitter Sweet  (3 of 3)"
    dialog.list.setCurrentIndex(dialog.model.index(row))
    dialog.remove_button.click()
    for track_id in ids:
        keys = {mood_key(m) for m in app.library.get(track_id).moods}  # type: ignore[union-attr]
        assert "bitter sweet" not in keys
    app.scenes.undo_stack.undo()  # the removal comes back with Ctrl+Z
    assert all(
        "Bitter Sweet" in app.library.get(t).moods  # type: ignore[union-attr]
        for t in ids
    )
    dialog.close()


def test_mood_text_is_plain_in_the_dialog(app: Application, qtbot: QtBot) -> None:
    [track_id] = select_rows(app, [0])
    app.moods.add([track_id], "<b>bold</b>")
    dialog = open_mood_dialog(app, qtbot)
    # A list view shows the text as it is; the heading label is plain text.
    assert "<b>bold</b>" in [r[0] for r in dialog.model.rows]
    assert dialog.heading.textFormat() == Qt.TextFormat.PlainText
    dialog.close()


def test_new_playlist_from_selection_and_enqueue(
    app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = select_rows(app, [1, 3])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Evening", True))
    app.window.mood_actions.new_playlist_action.trigger()
    [playlist] = app.playlists.playlists()
    assert playlist.name == "Evening"
    assert [e.track_id for e in app.playlists.get(playlist.id).entries] == ids  # type: ignore[union-attr]
    app.window.mood_actions.enqueue_action.trigger()
    assert app.player.queue.items[-2:] == ids


def test_import_lists_what_it_could_not_find(
    app: Application, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, qtbot: QtBot
) -> None:
    track = app.library.tracks()[0]
    playlist = tmp_path / "mix.m3u8"
    playlist.write_text(
        f"#EXTM3U\n{track.path}\nmissing/song.ogg\nhttps://example.com/x.mp3\n", encoding="utf-8"
    )
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(playlist), ""))
    app.window.mood_actions.import_playlist_action.trigger()
    # This window's box: an earlier test's window may have left one of its own behind.
    box = next(
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.parentWidget() is app.window
    )
    assert "2 entries were not found" in box.informativeText()
    assert "example.com" in box.detailedText()
    box.close()
    [made] = app.playlists.playlists()
    assert made.name == "mix"
    assert [e.track_id for e in app.playlists.get(made.id).entries] == [track.id]  # type: ignore[union-attr]
