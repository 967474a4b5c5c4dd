"""The scene panel, the seek bar's markers and the note editor, in the real app.

The engine is the fake one with a hand-driven clock where timing matters, and the real libvlc
(dummy audio) once, to check the panel follows real music. The database is real SQLite.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.scene import Note
from ostplayer.playback.engine import PlaybackState
from ostplayer.services.scenes import DEMO_PACK_KEY
from ostplayer.ui.note_editor import NoteEditor
from ostplayer.ui.scene_panel import ScenePanel
from ostplayer.ui.transport import Marker, SeekSlider
from tests.conftest import MakeApp
from tests.fakes import FakeEngine

FIRST = "First Love’s Whisper"
SERENADE = "Hometown Serenade"  # its first cue starts at 0:02: the panel is between cues at 0:00


class HandClock:
    """A monotonic clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def track_id(app: Application, title: str) -> int:
    return next(t.id for t in app.library.tracks() if t.title == title)


def play(app: Application, qtbot: QtBot, title: str) -> ScenePanel:
    app.player.play_tracks([track_id(app, title)])
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=5000)
    return app.window.scene_panel


def hand_app(make_app: MakeApp) -> tuple[Application, HandClock]:
    clock = HandClock()
    return make_app(lambda: FakeEngine(now=clock)), clock


def texts(panel: ScenePanel) -> list[str]:
    model = panel.model
    return [
        model.data(model.index(r, 0), Qt.ItemDataRole.DisplayRole) for r in range(model.rowCount())
    ]


def test_the_demo_pack_is_imported_on_first_run_and_shows_for_the_first_track(
    make_app: MakeApp, qtbot: QtBot
) -> None:
    app = make_app()
    assert app.state.get(DEMO_PACK_KEY) is True
    panel = play(app, qtbot, FIRST)
    shown = texts(panel)
    assert len(shown) == 5
    assert shown[0].startswith("0:00 · Ep 1, 38:05 — Seo-yeon sees Jun-ho again")
    assert "Ep 3, 41:20 — The rooftop confession" in shown[1]
    starts = [panel.model.item(r).start_ms for r in range(5)]
    assert starts == sorted(starts) == [0, 12_500, 25_000, 36_000, 45_000]
    assert FIRST in panel.header.text()
    # "Where else": the same cues in airing order, and the seek bar has a marker per cue.
    assert panel.where_model.rowCount() == 5
    assert [m.start_ms for m in app.window.transport.seek_slider.markers()] == starts


def test_the_demo_pack_is_imported_only_once(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    app.scenes.repository.remove_pack(app.scenes.repository.packs()[0].name)
    app.window.close()
    app.shutdown()
    again = make_app()  # same data dir: the listener removed the pack, it stays removed
    assert again.scenes.repository.packs() == []


def test_items_are_in_track_time_order_with_notes_between_cues(
    make_app: MakeApp, qtbot: QtBot
) -> None:
    app = make_app()
    panel = play(app, qtbot, FIRST)
    tid = track_id(app, FIRST)
    app.scenes.add_note(Note(text="plain thought", position_ms=20_000, track_id=tid))
    app.scenes.add_note(Note(text="my scene", position_ms=1_000, episode="S1E2", track_id=tid))
    starts = [panel.model.item(r).start_ms for r in range(panel.model.rowCount())]
    assert starts == [0, 1_000, 12_500, 20_000, 25_000, 36_000, 45_000]
    assert panel.model.item(1).is_note and "Your note" in texts(panel)[1]
    assert texts(panel)[3].endswith("plain thought")  # a note without an episode is an item too


def test_the_highlight_follows_the_clock_across_cue_boundaries(
    make_app: MakeApp, qtbot: QtBot
) -> None:
    app, clock = hand_app(make_app)
    panel = play(app, qtbot, FIRST)
    assert panel.is_following()
    qtbot.waitUntil(lambda: panel.model.current() == 0, timeout=1000)
    with qtbot.waitSignal(panel.current_changed, timeout=1000) as changed:
        clock.now += 12.6  # 12.6 s into the track: the rooftop confession (12.5 s)
    assert changed.args == [1]
    assert panel.status.text().startswith("Now: Ep 3, 41:20")
    repaints: list[int] = []
    panel.current_changed.connect(repaints.append)
    clock.now += 5  # still inside the same cue: nothing is repainted
    qtbot.wait(150)
    assert repaints == []
    clock.now += 8  # 25.6 s: the lanterns
    qtbot.waitUntil(lambda: panel.model.current() == 2, timeout=1000)
    app.player.pause()
    qtbot.waitUntil(lambda: not panel.is_following(), timeout=1000)


def test_between_cues_the_panel_names_the_next_one(make_app: MakeApp, qtbot: QtBot) -> None:
    app, clock = hand_app(make_app)
    panel = play(app, qtbot, SERENADE)
    assert panel.model.current() is None
    assert panel.status.text() == "No scene here — next: Ep 1 at 0:02"
    clock.now += 2.1
    qtbot.waitUntil(lambda: panel.model.current() == 0, timeout=1000)
    assert panel.status.text().startswith("Now: Ep 1")


def test_clicking_an_entry_seeks_to_its_start(make_app: MakeApp, qtbot: QtBot) -> None:
    app, _clock = hand_app(make_app)
    panel = play(app, qtbot, FIRST)
    index = panel.model.index(3, 0)
    panel.list.scrollTo(index)
    with qtbot.waitSignal(app.engine.seeked, timeout=1000) as seeked:
        qtbot.mouseClick(
            panel.list.viewport(),
            Qt.MouseButton.LeftButton,
            pos=panel.list.visualRect(index).center(),
        )
    assert seeked.args == [36_000]
    qtbot.waitUntil(lambda: panel.model.current() == 3, timeout=1000)
    # "Where else": a click there seeks too.
    where = panel.where_model
    row = next(r for r in range(where.rowCount()) if where.cue(r).episode == "S1E3")
    with qtbot.waitSignal(app.engine.seeked, timeout=1000) as seeked:
        rect = panel.where_list.visualRect(where.index(row, 0))
        qtbot.mouseClick(panel.where_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seeked.args == [12_500]


def _editor(app: Application) -> NoteEditor:
    visible = [e for e in app.window.findChildren(NoteEditor) if e.isVisible()]
    assert len(visible) == 1
    return visible[0]


def test_ctrl_n_adds_a_note_at_the_clock_committed_before_it_shows(
    make_app: MakeApp, qtbot: QtBot, data_dir: Path
) -> None:
    app = make_app()  # the fake engine on the real monotonic clock: time runs while we type
    panel = play(app, qtbot, FIRST)
    app.player.seek(30_000)
    qtbot.waitUntil(lambda: app.engine.position() >= 30_000, timeout=1000)
    before = app.engine.position()
    qtbot.keyClick(app.window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    after = app.engine.position()
    editor = _editor(app)
    captured = editor.note().position_ms
    assert before <= captured <= after  # the interpolated clock, at the moment of the action
    assert app.engine.state() == PlaybackState.PLAYING  # playback goes on
    qtbot.keyClicks(editor.text_edit, "Min-ji's lantern")
    editor.episode_edit.setText("s01e05")
    editor.episode_time_edit.setText("12:30")
    editor.moods_edit.setText("hopeful, tender")

    in_db: list[tuple] = []

    def check_database() -> None:  # another connection sees only what was committed
        with sqlite3.connect(data_dir / "library.sqlite3") as other:
            in_db.extend(other.execute("SELECT text, position_ms, episode FROM note").fetchall())

    app.scenes.items_changed.connect(check_database)
    qtbot.mouseClick(
        editor.buttons.button(editor.buttons.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    assert in_db == [("Min-ji's lantern", captured, "S1E5")]
    row = next(r for r in range(panel.model.rowCount()) if panel.model.item(r).is_note)
    assert (
        texts(panel)[row]
        == f"0:{captured // 1000:02d} · Ep 5, 12:30 · Your note — Min-ji's lantern"
    )


def test_the_editor_refuses_what_does_not_read(qtbot: QtBot) -> None:
    editor = NoteEditor(Note(text="", position_ms=65_432, track_id=1), ["tender", "tense"])
    qtbot.addWidget(editor)
    save = editor.buttons.button(editor.buttons.StandardButton.Save)
    assert not save.isEnabled()  # the text is required
    editor.text_edit.setPlainText("x")
    assert save.isEnabled()
    editor.episode_edit.setText("episode three")
    assert not save.isEnabled() and "S1E3" in editor.error_label.text()
    editor.episode_edit.setText("1x03")
    editor.episode_time_edit.setText("41:61")
    assert not save.isEnabled()
    editor.episode_time_edit.setText("41:20")
    editor.characters_edit.setText("Jun-ho, , Seo-yeon, jun-ho")
    note = editor.note()
    assert (note.episode, note.episode_start_ms, note.position_ms) == ("S1E3", 2_480_000, 65_432)
    assert note.characters == ("Jun-ho", "Seo-yeon")


def test_delete_then_ctrl_z_restores_the_same_note(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    panel = play(app, qtbot, FIRST)
    note = app.scenes.add_note(
        Note(text="gone soon", position_ms=5_000, track_id=track_id(app, FIRST))
    )
    row = next(r for r in range(panel.model.rowCount()) if panel.model.item(r).is_note)
    panel.list.setFocus()
    panel.list.setCurrentIndex(panel.model.index(row, 0))
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert app.scenes.repository.note(note.id) is None
    assert not any(panel.model.item(r).is_note for r in range(panel.model.rowCount()))
    qtbot.keyClick(panel.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert app.scenes.repository.note(note.id) == note
    assert any(panel.model.item(r).key == ("note", note.id) for r in range(panel.model.rowCount()))
    qtbot.keyClick(
        panel.list,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert app.scenes.repository.note(note.id) is None


def test_markup_in_notes_is_shown_literally(make_app: MakeApp, qtbot: QtBot) -> None:
    app, _clock = hand_app(make_app)
    panel = play(app, qtbot, FIRST)
    app.scenes.add_note(
        Note(
            text="<b>bold</b> &amp; <img src=x>",
            position_ms=0,
            end_ms=60_000,
            track_id=track_id(app, FIRST),
        )
    )
    row = next(r for r in range(panel.model.rowCount()) if panel.model.item(r).is_note)
    assert texts(panel)[row].endswith("<b>bold</b> &amp; <img src=x>")
    tip = panel.model.data(panel.model.index(row, 0), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;amp; &lt;img src=x&gt;" in tip
    panel.sync(force=True)
    assert panel.status.textFormat() == Qt.TextFormat.PlainText
    assert "<b>bold</b>" in panel.status.text()
    assert panel.header.textFormat() == Qt.TextFormat.PlainText


def test_spoilers_stay_hidden_until_clicked(make_app: MakeApp, qtbot: QtBot) -> None:
    app, _clock = hand_app(make_app)
    panel = play(app, qtbot, FIRST)
    app.scenes.set_watched_up_to("S1E3")
    shown = texts(panel)
    assert "rooftop" in shown[1]
    assert shown[2] == "Spoiler: Ep 5 — click to reveal"
    assert all("Lanterns" not in m.label for m in app.window.transport.seek_slider.markers())
    with qtbot.assertNotEmitted(app.engine.seeked):
        rect = panel.list.visualRect(panel.model.index(2, 0))
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "Lanterns drift" in texts(panel)[2]
    assert texts(panel)[3] == "Spoiler: Ep 7 — click to reveal"


# -- the seek bar --------------------------------------------------------------------------
@pytest.fixture
def slider(qtbot: QtBot) -> SeekSlider:
    bar = SeekSlider()
    qtbot.addWidget(bar)
    bar.resize(600, 30)
    bar.setRange(0, 60_000)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


# Showing a tooltip raises it; the offscreen platform says it cannot.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_markers_sit_at_cue_starts_and_name_the_scene(slider: SeekSlider, qtbot: QtBot) -> None:
    slider.set_markers(
        [Marker(30_000, 40_000, "0:30 <b>rooftop</b>"), Marker(0, 10_000, "0:00 bakery")]
    )
    groups = slider.marker_groups()
    assert [g.start_ms for g in groups] == [0, 30_000]
    left, middle, right = slider.marker_x(0), slider.marker_x(30_000), slider.marker_x(60_000)
    assert left < middle < right and abs(middle - (left + right) / 2) <= 1
    event = QHelpEvent(
        QHelpEvent.Type.ToolTip, QPoint(middle + 2, 15), slider.mapToGlobal(QPoint(middle + 2, 15))
    )
    assert slider.tooltip_at(middle + 60) is None  # away from a marker: the bar's own tooltip
    slider.event(event)
    assert "0:30 &lt;b&gt;rooftop&lt;/b&gt;" in QToolTip.text()
    QToolTip.hideText()
    with qtbot.waitSignal(slider.seek_requested, timeout=1000) as seek:
        qtbot.mouseClick(slider, Qt.MouseButton.LeftButton, pos=QPoint(middle + 3, 15))
    assert seek.args == [30_000]  # near a marker: exactly its start


def test_crowded_markers_merge_and_list_every_scene(slider: SeekSlider) -> None:
    slider.set_markers([Marker(ms, None, f"cue {ms}") for ms in (20_000, 20_200, 20_400, 50_000)])
    groups = slider.marker_groups()
    assert [g.labels for g in groups] == [("cue 20000", "cue 20200", "cue 20400"), ("cue 50000",)]
    assert groups[0].start_ms == 20_000
    slider.resize(6000, 30)  # wide enough: they come apart
    assert len(slider.marker_groups()) == 4


# -- the real engine -----------------------------------------------------------------------
@pytest.mark.vlc
def test_the_panel_follows_real_libvlc(make_app: MakeApp, qtbot: QtBot) -> None:
    from tests.test_app_vlc import real_engine_app

    app = real_engine_app(make_app)
    panel = play(app, qtbot, FIRST)
    qtbot.waitUntil(lambda: panel.model.current() == 0, timeout=5000)
    app.player.seek(12_000)
    with qtbot.waitSignal(panel.current_changed, timeout=5000) as changed:
        pass
    assert changed.args == [1]
    assert app.engine.position() >= 12_500
    assert panel.status.text().startswith("Now: Ep 3, 41:20")


def test_a_note_comes_back_after_a_restart(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    tid = track_id(app, FIRST)
    note = app.scenes.add_note(
        Note(text="the bus stop, again", position_ms=30_000, episode="S1E4", track_id=tid)
    )
    app.window.close()
    app.shutdown()
    again = make_app()  # same data dir, a new process as far as the app is concerned
    panel = play(again, qtbot, FIRST)
    items = [panel.model.item(r) for r in range(panel.model.rowCount())]
    mine = [i for i in items if i.is_note]
    assert [(i.start_ms, i.key) for i in mine] == [(30_000, ("note", note.id))]
    assert any(t.endswith("the bus stop, again") for t in texts(panel))
