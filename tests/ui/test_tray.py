"""The tray icon: its menu, tooltip and click, close to the tray, and the track notification.

The offscreen platform has no tray, so the window makes none by itself there; these tests make
it by hand (Qt then warns once that offscreen lacks the tray's X11 signal: ignored below). The
last test runs the tray on a real X server and a real D-Bus session bus, with a stand-in desktop
that records the notification it is sent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.track import Track
from ostplayer.playback.engine import PlaybackState
from ostplayer.ui.preferences import CLOSE_TO_TRAY, NOTIFY_TRACK_CHANGE
from ostplayer.ui.tray import TextKind, Tray, app_icon, bundled_icon_files, shown_as_plain

HERE = Path(__file__).parent
# What the offscreen platform says when a tray icon shows and a hidden window comes back.
OFFSCREEN_TRAY = r"QObject::connect: No such signal QPlatformNativeInterface::systemTrayWindow.*"
OFFSCREEN_RAISE = r"This plugin does not support raise\(\)"
needs_tray = pytest.mark.qt_log_ignore(OFFSCREEN_TRAY, OFFSCREEN_RAISE)


@pytest.fixture
def tray(app: Application) -> Iterator[Tray]:
    made = app.window.make_tray()
    yield made
    made.set_visible(False)


def messages(tray: Tray) -> list[tuple[object, ...]]:
    """Record what the tray would send to the desktop (the real path is the last test)."""
    sent: list[tuple[object, ...]] = []
    tray.icon.showMessage = lambda *args: sent.append(args)  # type: ignore[method-assign]
    return sent


def play(app: Application, qtbot: QtBot, row: int = 0) -> Track:
    app.window.table.setCurrentIndex(app.window.model.index(row, 0))
    app.window.play_pause_action.trigger()
    assert app.engine is not None
    qtbot.waitUntil(lambda: app.engine.state() is PlaybackState.PLAYING, timeout=3000)
    track = app.player.current_track()
    assert track is not None
    return track


def test_no_tray_where_the_desktop_has_none(app: Application, qtbot: QtBot) -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen
    qtbot.wait(50)  # past the first paint's follow-ups
    assert app.window.tray is None
    app.window.show_settings()
    assert app.window.desktop_pages is not None
    window_page = app.window.desktop_pages.window
    assert not window_page.close_to_tray_check.isEnabled()
    assert not window_page.notify_check.isEnabled()
    # Closing the window closes it (no tray to hide in), whatever the setting says.
    app.window.preferences.set(CLOSE_TO_TRAY, True)
    assert app.window.close()


@needs_tray
def test_a_tray_that_comes_after_the_app_gets_the_icon(
    app: Application, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A panel that starts after the app (autostart order) or restarts: the window looks again.
    qtbot.wait(50)  # past the first paint's follow-ups: no tray offscreen
    assert app.window.tray is None
    quit_on_close = QApplication.quitOnLastWindowClosed()
    retry = app.window._tray_retry
    assert retry.isActive()
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    retry.timeout.emit()
    tray = app.window.tray
    assert tray is not None and tray.icon.isVisible()
    assert not retry.isActive()
    tray.set_visible(False)
    QApplication.setQuitOnLastWindowClosed(quit_on_close)  # as the tray found it


def test_the_app_icon_comes_from_the_bundled_icons(qapp: QApplication) -> None:
    files = bundled_icon_files()
    assert any(f.suffix == ".svg" for f in files) and any(f.suffix == ".png" for f in files)
    icon = app_icon()
    assert not icon.isNull()
    assert not icon.pixmap(48, 48).isNull()


@needs_tray
def test_the_menu_drives_playback_and_the_window(
    app: Application, tray: Tray, qtbot: QtBot
) -> None:
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["&Play/Pause", "P&revious", "&Next", "&Show OST Player", "&Quit"]
    assert tray.icon.contextMenu() is tray.menu
    tray.menu.actions()[0].trigger()  # Play/Pause
    assert app.engine is not None
    qtbot.waitUntil(lambda: app.engine.state() is PlaybackState.PLAYING, timeout=3000)
    first = app.player.current_track()
    tray.menu.actions()[2].trigger()  # Next
    qtbot.waitUntil(lambda: app.player.current_track() != first, timeout=3000)

    # A click on the icon hides the window, another brings it back; the menu says which.
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert not app.window.isVisible()
    tray.menu.aboutToShow.emit()
    assert tray.show_action.text() == "&Show OST Player"
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert app.window.isVisible()
    tray.menu.aboutToShow.emit()
    assert tray.show_action.text() == "&Hide OST Player"
    tray.icon.activated.emit(QSystemTrayIcon.ActivationReason.Context)  # the menu, not a toggle
    assert app.window.isVisible()


@needs_tray
def test_the_tooltip_names_the_track_as_plain_text(
    app: Application, tray: Tray, qtbot: QtBot
) -> None:
    assert tray.icon.toolTip() == "OST Player"
    track = play(app, qtbot)
    assert tray.icon.toolTip().startswith(track.display_title)
    tray.kind = TextKind.QT_RICH_GUESS  # Qt's own tooltip guesses rich text
    tray.show_track(Track(Path("/m/a.ogg"), title="<b>Bold</b> & co", artist="X"))
    tip = tray.icon.toolTip()
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in tip and "<b>" not in tip


def test_text_is_handed_over_plain_for_each_kind_of_notification() -> None:
    text = "Tom & Jerry <i>live</i>"
    assert shown_as_plain(text, TextKind.NATIVE, body=True) == text
    assert shown_as_plain(text, TextKind.DBUS_PLAIN, body=True) == text
    assert shown_as_plain(text, TextKind.DBUS_MARKUP, body=False) == text  # a summary
    assert shown_as_plain(text, TextKind.DBUS_MARKUP, body=True) == (
        "Tom &amp; Jerry &lt;i&gt;live&lt;/i&gt;"
    )
    assert shown_as_plain("Tom & Jerry", TextKind.QT_RICH_GUESS, body=True) == "Tom & Jerry"
    assert "&lt;i&gt;" in shown_as_plain(text, TextKind.QT_RICH_GUESS, body=True)


@needs_tray
def test_close_to_the_tray_hides_and_quit_really_quits(
    app: Application, tray: Tray, qtbot: QtBot
) -> None:
    window = app.window
    assert not window.preferences.get(CLOSE_TO_TRAY)  # off unless asked for
    window.preferences.set(CLOSE_TO_TRAY, True)
    track = play(app, qtbot)
    assert not window.close()  # refused: hidden in the tray instead
    assert not window.isVisible()
    assert app.engine is not None and app.engine.state() is PlaybackState.PLAYING
    assert app.player.current_track() == track
    tray.toggle_window()
    assert window.isVisible()
    tray.quit_action.trigger()  # Quit in the tray's menu
    assert not window.isVisible()
    assert window._quitting


@needs_tray
def test_closing_without_the_setting_closes(app: Application, tray: Tray) -> None:
    assert app.window.close()
    assert not app.window.isVisible()


@needs_tray
def test_a_new_track_is_announced_only_when_asked_and_not_in_front(
    app: Application, tray: Tray, qtbot: QtBot
) -> None:
    sent = messages(tray)
    first = play(app, qtbot)
    app.window.next_action.trigger()
    qtbot.waitUntil(lambda: app.player.current_track() != first, timeout=3000)
    qtbot.wait(100)
    assert sent == []  # off by default
    app.window.preferences.set(NOTIFY_TRACK_CHANGE, True)
    assert app.window.isActiveWindow()
    second = app.player.current_track()
    app.window.next_action.trigger()
    qtbot.waitUntil(lambda: app.player.current_track() != second, timeout=3000)
    qtbot.wait(100)
    assert sent == []  # the listener is looking at the window

    app.window.hide()  # now it is not in front
    app.window.next_action.trigger()
    qtbot.waitUntil(lambda: len(sent) == 1, timeout=3000)
    track = app.player.current_track()
    assert track is not None
    title, body, _icon, _ms = sent[0]
    assert title == track.display_title
    assert track.artist and track.artist in str(body)
    # Pausing and playing again is not a new track.
    app.window.play_pause_action.trigger()
    app.window.play_pause_action.trigger()
    qtbot.wait(100)
    assert len(sent) == 1


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None or shutil.which("dbus-run-session") is None:
        pytest.fail(
            "the tray test needs Xvfb and dbus-run-session: make test installs them, or "
            "apt-get install xvfb dbus"
        )
    read, write = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-screen", "0", "800x600x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    return server, f":{number}"


@pytest.mark.parametrize("service", ["markup", "plain"])
def test_the_tray_and_its_notification_on_a_real_desktop_bus(service: str) -> None:
    server, display = _start_xvfb()
    try:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # the session of its own
        args = [] if service == "markup" else ["--plain"]
        run = subprocess.run(
            ["dbus-run-session", "--", sys.executable, str(HERE / "tray_session.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.kill()
        server.wait()
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no result from the session:\n{run.stdout}\n{run.stderr}"
    result = json.loads(lines[-1])
    events = result["desktop"]
    assert result["available"], "Qt saw no tray although a StatusNotifier host was there"
    assert any(e["event"] == "item" for e in events), "no tray icon was registered"
    notes = [e for e in events if e["event"] == "notify"]
    assert result["shown"] and len(notes) == 1, events
    # The summary is plain text by the spec; the body is escaped only for a markup service.
    assert notes[0]["summary"] == "Love & <b>War</b>"
    if service == "markup":
        assert result["kind"] == "dbus-markup"
        assert notes[0]["body"] == "A &amp; B &lt;i&gt;x&lt;/i&gt;"
    else:
        assert result["kind"] == "dbus"  # learnt from GetCapabilities
        assert notes[0]["body"] == "A & B <i>x</i>"
