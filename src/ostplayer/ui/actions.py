"""Making the window's actions, the same way wherever they are defined."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


def window_action(
    window: QWidget,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
    slot: Callable[[], object],
) -> QAction:
    """An action of ``window`` that runs ``slot``; its shortcut works even with the menu bar
    hidden, since the action is added to the window itself."""
    act = QAction(text, window)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
    act.triggered.connect(slot)
    window.addAction(act)
    return act
