"""Every control says what it is: an accessible name (for screen readers) and a tooltip.

Opens the main window and the Settings, Moods, playlist builder and keyboard shortcuts dialogs,
walks every visible control in them (each tab of a tab widget in turn) and fails with the list of
those that lack either.
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ostplayer.app import Application

CONTROLS = (
    QAbstractButton,
    QAbstractSlider,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTabWidget,
    QTabBar,
)
#: Parts of a control that belong to it (a combo box's list, a line edit's clear button, a
#: view's scroll bars and headers, a tab widget's bar): the control speaks for them.
OWNERS = (QComboBox, QLineEdit, QAbstractSpinBox, QTabBar, QTabWidget, QAbstractScrollArea)


def _part_of_another_control(widget: QWidget, top: QWidget) -> bool:
    if isinstance(widget, (QScrollBar, QHeaderView)):
        return True
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, OWNERS) and not (
            isinstance(parent, QAbstractScrollArea) and not isinstance(parent, QAbstractItemView)
        ):
            # A scroll area (not an item view) holds whole pages of controls: they count.
            return not (isinstance(parent, QTabWidget) and not isinstance(widget, QTabBar))
        parent = parent.parentWidget()
    return False


def _describe(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    where = []
    node = widget.parentWidget()
    while node is not None and len(where) < 3:
        where.append(node.accessibleName() or type(node).__name__)
        node = node.parentWidget()
    return f"{type(widget).__name__} {text!r} in {' < '.join(where)}"


def controls(top: QWidget) -> Iterator[QWidget]:
    """The visible controls of ``top`` (a window or dialog), each tab widget's tabs in turn."""
    seen: set[int] = set()

    def walk() -> Iterator[QWidget]:
        for widget in top.findChildren(QWidget):
            if id(widget) in seen or not widget.isVisible():
                continue
            if isinstance(widget, CONTROLS) and not _part_of_another_control(widget, top):
                seen.add(id(widget))
                yield widget

    yield from walk()
    for tabs in top.findChildren(QTabWidget):
        if not tabs.isVisible():
            continue
        current = tabs.currentIndex()
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            yield from walk()
        tabs.setCurrentIndex(current)


def offenders(top: QWidget) -> list[str]:
    """The controls of ``top`` without an accessible name or a tooltip, described."""
    found = []
    for widget in controls(top):
        missing = [
            what
            for what, value in (("name", widget.accessibleName()), ("tooltip", widget.toolTip()))
            if not value.strip()
        ]
        if isinstance(widget, QTabWidget):
            bare = [widget.tabText(i) for i in range(widget.count()) if not widget.tabToolTip(i)]
            if bare:
                missing.append(f"tab tooltips for {bare}")
        if missing:
            found.append(f"{_describe(widget)}: no {', no '.join(missing)}")
    return found


def test_the_main_window(app: Application, qtbot: QtBot) -> None:
    window = app.window
    qtbot.waitUntil(lambda: window._sidebar is not None, timeout=5000)
    window.table.selectRow(0)
    window.play_pause_action.trigger()  # the now-playing area and the scene panel fill in
    qtbot.wait(100)
    window.show_welcome()  # the first run's banner, with its button
    found = offenders(window)
    from ostplayer.domain.playlist import PlaylistEntry

    playlist = app.playlists.create("Mine", [PlaylistEntry(t.id) for t in app.library.tracks()])
    window._show_playlist(playlist.id)  # the playlist view, in the Tracks tab
    found += offenders(window)
    assert not found, "controls without a name or tooltip:\n" + "\n".join(sorted(set(found)))


def test_the_settings_dialog(app: Application, qtbot: QtBot) -> None:
    dialog = app.window.show_settings()
    qtbot.waitExposed(dialog)
    found = offenders(dialog)
    assert not found, "controls without a name or tooltip:\n" + "\n".join(sorted(set(found)))


def test_the_moods_dialog(app: Application, qtbot: QtBot) -> None:
    app.window.table.selectRow(0)
    app.window.mood_actions.edit_moods()
    dialog = next(d for d in app.window.findChildren(QDialog) if d.isVisible())
    qtbot.waitExposed(dialog)
    found = offenders(dialog)
    dialog.reject()
    assert not found, "controls without a name or tooltip:\n" + "\n".join(sorted(set(found)))


def test_the_playlist_builder(app: Application, qtbot: QtBot) -> None:
    app.window.mood_actions.show_playlist_builder()
    dialog = app.window.mood_actions._builder
    assert dialog is not None
    qtbot.waitExposed(dialog)
    found = offenders(dialog)
    dialog.close()
    assert not found, "controls without a name or tooltip:\n" + "\n".join(sorted(set(found)))


def test_the_shortcuts_dialog(app: Application, qtbot: QtBot) -> None:
    dialog = app.window.show_shortcuts()
    qtbot.waitExposed(dialog)
    found = offenders(dialog)
    assert not found, "controls without a name or tooltip:\n" + "\n".join(sorted(set(found)))
