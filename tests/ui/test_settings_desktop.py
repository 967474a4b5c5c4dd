"""The Settings dialog's desktop pages: audio device and ReplayGain, theme, tray options, data
folder. Saved in the app's state store (the test's own data dir), applied at once and at start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QPalette
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.playback.engine import Engine, ReplayGainMode
from ostplayer.store.state import (
    CLOSE_TO_TRAY_KEY,
    NOTIFY_KEY,
    OUTPUT_DEVICE_KEY,
    REPLAY_GAIN_KEY,
    THEME_KEY,
)
from ostplayer.ui.preferences import REPLAY_GAIN, THEME, Preferences, Theme, apply_theme
from ostplayer.ui.settings_desktop import DesktopPages
from tests.conftest import MakeApp


def pages(app: Application) -> DesktopPages:
    if app.window.desktop_pages is None:
        app.window.show_settings()
    assert app.window.desktop_pages is not None
    return app.window.desktop_pages


def choose(combo: object, data: object) -> None:
    """Pick the entry with ``data`` as the listener would (the ``activated`` signal)."""
    index = combo.findData(data)  # type: ignore[attr-defined]
    assert index >= 0, data
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]
    combo.activated.emit(index)  # type: ignore[attr-defined]


def lightness(role: QPalette.ColorRole = QPalette.ColorRole.Window) -> int:
    return QGuiApplication.palette().color(role).lightness()


def glyph_lightness(app: Application) -> int:
    """How light the play button's glyph is drawn (its most opaque pixels)."""
    image = app.window.transport.play_button.icon().pixmap(24, 24).toImage()
    pixels = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
    solid = [p for p in pixels if p.alpha() > 200]
    assert solid
    return sum(p.lightness() for p in solid) // len(solid)


@pytest.fixture
def system_theme() -> Iterator[None]:
    """The palette is the whole test run's: put the system's back afterwards."""
    yield
    apply_theme(Theme.SYSTEM)


def test_every_setting_has_its_default_and_survives_bad_values(app: Application) -> None:
    preferences = app.window.preferences
    assert preferences.get(THEME) is Theme.SYSTEM
    assert preferences.get(REPLAY_GAIN) is ReplayGainMode.OFF
    app.state.set(THEME_KEY, "purple")  # written by hand, or by a newer version
    app.state.set(REPLAY_GAIN_KEY, 3)
    app.state.set(CLOSE_TO_TRAY_KEY, "yes")
    app.state.set(OUTPUT_DEVICE_KEY, "")
    fresh = Preferences(app.state)
    assert fresh.get(THEME) is Theme.SYSTEM
    assert fresh.get(REPLAY_GAIN) is ReplayGainMode.OFF
    assert pages(app).window.close_to_tray_check.isChecked() is False
    assert pages(app).audio.device_combo.currentData() is None


def test_replay_gain_is_saved_and_reaches_the_engine(app: Application) -> None:
    audio = pages(app).audio
    assert [audio.replay_gain_combo.itemData(i) for i in range(3)] == ["off", "track", "album"]
    choose(audio.replay_gain_combo, "album")
    assert app.state.get(REPLAY_GAIN_KEY) == "album"
    assert app.engine is not None
    assert app.engine.replay_gain_mode() is ReplayGainMode.ALBUM


def test_without_devices_only_the_system_default_is_offered(app: Application) -> None:
    audio = pages(app).audio
    assert audio.device_combo.count() == 1
    assert audio.device_combo.itemText(0) == "System default"
    assert audio.device_combo.currentData() is None


def test_window_options_are_saved(app: Application) -> None:
    window = pages(app).window
    window.close_to_tray_check.setEnabled(True)  # no tray offscreen: as if there were one
    window.notify_check.setEnabled(True)
    window.close_to_tray_check.click()
    window.notify_check.click()
    assert app.state.get(CLOSE_TO_TRAY_KEY) is True
    assert app.state.get(NOTIFY_KEY) is True
    window.notify_check.click()
    assert app.state.get(NOTIFY_KEY) is False


def test_the_theme_applies_at_once_and_at_the_next_start(
    make_app: MakeApp, qtbot: QtBot, system_theme: None
) -> None:
    app = make_app()
    light = lightness()
    assert light > 128  # the offscreen platform's own palette is light
    choose(pages(app).window.theme_combo, "dark")
    assert app.state.get(THEME_KEY) == "dark"
    assert lightness() < 100
    assert lightness(QPalette.ColorRole.WindowText) > 180  # readable on it
    # The media icons are redrawn to stay visible (once the palette change has gone round).
    qtbot.waitUntil(lambda: glyph_lightness(app) > 180, timeout=2000)

    app.window.close()
    app.shutdown()
    apply_theme(Theme.SYSTEM)
    assert lightness() == light
    again = make_app()  # the same data dir: the saved theme comes back with the window
    assert again.window.preferences.get(THEME) is Theme.DARK
    assert lightness() < 100
    choose(pages(again).window.theme_combo, "system")
    assert lightness() == light
    qtbot.waitUntil(lambda: glyph_lightness(again) < 128, timeout=2000)
    choose(pages(again).window.theme_combo, "light")
    assert lightness() > 128


class _Opened(QObject):
    """Takes the file URLs QDesktopServices opens (Qt's own hook for a URL scheme)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_the_data_folder_is_shown_and_opened(app: Application, data_dir: Path) -> None:
    data = pages(app).data
    assert Path(data.path_label.text()) == data_dir.resolve()
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        data.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(u.toLocalFile()) for u in opened.urls] == [data_dir.resolve()]
    assert data.status_label.text() == ""


# -- the device list against the real libvlc ---------------------------------------------------
def alsa_engine() -> Engine:
    """libvlc with its ALSA output: it lists ALSA's devices ("null", "default") even without a
    sound card, where the tests' usual dummy output lists none."""
    from ostplayer.playback.factory import DEFAULT_VLC_ARGS
    from tests.playback.conftest import new_vlc_engine

    return new_vlc_engine(args=[*DEFAULT_VLC_ARGS, "--aout=alsa"])


@pytest.mark.vlc
def test_libvlcs_devices_are_listed_chosen_and_restored(make_app: MakeApp) -> None:
    app = make_app(alsa_engine)
    audio = pages(app).audio
    listed = [audio.device_combo.itemData(i) for i in range(audio.device_combo.count())]
    assert listed[0] is None and "null" in listed and "default" in listed
    null = listed.index("null")
    assert audio.device_combo.itemText(null).startswith("Discard all samples")
    choose(audio.device_combo, "null")
    assert app.state.get(OUTPUT_DEVICE_KEY) == "null"
    assert app.engine is not None
    assert app.engine.playing_device() == "null"  # type: ignore[attr-defined]
    choose(audio.device_combo, None)
    assert app.engine.playing_device() == "default"  # type: ignore[attr-defined]
    choose(audio.device_combo, "null")

    app.window.close()
    app.shutdown()
    again = make_app(alsa_engine)
    assert again.engine is not None
    assert again.engine.output_device() == "null"  # applied at start
    assert again.engine.playing_device() == "null"  # type: ignore[attr-defined]


@pytest.mark.vlc
def test_a_device_that_is_gone_falls_back_with_a_message(make_app: MakeApp) -> None:
    first = make_app(alsa_engine)
    first.state.set(OUTPUT_DEVICE_KEY, "usb-headset")  # chosen last time, unplugged since
    first.window.close()
    first.shutdown()
    app = make_app(alsa_engine)
    assert app.engine is not None
    assert app.engine.output_device() is None
    assert app.engine.playing_device() == "default"  # type: ignore[attr-defined]
    assert "“usb-headset” is not connected" in app.window.statusBar().currentMessage()
    audio = pages(app).audio
    assert audio.device_combo.currentData() is None
    assert "usb-headset" in audio.status_label.text()
    assert app.state.get(OUTPUT_DEVICE_KEY) == "usb-headset"  # kept for when it comes back
