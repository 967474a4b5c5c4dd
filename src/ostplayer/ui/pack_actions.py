"""The window's scene-pack actions: import a pack shared by other fans, export one's own notes.

Both ask for a file, then tell the listener in the status bar (or a message box, for what
went wrong) what happened. The import runs in the background through the scene service.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QStatusBar

if TYPE_CHECKING:
    from ostplayer.formats.pack import PackError
    from ostplayer.library.packs import PackImport
    from ostplayer.services.scenes import SceneService


class PackActions(QObject):
    """Import and export of scene packs, for ``window``'s menus."""

    def __init__(self, window: QMainWindow, scenes: SceneService) -> None:
        super().__init__(window)
        self._window = window
        self._scenes = scenes

    def _status_bar(self) -> QStatusBar:
        return self._window.statusBar()

    def import_scene_pack(self) -> None:
        """Ask for a scene pack file and import it in the background."""
        name, _filter = QFileDialog.getOpenFileName(
            self._window, self.tr("Import Scene Pack"), "", self.tr("Scene packs (*.json)")
        )
        if name:
            self._status_bar().showMessage(self.tr("Importing the scene pack…"))
            self._scenes.import_pack_file(Path(name), self._pack_imported)

    def _pack_imported(self, result: PackImport | PackError) -> None:
        if isinstance(result, Exception):  # a PackError: it names the entry and the field
            self._status_bar().clearMessage()
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Import Scene Pack"),
                self.tr("The scene pack was not imported; nothing changed."),
                QMessageBox.StandardButton.Ok,
                self._window,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)  # the message quotes the pack
            box.setInformativeText(str(result))
            box.exec()
            return
        matched = (
            self.tr("1 track matched")
            if result.matched == 1
            else self.tr("{n} tracks matched").format(n=result.matched)
        )
        done = self.tr(
            "Imported “{name}”: {matched}, {uncertain} uncertain, {unmatched} not found"
        ).format(
            name=result.name,
            matched=matched,
            uncertain=result.uncertain,
            unmatched=result.unmatched,
        )
        if result.uncertain or result.unmatched:
            done += self.tr(" — see Settings › Scene Packs")
        self._status_bar().showMessage(done, 15000)

    def export_my_notes(self) -> bool:
        """Save the listener's scene notes as a pack file; True when written."""
        name, _filter = QFileDialog.getSaveFileName(
            self._window,
            self.tr("Export My Notes as a Pack"),
            self.tr("My scene notes.json"),
            self.tr("Scene packs (*.json)"),
        )
        if not name:
            return False
        try:
            self._scenes.export_personal_pack(Path(name))
        except (OSError, ValueError) as error:  # PackError is a ValueError
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                self.tr("Export My Notes"),
                self.tr("Your notes could not be exported."),
                QMessageBox.StandardButton.Ok,
                self._window,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setInformativeText(str(error))
            box.exec()
            return False
        self._status_bar().showMessage(self.tr("Exported your notes to {file}.").format(file=name))
        return True
