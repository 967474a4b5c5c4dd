"""SceneService without a window: items in order, notes with undo, where else, the timeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.domain.scene import Note, SceneCue
from ostplayer.services.scenes import SceneItem, SceneService, Timeline, item_of_cue
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository


@pytest.fixture
def service(data_dir: Path, qtbot: QtBot) -> Iterator[SceneService]:
    db = Database(data_dir / "library.sqlite3")
    tasks = Tasks()
    yield SceneService(SceneRepository(db), TrackRepository(db), StateRepository(db), tasks)
    tasks.wait()
    db.close()


def cue(start: int, end: int | None, episode: str = "S1E1") -> SceneItem:
    return item_of_cue(SceneCue(start_ms=start, end_ms=end, episode=episode, description="x"))


def test_the_timeline_finds_the_item_under_the_play_head() -> None:
    timeline = Timeline([cue(2_000, 5_000), cue(5_000, None), cue(9_000, 9_500)])
    assert timeline.current(0) is None and timeline.next_after(0) == 0
    assert timeline.current(2_000) == 0
    assert timeline.current(4_999) == 0
    assert timeline.current(5_000) == 1  # a cue without an end lasts until the next one
    assert timeline.current(8_999) == 1
    assert timeline.current(9_200) == 2
    assert timeline.current(9_500) is None  # after the last cue's end
    assert timeline.next_after(9_500) is None


def test_an_overlapping_longer_item_still_covers_the_position() -> None:
    timeline = Timeline([cue(0, 20_000), cue(3_000, 4_000)])
    assert timeline.current(3_500) == 1  # the newer moment wins
    assert timeline.current(10_000) == 0


def test_add_edit_delete_and_undo(service: SceneService, qtbot: QtBot) -> None:
    note = service.add_note(Note(text="first", position_ms=1_000))
    assert note.id and service.repository.note(note.id) == note
    service.update_note(Note(text="edited", position_ms=1_000, id=note.id))
    assert service.repository.note(note.id).text == "edited"
    service.undo_stack.undo()
    assert service.repository.note(note.id).text == "first"
    assert service.delete_note(note.id) == note
    assert service.repository.note(note.id) is None
    service.undo_stack.undo()  # the delete
    assert service.repository.note(note.id) == note  # the same id
    service.undo_stack.undo()  # the edit was undone already: this undoes the add
    assert service.repository.note(note.id) is None
    service.undo_stack.redo()
    assert service.repository.note(note.id) == note  # back under the same id


def test_the_spoiler_guard_is_remembered(service: SceneService, qtbot: QtBot) -> None:
    assert service.watched_up_to() is None
    with qtbot.waitSignal(service.watched_changed, timeout=1000):
        service.set_watched_up_to("s01e04")
    assert service.watched_up_to() == "S1E4"
    with pytest.raises(ValueError):
        service.set_watched_up_to("four")
    service.set_watched_up_to(None)
    assert service.watched_up_to() is None


def test_known_moods_come_from_notes(service: SceneService) -> None:
    service.add_note(Note(text="n", position_ms=0, moods=("tense", "Tender")))
    service.add_note(Note(text="m", position_ms=0, moods=("hopeful", "tense")))
    assert service.known_moods() == ["hopeful", "Tender", "tense"]
