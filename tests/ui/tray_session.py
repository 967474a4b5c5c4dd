"""The tray on a real desktop session, for ``test_tray.py``: run under ``dbus-run-session`` with
an X server (``DISPLAY``) and ``QT_QPA_PLATFORM=xcb``.

It starts the stand-in desktop (``fake_desktop.py``: a StatusNotifier host and a notification
service), shows the app's :class:`~ostplayer.ui.tray.Tray`, announces a track whose tags look
like markup, and prints one JSON line with what it saw and what the desktop received.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

from ostplayer.domain.track import Track
from ostplayer.ui.tray import Tray

HERE = Path(__file__).parent
TRACK = Track(Path("/music/x.flac"), title="Love & <b>War</b>", artist="A & B <i>x</i>", id=7)


def main() -> int:
    app = QApplication(sys.argv)
    result: dict[str, object] = {"desktop": []}
    desktop = QProcess()
    desktop.setProgram(sys.executable)
    desktop.setArguments([str(HERE / "fake_desktop.py"), *sys.argv[1:]])
    desktop.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedErrorChannel)
    window = QMainWindow()
    actions = [QAction(name, window) for name in ("Play/Pause", "Previous", "Next")]
    made: list[Tray] = []

    def finish() -> None:
        print(json.dumps(result), flush=True)
        app.quit()

    def notify() -> None:
        tray = made[0]
        result["kind"] = tray.kind.value
        result["shown"] = tray.notify_track(TRACK)
        QTimer.singleShot(1500, finish)  # the notification goes out asynchronously

    def start_tray() -> None:
        result["available"] = QSystemTrayIcon.isSystemTrayAvailable()
        tray = Tray(window, *actions)
        made.append(tray)
        tray.set_visible(True)
        tray.show_track(TRACK)
        result["tooltip"] = tray.icon.toolTip()
        # The window is not in front (it is not even shown): the track is announced.
        QTimer.singleShot(500, notify)

    def read() -> None:
        while desktop.canReadLine():
            event = json.loads(bytes(desktop.readLine().data()).decode())
            result["desktop"].append(event)  # type: ignore[union-attr]
            if event["event"] == "ready":
                start_tray()

    desktop.readyReadStandardOutput.connect(read)
    desktop.start()
    QTimer.singleShot(15_000, finish)  # never hang the test
    app.exec()
    desktop.kill()
    desktop.waitForFinished(2000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
