"""The Settings dialog's desktop pages: Audio (output device, ReplayGain), Window (theme, tray,
notifications) and Data (the data folder).

The pages only save the choice in :class:`~ostplayer.ui.preferences.Preferences`; the window
applies each change at once (to the engine, the theme, the tray) and at every start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ostplayer.playback.engine import ReplayGainMode
from ostplayer.services.player import PlayerService
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
    """Where the library, the notes and the settings are kept."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self.setAccessibleName(self.tr("Data"))
        self.path_label = _label(os.fspath(data_dir))  # a path is never markup
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path_label.setAccessibleName(self.tr("Data folder"))
        self.open_button = _button(
            self.tr("&Open Data Folder"), self.tr("Show the data folder in the file manager")
        )
        self.open_button.clicked.connect(self.open_folder)
        self.status_label = _label("")
        self.status_label.setAccessibleName(self.tr("Data folder status"))
        explain = _label(
            self.tr(
                "Your library, scene notes, moods, playlists and these settings are kept in "
                "this folder (library.sqlite3, with rotating backups). Start OST Player with "
                "--data-dir to use another one."
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(_label(self.tr("Data folder:")))
        layout.addWidget(self.path_label)
        layout.addLayout(row)
        layout.addWidget(explain)
        layout.addWidget(self.status_label)
        layout.addStretch(1)

    def open_folder(self) -> bool:
        """Open the data folder in the desktop's file manager; False (and why) when it could not."""
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(os.fspath(self._data_dir)))
        self.status_label.setText(
            "" if opened else self.tr("No file manager could open the folder; its path is above.")
        )
        return opened


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
