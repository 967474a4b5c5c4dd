"""The desktop settings (theme, tray, notifications, audio output, ReplayGain), declared once.

Each setting has its state key, its type and its default here; they are kept in the app's state
store (the database in the data dir), never in QSettings, so ``--data-dir`` moves them too and
tests never touch the listener's own. :class:`Preferences` reads them with their defaults when
missing or unreadable, and says when one changes.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from ostplayer.playback.engine import ReplayGainMode
from ostplayer.store.database import StoreError
from ostplayer.store.state import (
    CLOSE_TO_TRAY_KEY,
    NOTIFY_KEY,
    OUTPUT_DEVICE_KEY,
    REPLAY_GAIN_KEY,
    THEME_KEY,
    StateRepository,
)

log = logging.getLogger(__name__)

T = TypeVar("T")


class Theme(enum.Enum):
    """The window's colours: as the desktop has them, or always light, or always dark."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """One setting: where it is kept, and its value when it was never set."""

    key: str
    default: T


THEME = Setting(THEME_KEY, Theme.SYSTEM)
CLOSE_TO_TRAY = Setting(CLOSE_TO_TRAY_KEY, False)
NOTIFY_TRACK_CHANGE = Setting(NOTIFY_KEY, False)
OUTPUT_DEVICE: Setting[str | None] = Setting(OUTPUT_DEVICE_KEY, None)
REPLAY_GAIN = Setting(REPLAY_GAIN_KEY, ReplayGainMode.OFF)


def _decode(setting: Setting[Any], raw: Any) -> Any:
    """The stored JSON value as the setting's type, or its default when it does not fit."""
    default = setting.default
    if isinstance(default, enum.Enum):
        try:
            return type(default)(raw)
        except ValueError:
            return default
    if isinstance(default, bool):
        return raw if isinstance(raw, bool) else default
    if setting is OUTPUT_DEVICE:
        return raw if isinstance(raw, str) and raw else None
    return raw if isinstance(raw, type(default)) else default


class Preferences(QObject):
    """The desktop settings, read from and saved to the state store."""

    #: A setting changed: its :class:`Setting`.
    changed = Signal(object)

    def __init__(self, state: StateRepository, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._unsaved: dict[str, Any] = {}  # choices the database refused: kept for this run

    def get(self, setting: Setting[T]) -> T:
        """The setting's value (its default when never set or unreadable)."""
        if setting.key in self._unsaved:
            return self._unsaved[setting.key]  # type: ignore[no-any-return]
        raw = self._state.get(setting.key, None)
        return setting.default if raw is None else _decode(setting, raw)

    def set(self, setting: Setting[T], value: T) -> None:
        """Save a new value (one transaction) and say so when it changed.

        A choice the database refuses (a full disk, a read-only data folder) still applies
        until the app quits: a setting is not worth stopping the listener for.
        """
        if value == self.get(setting):
            return
        stored = value.value if isinstance(value, enum.Enum) else value
        try:
            self._state.set(setting.key, stored)
            self._unsaved.pop(setting.key, None)
        except StoreError:
            log.warning("the setting %s was not saved; it applies until the app quits", setting.key)
            self._unsaved[setting.key] = value
        self.changed.emit(setting)


# -- the theme ---------------------------------------------------------------------------------
_SCHEMES = {
    Theme.SYSTEM: Qt.ColorScheme.Unknown,
    Theme.LIGHT: Qt.ColorScheme.Light,
    Theme.DARK: Qt.ColorScheme.Dark,
}


def dark_palette() -> QPalette:
    """A dark palette for the Fusion style, for desktops that cannot switch Qt to dark."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.ToolTipBase: "#3a3a3a",
        QPalette.ColorRole.ToolTipText: "#f0f0f0",
        QPalette.ColorRole.PlaceholderText: "#8c8c8c",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#353535",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Light: "#4a4a4a",
        QPalette.ColorRole.Midlight: "#3e3e3e",
        QPalette.ColorRole.Mid: "#2f2f2f",
        QPalette.ColorRole.Dark: "#1a1a1a",
        QPalette.ColorRole.Shadow: "#0d0d0d",
        QPalette.ColorRole.Highlight: "#3d7bd9",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6ea8ff",
        QPalette.ColorRole.LinkVisited: "#b48cff",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def apply_theme(theme: Theme) -> None:
    """Switch the app's colours to ``theme``.

    Qt 6.8's ``QStyleHints.setColorScheme`` asks the platform (Windows, macOS, and Linux desktops
    whose Qt theme supports it). Where the platform does not follow (plain X11, the offscreen
    platform), the scheme stays as it was, so a light or dark palette is set on the app instead,
    and "follow the system" puts the platform's own palette back.
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    hints = QGuiApplication.styleHints()
    scheme = _SCHEMES[theme]
    if scheme == Qt.ColorScheme.Unknown:
        hints.unsetColorScheme()
    else:
        hints.setColorScheme(scheme)
    followed = scheme == Qt.ColorScheme.Unknown or hints.colorScheme() == scheme
    if followed:
        app.setPalette(QPalette())  # the platform's palette for its (now chosen) scheme
    elif theme is Theme.DARK:
        app.setPalette(dark_palette())
    else:
        app.setPalette(app.style().standardPalette())
