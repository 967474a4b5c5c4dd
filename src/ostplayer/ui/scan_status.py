"""The scan's place in the status bar: a progress bar (files read of files found), Cancel, and
a one-line report when the scan ends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, QObject
from PySide6.QtWidgets import QProgressBar, QPushButton, QStatusBar

if TYPE_CHECKING:
    from ostplayer.library.scanner import ScanReport
    from ostplayer.services.library import LibraryService


class ScanStatus(QObject):
    """Shows ``library``'s scans in ``status_bar``; hidden while no scan runs."""

    def __init__(self, status_bar: QStatusBar, library: LibraryService) -> None:
        super().__init__(status_bar)
        self._status_bar = status_bar
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setAccessibleName(self.tr("Scan progress"))
        self.progress.setToolTip(self.tr("Files read of the files found"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel the scan"))
        self.cancel_button.setToolTip(self.tr("Stop the scan; what it has read stays"))
        self.cancel_button.clicked.connect(library.cancel_scan)
        for widget in (self.progress, self.cancel_button):
            status_bar.addPermanentWidget(widget)
            widget.hide()
        library.scan_started.connect(self._started)
        library.scan_progress.connect(self._progressed)
        library.scan_finished.connect(self._finished)
        library.scan_failed.connect(self._failed)

    def _started(self) -> None:
        self.progress.setRange(0, 0)  # busy until the first file is read
        self.progress.show()
        self.cancel_button.show()
        self._status_bar.showMessage(self.tr("Looking for music…"))

    def _progressed(self, done: int, total: int, folder: str) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)
        locale = QLocale()
        self.progress.setFormat(
            self.tr("{done} of {total}").format(
                done=locale.toString(done), total=locale.toString(total)
            )
        )
        self._status_bar.showMessage(self.tr("Reading {folder}").format(folder=folder))

    def _finished(self, report: ScanReport) -> None:
        self._hide()
        text = self.tr(
            "{added} added, {updated} updated, {removed} removed, {problems} could not be read"
        ).format(
            added=report.added,
            updated=report.updated,
            removed=report.removed,
            problems=len(report.problems),
        )
        if report.cancelled:
            text = self.tr("Scan cancelled: ") + text
        if report.unavailable:
            names = ", ".join(str(p) for p in report.unavailable)
            text += self.tr(". Unavailable, kept as it was: {folders}").format(folders=names)
        self._status_bar.showMessage(text)

    def _failed(self, message: str) -> None:
        self._hide()
        self._status_bar.showMessage(message)

    def _hide(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
