"""``ostplayer backup`` and ``ostplayer restore FILE``, and what every command does with a damaged
library: the real command in a child process, on the test's data dir, as a script runs it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ostplayer.desktop.instance import InstanceLock
from ostplayer.domain.scene import Note
from ostplayer.store.backup import Reason, list_backups, make_backup
from ostplayer.store.database import Database
from ostplayer.store.migrations import MIGRATIONS
from ostplayer.store.scenes import SceneRepository
from tests.notes_db import library_with_notes, note_texts

SCHEMAS = Path(__file__).resolve().parent / "data" / "schema"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OSTPLAYER_VLC_DISABLE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "ostplayer", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ostplayer: ")
    return lines[0]


@pytest.fixture
def app_running(data_dir: Path) -> Iterator[None]:
    """The data dir's single-instance lock, held as the running app holds it."""
    lock = InstanceLock(data_dir)
    assert lock.try_acquire()
    yield
    lock.release()


# -- backup ------------------------------------------------------------------------------------
def test_backup_prints_the_path_of_a_checked_copy(data_dir: Path) -> None:
    library = library_with_notes(data_dir / "library.sqlite3", "the rooftop confession")
    result = run("backup")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.parent == data_dir / "backups"
    assert path.name.endswith("-manual.sqlite3")
    assert note_texts(path) == note_texts(library) == ["the rooftop confession"]


def test_backup_json_and_the_list(data_dir: Path) -> None:
    library_with_notes(data_dir / "library.sqlite3", "x")
    made = json.loads(run("backup", "--json").stdout)
    assert set(made) == {"path", "taken_at", "reason", "size"}
    assert made["reason"] == "manual" and made["size"] == Path(made["path"]).stat().st_size
    datetime.fromisoformat(made["taken_at"])
    listed = json.loads(run("backup", "--list", "--json").stdout)
    assert listed == [made]
    text = run("backup", "--list").stdout.splitlines()
    assert len(text) == 1 and made["path"] in text[0] and "manual" in text[0]


def test_backup_runs_beside_the_running_app(data_dir: Path, app_running: None) -> None:
    library_with_notes(data_dir / "library.sqlite3", "x")
    result = run("backup")
    assert result.returncode == 0, result.stderr  # SQLite's online backup: no need to quit


def test_backup_without_a_library_says_so(data_dir: Path) -> None:
    line = _one_line_error(run("backup"), 1)
    assert "no library database to back up" in line


def test_manual_backups_keep_the_newest_ten(data_dir: Path) -> None:
    library = library_with_notes(data_dir / "library.sqlite3", "x")
    backups = data_dir / "backups"
    for day in range(12):
        make_backup(library, backups, Reason.MANUAL, now=datetime(2026, 1, 1) + timedelta(day))
    assert run("backup").returncode == 0
    manual = [b for b in list_backups(backups) if b.reason is Reason.MANUAL]
    assert len(manual) == 10
    assert manual[-1].taken_at == datetime(2026, 1, 4)


# -- restore -----------------------------------------------------------------------------------
def test_restore_replaces_the_library_and_keeps_the_one_it_replaced(data_dir: Path) -> None:
    library = library_with_notes(data_dir / "library.sqlite3", "in the backup")
    backup = make_backup(library, data_dir / "backups", Reason.MANUAL)
    db = Database(library)
    SceneRepository(db).add_note(Note(text="after the backup", position_ms=9))
    db.close()
    result = run("restore", os.fspath(backup.path), "--json")
    assert result.returncode == 0, result.stderr
    done = json.loads(result.stdout)
    assert set(done) == {"restored", "schema", "previous", "damaged"}
    assert done["restored"] == os.fspath(backup.path) and done["damaged"] is None
    assert done["schema"] == len(MIGRATIONS)
    assert note_texts(library) == ["in the backup"]
    assert note_texts(Path(done["previous"])) == ["in the backup", "after the backup"]
    assert run("notes", "list", "--json").returncode == 0


def test_restore_of_an_older_schema_migrates_it_at_once(data_dir: Path, tmp_path: Path) -> None:
    library = library_with_notes(data_dir / "library.sqlite3", "now")
    old = tmp_path / "from-last-year.sqlite3"
    old.write_bytes((SCHEMAS / "v3.sqlite3").read_bytes())
    result = run("restore", os.fspath(old))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Restored {old}."
    conn = sqlite3.connect(library)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    finally:
        conn.close()
    assert old.read_bytes() == (SCHEMAS / "v3.sqlite3").read_bytes()  # the file is only read


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (lambda: os.urandom(8192), "not a database"),
        (lambda: b"", "is empty"),
        (None, "is not a file"),
    ],
    ids=["random", "empty", "missing"],
)
def test_restore_refuses_what_is_not_a_sound_library_and_changes_nothing(
    content: object, words: str, data_dir: Path, tmp_path: Path
) -> None:
    library_with_notes(data_dir / "library.sqlite3", "mine")
    candidate = tmp_path / "candidate.sqlite3"
    if content is not None:
        candidate.write_bytes(content())  # type: ignore[operator]
    before = _listing(data_dir)
    line = _one_line_error(run("restore", os.fspath(candidate)), 2)
    assert words in line and "Nothing was restored" in line
    assert _listing(data_dir) == before


def test_restore_refuses_while_the_app_runs_and_changes_nothing(
    data_dir: Path, app_running: None
) -> None:
    library = library_with_notes(data_dir / "library.sqlite3", "mine")
    backup = make_backup(library, data_dir / "backups", Reason.MANUAL)
    before = _listing(data_dir)
    line = _one_line_error(run("restore", os.fspath(backup.path)), 1)
    assert "running" in line and "Nothing was restored" in line
    assert _listing(data_dir) == before


# -- a damaged library, met by any command -----------------------------------------------------
def test_a_command_repairs_a_damaged_library_from_its_backup_and_says_so(data_dir: Path) -> None:
    library = library_with_notes(data_dir / "library.sqlite3", "in the backup")
    backup = make_backup(library, data_dir / "backups", Reason.DAILY)
    damaged = os.urandom(library.stat().st_size)
    library.write_bytes(damaged)
    result = run("notes", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert [n["text"] for n in json.loads(result.stdout)] == ["in the backup"]
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith("ostplayer: the library database was damaged")
    assert backup.taken_at.strftime("%Y-%m-%d %H:%M") in message
    [aside] = [p for p in data_dir.iterdir() if p.name.startswith("library.sqlite3.corrupt-")]
    assert os.fspath(aside) in message
    assert aside.read_bytes() == damaged


def test_a_command_never_repairs_under_the_running_app(data_dir: Path, app_running: None) -> None:
    library = library_with_notes(data_dir / "library.sqlite3", "x")
    make_backup(library, data_dir / "backups", Reason.DAILY)
    library.write_bytes(os.urandom(8192))
    before = _listing(data_dir)
    line = _one_line_error(run("tracks", "--json"), 1)
    assert "not a database" in line and "running" in line
    assert _listing(data_dir) == before


def test_a_newer_library_is_refused_by_every_command_and_left_alone(data_dir: Path) -> None:
    library = library_with_notes(data_dir / "library.sqlite3", "from the future")
    conn = sqlite3.connect(library)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    conn.close()
    before = _listing(data_dir)
    for command in (["tracks"], ["notes", "list"], ["moods"]):
        line = _one_line_error(run(*command), 1)
        assert "newer OST Player" in line
    assert _listing(data_dir) == before


def test_help_lists_backup_and_restore() -> None:
    out = run("--help").stdout
    assert "backup" in out and "restore" in out
