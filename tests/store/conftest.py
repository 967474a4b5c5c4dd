"""Fixtures for the store's tests: a real database in the test's data dir, and the demo OST."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ostplayer.library.scanner import scan_folder
from ostplayer.paths import resources_dir
from ostplayer.store.database import Database
from ostplayer.store.tracks import TrackRepository

DEMO = resources_dir() / "demo"


@pytest.fixture
def db(data_dir: Path) -> Database:
    return Database(data_dir / "library.sqlite3")


@pytest.fixture
def demo(db: Database, tmp_path: Path) -> tuple[TrackRepository, Path]:
    """The demo OST, copied to a folder of its own and scanned in."""
    folder = tmp_path / "demo"
    folder.mkdir()
    for song in DEMO.glob("*.ogg"):
        shutil.copy2(song, folder / song.name)
    repo = TrackRepository(db)
    scan_folder(repo, folder, workers=0)
    return repo, folder
