"""Help › Keyboard Shortcuts: every action that has a key, read from the window as it is.

The list is built when the dialog opens, from the menu bar (grouped by menu, in menu order) and
then from the actions of the views that only work while they have the keys (Delete in the scene
list, F2 in the sidebar...), grouped by view. A shortcut added anywhere shows up by itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.ui.plain import plain_tooltip

_Index = QModelIndex | QPersistentModelIndex


class ShortcutColumn(enum.IntEnum):
    """The table's columns, in order."""

    GROUP = 0
    COMMAND = 1
    KEYS = 2


_HEADERS = {
    ShortcutColumn.GROUP: "Where",
    ShortcutColumn.COMMAND: "Command",
    ShortcutColumn.KEYS: "Shortcut",
}


@dataclass(frozen=True, slots=True)
class ShortcutRow:
    """One command and its keys, in the words of the menus."""

    group: str
    command: str
    keys: str
    tip: str = ""


def plain_text(text: str) -> str:
    """A menu text without its mnemonic marks ("&Play" → "Play", "R&&B" → "R&B")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def keys_text(action: QAction) -> str:
    """The action's shortcuts as the platform writes them ("Ctrl+Right", "Ctrl+,")."""
    return ", ".join(
        key.toString(QKeySequence.SequenceFormat.NativeText)
        for key in action.shortcuts()
        if not key.isEmpty()
    )


def _menu_rows(menu: QMenu, group: str, seen: set[int]) -> list[ShortcutRow]:
    rows: list[ShortcutRow] = []
    for action in menu.actions():
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            rows += _menu_rows(submenu, f"{group} › {plain_text(submenu.title())}", seen)
            continue
        if action.isSeparator() or id(action) in seen:
            continue
        keys = keys_text(action)
        if keys:
            seen.add(id(action))
            rows.append(ShortcutRow(group, plain_text(action.text()), keys, action.toolTip()))
    return rows


def _area_name(widget: QWidget) -> str:
    """The name of the view an action belongs to: its own accessible name or its parent's."""
    node: QWidget | None = widget
    while node is not None:
        if node.accessibleName():
            return node.accessibleName()
        node = node.parentWidget()
    return widget.objectName() or type(widget).__name__


def shortcut_rows(window: QMainWindow) -> list[ShortcutRow]:
    """Every action of ``window`` that has a shortcut: menus first, then the views'."""
    seen: set[int] = set()
    rows: list[ShortcutRow] = []
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu):
            rows += _menu_rows(menu, plain_text(menu.title()), seen)
    for widget in window.findChildren(QWidget):
        for action in widget.actions():
            keys = keys_text(action)
            if not keys or id(action) in seen or action.menu() is not None:
                continue
            seen.add(id(action))
            # Only while that view has the keys: say where, in the listener's words.
            group = window.tr("In {area}").format(area=_area_name(widget))
            rows.append(ShortcutRow(group, plain_text(action.text()), keys, action.toolTip()))
    for action in window.actions():  # on the window itself but in no menu
        keys = keys_text(action)
        if keys and id(action) not in seen:
            seen.add(id(action))
            rows.append(
                ShortcutRow(window.tr("Window"), plain_text(action.text()), keys, action.toolTip())
            )
    return rows


class ShortcutTableModel(QAbstractTableModel):
    """The shortcuts as rows: group (menu or view), command, keys."""

    def __init__(self, rows: list[ShortcutRow], parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = list(rows)

    def row(self, row: int) -> ShortcutRow:
        """The shortcut on ``row``."""
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(ShortcutColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(_HEADERS[ShortcutColumn(section)])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = ShortcutColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.group, row.command, row.keys)[column]
        if role == Qt.ItemDataRole.ToolTipRole and row.tip and row.tip != row.command:
            return plain_tooltip(row.tip)
        return None


class ShortcutFilter(QSortFilterProxyModel):
    """Keeps the rows whose group, command or keys contain every word typed."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        """Show only the rows that match ``text`` (empty: all)."""
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        if not self._words or not isinstance(model, ShortcutTableModel):
            return True
        row = model.row(source_row)
        haystack = f"{row.group} {row.command} {row.keys}".casefold()
        return all(word in haystack for word in self._words)


class ShortcutsDialog(QDialog):
    """The table of keyboard shortcuts, with a search field."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle(self.tr("Keyboard Shortcuts"))
        self.resize(640, 520)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Search commands and keys"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("Search shortcuts"))
        self.search_edit.setToolTip(self.tr("Type words of a command, a menu or a key"))

        self.model = ShortcutTableModel(shortcut_rows(window), self)
        self.proxy = ShortcutFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        vertical = self.table.verticalHeader()
        vertical.hide()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # one line a row
        vertical.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setToolTip(self.tr("Every command that has a key, by menu"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(ShortcutColumn.GROUP, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ShortcutColumn.COMMAND, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ShortcutColumn.KEYS, QHeaderView.ResizeMode.ResizeToContents)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName(self.tr("Close"))
        close.setToolTip(self.tr("Close the list of shortcuts"))
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.search_edit.textChanged.connect(self.proxy.set_text)
        self.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def visible_rows(self) -> list[ShortcutRow]:
        """The rows the search leaves, in order."""
        return [
            self.model.row(self.proxy.mapToSource(self.proxy.index(r, 0)).row())
            for r in range(self.proxy.rowCount())
        ]
