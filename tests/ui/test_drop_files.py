"""Dropping files and folders on the window: folders join the library, audio files are queued
(or played at once with Ctrl), files from outside the library are taken in first, and what
cannot be queued is named in the status bar."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.playback.engine import PlaybackState
from ostplayer.ui.drop import opened_message, sort_drop
from tests.conftest import DATA


def mime(paths: list[Path], extra_urls: tuple[str, ...] = ()) -> QMimeData:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths] + [QUrl(u) for u in extra_urls])
    return data


def drop(app: Application, data: QMimeData, ctrl: bool = False) -> QDropEvent:
    modifiers = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton, modifiers
    )
    app.window.dropEvent(event)
    return event


def accepts(app: Application, data: QMimeData) -> bool:
    event = QDragEnterEvent(
        QPointF(10, 10).toPoint(),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    event.ignore()
    app.window.dragEnterEvent(event)
    return event.isAccepted()


@pytest.fixture
def loose(tmp_path: Path) -> dict[str, Path]:
    """A folder of music, an audio file the library lacks, and a file that is not audio."""
    folder = tmp_path / "More OST"
    folder.mkdir()
    shutil.copy(DATA / "tone.ogg", folder / "tone.ogg")
    single = tmp_path / "Not Yet <b>Added.flac"
    shutil.copy(DATA / "tone.flac", single)
    notes = tmp_path / "liner notes.txt"
    notes.write_text("hello", encoding="utf-8")
    return {"folder": folder, "single": single, "notes": notes}


def test_a_drop_is_sorted_by_what_it_brings(loose: dict[str, Path]) -> None:
    urls = mime(
        [loose["folder"], loose["single"], loose["notes"]], ("https://example.org/a.mp3",)
    ).urls()
    dropped = sort_drop(urls)
    assert dropped.folders == [loose["folder"]]
    assert dropped.audio_files == [loose["single"]]
    assert dropped.other_files == [loose["notes"]]  # the web address is left out
    assert not sort_drop(mime([loose["notes"]]).urls())  # nothing the window can take


def test_the_message_after_a_drop_counts_and_names_what_was_left_out() -> None:
    four = [Path(f"/music/{name}.txt") for name in ("a", "b", "c", "d")]
    assert opened_message([], [], [], play_now=False) == ""
    assert opened_message([7], [], [], play_now=True) == "Playing the dropped track."
    assert opened_message([1, 2], [Path("/m/broken.mp3")], four, play_now=False) == (
        "Added 2 tracks to the queue; broken.mp3 could not be read (see Problems for files in "
        "your library); 4 files are not audio (a.txt, b.txt, c.txt, …)."
    )


def test_the_window_takes_audio_and_folders_only(app: Application, loose: dict[str, Path]) -> None:
    assert accepts(app, mime([loose["single"]]))
    assert accepts(app, mime([loose["folder"]]))
    assert not accepts(app, mime([loose["notes"]]))


def status(app: Application) -> str:
    return app.window.statusBar().currentMessage()


def test_files_from_outside_the_library_are_taken_in_and_queued(
    app: Application, qtbot: QtBot, loose: dict[str, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other.ogg"
    shutil.copy(DATA / "tone.ogg", other)
    before = len(app.player.queue.items)
    drop(app, mime([loose["single"], other]))
    qtbot.waitUntil(lambda: "Added 2 tracks to the queue" in status(app), timeout=30_000)
    added = [app.library.get(i) for i in app.player.queue.items[before:]]
    assert [t.path for t in added if t is not None] == [loose["single"], other]


def test_dropped_library_files_are_queued(app: Application, qtbot: QtBot) -> None:
    tracks = app.library.tracks()
    app.player.play_tracks([tracks[0].id])
    event = drop(app, mime([tracks[3].path, tracks[1].path]))
    assert event.isAccepted()
    qtbot.waitUntil(lambda: "Added 2 tracks to the queue" in status(app), timeout=30_000)
    assert app.player.queue.items[-2:] == [tracks[3].id, tracks[1].id]
    assert app.player.current_track() == tracks[0]  # playback goes on as it was


def test_ctrl_drop_plays_at_once(app: Application, qtbot: QtBot) -> None:
    tracks = app.library.tracks()
    drop(app, mime([tracks[2].path]), ctrl=True)
    assert app.engine is not None
    qtbot.waitUntil(lambda: app.engine.state() is PlaybackState.PLAYING, timeout=30_000)
    assert app.player.current_track() == tracks[2]
    assert "Playing the dropped track" in status(app)


def test_what_cannot_be_queued_is_named(
    app: Application, qtbot: QtBot, loose: dict[str, Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken <i>take.ogg"
    broken.write_bytes(b"not an ogg file at all" * 50)
    before = list(app.player.queue.items)
    drop(app, mime([broken, loose["notes"]]))
    qtbot.waitUntil(lambda: "take.ogg could not be read" in status(app), timeout=30_000)
    message = status(app)
    assert app.player.queue.items == before  # nothing playable came of the files
    assert "broken <i>take.ogg could not be read" in message  # plain text, as named
    assert "liner notes.txt is not an audio file" in message


def test_a_dropped_folder_joins_the_library(
    app: Application, qtbot: QtBot, loose: dict[str, Path]
) -> None:
    with qtbot.waitSignal(app.library.scan_finished, timeout=60_000):
        drop(app, mime([loose["folder"]]))
    assert loose["folder"] in app.library.folders()
    assert any(t.path == loose["folder"] / "tone.ogg" for t in app.library.tracks())
