"""The Problems view: every file the library could not read, and why."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.ui.plain import plain_tooltip

_Index = QModelIndex | QPersistentModelIndex

#: Reasons as the listener reads them.
REASONS = {
    "corrupt": "Damaged",
    "unsupported": "Not supported",
    "permission": "Permission denied",
    "vanished": "Vanished during the scan",
    "io-error": "Input/output error",
    "empty": "Empty file",
    "timed-out": "Timed out",
    "symlink-loop": "Symbolic link loop",
}


class ProblemsModel(QAbstractTableModel):
    """Rows of ``(path, reason, message)``: the file, the reason, the details."""

    COLUMNS = ("File", "Reason", "Details")

    def __init__(self, problems: list[tuple[Path, str, str]], parent: Any = None) -> None:
        super().__init__(parent)
        self._rows = problems

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        path, reason, message = self._rows[index.row()]
        if index.column() == 0:
            text = os.fspath(path)
        elif index.column() == 1:
            text = self.tr(REASONS.get(reason, reason))
        else:
            text = message
        return text if role == Qt.ItemDataRole.DisplayRole else plain_tooltip(text)


class ProblemsDialog(QDialog):
    """Lists the files the library could not read; nothing here is ever deleted."""

    def __init__(self, problems: list[tuple[Path, str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Files that could not be read"))
        self.resize(900, 420)
        summary = QLabel(
            self.tr("No problems: every file was read.")
            if not problems
            else self.tr(
                "{n} file(s) could not be read. They stay where they are; fix or replace them "
                "and rescan (F5)."
            ).format(n=len(problems))
        )
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        self.model = ProblemsModel(problems, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 460)
        header.resizeSection(1, 160)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
