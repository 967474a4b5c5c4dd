"""The main window, driven as a listener would: buttons, keys, filter, with the fake engine.

tests/test_app_vlc.py repeats the essentials against real libvlc.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.playback.engine import PlaybackState, PlayerError, UnavailableEngine
from ostplayer.ui.track_model import TRACK_ROLE, Column
from tests.conftest import MakeApp

DEMO_TITLES = ["First Love’s Whisper", "Shadows of Doubt", "A Promise Kept", "Hometown Serenade"]


def titles(app: Application) -> list[str]:
    model = app.window.model
    return [model.index(r, Column.TITLE).data() for r in range(model.rowCount())]


def state(app: Application) -> PlaybackState:
    assert app.engine is not None
    return app.engine.state()


def test_first_launch_opens_on_the_demo_ost(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    assert titles(app) == DEMO_TITLES
    # The file's mood first, then the demo scene pack's (the list reloads once it is in).
    mood = app.window.model.index(0, Column.MOOD)
    qtbot.waitUntil(lambda: "nostalgic" in mood.data(), timeout=5000)
    assert mood.data().startswith("tender, ")
    assert app.window.model.index(0, Column.DURATION).data() == "0:54"
    assert "4 tracks" in app.window.count_label.text()
    assert app.window.banner.isHidden()


def test_space_plays_the_list_and_toggles(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    qtbot.keyClick(app.window.table, Qt.Key.Key_Space)
    assert state(app) == PlaybackState.PLAYING
    assert app.window.now_playing.title.full_text() == DEMO_TITLES[0]
    qtbot.waitUntil(lambda: app.window.now_playing.cover.pixmap().width() > 0, timeout=3000)
    qtbot.keyClick(app.window.table, Qt.Key.Key_Space)
    assert state(app) == PlaybackState.PAUSED


def test_space_on_a_fresh_window_plays(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    focus = QApplication.focusWidget()
    assert focus is app.window.table
    qtbot.keyClick(focus, Qt.Key.Key_Space)
    assert state(app) == PlaybackState.PLAYING
    assert app.window.filter_edit.text() == ""


def test_buttons_drive_playback(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    transport = app.window.transport
    qtbot.mouseClick(transport.play_button, Qt.MouseButton.LeftButton)
    assert state(app) == PlaybackState.PLAYING
    assert transport.play_button.accessibleName() == "Pause"
    qtbot.mouseClick(transport.next_button, Qt.MouseButton.LeftButton)
    assert app.player.current_track().title == DEMO_TITLES[1]
    qtbot.mouseClick(transport.previous_button, Qt.MouseButton.LeftButton)
    assert app.player.current_track().title == DEMO_TITLES[0]
    qtbot.mouseClick(transport.play_button, Qt.MouseButton.LeftButton)
    assert state(app) == PlaybackState.PAUSED
    transport.volume_slider.setValue(30)
    assert app.engine.volume() == 30
    qtbot.mouseClick(transport.mute_button, Qt.MouseButton.LeftButton)
    assert app.engine.is_muted()
    qtbot.mouseClick(transport.shuffle_button, Qt.MouseButton.LeftButton)
    assert app.player.queue.shuffle
    qtbot.mouseClick(transport.repeat_button, Qt.MouseButton.LeftButton)
    assert transport.repeat_button.text() == "Repeat: all"


def test_seek_bar_seeks_on_release_only(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    app.window.table.setFocus()
    qtbot.keyClick(app.window.table, Qt.Key.Key_Space)
    slider = app.window.transport.seek_slider
    qtbot.waitUntil(lambda: slider.maximum() > 50_000, timeout=2000)
    slider.setSliderDown(True)
    slider.setValue(30_000)  # dragging: no seek yet
    assert app.engine.position() < 5_000
    slider.setSliderDown(False)  # release
    assert app.engine.position() >= 30_000


def test_keys_seek_and_skip(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    table = app.window.table
    qtbot.keyClick(table, Qt.Key.Key_Space)
    qtbot.keyClick(table, Qt.Key.Key_Right)
    assert app.engine.position() >= 5_000
    qtbot.keyClick(table, Qt.Key.Key_Left)
    assert app.engine.position() < 5_000
    qtbot.keyClick(table, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert app.player.current_track().title == DEMO_TITLES[1]
    qtbot.keyClick(table, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert app.player.current_track().title == DEMO_TITLES[0]


def test_enter_plays_the_selected_row(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    table = app.window.table
    table.setFocus()
    table.setCurrentIndex(app.window.model.index(2, Column.TITLE))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert app.player.current_track().title == DEMO_TITLES[2]
    assert state(app) == PlaybackState.PLAYING


def test_filter_as_you_type_and_keys_inside_it(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    qtbot.keyClick(app.window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    edit = app.window.filter_edit
    assert edit.hasFocus()
    qtbot.keyClicks(edit, "hometown ser")  # the space is typed, it does not play
    assert titles(app) == ["Hometown Serenade"]
    assert app.window.count_label.text() == "1 track"  # what the filter shows
    assert app.player.queue.current() is None
    qtbot.keyClicks(edit, "")
    edit.setText("PLAYFUL")  # moods match too (here the scene pack's), in any case
    # The pack's moods join the list when it reloads after the demo pack's import.
    qtbot.waitUntil(lambda: titles(app) == ["Hometown Serenade"], timeout=5000)
    qtbot.keyClick(edit, Qt.Key.Key_Return)  # plays the first match
    assert app.player.current_track().title == "Hometown Serenade"
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert edit.text() == ""
    assert len(titles(app)) == 4
    assert app.window.count_label.text() == "4 tracks"


def test_sorting_by_a_column(make_app: MakeApp) -> None:
    app = make_app()
    app.window.table.sortByColumn(Column.TITLE, Qt.SortOrder.AscendingOrder)
    assert titles(app) == sorted(DEMO_TITLES)
    app.window.table.sortByColumn(Column.NUMBER, Qt.SortOrder.DescendingOrder)
    assert titles(app) == DEMO_TITLES[::-1]
    track = app.window.model.index(0, 0).data(TRACK_ROLE)
    assert track.title == DEMO_TITLES[-1]


def test_geometry_and_session_come_back(make_app: MakeApp, qtbot: QtBot) -> None:
    first = make_app()
    first.window.resize(780, 550)
    qtbot.keyClick(first.window.table, Qt.Key.Key_Space)
    qtbot.keyClick(first.window.table, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    first.player.seek(12_000)
    first.window.close()
    first.shutdown()

    second = make_app()
    assert second.window.size().width() == 780
    assert second.window.size().height() == 550
    assert second.player.current_track().title == DEMO_TITLES[1]
    assert state(second) == PlaybackState.STOPPED  # back, but paused
    assert abs(second.engine.position() - 12_000) < 500
    assert second.window.now_playing.title.full_text() == DEMO_TITLES[1]


def test_without_libvlc_the_window_opens_with_a_banner(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app(
        lambda: UnavailableEngine(PlayerError("libvlc is not installed", "sudo apt-get install x"))
    )
    banner = app.window.banner
    assert banner.isVisible()
    assert "VLC" in banner.headline.text()
    assert "apt-get install" in banner.body.text()
    assert banner.body.textFormat() == Qt.TextFormat.PlainText
    assert titles(app) == DEMO_TITLES  # the library still works
    qtbot.keyClick(app.window.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "needs VLC" in app.window.statusBar().currentMessage(), timeout=2000)


def test_the_volume_slider_follows_a_change_from_outside(make_app: MakeApp) -> None:
    app = make_app()
    requested: list[int] = []
    app.window.transport.volume_requested.connect(requested.append)
    app.player.set_volume(37)  # as MPRIS or the tray would
    assert app.window.transport.volume_slider.value() == 37
    assert requested == []  # shown, not asked for again


def test_a_big_library_shows_its_first_tracks_in_its_first_paint_while_the_rest_loads(
    qapp: QApplication, qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    from ostplayer.app import FIRST_TRACKS
    from ostplayer.domain.track import Track
    from ostplayer.paths import AppPaths
    from ostplayer.store.database import Database
    from ostplayer.store.tracks import TrackRepository
    from tests.fakes import FakeEngine

    db = Database(data_dir / "library.sqlite3")
    repo = TrackRepository(db)
    source = repo.add_source("folder", tmp_path)
    count = FIRST_TRACKS + 150
    # Saved in reverse: the first rows shown must be the album order's, not the table's.
    tracks = [
        Track(path=tmp_path / f"{n:04d}.ogg", title=f"Track {n}", album=f"Album {n // 10:03d}")
        for n in reversed(range(count))
    ]
    repo.save_many([(t, 1, 1) for t in tracks], source)
    db.close()
    app = Application(qapp, AppPaths(data_dir), FakeEngine)
    seen: list[tuple[int, str, str]] = []

    def after_first_paint() -> None:
        model = app.window.model
        seen.append((model.rowCount(), model.track(0).title, app.window.count_label.text()))

    # In the model before the window shows, so in its first paint.
    assert app.window.model.rowCount() == FIRST_TRACKS
    app.window.first_painted.connect(after_first_paint)
    try:
        with qtbot.waitSignal(app.ready, timeout=10_000):
            app.start()
        assert seen == [(FIRST_TRACKS, "Track 0", "Loading the library…")]
        assert app.window.model.rowCount() == count
        assert app.window.count_label.text() == f"{count} tracks"
    finally:
        app.window.close()
        app.shutdown()


def test_the_track_count_reads_in_the_listeners_locale(make_app: MakeApp) -> None:
    from PySide6.QtCore import QLocale

    from ostplayer.domain.track import Track

    app = make_app()
    previous = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        tracks = [Track(path=Path(f"/m/{n}.ogg"), id=n + 1) for n in range(1234)]
        app.window.model.set_tracks(tracks)
        app.window._show_count()
        assert app.window.count_label.text() == "1,234 tracks"
    finally:
        QLocale.setDefault(previous)


def test_my_notes_export_from_the_window_as_a_pack(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from PySide6.QtWidgets import QFileDialog

    from ostplayer.domain.scene import Note

    app = make_app()
    track = app.library.tracks()[0]  # a pack holds the notes that name a track and an episode
    app.scenes.add_note(
        Note(text="the rooftop confession", position_ms=41_000, track_id=track.id, episode="S1E3")
    )
    target = tmp_path / "mine.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(target), ""))
    assert app.window.export_my_notes()
    assert "the rooftop confession" in json.dumps(json.loads(target.read_text(encoding="utf-8")))
    assert app.window.statusBar().currentMessage() == f"Exported your notes to {target}."
