"""Keyboard shortcuts: the commands a listener uses often have one, none clash, they work, and
Help › Keyboard Shortcuts lists them all from the window's own actions, searchably."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.ui.shortcuts import ShortcutColumn, ShortcutsDialog, plain_text, shortcut_rows

#: What a listener does often, and the keys for it.
EXPECTED = {
    "Play/Pause": "Space",
    "Next": "Ctrl+Right",
    "Previous": "Ctrl+Left",
    "Seek Forward 5 s": "Right",
    "Seek Back 5 s": "Left",
    "Volume Up": "Ctrl+Up",
    "Volume Down": "Ctrl+Down",
    "Mute": "M",
    "Stop": "Ctrl+.",
    "Shuffle": "Ctrl+U",
    "Filter…": "Ctrl+F",
    "Settings…": "Ctrl+,",
    "Quit": "Ctrl+Q",
    "Keyboard Shortcuts": "F1",
    "Add Note Here…": "Ctrl+N",
    "Episodes": "Ctrl+E",
    "Moods…": "Ctrl+M",
}


def open_shortcuts(app: Application, qtbot: QtBot) -> ShortcutsDialog:
    qtbot.keyClick(app.window.table, Qt.Key.Key_F1)
    dialog = app.window.findChild(ShortcutsDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def test_the_common_commands_have_their_keys(app: Application) -> None:
    rows = {row.command: row.keys.split(", ") for row in shortcut_rows(app.window)}
    missing = {command for command in EXPECTED if command not in rows}
    assert not missing, f"no shortcut for {missing}"
    wrong = {c: rows[c] for c, keys in EXPECTED.items() if keys not in rows[c]}
    assert not wrong, wrong


def test_no_two_window_actions_share_a_key(app: Application) -> None:
    keys: Counter[str] = Counter()
    owners: dict[str, list[str]] = {}
    for action in app.window.findChildren(QAction):
        if action.shortcutContext() == Qt.ShortcutContext.WidgetShortcut:
            continue  # only while its view has the keys: Delete may mean a view's own delete
        if not action.parent() or action not in app.window.actions():
            continue
        for key in action.shortcuts():
            name = key.toString()
            keys[name] += 1
            owners.setdefault(name, []).append(plain_text(action.text()))
    clashes = {k: owners[k] for k, n in keys.items() if n > 1}
    assert not clashes, clashes


def test_f1_lists_every_shortcut_grouped_by_menu(app: Application, qtbot: QtBot) -> None:
    dialog = open_shortcuts(app, qtbot)
    rows = dialog.visible_rows()
    groups = [row.group for row in rows]
    assert groups[0] == "File"
    assert {"File", "Playback", "Edit", "Scenes", "Playlists", "Tracks", "Help"} <= set(groups)
    # Grouped: each menu's rows come together, in the menu bar's order.
    firsts = list(dict.fromkeys(groups))
    assert firsts.index("File") < firsts.index("Playback") < firsts.index("Help")
    play = next(r for r in rows if r.command == "Play/Pause")
    assert (play.group, play.keys) == ("Playback", "Space")
    # The views' own keys are there too, named after their view.
    assert any(r.group.startswith("In ") and r.keys == "Del" for r in rows)
    model = dialog.table.model()
    assert model.headerData(ShortcutColumn.KEYS, Qt.Orientation.Horizontal) == "Shortcut"
    qtbot.waitUntil(dialog.search_edit.hasFocus, timeout=2000)  # type to search at once


def test_the_list_is_read_from_the_window_as_it_is(app: Application, qtbot: QtBot) -> None:
    extra = QAction("&Jump to the Chorus", app.window)
    extra.setShortcut(QKeySequence("Ctrl+J"))
    app.window.menuBar().actions()[1].menu().addAction(extra)  # the Playback menu
    rows = shortcut_rows(app.window)
    assert any(
        (r.group, r.command, r.keys) == ("Playback", "Jump to the Chorus", "Ctrl+J") for r in rows
    )


def test_the_search_keeps_matching_rows(app: Application, qtbot: QtBot) -> None:
    dialog = open_shortcuts(app, qtbot)
    everything = len(dialog.visible_rows())
    qtbot.keyClicks(dialog.search_edit, "volume")
    assert [r.command for r in dialog.visible_rows()] == ["Volume Up", "Volume Down"]
    dialog.search_edit.clear()
    qtbot.keyClicks(dialog.search_edit, "ctrl+,")
    assert [r.command for r in dialog.visible_rows()] == ["Settings…"]
    dialog.search_edit.setText("playback seek")  # every word, in any column
    assert {r.command for r in dialog.visible_rows()} == {"Seek Back 5 s", "Seek Forward 5 s"}
    dialog.search_edit.setText("nothing like this")
    assert dialog.visible_rows() == []
    dialog.search_edit.clear()
    assert len(dialog.visible_rows()) == everything


def test_volume_and_mute_keys_work(app: Application, qtbot: QtBot) -> None:
    window = app.window
    app.player.set_volume(50)
    window.transport.show_volume(50, False)
    qtbot.keyClick(window.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert app.player.volume() == 55
    assert window.transport.volume_slider.value() == 55
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert app.player.volume() == 45
    qtbot.keyClick(window.table, Qt.Key.Key_M)
    assert app.player.is_muted() and window.transport.mute_button.isChecked()
    qtbot.keyClick(window.table, Qt.Key.Key_M)
    assert not app.player.is_muted()
    # In the filter, M is a letter.
    window.filter_edit.setFocus()
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_M)
    assert window.filter_edit.text() == "m"
    assert not app.player.is_muted()


def test_shuffle_and_repeat_keys(app: Application, qtbot: QtBot) -> None:
    window = app.window
    qtbot.keyClick(window.table, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    assert app.player.queue.shuffle and window.transport.shuffle_button.isChecked()
    qtbot.keyClick(window.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.transport.repeat_button.text() == "Repeat: all"
