"""The Settings dialog's desktop pages: Audio (output device, ReplayGain), Window (theme, tray,
notifications) and Data (the data folder, and restoring a backup).

The pages only save the choice in :class:`~ostplayer.ui.preferences.Preferences`; the window
applies each change at once (to the engine, the theme, the tray) and at every start.

Restoring a backup never replaces the database while it is open: the Data page checks the
backup, asks for it to be restored at the next start (:func:`ostplayer.store.backup.
stage_restore`), and ends the app with :data:`RESTART_EXIT_CODE`; ``run_gui`` then starts it
again, and the new start backs up the library as it is and puts the backup in its place.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
    QUrl,
)
from PySide6.QtGui import QDesktopServices, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ostplayer.paths import AppPaths
from ostplayer.playback.engine import ReplayGainMode
from ostplayer.services.player import PlayerService
from ostplayer.store.backup import (
    Backup,
    BackupError,
    Reason,
    list_backups,
    pending_restore,
    stage_restore,
)
from ostplayer.ui.preferences import (
    CLOSE_TO_TRAY,
    NOTIFY_TRACK_CHANGE,
    OUTPUT_DEVICE,
    REPLAY_GAIN,
    THEME,
    Preferences,
    Setting,
    Theme,
)
from ostplayer.ui.settings import SettingsDialog

#: The app's exit code that asks ``run_gui`` to start it again (a restore waits for the start).
RESTART_EXIT_CODE = 75

_Index = QModelIndex | QPersistentModelIndex
#: The role that gives a row's :class:`~ostplayer.store.backup.Backup`.
BACKUP_ROLE = Qt.ItemDataRole.UserRole + 1


def request_restart() -> None:
    """End the app so that it starts again (the window's close-to-tray does not hold it)."""
    QCoreApplication.exit(RESTART_EXIT_CODE)


def _label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _buddy(text: str, field: QWidget) -> QLabel:
    """A form label whose mnemonic (Alt+letter) puts the keys in ``field``."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


def _button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)  # Enter in the dialog must not press it
    button.setAccessibleName(text.replace("&", ""))
    button.setToolTip(tip)
    return button


class AudioPage(QWidget):
    """Where the sound goes (libvlc's devices) and how ReplayGain evens out loudness."""

    def __init__(
        self, preferences: Preferences, player: PlayerService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self._player = player
        self.setAccessibleName(self.tr("Audio"))

        self.device_combo = QComboBox()
        self.device_combo.setAccessibleName(self.tr("Audio output device"))
        self.device_combo.setToolTip(self.tr("Where OST Player plays its sound; changes at once"))
        self.device_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.refresh_button = _button(
            self.tr("&Refresh"), self.tr("Look again for devices (after plugging headphones in)")
        )
        self.replay_gain_combo = QComboBox()
        self.replay_gain_combo.setAccessibleName(self.tr("ReplayGain"))
        self.replay_gain_combo.setToolTip(
            self.tr("Play tracks at the loudness their ReplayGain tags ask for")
        )
        for mode, text in (
            (ReplayGainMode.OFF, self.tr("Off: play files as they are")),
            (ReplayGainMode.TRACK, self.tr("Track: every track equally loud")),
            (ReplayGainMode.ALBUM, self.tr("Album: every album equally loud")),
        ):
            self.replay_gain_combo.addItem(text, mode.value)

        #: Why the chosen device is not used, or empty.
        self.status_label = _label("")
        self.status_label.setAccessibleName(self.tr("Audio status"))

        device_row = QHBoxLayout()
        device_row.addWidget(self.device_combo)
        device_row.addWidget(self.refresh_button)
        device_row.addStretch(1)
        form = QFormLayout()
        # Choices at their own width, not stretched across the page.
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(_buddy(self.tr("&Output device:"), self.device_combo), device_row)
        form.addRow(_buddy(self.tr("Replay&Gain:"), self.replay_gain_combo), self.replay_gain_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            _label(
                self.tr(
                    "ReplayGain uses the gain values that taggers such as MusicBrainz Picard or "
                    "foobar2000 write into the files. Files without them play as they are."
                )
            )
        )
        layout.addWidget(self.status_label)
        layout.addStretch(1)

        self.device_combo.activated.connect(self._device_chosen)
        self.replay_gain_combo.activated.connect(self._replay_gain_chosen)
        self.refresh_button.clicked.connect(self.refresh)
        player.engine_attached.connect(lambda _engine: self.refresh())
        preferences.changed.connect(self._changed)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # a device may have come or gone while the page was hidden

    def refresh(self) -> None:
        """List libvlc's devices, "System default" first, and select the saved choice."""
        engine = self._player.engine
        devices = engine.output_devices() if engine is not None else []
        saved = self._preferences.get(OUTPUT_DEVICE)
        with QSignalBlocker(self.device_combo):
            self.device_combo.clear()
            self.device_combo.addItem(self.tr("System default"), None)
            for device in devices:
                # A device's description comes from the sound system: a view item, plain text.
                self.device_combo.addItem(device.description, device.id)
            index = self.device_combo.findData(saved) if saved is not None else 0
            self.device_combo.setCurrentIndex(max(0, index))
        if saved is not None and index < 0 and engine is not None:
            self.status_label.setText(
                self.tr(
                    "The device “{device}” is not connected; playing to the system default. It "
                    "is used again when it comes back."
                ).format(device=saved)
            )
        else:
            self.status_label.setText("")
        with QSignalBlocker(self.replay_gain_combo):
            mode = self._preferences.get(REPLAY_GAIN)
            self.replay_gain_combo.setCurrentIndex(self.replay_gain_combo.findData(mode.value))

    def _device_chosen(self, index: int) -> None:
        self._preferences.set(OUTPUT_DEVICE, self.device_combo.itemData(index))

    def _replay_gain_chosen(self, index: int) -> None:
        self._preferences.set(REPLAY_GAIN, ReplayGainMode(self.replay_gain_combo.itemData(index)))

    def _changed(self, setting: Setting[object]) -> None:
        if setting in (OUTPUT_DEVICE, REPLAY_GAIN):
            self.refresh()


class WindowPage(QWidget):
    """The colours, and how the window lives with the desktop: tray and notifications."""

    def __init__(
        self, preferences: Preferences, tray_available: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._preferences = preferences
        self.setAccessibleName(self.tr("Window"))

        self.theme_combo = QComboBox()
        self.theme_combo.setAccessibleName(self.tr("Theme"))
        self.theme_combo.setToolTip(self.tr("Light or dark colours, or as the desktop has them"))
        for theme, text in (
            (Theme.SYSTEM, self.tr("Follow the system")),
            (Theme.LIGHT, self.tr("Light")),
            (Theme.DARK, self.tr("Dark")),
        ):
            self.theme_combo.addItem(text, theme.value)
        self.close_to_tray_check = QCheckBox(
            self.tr("&Closing the window keeps playing in the tray")
        )
        self.close_to_tray_check.setAccessibleName(self.tr("Close to the tray"))
        self.close_to_tray_check.setToolTip(
            self.tr("The window hides in the tray; Quit in the tray's menu ends OST Player")
        )
        self.notify_check = QCheckBox(self.tr("&Notify me when the track changes"))
        self.notify_check.setAccessibleName(self.tr("Notify on track change"))
        self.notify_check.setToolTip(
            self.tr(
                "A desktop notification with the title and artist, unless the window is in front"
            )
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(_buddy(self.tr("&Theme:"), self.theme_combo), self.theme_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.close_to_tray_check)
        layout.addWidget(self.notify_check)
        if not tray_available:
            for check in (self.close_to_tray_check, self.notify_check):
                check.setEnabled(False)
            note = _label(self.tr("This desktop has no system tray, so these are not available."))
            note.setAccessibleName(self.tr("Tray status"))
            layout.addWidget(note)
        layout.addStretch(1)

        self.theme_combo.activated.connect(
            lambda i: preferences.set(THEME, Theme(self.theme_combo.itemData(i)))
        )
        self.close_to_tray_check.toggled.connect(lambda on: preferences.set(CLOSE_TO_TRAY, on))
        self.notify_check.toggled.connect(lambda on: preferences.set(NOTIFY_TRACK_CHANGE, on))
        preferences.changed.connect(lambda _setting: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        """Show the saved choices."""
        preferences = self._preferences
        with QSignalBlocker(self.theme_combo):
            self.theme_combo.setCurrentIndex(
                self.theme_combo.findData(preferences.get(THEME).value)
            )
        for check, setting in (
            (self.close_to_tray_check, CLOSE_TO_TRAY),
            (self.notify_check, NOTIFY_TRACK_CHANGE),
        ):
            with QSignalBlocker(check):
                check.setChecked(preferences.get(setting))


class DataPage(QWidget):
    """Where the library, the notes and the settings are kept, and its backups."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._paths = AppPaths(data_dir)
        self.setAccessibleName(self.tr("Data"))
        self.path_label = _label(os.fspath(data_dir))  # a path is never markup
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setAccessibleName(self.tr("Data folder"))
        self.open_button = _button(
            self.tr("&Open Data Folder"), self.tr("Show the data folder in the file manager")
        )
        self.open_button.clicked.connect(self.open_folder)
        self.restore_button = _button(
            self.tr("&Restore from Backup…"),
            self.tr("Put your library back as it was in one of its backups"),
        )
        self.restore_button.clicked.connect(self.show_restore)
        self.status_label = _label("")
        self.status_label.setAccessibleName(self.tr("Data folder status"))
        explain = _label(
            self.tr(
                "Your library, scene notes, moods, playlists and these settings are kept in "
                "this folder (library.sqlite3). A backup is made each day at start (the last "
                "seven are kept) and before each upgrade, in its backups folder. Start OST "
                "Player with --data-dir to use another folder."
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.restore_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_label(self.tr("Data folder:")))
        layout.addWidget(self.path_label)
        layout.addLayout(row)
        layout.addWidget(explain)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        self._dialog: RestoreDialog | None = None

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if pending_restore(self._paths.database) is not None:
            self.status_label.setText(
                self.tr("A backup will be restored when OST Player starts again.")
            )

    def open_folder(self) -> bool:
        """Open the data folder in the desktop's file manager; False (and why) when it could not."""
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(os.fspath(self._data_dir)))
        self.status_label.setText(
            "" if opened else self.tr("No file manager could open the folder; its path is above.")
        )
        return opened

    def show_restore(self) -> RestoreDialog:
        """Open the list of backups to restore one from."""
        if self._dialog is None:
            self._dialog = RestoreDialog(self._paths, self)
        self._dialog.refresh()
        if self._dialog.isVisible():  # behind the Settings dialog, perhaps
            self._dialog.raise_()
        self._dialog.show()
        self._dialog.activateWindow()
        return self._dialog


class BackupColumn(enum.IntEnum):
    """The backup table's columns, in order."""

    TAKEN = 0
    REASON = 1
    SIZE = 2


class BackupTableModel(QAbstractTableModel):
    """The backups as rows, newest first: when, why, how big."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._backups: list[Backup] = []

    def set_backups(self, backups: list[Backup]) -> None:
        """Show these backups."""
        self.beginResetModel()
        self._backups = list(backups)
        self.endResetModel()

    def backup(self, row: int) -> Backup:
        """The backup at ``row``."""
        return self._backups[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._backups)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(BackupColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            BackupColumn.TAKEN: self.tr("Taken"),
            BackupColumn.REASON: self.tr("Why"),
            BackupColumn.SIZE: self.tr("Size"),
        }[BackupColumn(section)]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        backup = self._backups[index.row()]
        column = BackupColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column == BackupColumn.TAKEN:
                return taken_text(backup)
            if column == BackupColumn.REASON:
                return self.reason_text(backup)
            return QLocale().formattedDataSize(backup.size)
        if role == BACKUP_ROLE:
            return backup
        if role == Qt.ItemDataRole.ToolTipRole:
            return os.fspath(backup.path)  # a view shows item text as plain text
        if role == Qt.ItemDataRole.TextAlignmentRole and column == BackupColumn.SIZE:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def reason_text(self, backup: Backup) -> str:
        """Why the backup was made, for people."""
        if backup.reason is Reason.DAILY:
            return self.tr("Daily, at start")
        if backup.reason is Reason.MIGRATION:
            return self.tr("Before an upgrade")
        if backup.reason is Reason.RESTORE:
            return self.tr("Before a restore")
        return self.tr("Made with “ostplayer backup”")


def taken_text(backup: Backup) -> str:
    """When a backup was taken, as the listener's locale writes it."""
    return QLocale().toString(QDateTime(backup.taken_at), QLocale.FormatType.ShortFormat)


class RestoreDialog(QDialog):
    """The backups of the library; one of them, chosen and confirmed, replaces it at a restart."""

    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self.setWindowTitle(self.tr("Restore from Backup"))
        self.model = BackupTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Backups"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(BackupColumn.TAKEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(BackupColumn.REASON, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(BackupColumn.SIZE, QHeaderView.ResizeMode.ResizeToContents)
        self.status_label = _label("")
        self.status_label.setAccessibleName(self.tr("Restore status"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = buttons.addButton(
            self.tr("&Restore…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.restore_button.setToolTip(
            self.tr("Replace your library with the chosen backup; OST Player starts again")
        )
        self.restore_button.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.restore_selected)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _label(
                self.tr(
                    "Choose the backup to go back to. What you changed after it was taken is "
                    "lost; your library as it is now is backed up first, so you can come back "
                    "to it."
                )
            )
        )
        layout.addWidget(self.table)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def refresh(self) -> None:
        """List the backups again, newest first, and select the newest."""
        backups = list_backups(self._paths.backups_dir)
        self.model.set_backups(backups)
        if backups:
            self.table.selectRow(0)
            self.status_label.setText("")
        else:
            self.status_label.setText(
                self.tr("There is no backup yet: one is made each day when OST Player starts.")
            )
        self._update_buttons()

    def selected_backup(self) -> Backup | None:
        """The chosen backup, or ``None``."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.backup(rows[0].row()) if rows else None

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.selected_backup() is not None)

    def restore_selected(self) -> bool:
        """Ask, check the backup, and restart to restore it; True when the restart was asked."""
        backup = self.selected_backup()
        if backup is None or not self._confirm(backup):
            return False
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            stage_restore(backup.path, self._paths.database)  # reads the backup once, whole
        except BackupError as exc:
            self.status_label.setText(
                self.tr("This backup cannot be restored: {reason}").format(reason=exc)
            )
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.status_label.setText(self.tr("OST Player is starting again to restore the backup…"))
        request_restart()
        return True

    def _confirm(self, backup: Backup) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Restore from Backup"),
            self.tr("Go back to the backup from {time}?").format(time=taken_text(backup)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            self.tr(
                "Notes, moods and playlists changed since then are lost. Your library as it is "
                "now is backed up first. OST Player closes and starts again to do it."
            )
        )
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Restore and Restart"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes


@dataclass(frozen=True, slots=True)
class DesktopPages:
    """The pages :func:`add_desktop_pages` added."""

    audio: AudioPage
    window: WindowPage
    data: DataPage


def add_desktop_pages(
    dialog: SettingsDialog,
    preferences: Preferences,
    player: PlayerService,
    data_dir: Path,
    tray_available: bool,
) -> DesktopPages:
    """Add the Audio, Window and Data pages to the Settings dialog."""
    audio = AudioPage(preferences, player)
    dialog.add_page(
        audio, dialog.tr("A&udio"), dialog.tr("The output device and ReplayGain loudness")
    )
    window = WindowPage(preferences, tray_available)
    dialog.add_page(
        window, dialog.tr("&Window"), dialog.tr("Theme, tray icon and track notifications")
    )
    data = DataPage(data_dir)
    dialog.add_page(data, dialog.tr("Da&ta"), dialog.tr("Where your library and notes are kept"))
    return DesktopPages(audio, window, data)
