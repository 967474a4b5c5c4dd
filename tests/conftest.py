"""Test set-up shared by the whole suite: headless Qt, silent libvlc, a fresh data dir per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ostplayer.app import Application
from ostplayer.library.tagreader import MAX_READ_BYTES
from ostplayer.paths import AppPaths, resources_dir
from ostplayer.playback.engine import Engine
from ostplayer.services.library import LibraryService
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository

# Set before any Qt or libvlc object exists. Headless Qt, and libvlc with no sound card.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("OSTPLAYER_VLC_ARGS", "--aout=dummy")

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
FIXTURE_FORMATS = ("ogg", "opus", "mp3", "flac", "wav", "aiff")
#: Every committed audio fixture: tone.ogg, tone.m4a, tone-alac.m4a, tone.wv...
ALL_FIXTURES = sorted(DATA.glob("tone*"))


def huge_tag_file(folder: Path) -> Path:
    """An MP3 whose ID3 header claims a 256 MB tag, in a sparse file big enough to hold it."""
    path = folder / "huge-tag.mp3"
    size = 0x0FFFFFFF  # the largest size a synchsafe field holds
    synchsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    with path.open("wb") as out:
        out.write(b"ID3\x04\x00\x00" + synchsafe)
        out.truncate(MAX_READ_BYTES * 5)
    return path


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data dir; the real one is never touched."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("OSTPLAYER_DATA_DIR", str(path))
    yield path


@pytest.fixture
def fixture_file() -> object:
    """Return the path of the tiny real audio fixture for a format ("ogg", "mp3"...)."""

    def get(fmt: str) -> Path:
        path = DATA / f"tone.{fmt}"
        assert path.is_file(), (
            f"missing fixture {path}: run `python tools/make_audio.py --fixtures`"
        )
        return path

    return get


MakeApp = Callable[..., Application]


@pytest.fixture
def make_app(qapp: QApplication, qtbot: QtBot, data_dir: Path) -> Iterator[MakeApp]:
    made: list[Application] = []

    def make(factory: Callable[[], Engine] | None = None) -> Application:
        """Start the app on a fresh data dir; ``factory`` makes its engine (default: the fake)."""
        if factory is None:
            from tests.fakes import FakeEngine

            factory = FakeEngine
        app = Application(qapp, AppPaths(data_dir), factory)
        made.append(app)
        with qtbot.waitSignal(app.ready, timeout=10_000):
            app.start()
        qtbot.waitExposed(app.window)
        app.window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window, timeout=2000)
        return app

    yield make
    for app in made:
        app.window.close()
        app.shutdown()


@pytest.fixture
def library(qapp: object, data_dir: Path) -> Iterator[LibraryService]:
    """The library service on its own, on a fresh database in the test's data dir."""
    db = Database(data_dir / "library.sqlite3")
    tasks = Tasks()
    service = LibraryService(
        TrackRepository(db), resources_dir() / "demo", tasks, StateRepository(db)
    )
    yield service
    service.shutdown()
    tasks.wait(10_000)
    db.close()
