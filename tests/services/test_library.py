"""The library service's sources: listing, removing and restoring them, with a real database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ostplayer.domain.text import search_text
from ostplayer.services.library import LibraryService, Source
from tests.conftest import DATA, MakeApp

FORMATS = ("ogg", "flac", "mp3")  # fewer than the scanner's worker threshold: read in-process


@pytest.fixture
def music(tmp_path: Path) -> Path:
    folder = tmp_path / "Music"
    folder.mkdir()
    for fmt in FORMATS:
        shutil.copy(DATA / f"tone.{fmt}", folder / f"tone.{fmt}")
    return folder


def scanned(library: LibraryService, qtbot: QtBot, folders: list[Path] | None = None) -> None:
    with qtbot.waitSignal(library.scan_finished, timeout=60_000):
        assert library.scan(folders)


def test_sources_have_their_track_count_and_availability(
    library: LibraryService, qtbot: QtBot, music: Path, tmp_path: Path
) -> None:
    scanned(library, qtbot, [music])
    (source,) = library.sources()
    assert source == Source(source.id, "folder", music, len(FORMATS), available=True)
    music.rename(tmp_path / "unplugged")
    # As the last load found it: the folder is looked at on the load's worker thread, never
    # here on the GUI thread (a hung mount would freeze the Settings page).
    assert library.sources()[0].available
    with qtbot.waitSignal(library.tracks_changed, timeout=10_000):
        library.load()
    assert library.sources() == [Source(source.id, "folder", music, len(FORMATS), False)]


def test_removing_a_folder_takes_its_tracks_out_and_stops_watching_it(
    library: LibraryService, qtbot: QtBot, music: Path
) -> None:
    (music / "Disc 2").mkdir()
    scanned(library, qtbot, [music])
    assert str(music / "Disc 2") in library._watcher.directories()
    (source,) = library.sources()
    with qtbot.waitSignal(library.tracks_changed, timeout=10_000):
        assert library.remove_source(source.id)
        assert library.is_busy()
        assert not library.scan()  # nothing is scanned while a removal runs
    assert library.tracks() == []
    assert library.sources() == []
    assert library._watcher.directories() == []
    assert not library.is_busy()


def test_removing_is_refused_while_a_scan_runs(
    library: LibraryService, qtbot: QtBot, music: Path
) -> None:
    scanned(library, qtbot, [music])
    (source,) = library.sources()
    with qtbot.waitSignal(library.scan_finished, timeout=60_000):
        assert library.scan()
        assert not library.remove_source(source.id)
    assert len(library.tracks()) == len(FORMATS)
    assert library.sources()[0].track_count == len(FORMATS)
    assert not library.remove_source(source.id + 100)  # no such source


def test_a_removed_demo_stays_removed_after_a_restart(make_app: MakeApp, qtbot: QtBot) -> None:
    first = make_app()
    (demo,) = first.library.sources()
    assert demo.kind == "demo"
    assert demo.track_count == 4
    ids = {t.id for t in first.library.tracks()}
    with qtbot.waitSignal(first.library.tracks_changed, timeout=10_000):
        assert first.library.remove_source(demo.id)
    assert first.library.tracks() == []
    first.window.close()
    first.shutdown()

    second = make_app()
    assert not second.library.needs_demo()
    assert second.library.sources() == []
    assert second.library.tracks() == []

    with qtbot.waitSignal(second.library.tracks_changed, timeout=10_000):
        assert second.library.restore_demo()
    assert {t.id for t in second.library.tracks()} == ids  # same tracks, same ids
    assert not second.library.restore_demo()  # it is there already


def test_shutdown_stops_watching_before_the_database_closes(
    library: LibraryService, qtbot: QtBot, music: Path
) -> None:
    scanned(library, qtbot, [music])
    shutil.copy(DATA / "tone.wav", music / "late arrival.wav")  # the app is quitting
    qtbot.waitUntil(library._settle.isActive)
    library.shutdown()
    assert not library._settle.isActive()
    assert library._watcher.directories() == []
    library._rescan_changed()  # a timer that fires anyway starts nothing
    assert not library.is_scanning()


def test_a_scan_sends_its_tracks_as_it_goes_and_its_progress_sparingly(
    library: LibraryService, music: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ostplayer.library import scanner

    monkeypatch.setattr(scanner, "BATCH", 1)  # a batch per file, so several are sent
    added: list[int] = []
    progress: list[tuple[int, int]] = []
    library.tracks_added.connect(lambda tracks, _search: added.extend(t.id for t in tracks))
    library.scan_progress.connect(lambda done, total, _folder: progress.append((done, total)))
    with qtbot.waitSignal(library.scan_finished, timeout=30_000):
        assert library.scan([music])
    assert sorted(added) == sorted(t.id for t in library.tracks())
    assert len(added) == len(FORMATS)
    # Throttled: the first report and the last one, not one per file.
    assert progress[0][0] == 1 and progress[-1] == (len(FORMATS), len(FORMATS))
    assert len(progress) < len(FORMATS)
    assert library.search_texts() == [search_text(t) for t in library.tracks()]
