"""Scene packs through the window: import, export, the Scene Packs and Spoilers settings pages.

The fake engine, the real SQLite database, and the demo OST with its demo scene pack. File
dialogs and message boxes are answered by patching their static methods (or ``exec``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.scene import Note
from ostplayer.formats.pack import load_pack
from ostplayer.library.packs import DEMO_PACK
from ostplayer.ui.settings import SettingsDialog
from ostplayer.ui.settings_scenes import (
    EntryColumn,
    PackColumn,
    ScenePacksPage,
    SpoilersPage,
    TrackPickerDialog,
)
from tests.conftest import MakeApp
from tests.ui.test_scene_panel import FIRST, play, texts
from tests.ui.test_settings import answer

SHADOWS = "Shadows of Doubt"
DEMO_NAME = "Demo scenes — fictional, written for OST Player's demo"


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal dialog nobody answers would hang the test: fail it instead."""

    def refuse(dialog: QDialog) -> int:
        raise AssertionError(f"unexpected dialog: {dialog.windowTitle()}")

    monkeypatch.setattr(QMessageBox, "exec", refuse)
    monkeypatch.setattr(TrackPickerDialog, "exec", refuse)


def choose_file(monkeypatch: pytest.MonkeyPatch, method: str, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, method, lambda *_a, **_k: (str(path), ""))


def import_through_menu(app: Application, qtbot: QtBot) -> None:
    with qtbot.waitSignal(app.scenes.packs_changed, timeout=10_000):
        app.window.import_pack_action.trigger()


def cue_count(app: Application) -> int:
    return sum(len(app.scenes.repository.cues(t.id)) for t in app.library.tracks())


def pages(app: Application) -> tuple[ScenePacksPage, SpoilersPage]:
    dialog = app.window.show_settings()
    packs = dialog.findChild(ScenePacksPage)
    spoilers = dialog.findChild(SpoilersPage)
    assert packs is not None and spoilers is not None
    return packs, spoilers


def pack_rows(page: ScenePacksPage) -> list[list[str]]:
    model = page.packs_model
    return [[model.index(r, c).data() for c in PackColumn] for r in range(model.rowCount())]


def small_pack(tmp_path: Path, title: str = "A <b>Song</b> Nobody Has") -> Path:
    """A one-track pack whose track matches nothing in the demo OST."""
    document = {
        "format": "ostplayer-scene-pack",
        "version": 1,
        "name": "Fan <i>guide</i>",
        "series": "Hometown Embrace (a fictional series)",
        "episodes": [{"season": 1, "number": 2, "title": "Flour on Her Sleeves"}],
        "tracks": [
            {
                "title": title,
                "album": "Nowhere",
                "artist": "Nobody",
                "duration": 46,
                "chapters": {
                    "version": "1.2.0",
                    "chapters": [
                        {
                            "startTime": 3,
                            "endTime": 9,
                            "title": "Jun-ho waits at the bus stop in the rain",
                            "ostplayer:scene": {"episode": "S1E2", "episodeStart": "20:00"},
                        }
                    ],
                },
            }
        ],
    }
    path = tmp_path / "fan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_importing_the_demo_pack_again_updates_it_in_place(
    make_app: MakeApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    before = cue_count(app)
    assert before > 0
    assert app.window.import_pack_action in app.window.menuBar().actions()[0].menu().actions()
    choose_file(monkeypatch, "getOpenFileName", DEMO_PACK)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Ok)
    with qtbot.waitSignal(app.scenes.items_changed, timeout=10_000):  # the panel refreshes
        import_through_menu(app, qtbot)
    message = app.window.statusBar().currentMessage()
    assert message == (f"Imported “{DEMO_NAME}”: 4 tracks matched, 0 uncertain, 0 not found")
    assert asked == []
    assert [p.name for p in app.scenes.packs()] == [DEMO_NAME]
    assert cue_count(app) == before  # updated, not duplicated
    assert len(texts(play(app, qtbot, FIRST))) == 5


def test_a_malformed_pack_is_refused_and_changes_nothing(
    make_app: MakeApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = make_app()
    document = json.loads(DEMO_PACK.read_text(encoding="utf-8"))
    document["name"] = "Broken pack"
    document["tracks"][1]["chapters"]["chapters"][0]["endTime"] = "soon"
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    packs, cues = app.scenes.packs(), cue_count(app)
    choose_file(monkeypatch, "getOpenFileName", bad)
    asked = answer(monkeypatch, QMessageBox.StandardButton.Ok)
    with qtbot.assertNotEmitted(app.scenes.packs_changed, wait=100):
        app.window.import_pack_action.trigger()
        qtbot.waitUntil(lambda: len(asked) == 1, timeout=10_000)
    (box,) = asked
    assert box.icon() == QMessageBox.Icon.Warning
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert "nothing changed" in box.text()
    assert "Track 2" in box.informativeText()
    assert SHADOWS in box.informativeText()
    assert "endTime" in box.informativeText()
    assert app.scenes.packs() == packs
    assert cue_count(app) == cues


def test_my_notes_export_as_a_pack_that_reads_back(
    make_app: MakeApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = make_app()
    first = next(t for t in app.library.tracks() if t.title == FIRST)
    app.scenes.add_note(
        Note("She <b>almost</b> says it", 20_000, episode="S1E4", track_id=first.id)
    )
    app.scenes.add_note(Note("a plain note, not a scene", 30_000, track_id=first.id))
    target = tmp_path / "mine.json"
    choose_file(monkeypatch, "getSaveFileName", target)
    assert app.window.export_my_notes()
    pack = load_pack(target)
    (track,) = pack.tracks
    assert track.title == FIRST
    assert [cue.description for cue in track.cues] == ["She <b>almost</b> says it"]
    assert [cue.episode for cue in track.cues] == ["S1E4"]
    assert str(target) in app.window.statusBar().currentMessage()


def test_a_failed_export_says_why(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = make_app()
    choose_file(monkeypatch, "getSaveFileName", tmp_path / "no such folder" / "mine.json")
    asked = answer(monkeypatch, QMessageBox.StandardButton.Ok)
    assert not app.window.export_my_notes()
    (box,) = asked
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert "could not be exported" in box.text()
    assert box.informativeText()


def test_the_scene_packs_page_removes_a_pack_but_keeps_notes(
    make_app: MakeApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = make_app()
    panel = play(app, qtbot, FIRST)
    first = app.scenes.track_id()
    assert first is not None
    app.scenes.add_note(Note("my own note", 1000, episode="S1E1", track_id=first))
    assert len(texts(panel)) == 6
    before = cue_count(app)
    page, _spoilers = pages(app)
    (row,) = pack_rows(page)
    assert row[:4] == [DEMO_NAME, "Hometown Embrace (a fictional series)", "4 of 4", str(before)]
    assert row[PackColumn.IMPORTED][:2] == "20"  # a date, to the minute
    assert page.entries_model.rowCount() == 0
    assert not page.remove_button.isEnabled()

    page.packs_table.selectRow(0)
    assert page.remove_button.isEnabled() and page.export_button.isEnabled()
    target = tmp_path / "demo-copy.json"
    choose_file(monkeypatch, "getSaveFileName", target)
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert load_pack(target).name == DEMO_NAME

    cancelled = answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert len(cancelled) == 1
    assert len(pack_rows(page)) == 1

    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(app.scenes.items_changed):
        qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    (box,) = asked
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert DEMO_NAME in box.text()
    assert pack_rows(page) == []
    (only,) = texts(panel)  # the pack's cues are gone; the note stays
    assert "my own note" in only
    assert app.scenes.repository.notes(first)
    assert "Removed" in page.status_label.text()


def test_an_unmatched_entry_is_linked_by_hand(
    make_app: MakeApp, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = make_app()
    choose_file(monkeypatch, "getOpenFileName", small_pack(tmp_path))
    import_through_menu(app, qtbot)
    assert app.window.statusBar().currentMessage() == (
        "Imported “Fan <i>guide</i>”: 0 tracks matched, 0 uncertain, 1 not found"
        " — see Settings › Scene Packs"
    )
    page, _spoilers = pages(app)
    assert [row[:3] for row in pack_rows(page)] == [
        [DEMO_NAME, "Hometown Embrace (a fictional series)", "4 of 4"],
        ["Fan <i>guide</i>", "Hometown Embrace (a fictional series)", "0 of 1"],
    ]
    model = page.entries_model
    assert model.rowCount() == 1
    assert [model.index(0, c).data() for c in EntryColumn] == [
        "Fan <i>guide</i>",
        "A <b>Song</b> Nobody Has",
        "Nowhere",
        "Nobody",
        "0:46",
    ]
    assert "&lt;b&gt;" in model.index(0, EntryColumn.TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert not page.link_button.isEnabled()
    page.entries_table.selectRow(0)
    assert page.link_button.isEnabled()

    offered: list[TrackPickerDialog] = []

    def pick(dialog: TrackPickerDialog) -> int:
        offered.append(dialog)
        assert dialog.model.rowCount() == 4  # the whole library to choose from
        qtbot.keyClicks(dialog.filter_edit, "shadows")  # folded: case does not matter
        assert dialog.model.rowCount() == 1
        assert dialog.chosen_track() is not None
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(TrackPickerDialog, "exec", pick)
    qtbot.mouseClick(page.link_button, Qt.MouseButton.LeftButton)
    assert len(offered) == 1
    assert model.rowCount() == 0  # nothing waits any more
    assert pack_rows(page)[1][2] == "1 of 1"
    assert SHADOWS in page.status_label.text()
    shown = texts(play(app, qtbot, SHADOWS))
    assert any("Jun-ho waits at the bus stop in the rain" in text for text in shown)


def test_the_spoilers_page_sets_the_guard(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    panel = play(app, qtbot, FIRST)
    assert all(not text.startswith("Spoiler") for text in texts(panel))
    _packs, page = pages(app)
    combo = page.episode_combo
    assert combo.currentIndex() == 0
    assert combo.itemText(0) == "Show everything (no spoiler guard)"
    assert combo.itemText(3) == "Ep 3 — The Rooftop Confession"
    assert combo.count() == 1 + 8
    with qtbot.waitSignal(app.scenes.watched_changed):
        combo.setCurrentIndex(3)
    assert app.scenes.watched_up_to() == "S1E3"
    shown = texts(panel)
    assert "rooftop" in shown[1]
    assert shown[2] == "Spoiler: Ep 5 — click to reveal"

    app.scenes.set_watched_up_to("S1E5")  # set elsewhere (the Scenes menu): the page follows
    assert combo.currentText() == "Ep 5 — The Lantern Festival"
    with qtbot.waitSignal(app.scenes.watched_changed):
        combo.setCurrentIndex(0)
    assert app.scenes.watched_up_to() is None
    assert all(not text.startswith("Spoiler") for text in texts(panel))


def test_every_scene_settings_control_has_a_name_and_a_tooltip(make_app: MakeApp) -> None:
    app = make_app()
    packs, spoilers = pages(app)
    dialog = app.window.findChild(SettingsDialog)
    assert dialog is not None
    assert dialog.pages.indexOf(packs) > 0 and dialog.pages.indexOf(spoilers) > 0
    for page in (packs, spoilers):
        assert dialog.pages.tabToolTip(dialog.pages.indexOf(page))
        for button in page.findChildren(QPushButton):
            assert button.accessibleName(), button.text()
            assert button.toolTip(), button.text()
    for widget in (packs.packs_table, packs.entries_table, spoilers.episode_combo):
        assert widget.accessibleName() and widget.toolTip()
    picker = TrackPickerDialog(app.library.tracks(), "x", dialog)
    for button in picker.findChildren(QPushButton):
        assert button.accessibleName() and button.toolTip(), button.text()
    assert not picker.buttons.button(picker.buttons.StandardButton.Ok).isEnabled()
    picker.deleteLater()


def test_the_scenes_menu_opens_the_spoilers_page(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    app.window.watched_action.trigger()
    dialog = app.window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    assert isinstance(dialog.pages.currentWidget(), SpoilersPage)
