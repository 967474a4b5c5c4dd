"""The playlist view, in the real app with the demo OST: showing, reordering, removing, playing.

Every edit goes through the PlaylistService, so each test reads the playlist back from the
service (the database) rather than trusting the table, and undoes through the shared stack.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.mixer import MoodRule
from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.domain.track import Track
from ostplayer.ui.playlist_view import (
    ROWS_MIME,
    Column,
    PlaylistModel,
    PlaylistView,
    describe_rule,
    moved,
    static_rows,
)
from tests.conftest import DATA

FIRST = "First Love’s Whisper"
PROMISE = "A Promise Kept"
SERENADE = "Hometown Serenade"
SHADOWS = "Shadows of Doubt"


def tid(app: Application, title: str) -> int:
    return next(t.id for t in app.library.tracks() if t.title == title)


def show(app: Application, qtbot: QtBot, playlist_id: int) -> PlaylistView:
    view = PlaylistView(app.playlists, app.library)
    qtbot.addWidget(view)
    view.resize(800, 400)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=2000)
    view.set_playlist(playlist_id)
    view.table.setFocus()
    return view


def make_static(app: Application, *titles: str, name: str = "Road trip") -> int:
    entries = [PlaylistEntry(tid(app, t)) for t in titles]
    return app.playlists.create(name, entries).id


def double_click(view: PlaylistView, qtbot: QtBot, row: int) -> None:
    """A real double-click: QTest's sends only the second press, which the view ignores."""
    pos = view.table.visualRect(view.model.index(row, Column.TITLE)).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def column(view: PlaylistView, col: Column) -> list[str]:
    model = view.model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def stored_titles(app: Application, playlist_id: int) -> list[str]:
    playlist = app.playlists.get(playlist_id)
    assert playlist is not None
    titles = {t.id: t.title for t in app.library.tracks()}
    return [titles[e.track_id] for e in playlist.entries]


# -- pure pieces -------------------------------------------------------------------------------
def test_moved_puts_rows_before_the_target_in_their_order() -> None:
    assert moved(4, [0], 4) == [1, 2, 3, 0]  # to the end
    assert moved(4, [3], 0) == [3, 0, 1, 2]  # to the start
    assert moved(4, [0, 2], 4) == [1, 3, 0, 2]  # a gapped selection moves as a block
    assert moved(4, [1], 2) == [0, 1, 2, 3]  # onto its own place: nothing moves
    assert moved(4, [2, 1], 0) == [1, 2, 0, 3]


def test_rules_read_in_one_line() -> None:
    rule = MoodRule(include=("tender", "warm"), minutes=30, order="arc")
    assert describe_rule(rule) == "tender, warm · arc · 30 min"
    rule = MoodRule(include=("tender", "warm"), match_all=True, exclude=("sad",), order="series")
    assert describe_rule(rule) == "tender & warm · not sad · series order"
    assert describe_rule(MoodRule()) == "any mood · album order"


def test_the_model_passes_qt_s_model_checks(app: Application, qtmodeltester: object) -> None:
    model = PlaylistModel()
    tracks: dict[int, Track | None] = {t.id: t for t in app.library.tracks()}
    entries = [PlaylistEntry(t) for t in tracks] + [PlaylistEntry(10_000, 1000, 2000)]
    model.set_rows(1, static_rows(entries, tracks), editable=True)
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_an_entry_whose_track_is_gone_is_shown_not_hidden() -> None:
    model = PlaylistModel()
    model.set_rows(1, static_rows([PlaylistEntry(7)], {}), editable=True)
    index = model.index(0, Column.TITLE)
    assert index.data() == "(missing)"
    assert index.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "no longer in your library" in index.data(Qt.ItemDataRole.ToolTipRole)


# -- showing -----------------------------------------------------------------------------------
def test_the_view_shows_a_playlist_s_entries(app: Application, qtbot: QtBot) -> None:
    playlist_id = make_static(app, SERENADE, PROMISE, FIRST, name="Road <b>trip</b>")
    view = show(app, qtbot, playlist_id)
    assert column(view, Column.TITLE) == [SERENADE, PROMISE, FIRST]
    assert column(view, Column.NUMBER) == ["1", "2", "3"]
    assert column(view, Column.LENGTH) == ["0:46", "0:52", "0:54"]
    assert view.title_label.text() == "Road <b>trip</b>"
    assert view.title_label.textFormat() == Qt.TextFormat.PlainText
    assert view.summary_label.text() == "3 tracks · 2:32"
    assert view.table.isColumnHidden(Column.WHY)  # only smart playlists say why
    assert view.table.isColumnHidden(Column.SPAN)  # no moments here
    assert view.table.dragDropMode() == QAbstractItemView.DragDropMode.InternalMove
    for widget in (view.play_button, view.enqueue_button, view.export_button, view.table):
        assert widget.accessibleName() and widget.toolTip()


def test_moments_show_their_span(app: Application, qtbot: QtBot) -> None:
    entries = [PlaylistEntry(tid(app, SERENADE), 12_000, 25_000), PlaylistEntry(tid(app, FIRST))]
    playlist_id = app.playlists.create("Moments", entries).id
    view = show(app, qtbot, playlist_id)
    assert not view.table.isColumnHidden(Column.SPAN)
    assert column(view, Column.SPAN) == ["0:12–0:25", ""]
    assert column(view, Column.LENGTH) == ["0:13", "0:54"]  # what the moment plays


def test_a_smart_playlist_shows_its_rule_s_picks_read_only(app: Application, qtbot: QtBot) -> None:
    rule = MoodRule(include=("warm",), order="album")
    playlist = app.playlists.create("Warm", rule=rule)
    view = show(app, qtbot, playlist.id)
    picks = app.playlists.picks(playlist.id)
    assert len(picks) == 2
    titles = {t.id: t.title for t in app.library.tracks()}
    assert column(view, Column.TITLE) == [titles[p.track_id] for p in picks]
    assert column(view, Column.WHY) == [p.reason for p in picks]
    assert all("warm" in why for why in column(view, Column.WHY))
    assert not view.table.isColumnHidden(Column.WHY)
    assert view.summary_label.text().startswith("Smart playlist: follows your moods (warm")
    # Read-only: nothing to drag, drop or delete.
    model = view.model
    assert view.table.dragDropMode() == QAbstractItemView.DragDropMode.NoDragDrop
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert not model.dropMimeData(
        model.mimeData([model.index(0, 0)]), Qt.DropAction.MoveAction, 2, 0, QModelIndex()
    )
    view.table.selectRow(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert len(app.playlists.picks(playlist.id)) == 2
    assert not view.remove_action.isEnabled()


def test_a_track_whose_folder_went_away_is_shown_greyed(
    app: Application, qtbot: QtBot, tmp_path: Path
) -> None:
    music = tmp_path / "music"
    music.mkdir()
    shutil.copy(DATA / "tone.ogg", music / "tone.ogg")
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        app.window.add_folders([music])
    tone = next(t for t in app.library.tracks() if t.path.name == "tone.ogg")
    entries = [
        PlaylistEntry(tid(app, FIRST)),
        PlaylistEntry(tone.id),
        PlaylistEntry(tid(app, PROMISE)),
    ]
    playlist_id = app.playlists.create("Mixed", entries).id
    view = show(app, qtbot, playlist_id)
    music.rename(tmp_path / "unplugged")  # the drive goes away
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        app.library.scan()
    qtbot.waitUntil(lambda: view.model.rowCount() == 3 and not view.model.row(1).playable)
    title = view.model.index(1, Column.TITLE)
    assert title.data() == f"{tone.display_title} (missing)"  # kept in its place, not hidden
    assert title.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "unavailable" in title.data(Qt.ItemDataRole.ToolTipRole)
    assert view.summary_label.text().endswith("1 missing")
    messages: list[str] = []
    view.status.connect(messages.append)
    double_click(view, qtbot, 1)
    assert messages == ["This track is missing; it cannot be played"]
    assert app.player.queue.items == []
    # Playing from the last row skips the missing one above it.
    double_click(view, qtbot, 2)
    assert app.player.queue.items == [tid(app, PROMISE)]


# -- editing a static playlist -----------------------------------------------------------------
def test_a_drop_reorders_through_the_service_and_undoes(app: Application, qtbot: QtBot) -> None:
    playlist_id = make_static(app, SERENADE, PROMISE, FIRST)
    view = show(app, qtbot, playlist_id)
    model = view.model
    data = model.mimeData([model.index(0, c) for c in range(model.columnCount())])
    assert data.hasFormat(ROWS_MIME)
    assert model.canDropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert model.dropMimeData(data, Qt.DropAction.MoveAction, 3, 0, QModelIndex())
    assert stored_titles(app, playlist_id) == [PROMISE, FIRST, SERENADE]  # committed
    assert column(view, Column.TITLE) == [PROMISE, FIRST, SERENADE]
    assert view.selected_rows() == [2]  # the moved row stays selected
    assert app.scenes.undo_stack.undoText() == "Reorder Playlist"

    app.scenes.undo_stack.undo()
    assert stored_titles(app, playlist_id) == [SERENADE, PROMISE, FIRST]
    assert column(view, Column.TITLE) == [SERENADE, PROMISE, FIRST]


def test_a_drop_from_another_playlist_is_refused(app: Application, qtbot: QtBot) -> None:
    first = make_static(app, SERENADE, PROMISE)
    other = make_static(app, FIRST, SHADOWS, name="Other")
    view = show(app, qtbot, first)
    data = view.model.mimeData([view.model.index(0, 0)])
    view.set_playlist(other)
    assert not view.model.canDropMimeData(data, Qt.DropAction.MoveAction, 2, 0, QModelIndex())
    assert not view.model.dropMimeData(data, Qt.DropAction.MoveAction, 2, 0, QModelIndex())
    assert stored_titles(app, other) == [FIRST, SHADOWS]


def test_the_delete_key_removes_the_selected_entries(app: Application, qtbot: QtBot) -> None:
    playlist_id = make_static(app, SERENADE, PROMISE, FIRST)
    view = show(app, qtbot, playlist_id)
    messages: list[str] = []
    view.status.connect(messages.append)
    view.table.selectRow(1)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert stored_titles(app, playlist_id) == [SERENADE, FIRST]
    assert column(view, Column.TITLE) == [SERENADE, FIRST]
    assert view.selected_rows() == [1]  # the next entry, so Delete can go on
    assert messages == ["Removed 1 entry. Undo with Ctrl+Z"]
    app.scenes.undo_stack.undo()
    assert stored_titles(app, playlist_id) == [SERENADE, PROMISE, FIRST]


def test_alt_arrows_move_the_selection(app: Application, qtbot: QtBot) -> None:
    playlist_id = make_static(app, SERENADE, PROMISE, FIRST)
    view = show(app, qtbot, playlist_id)
    view.table.selectRow(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert stored_titles(app, playlist_id) == [PROMISE, SERENADE, FIRST]
    assert view.selected_rows() == [1]
    qtbot.keyClick(view.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert stored_titles(app, playlist_id) == [PROMISE, FIRST, SERENADE]
    qtbot.keyClick(view.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # at the end
    assert stored_titles(app, playlist_id) == [PROMISE, FIRST, SERENADE]
    qtbot.keyClick(view.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert stored_titles(app, playlist_id) == [PROMISE, SERENADE, FIRST]
    assert view.selected_rows() == [1]


# -- playing, exporting, deleting --------------------------------------------------------------
def test_double_click_plays_from_that_row(app: Application, qtbot: QtBot) -> None:
    playlist_id = make_static(app, SERENADE, PROMISE, FIRST)
    view = show(app, qtbot, playlist_id)
    double_click(view, qtbot, 1)
    assert app.player.queue.items == [tid(app, PROMISE), tid(app, FIRST)]


def test_play_and_enqueue_buttons(app: Application, qtbot: QtBot) -> None:
    playlist_id = make_static(app, SERENADE, PROMISE)
    view = show(app, qtbot, playlist_id)
    messages: list[str] = []
    view.status.connect(messages.append)
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    assert app.player.queue.items == [tid(app, SERENADE), tid(app, PROMISE)]
    qtbot.mouseClick(view.enqueue_button, Qt.MouseButton.LeftButton)
    assert len(app.player.queue.items) == 4
    assert messages == [
        "Playing “Road trip”",
        "Added 2 tracks from “Road trip” to the queue",
    ]


def test_export_writes_the_file_or_says_why_not(
    app: Application, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    playlist_id = make_static(app, SERENADE, PROMISE)
    view = show(app, qtbot, playlist_id)
    messages: list[str] = []
    view.status.connect(messages.append)
    target = tmp_path / "road"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(target), "XSPF playlist (*.xspf)")
    )
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "road.xspf"  # the chosen filter gave the extension
    assert "Hometown Serenade" in written.read_text(encoding="utf-8")
    assert messages == ["Exported 2 entries to road.xspf"]

    boxes: list[QMessageBox] = []

    def exec_(box: QMessageBox) -> int:
        boxes.append(box)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    nowhere = tmp_path / "no such folder" / "road.m3u8"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(nowhere), ""))
    view.export()
    assert len(boxes) == 1
    assert "road.m3u8" in boxes[0].text()
    assert len(messages) == 1


def test_a_deleted_playlist_shows_an_empty_state_until_undone(
    app: Application, qtbot: QtBot
) -> None:
    playlist_id = make_static(app, SERENADE, PROMISE)
    view = show(app, qtbot, playlist_id)
    app.playlists.delete(playlist_id)
    assert view.playlist() is None
    assert view.stack.currentWidget() is view.empty_label
    assert "Undo with Ctrl+Z" in view.empty_label.text()
    assert not view.play_button.isEnabled()
    app.scenes.undo_stack.undo()
    assert view.stack.currentWidget() is view.table
    assert column(view, Column.TITLE) == [SERENADE, PROMISE]


def test_the_table_is_set_up_for_a_real_drag(app: Application, qtbot: QtBot) -> None:
    """What a real mouse drag in the table depends on. The drag itself cannot run here:
    offscreen Qt ends every drag at once, so it was checked by hand under X11."""
    view = show(app, qtbot, make_static(app, SERENADE, PROMISE, FIRST))
    table, model = view.table, view.model
    assert table.dragEnabled() and table.acceptDrops()
    assert not table.dragDropOverwriteMode()  # drops go between rows
    assert model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled
    # Rows are not drop targets, so Qt offers above/below, never "onto" a row.
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDropEnabled
    assert model.supportedDragActions() == Qt.DropAction.MoveAction
