"""Orphaned notes: a deleted file leaves the library, its notes stay and can be re-linked.

The real app on a real SQLite database, with the fake engine; the files are the tiny fixtures.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.domain.scene import Note
from ostplayer.domain.track import Track
from ostplayer.playback.engine import PlaybackState
from ostplayer.ui.orphans import OBJECT_ROLE, OrphanedNotesDialog, OrphanedNotesModel
from tests.conftest import DATA, MakeApp

MARKUP = "<b>bold</b> & <i>rain</i>\non the roof"


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "My OSTs"
    folder.mkdir()
    shutil.copy(DATA / "tone.ogg", folder / "Rain Theme.ogg")
    shutil.copy(DATA / "tone.mp3", folder / "Sunrise.mp3")
    return folder


def scan(app: Application, qtbot: QtBot, folders: list[Path] | None = None) -> None:
    qtbot.waitUntil(lambda: not app.library.is_busy(), timeout=30_000)  # the first-run demo
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        assert app.library.scan(folders)


def track_named(app: Application, name: str) -> Track | None:
    return next((t for t in app.library.tracks() if t.path.name == name), None)


def open_dialog(app: Application, qtbot: QtBot) -> OrphanedNotesDialog:
    app.window.orphans_action.trigger()
    dialog = app.window.findChild(OrphanedNotesDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def cell(dialog: OrphanedNotesDialog, row: int, column: int, role: int = 0) -> object:
    return dialog.model.index(row, column).data(role or Qt.ItemDataRole.DisplayRole)


def orphan_a_note(app: Application, qtbot: QtBot, music: Path) -> Note:
    """Scan ``music``, write a note on "Rain Theme.ogg", delete the file and rescan."""
    scan(app, qtbot, [music])
    qtbot.waitUntil(lambda: track_named(app, "Rain Theme.ogg") is not None, timeout=10_000)
    rain = track_named(app, "Rain Theme.ogg")
    assert rain is not None
    note = app.scenes.add_note(Note(text=MARKUP, position_ms=65_000, track_id=rain.id))
    assert app.scenes.orphaned_notes() == []
    (music / "Rain Theme.ogg").unlink()
    scan(app, qtbot)
    qtbot.waitUntil(lambda: track_named(app, "Rain Theme.ogg") is None, timeout=10_000)
    return note


def test_a_note_on_a_deleted_file_is_listed_and_can_be_relinked(
    make_app: MakeApp, qtbot: QtBot, music: Path
) -> None:
    app = make_app()
    note = orphan_a_note(app, qtbot, music)
    assert [n.id for n in app.scenes.orphaned_notes()] == [note.id]  # kept, not deleted
    sunrise = track_named(app, "Sunrise.mp3")
    assert sunrise is not None
    # The new track plays: the scene panel must pick up the note when it arrives.
    app.player.play_tracks([sunrise.id])
    qtbot.waitUntil(lambda: app.engine.state() == PlaybackState.PLAYING, timeout=5000)
    qtbot.waitUntil(lambda: app.scenes.track_id() == sunrise.id, timeout=2000)
    assert not any(item.is_note for item in app.scenes.items())

    dialog = open_dialog(app, qtbot)
    assert dialog.stack.currentWidget() is not dialog.empty
    assert dialog.model.rowCount() == 1
    assert dialog.summary.text().startswith("1 note(s) are on music files that left")
    assert cell(dialog, 0, OrphanedNotesModel.TRACK) == "Fixture Tone (Ogg Vorbis)"
    assert cell(dialog, 0, OrphanedNotesModel.FILE) == "Rain Theme.ogg"
    assert cell(dialog, 0, OrphanedNotesModel.TIME) == "1:05"
    # The deleted track is no choice; the library's present tracks are.
    choices = [
        dialog.tracks_model.track(r).path.name for r in range(dialog.tracks_model.rowCount())
    ]
    assert "Sunrise.mp3" in choices and "Rain Theme.ogg" not in choices
    assert not dialog.relink_button.isEnabled()  # a note is selected, a track not yet

    dialog.filter.setText("MP3")  # folded: case does not matter
    assert dialog.tracks_model.rowCount() == 1
    dialog.track_list.setCurrentIndex(dialog.tracks_model.index(0, 0))
    assert dialog.relink_button.isEnabled()
    qtbot.mouseClick(dialog.relink_button, Qt.MouseButton.LeftButton)

    moved = app.scenes.repository.note(note.id)
    assert moved is not None and moved.track_id == sunrise.id
    assert moved.text == MARKUP and moved.position_ms == 65_000  # nothing else changed
    assert app.scenes.orphaned_notes() == []
    assert dialog.model.rowCount() == 0
    assert dialog.stack.currentWidget() is dialog.empty
    assert dialog.empty.text() == "No orphaned notes: every note is on a track in your library."
    assert "Fixture Tone (MP3)" in dialog.status.text()
    assert [item.note.id for item in app.scenes.items() if item.note] == [note.id]


def test_markup_in_a_note_is_shown_as_written(make_app: MakeApp, qtbot: QtBot, music: Path) -> None:
    app = make_app()
    orphan_a_note(app, qtbot, music)
    dialog = open_dialog(app, qtbot)
    assert cell(dialog, 0, OrphanedNotesModel.NOTE) == "<b>bold</b> & <i>rain</i> on the roof"
    tooltip = str(cell(dialog, 0, OrphanedNotesModel.NOTE, Qt.ItemDataRole.ToolTipRole))
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in tooltip and "<b>" not in tooltip
    assert dialog.detail.textFormat() == Qt.TextFormat.PlainText
    assert dialog.detail.text() == MARKUP
    assert cell(dialog, 0, OrphanedNotesModel.NOTE, OBJECT_ROLE).text == MARKUP


def test_with_no_orphans_the_dialog_says_so(make_app: MakeApp, qtbot: QtBot) -> None:
    app = make_app()
    dialog = open_dialog(app, qtbot)
    assert dialog.model.rowCount() == 0
    assert dialog.stack.currentWidget() is dialog.empty
    assert dialog.empty.isVisible()
    assert not dialog.relink_button.isEnabled()
    dialog.close()
    qtbot.waitUntil(lambda: app.window.findChild(OrphanedNotesDialog) is None, timeout=2000)


class FakeSource:
    """The dialog's source without a database: one note whose track is unknown."""

    def __init__(self) -> None:
        self.notes = [Note(text="lost", position_ms=3_723_000, id=7, track_id=99)]
        self.relinked: list[tuple[int, int]] = []

    def orphaned_notes(self) -> list[Note]:
        return list(self.notes)

    def old_track(self, track_id: int) -> Track | None:
        return None

    def relink_note(self, note_id: int, track_id: int) -> None:
        self.relinked.append((note_id, track_id))
        self.notes = []


def test_a_note_whose_old_track_is_unknown_still_shows(qapp: QApplication, qtbot: QtBot) -> None:
    source = FakeSource()
    tracks = [Track(Path("/m/a.ogg"), title="Alpha", id=1), Track(Path("/m/b.ogg"), id=2)]
    dialog = OrphanedNotesDialog(source, tracks)
    qtbot.addWidget(dialog)
    assert cell(dialog, 0, OrphanedNotesModel.TRACK) == "Unknown track"
    assert cell(dialog, 0, OrphanedNotesModel.FILE) == ""
    assert cell(dialog, 0, OrphanedNotesModel.TIME) == "1:02:03"
    dialog.filter.setText("b")  # the file name stands in for a missing title
    assert [dialog.tracks_model.track(r).id for r in range(dialog.tracks_model.rowCount())] == [2]
    dialog.track_list.setCurrentIndex(dialog.tracks_model.index(0, 0))
    dialog.relink()
    assert source.relinked == [(7, 2)]
    assert dialog.stack.currentWidget() is dialog.empty
