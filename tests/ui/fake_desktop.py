"""A stand-in desktop on a D-Bus session bus: a StatusNotifier tray host and a notification
service, for the tray's end-to-end test (``test_tray.py``). Run as a script, it prints one JSON
line per event: ``ready``, then ``item`` (a tray icon registered) and ``notify`` (a
notification received, with its summary and body as sent)."""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import ClassInfo, Property, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection

#: What the stand-in notification service says it can do (the test may ask for no markup).
CAPABILITIES = ["body", "body-markup"] if "--plain" not in sys.argv else ["body"]


def say(**event: object) -> None:
    print(json.dumps(event), flush=True)


@ClassInfo({"D-Bus Interface": "org.kde.StatusNotifierWatcher"})
class Watcher(QObject):
    """org.kde.StatusNotifierWatcher: Qt shows its tray icon through it when it is there."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []

    @Slot(str)
    def RegisterStatusNotifierItem(self, service: str) -> None:
        self.items.append(service)
        say(event="item", service=service)

    @Slot(str)
    def RegisterStatusNotifierHost(self, service: str) -> None:
        pass

    def _host(self) -> bool:
        return True

    def _items(self) -> list[str]:
        return self.items

    def _version(self) -> int:
        return 0

    IsStatusNotifierHostRegistered = Property(bool, _host)
    RegisteredStatusNotifierItems = Property("QStringList", _items)
    ProtocolVersion = Property(int, _version)


@ClassInfo({"D-Bus Interface": "org.freedesktop.Notifications"})
class Notifications(QObject):
    """org.freedesktop.Notifications, recording what it is sent."""

    @Slot(result="QStringList")
    def GetCapabilities(self) -> list[str]:
        return CAPABILITIES

    @Slot(str, "uint", str, str, str, "QStringList", "QVariantMap", int, result="uint")
    def Notify(
        self,
        app_name: str,
        replaces_id: int,
        icon: str,
        summary: str,
        body: str,
        actions: list[str],
        hints: dict[str, object],
        timeout: int,
    ) -> int:
        say(event="notify", app=app_name, summary=summary, body=body)
        return 1


def main() -> int:
    app = QCoreApplication(sys.argv)
    bus = QDBusConnection.sessionBus()
    options = (
        QDBusConnection.RegisterOption.ExportAllSlots
        | QDBusConnection.RegisterOption.ExportAllProperties
    )
    watcher, notifications = Watcher(), Notifications()
    registered = (
        bus.registerObject("/StatusNotifierWatcher", watcher, options)
        and bus.registerService("org.kde.StatusNotifierWatcher")
        and bus.registerObject("/org/freedesktop/Notifications", notifications, options)
        and bus.registerService("org.freedesktop.Notifications")
    )
    if not registered:
        say(event="error", message=bus.lastError().message())
        return 1
    say(event="ready")
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
