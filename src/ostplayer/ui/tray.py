"""The tray icon: play/pause, next, previous, show or hide the window, quit; the current track in
its tooltip; and the optional notification when the track changes.

Text from tags reaches three kinds of notification and tooltip, each with its own rules, and is
shown as plain text in every one:

- a desktop notification service over D-Bus (Linux desktops with a StatusNotifier tray, where Qt
  sends ``org.freedesktop.Notifications.Notify``): the summary is plain text by the spec, the
  body is markup when the service says ``body-markup``, so it is escaped only then;
- Qt's own balloon and tooltip (X11 trays without StatusNotifier): Qt guesses rich text, so text
  that looks like markup is escaped and marked as rich text;
- the native ones (Windows, macOS): plain text as it is.
"""

from __future__ import annotations

import enum
import html
import os
import sys
from pathlib import Path

from PySide6 import QtGui
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon, QWidget

from ostplayer import APP_ID, APP_NAME
from ostplayer.domain.track import Track
from ostplayer.paths import resources_dir
from ostplayer.ui.plain import isolate, plain_tooltip, shown

#: How long a track notification stays, in ms (the service may choose otherwise).
NOTIFICATION_MS = 5000
_NOTIFICATIONS = "org.freedesktop.Notifications"
_SNI_WATCHER = "org.kde.StatusNotifierWatcher"


def bundled_icon_files() -> list[Path]:
    """The app's icon files shipped in ``resources/icons`` (the SVG and the hicolor sizes)."""
    icons = resources_dir() / "icons"
    candidates = [
        icons / f"{APP_ID}.svg",
        icons / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        *sorted((icons / "hicolor").glob(f"*/apps/{APP_ID}.png")),
    ]
    return [path for path in candidates if path.is_file()]


def app_icon() -> QIcon:
    """The app's icon: the desktop theme's, else the bundled one, else a standard media icon."""
    fallback = QIcon()
    for path in bundled_icon_files():
        fallback.addFile(os.fspath(path))
    if fallback.isNull():  # the icons are not there (a partial checkout)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            fallback = app.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
    return QIcon.fromTheme(APP_ID, fallback)


class TextKind(enum.Enum):
    """How a notification or tooltip shows its text (see the module's docstring)."""

    NATIVE = "native"
    QT_RICH_GUESS = "qt"
    DBUS_PLAIN = "dbus"
    DBUS_MARKUP = "dbus-markup"


def shown_as_plain(text: str, kind: TextKind, *, body: bool) -> str:
    """``text`` as it must be handed over for ``kind`` to show it literally."""
    if kind is TextKind.QT_RICH_GUESS:
        return plain_tooltip(text) if QtGui.Qt.mightBeRichText(text) else text
    if kind is TextKind.DBUS_MARKUP and body:
        return html.escape(text, quote=False)
    return text  # a D-Bus summary, a plain-text service, or a native balloon


def _session_bus_configured() -> bool:
    """Whether a session bus is there to ask (asking none makes libdbus try to launch one)."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return True
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return bool(runtime) and (Path(runtime) / "bus").exists()


class Tray(QObject):
    """The tray icon of ``window``, with the window's own playback and quit actions."""

    #: The listener asked to quit from the tray.
    quit_requested = Signal()

    def __init__(
        self,
        window: QWidget,
        play_pause: QAction,
        previous: QAction,
        next_: QAction,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.menu = QMenu()
        self.show_action = QAction(self.tr("&Show OST Player"), self)
        self.show_action.triggered.connect(self.toggle_window)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.triggered.connect(self.quit_requested)
        for action in (play_pause, previous, next_):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.show_action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.menu.aboutToShow.connect(self._update_show_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.kind = self._text_kind()
        self.show_track(None)

    # -- what it shows ---------------------------------------------------------------------------
    def show_track(self, track: Track | None) -> None:
        """Name the current track in the tooltip (tag text, shown as plain text)."""
        if track is None:
            tip = APP_NAME
        else:
            # Clipped and balanced line by line: a tag may be a megabyte long, or hold bidi
            # controls that would run on into the next line.
            lines = [shown(track.display_title), shown(track.artist or track.album_artist)]
            tip = "\n".join(line for line in lines if line)
        self.icon.setToolTip(shown_as_plain(tip, self.kind, body=False))

    def notify_track(self, track: Track) -> bool:
        """Announce ``track`` (title and artist) unless the window is in front; True if shown."""
        if not self.icon.isVisible() or not QSystemTrayIcon.supportsMessages():
            return False
        if self._window.isActiveWindow():  # the listener is looking at it already
            return False
        artist = track.artist or track.album_artist
        # Each part isolated: bidi controls in the artist must not reorder the album.
        details = " — ".join(isolate(part) for part in (artist, track.album) if part)
        self.icon.showMessage(
            shown_as_plain(shown(track.display_title), self.kind, body=False),
            shown_as_plain(details, self.kind, body=True),
            self.icon.icon(),
            NOTIFICATION_MS,
        )
        return True

    def set_visible(self, visible: bool) -> None:
        """Show or hide the icon."""
        self.icon.setVisible(visible)

    # -- the window ----------------------------------------------------------------------------
    def toggle_window(self) -> None:
        """Hide the window when it shows, else bring it back in front."""
        window = self._window
        if window.isVisible() and not window.isMinimized():
            window.hide()
            return
        if window.isMinimized():
            window.showNormal()
        else:
            window.show()
        window.raise_()
        window.activateWindow()

    def _update_show_action(self) -> None:
        shown = self._window.isVisible() and not self._window.isMinimized()
        self.show_action.setText(
            self.tr("&Hide OST Player") if shown else self.tr("&Show OST Player")
        )

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:  # a left click
            self.toggle_window()

    # -- the notification service ----------------------------------------------------------------
    def _text_kind(self) -> TextKind:
        """Which kind of notification this desktop has (asks D-Bus once, without waiting)."""
        if not sys.platform.startswith("linux") and not sys.platform.startswith("freebsd"):
            return TextKind.NATIVE
        if not QSystemTrayIcon.isSystemTrayAvailable() or not _session_bus_configured():
            return TextKind.QT_RICH_GUESS
        from PySide6.QtDBus import QDBusConnection, QDBusMessage, QDBusPendingCallWatcher

        bus = QDBusConnection.sessionBus()
        interface = bus.interface() if bus.isConnected() else None
        if interface is None or not interface.isServiceRegistered(_SNI_WATCHER).value():
            return TextKind.QT_RICH_GUESS  # Qt's XEmbed tray, with its own balloon
        message = QDBusMessage.createMethodCall(
            _NOTIFICATIONS, "/org/freedesktop/Notifications", _NOTIFICATIONS, "GetCapabilities"
        )
        self._capabilities_call = QDBusPendingCallWatcher(bus.asyncCall(message, 3000), self)
        self._capabilities_call.finished.connect(self._capabilities_known)
        # Until the service answers, assume markup: the common services (GNOME, KDE, dunst,
        # mako) all parse it, and escaping is what keeps "&" and "<" intact there.
        return TextKind.DBUS_MARKUP

    def _capabilities_known(self, watcher: object) -> None:
        reply = self._capabilities_call.reply()
        arguments = reply.arguments() if reply is not None else []
        capabilities = arguments[0] if arguments else []
        if isinstance(capabilities, list):
            self.kind = (
                TextKind.DBUS_MARKUP if "body-markup" in capabilities else TextKind.DBUS_PLAIN
            )
