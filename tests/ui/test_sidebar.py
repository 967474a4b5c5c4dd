"""The library sidebar in the real app with the demo OST: moods with counts, playlists, and the
playlist commands (rename, delete and undo, play)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.mixer import MoodRule
from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.ui.sidebar import Kind, LibrarySidebar, SidebarItem, SidebarModel

FIRST = "First Love’s Whisper"
PROMISE = "A Promise Kept"
SERENADE = "Hometown Serenade"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QMessageBox]:
    """Message boxes the sidebar opens (never shown: nobody would answer them)."""
    boxes: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "open", lambda box: boxes.append(box))
    return boxes


def show(app: Application, qtbot: QtBot, refresh: bool = True) -> LibrarySidebar:
    sidebar = LibrarySidebar(app.moods, app.playlists)
    qtbot.addWidget(sidebar)
    sidebar.resize(260, 600)
    sidebar.show()
    qtbot.waitExposed(sidebar)
    sidebar.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is sidebar, timeout=2000)
    sidebar.tree.setFocus()
    if refresh:
        sidebar.refresh()
    return sidebar


def tid(app: Application, title: str) -> int:
    return next(t.id for t in app.library.tracks() if t.title == title)


def children(sidebar: LibrarySidebar, kind: Kind, column: int = 0) -> list[str]:
    model = sidebar.model
    parent = model.index_of(SidebarItem(kind))
    return [model.index(r, column, parent).data() for r in range(model.rowCount(parent))]


def playlist_index(sidebar: LibrarySidebar, playlist_id: int) -> QModelIndex:
    index = sidebar.model.index_of(SidebarItem(Kind.PLAYLIST, playlist_id))
    assert index.isValid()
    return index


def click(sidebar: LibrarySidebar, qtbot: QtBot, index: QModelIndex) -> None:
    pos = sidebar.tree.visualRect(index).center()
    qtbot.mouseClick(sidebar.tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_the_model_passes_qt_s_model_checks(app: Application, qtmodeltester: object) -> None:
    model = SidebarModel(app.playlists)
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    model.set_moods(app.moods.counts())
    model.set_playlists([app.playlists.create("Road trip", [PlaylistEntry(tid(app, FIRST))])])
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_construction_reads_nothing_and_the_first_moods_changed_fills_it(
    app: Application, qtbot: QtBot
) -> None:
    app.playlists.create("Road trip", [PlaylistEntry(tid(app, FIRST))])
    sidebar = show(app, qtbot, refresh=False)
    assert children(sidebar, Kind.MOODS) == []
    assert children(sidebar, Kind.PLAYLISTS) == []
    assert sidebar.current_item() == SidebarItem(Kind.ALL_TRACKS)
    with qtbot.waitSignal(app.moods.moods_changed, timeout=10_000):
        app.moods.refresh()
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Road trip"])
    assert len(children(sidebar, Kind.MOODS)) == len(app.moods.counts())
    for kind in (Kind.MOODS, Kind.PLAYLISTS):
        assert sidebar.tree.isExpanded(sidebar.model.index_of(SidebarItem(kind)))


def test_the_demo_moods_are_listed_with_their_counts(app: Application, qtbot: QtBot) -> None:
    sidebar = show(app, qtbot)
    counts = app.moods.counts()
    assert children(sidebar, Kind.MOODS) == [c.name for c in counts]
    assert children(sidebar, Kind.MOODS, 1) == [str(c.total) for c in counts]
    warm = sidebar.model.index_of(SidebarItem(Kind.MOOD, "warm"))
    tip = warm.data(Qt.ItemDataRole.ToolTipRole)
    assert "Comfort, friendship and home." in tip  # the vocabulary's description
    assert "warm: 2 tracks, from tags 1 · packs 2" in tip
    assert sidebar.tree.accessibleName() == "Library"
    assert sidebar.tree.toolTip()

    with qtbot.waitSignal(sidebar.mood_selected) as chosen:
        click(sidebar, qtbot, warm)
    assert chosen.args == ["warm"]
    assert sidebar.current_mood() == "warm"
    with qtbot.waitSignal(sidebar.all_tracks_selected):
        click(sidebar, qtbot, sidebar.model.index(0, 0))


def test_the_selection_stays_when_the_moods_change(app: Application, qtbot: QtBot) -> None:
    sidebar = show(app, qtbot)
    assert sidebar.select_mood("tender")
    tender_count = sidebar.model.index_of(SidebarItem(Kind.MOOD, "tender")).siblingAtColumn(1)
    assert tender_count.data() == "1"
    signals: list[object] = []
    sidebar.mood_selected.connect(signals.append)
    sidebar.all_tracks_selected.connect(lambda: signals.append("all"))
    with qtbot.waitSignal(app.moods.moods_changed, timeout=10_000):
        app.moods.add([tid(app, SERENADE), tid(app, PROMISE)], "tender")
    qtbot.waitUntil(
        lambda: (
            sidebar.model.index_of(SidebarItem(Kind.MOOD, "tender")).siblingAtColumn(1).data()
            == "3"
        )
    )
    assert sidebar.current_mood() == "tender"  # it moved up the list; still current
    assert signals == []  # and the window was not told again


def test_a_new_playlist_appears_with_its_icon_and_tooltip(app: Application, qtbot: QtBot) -> None:
    sidebar = show(app, qtbot)
    entries = [PlaylistEntry(tid(app, t)) for t in (FIRST, PROMISE, SERENADE)]
    static = app.playlists.create("Road <i>trip</i>", entries)
    rule = MoodRule(include=("tender", "warm"), minutes=30, order="arc")
    smart = app.playlists.create("Soft", rule=rule)
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Road <i>trip</i>", "Soft"])
    # The section was empty when the sidebar filled; it opens for its first playlist.
    assert sidebar.tree.isExpanded(sidebar.model.index_of(SidebarItem(Kind.PLAYLISTS)))
    assert children(sidebar, Kind.PLAYLISTS, 1) == ["3", ""]
    static_index, smart_index = (
        playlist_index(sidebar, static.id),
        playlist_index(sidebar, smart.id),
    )
    assert "3 entries" in static_index.data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;i&gt;" in static_index.data(Qt.ItemDataRole.ToolTipRole)  # escaped, shown as typed
    assert "Smart: tender, warm · arc · 30 min" in smart_index.data(Qt.ItemDataRole.ToolTipRole)
    static_icon = static_index.data(Qt.ItemDataRole.DecorationRole)
    smart_icon = smart_index.data(Qt.ItemDataRole.DecorationRole)
    assert not static_icon.isNull() and not smart_icon.isNull()
    assert static_icon.cacheKey() != smart_icon.cacheKey()

    with qtbot.waitSignal(sidebar.playlist_selected) as chosen:
        click(sidebar, qtbot, smart_index)
    assert chosen.args == [smart.id]


def test_rename_through_the_model(app: Application, qtbot: QtBot) -> None:
    sidebar = show(app, qtbot)
    playlist = app.playlists.create("Road trip", [PlaylistEntry(tid(app, FIRST))])
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Road trip"])
    index = playlist_index(sidebar, playlist.id)
    assert index.flags() & Qt.ItemFlag.ItemIsEditable
    assert sidebar.model.setData(index, "  Night   drive ")
    assert app.playlists.get(playlist.id).name == "Night drive"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Night drive"])
    assert not sidebar.model.setData(playlist_index(sidebar, playlist.id), "   ")  # blank: no
    app.scenes.undo_stack.undo()
    assert app.playlists.get(playlist.id).name == "Road trip"  # type: ignore[union-attr]


def test_f2_edits_the_name_in_place(app: Application, qtbot: QtBot) -> None:
    sidebar = show(app, qtbot)
    playlist = app.playlists.create("Road trip", [PlaylistEntry(tid(app, FIRST))])
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Road trip"])
    assert sidebar.select_playlist(playlist.id)
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_F2)
    editor = sidebar.tree.findChild(QLineEdit)
    assert editor is not None and editor.text() == "Road trip"
    editor.selectAll()
    qtbot.keyClicks(editor, "Coast road")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop turn
    qtbot.waitUntil(lambda: app.playlists.get(playlist.id).name == "Coast road")  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Coast road"])
    assert sidebar.current_playlist_id() == playlist.id


def test_a_taken_name_is_refused(app: Application, qtbot: QtBot, opened: list[QMessageBox]) -> None:
    sidebar = show(app, qtbot)
    first = app.playlists.create("Morning", [PlaylistEntry(tid(app, FIRST))])
    app.playlists.create("Evening", [PlaylistEntry(tid(app, PROMISE))])
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Evening", "Morning"])
    assert not sidebar.model.setData(playlist_index(sidebar, first.id), "evening")
    assert app.playlists.get(first.id).name == "Morning"  # type: ignore[union-attr]
    assert children(sidebar, Kind.PLAYLISTS) == ["Evening", "Morning"]
    assert len(opened) == 1
    assert "“evening”" in opened[0].text()
    assert opened[0].textFormat() == Qt.TextFormat.PlainText


def test_delete_key_then_undo_brings_the_playlist_back(app: Application, qtbot: QtBot) -> None:
    sidebar = show(app, qtbot)
    playlist = app.playlists.create("Road trip", [PlaylistEntry(tid(app, FIRST))])
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Road trip"])
    sidebar.select_playlist(playlist.id)
    messages: list[str] = []
    sidebar.status.connect(messages.append)
    with qtbot.waitSignal(sidebar.all_tracks_selected):  # what was shown is gone
        qtbot.keyClick(sidebar.tree, Qt.Key.Key_Delete)
    assert app.playlists.get(playlist.id) is None
    assert messages == ["Deleted “Road trip”. Undo with Ctrl+Z"]
    assert children(sidebar, Kind.PLAYLISTS) == []
    assert sidebar.current_item() == SidebarItem(Kind.ALL_TRACKS)

    app.scenes.undo_stack.undo()
    assert app.playlists.get(playlist.id) is not None
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Road trip"])


def test_the_selected_playlist_stays_selected_when_another_changes(
    app: Application, qtbot: QtBot
) -> None:
    sidebar = show(app, qtbot)
    keep = app.playlists.create("Morning", [PlaylistEntry(tid(app, FIRST))])
    other = app.playlists.create("Evening", [PlaylistEntry(tid(app, PROMISE))])
    qtbot.waitUntil(lambda: len(children(sidebar, Kind.PLAYLISTS)) == 2)
    sidebar.select_playlist(keep.id)
    chosen: list[int] = []
    sidebar.playlist_selected.connect(chosen.append)
    app.playlists.rename(other.id, "Zebra")  # now sorted after "Morning": rows move
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Morning", "Zebra"])
    assert sidebar.current_playlist_id() == keep.id
    app.playlists.add_tracks(keep.id, [tid(app, SERENADE)])  # its count changes
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS, 1) == ["2", "1"])
    assert sidebar.current_playlist_id() == keep.id
    assert chosen == []


def test_double_click_plays_and_the_menu_offers_the_playlist_commands(
    app: Application, qtbot: QtBot
) -> None:
    sidebar = show(app, qtbot)
    ids = [tid(app, t) for t in (SERENADE, PROMISE)]
    playlist = app.playlists.create("Road trip", [PlaylistEntry(t) for t in ids])
    qtbot.waitUntil(lambda: children(sidebar, Kind.PLAYLISTS) == ["Road trip"])
    messages: list[str] = []
    sidebar.status.connect(messages.append)
    index = playlist_index(sidebar, playlist.id)
    click(sidebar, qtbot, index)  # the first click of a double-click
    qtbot.mouseDClick(
        sidebar.tree.viewport(),
        Qt.MouseButton.LeftButton,
        pos=sidebar.tree.visualRect(index).center(),
    )
    assert app.player.queue.items == ids
    assert messages == ["Playing “Road trip”"]

    menu = sidebar.playlist_menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Play", "Enqueue", "Rename…", "Export…", "Delete"]
    assert all(a.isEnabled() and a.toolTip() for a in menu.actions() if not a.isSeparator())
    sidebar.enqueue_action.trigger()
    assert app.player.queue.items == ids + ids
    menu.deleteLater()

    sidebar.select_all_tracks()  # the commands are for playlists only
    assert not sidebar.delete_action.isEnabled()
    qtbot.keyClick(sidebar.tree, Qt.Key.Key_Delete)
    assert app.playlists.get(playlist.id) is not None
