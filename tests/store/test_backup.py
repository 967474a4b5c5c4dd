"""Backups of the library: made with SQLite's online backup API, checked, rotated by reason;
restored atomically; a damaged database is moved aside and the newest sound backup takes its
place. Real SQLite files in the test's data dir throughout."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ostplayer.domain.scene import Note
from ostplayer.store import backup as backup_module
from ostplayer.store import database as database_module
from ostplayer.store.backup import (
    KEEP,
    BackupError,
    Reason,
    apply_pending_restore,
    check_database,
    daily_backup_due,
    list_backups,
    make_backup,
    open_library,
    pending_restore,
    restore,
    rotate,
    stage_restore,
    take_daily_backup,
)
from ostplayer.store.database import (
    CorruptDatabaseError,
    Database,
    NewerDatabaseError,
    StoreError,
)
from ostplayer.store.migrations import MIGRATIONS
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.state import StateRepository
from tests.notes_db import library_with_notes, note_texts

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schema"
NOON = datetime(2026, 5, 9, 12, 0, 0)


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def library(data_dir: Path) -> Path:
    return library_with_notes(
        data_dir / "library.sqlite3", "the rooftop confession", "rain at the station"
    )


@pytest.fixture
def backups(data_dir: Path) -> Path:
    return data_dir / "backups"


# -- making backups ----------------------------------------------------------------------------
def test_a_backup_is_a_whole_checked_single_file_named_by_time_and_reason(
    library: Path, backups: Path
) -> None:
    made = make_backup(library, backups, Reason.MANUAL, now=NOON)
    assert made.path == backups / "library-20260509-120000-manual.sqlite3"
    assert (made.taken_at, made.reason, made.size) == (
        NOON,
        Reason.MANUAL,
        made.path.stat().st_size,
    )
    assert sorted(p.name for p in backups.iterdir()) == [made.path.name]  # no temporary left
    assert note_texts(made.path) == ["the rooftop confession", "rain at the station"]
    assert check_database(made.path) == len(MIGRATIONS)
    conn = sqlite3.connect(made.path)
    try:  # one self-contained file: no WAL to carry along
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    assert list_backups(backups) == [made]


def test_a_backup_while_the_app_writes_holds_every_commit_and_nothing_uncommitted(
    library: Path, backups: Path
) -> None:
    db = Database(library)  # the app, with a WAL that holds commits not yet in the main file
    scenes = SceneRepository(db)
    scenes.add_note(Note(text="committed, only in the WAL", position_ms=5))
    assert (library.parent / "library.sqlite3-wal").stat().st_size > 0
    with db.transaction() as conn:
        conn.execute("INSERT INTO note (text, position_ms) VALUES ('not committed yet', 6)")
        made = make_backup(library, backups, Reason.MANUAL)
    db.close()
    assert "committed, only in the WAL" in note_texts(made.path)
    assert "not committed yet" not in note_texts(made.path)


def test_two_backups_in_one_second_both_keep_their_file(library: Path, backups: Path) -> None:
    first = make_backup(library, backups, Reason.MANUAL, now=NOON)
    second = make_backup(library, backups, Reason.MANUAL, now=NOON)
    assert second.path.name == "library-20260509-120000-manual-2.sqlite3"
    assert list_backups(backups) == [second, first]


def test_the_daily_backup_is_taken_once_a_day_and_the_newest_seven_are_kept(
    library: Path, backups: Path
) -> None:
    others = [
        make_backup(library, backups, Reason.MIGRATION, version=3, now=NOON - timedelta(days=30)),
        make_backup(library, backups, Reason.MANUAL, now=NOON - timedelta(days=30)),
    ]
    taken = []
    for day in range(10):
        morning = NOON + timedelta(days=day, hours=-3)
        made = take_daily_backup(library, backups, morning)
        assert made is not None
        assert take_daily_backup(library, backups, morning + timedelta(hours=8)) is None
        assert not daily_backup_due(backups, morning + timedelta(hours=8))
        taken.append(made)
    daily = [b for b in list_backups(backups) if b.reason is Reason.DAILY]
    assert KEEP[Reason.DAILY] == 7
    assert daily == taken[::-1][:7]
    assert not any(b.path.exists() for b in taken[:3])
    assert all(b.path.exists() for b in others)  # other reasons rotate on their own


def test_each_reason_keeps_its_own_number(library: Path, backups: Path) -> None:
    for reason in (Reason.MIGRATION, Reason.RESTORE, Reason.MANUAL):
        made = [
            make_backup(library, backups, reason, version=2, now=NOON + timedelta(minutes=i))
            for i in range(KEEP[reason] + 2)
        ]
        removed = rotate(backups, reason)
        assert removed == [b.path for b in made[:2]][::-1]
        kept = [b for b in list_backups(backups) if b.reason is reason]
        assert kept == made[2:][::-1]
    assert (KEEP[Reason.MIGRATION], KEEP[Reason.RESTORE], KEEP[Reason.MANUAL]) == (3, 3, 10)


def test_other_files_in_the_backups_folder_are_ignored_and_kept(
    library: Path, backups: Path
) -> None:
    backups.mkdir()
    (backups / "notes.txt").write_text("mine")
    (backups / "library-2026-05-09.sqlite3").write_text("not our name")
    made = make_backup(library, backups, Reason.DAILY, now=NOON)
    assert made.path.name == "library-20260509-120000.sqlite3"
    assert list_backups(backups) == [made]
    assert (backups / "notes.txt").read_text() == "mine"


def test_a_backup_that_cannot_be_written_fails_clearly_and_leaves_nothing(
    library: Path, data_dir: Path
) -> None:
    blocked = data_dir / "backups"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(BackupError, match="Cannot write backups") as caught:
        make_backup(library, blocked, Reason.DAILY)
    assert caught.value.reason == "io"
    assert blocked.read_text() == "a file where the folder should be"


def test_a_damaged_library_fails_its_backup_and_no_older_backup_rotates_away(
    library: Path, backups: Path
) -> None:
    old = [take_daily_backup(library, backups, NOON - timedelta(days=d)) for d in range(7, 0, -1)]
    _damage_a_page(library)
    with pytest.raises(BackupError, match="damaged") as caught:
        take_daily_backup(library, backups, NOON)
    assert caught.value.reason == "corrupt"
    assert [b.path for b in list_backups(backups)] == [b.path for b in old[::-1] if b]
    assert not [p for p in backups.iterdir() if p.name.endswith(".tmp")]


# -- checking a file before restoring it -------------------------------------------------------
def test_check_accepts_this_and_every_older_schema(tmp_path: Path, library: Path) -> None:
    assert check_database(library) == len(MIGRATIONS)
    for version in range(1, len(MIGRATIONS)):
        copy = tmp_path / f"v{version}.sqlite3"
        shutil.copy(SCHEMAS / f"v{version}.sqlite3", copy)
        assert check_database(copy) == version


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: p.write_bytes(os.urandom(8192)), "not a database"),
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("#EXTM3U\n"), "not a database"),
        (lambda p: _foreign(p), "not an OST Player library"),
        (lambda p: _newer(p), "newer OST Player"),
        (lambda p: _truncated(p), "cut short"),
        (lambda p: _damaged(p), "damaged"),
        (lambda p: None, "not a file"),
    ],
    ids=["random", "empty", "text", "foreign", "newer", "truncated", "damaged", "missing"],
)
def test_check_refuses_what_is_not_a_sound_library(
    make: object, words: str, tmp_path: Path
) -> None:
    path = tmp_path / "candidate.sqlite3"
    make(path)  # type: ignore[operator]
    before = path.read_bytes() if path.exists() else None
    with pytest.raises(BackupError, match=words):
        check_database(path)
    assert (path.read_bytes() if path.exists() else None) == before


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("PRAGMA user_version=3")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    library_with_notes(path, "from the future")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    conn.close()


def _truncated(path: Path) -> None:
    library_with_notes(path, *(f"note {i} " * 50 for i in range(200)))
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.truncate(size // 2)


def _damaged(path: Path) -> None:
    library_with_notes(path, *(f"note {i} " * 50 for i in range(200)))
    _damage_a_page(path)


def _damage_a_page(path: Path) -> None:
    """Scribble over a page in the middle (the header stays whole): only a full check sees it."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    assert pages >= 4, "the library is too small to damage a middle page"
    with path.open("r+b") as file:
        file.seek(page * (pages // 2))  # its b-tree page header: an invalid page type
        file.write(b"\xff" * 64)


# -- restoring ---------------------------------------------------------------------------------
def test_restore_backs_up_the_library_first_and_replaces_it_whole(
    library: Path, backups: Path, tmp_path: Path
) -> None:
    old = make_backup(library, backups, Reason.DAILY, now=NOON)
    db = Database(library)
    SceneRepository(db).add_note(Note(text="written after the backup", position_ms=9))
    db.close()
    done = restore(old.path, library, backups, now=NOON + timedelta(hours=1))
    assert note_texts(library) == ["the rooftop confession", "rain at the station"]
    assert done.previous is not None and done.previous.reason is Reason.RESTORE
    assert "written after the backup" in note_texts(done.previous.path)
    assert done.version == len(MIGRATIONS) and done.damaged is None
    assert not (library.parent / "library.sqlite3-wal").exists()
    reopened = Database(library)  # the app opens it as usual
    assert reopened.version == len(MIGRATIONS)
    reopened.close()
    back = restore(done.previous.path, library, backups)  # and back again, undoing it
    assert "written after the backup" in note_texts(library)
    assert back.previous is not None


def test_an_older_schema_is_restored_then_migrated_when_opened(
    library: Path, backups: Path
) -> None:
    source = library.parent / "old.sqlite3"
    shutil.copy(SCHEMAS / "v3.sqlite3", source)
    assert restore(source, library, backups).version == 3
    db = Database(library, backups_dir=backups)
    assert db.version == len(MIGRATIONS)
    [note] = SceneRepository(db).notes(7)
    assert note.text == "She finally says it"
    db.close()


def test_restore_refuses_a_bad_file_and_changes_nothing(
    library: Path, backups: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(os.urandom(4096))
    before = _listing(library.parent)
    with pytest.raises(BackupError, match="not a database"):
        restore(bad, library, backups)
    assert _listing(library.parent) == before
    assert not backups.exists()


def test_restore_never_replaces_a_database_still_open_elsewhere(
    library: Path, backups: Path, tmp_path: Path
) -> None:
    source = make_backup(library, backups, Reason.MANUAL).path
    app = Database(library)  # another connection holds it, its WAL in use
    SceneRepository(app).add_note(Note(text="kept in the WAL", position_ms=3))
    try:
        with pytest.raises(BackupError, match="still in use"):
            restore(source, library, backups)
        assert "kept in the WAL" in [n.text for n in SceneRepository(app).notes()]
    finally:
        app.close()
    assert "kept in the WAL" in note_texts(library)


def test_a_restore_asked_for_in_the_app_is_done_at_the_next_open(
    library: Path, backups: Path
) -> None:
    old = make_backup(library, backups, Reason.DAILY, now=NOON)
    db = Database(library)
    StateRepository(db).set("after", True)
    db.close()
    assert stage_restore(old.path, library) == len(MIGRATIONS)
    assert pending_restore(library) == old.path
    opened = open_library(library, backups)
    try:
        assert opened.restored is not None and opened.restored.source == old.path
        assert StateRepository(opened.db).get("after") is None
        assert pending_restore(library) is None
    finally:
        opened.db.close()


def test_a_restore_that_cannot_be_done_is_dropped_and_the_library_stays(
    library: Path, backups: Path
) -> None:
    old = make_backup(library, backups, Reason.DAILY, now=NOON)
    stage_restore(old.path, library)
    old.path.write_bytes(b"gone bad since")
    before = note_texts(library)
    opened = open_library(library, backups)
    try:
        assert opened.restored is None
        assert opened.restore_problem is not None and "not a database" in opened.restore_problem
        assert [n.text for n in SceneRepository(opened.db).notes()] == before
    finally:
        opened.db.close()
    assert pending_restore(library) is None
    assert apply_pending_restore(library, backups) is None  # dropped: not tried again


def test_an_unreadable_restore_request_is_dropped(library: Path, backups: Path) -> None:
    (library.parent / backup_module.PENDING_RESTORE).write_text("{not json")
    opened = open_library(library, backups)
    opened.db.close()
    assert opened.restore_problem is not None and opened.restored is None
    assert pending_restore(library) is None


# -- a damaged database at start ---------------------------------------------------------------
@pytest.mark.parametrize("damage", ["random", "truncated", "emptied", "header"])
def test_a_damaged_library_is_moved_aside_and_the_newest_sound_backup_restored(
    damage: str, library: Path, backups: Path
) -> None:
    older = make_backup(library, backups, Reason.DAILY, now=NOON - timedelta(days=2))
    db = Database(library)
    SceneRepository(db).add_note(Note(text="in the newest backup", position_ms=7))
    db.close()
    newest = make_backup(library, backups, Reason.DAILY, now=NOON - timedelta(days=1))
    broken_backup = backups / "library-20260509-110000-manual.sqlite3"
    broken_backup.write_bytes(os.urandom(4096))  # the newest of all, and not sound: skipped
    db = Database(library)
    for i in range(300):  # enough pages that cutting the file in two loses some
        SceneRepository(db).add_note(Note(text=f"after the backups {i} " * 20, position_ms=i))
    db.close()
    if damage == "random":
        library.write_bytes(os.urandom(library.stat().st_size))
    elif damage == "truncated":
        with library.open("r+b") as file:
            file.truncate(library.stat().st_size // 2)
    elif damage == "emptied":
        library.write_bytes(b"")
    else:
        with library.open("r+b") as file:
            file.write(b"SQLite format 2\x00")
    damaged_bytes = library.read_bytes()

    opened = open_library(library, backups, now=NOON)
    try:
        recovery = opened.recovery
        assert recovery is not None
        assert recovery.backup == newest
        assert recovery.damaged == library.with_name("library.sqlite3.corrupt-20260509-120000")
        assert recovery.damaged.read_bytes() == damaged_bytes  # kept, never overwritten
        texts = [n.text for n in SceneRepository(opened.db).notes()]
        assert "in the newest backup" in texts
        assert not any(t.startswith("after the backups") for t in texts)
        assert opened.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        opened.db.close()
    assert broken_backup.exists() and older.path.exists()  # no backup is deleted by it


def test_a_damaged_library_with_its_wal_is_moved_aside_whole(library: Path, backups: Path) -> None:
    make_backup(library, backups, Reason.DAILY, now=NOON - timedelta(days=1))
    (library.parent / "library.sqlite3-wal").write_bytes(b"wal bytes")
    (library.parent / "library.sqlite3-shm").write_bytes(b"shm bytes")
    library.write_bytes(os.urandom(8192))
    opened = open_library(library, backups, now=NOON)
    opened.db.close()
    aside = library.parent / "library.sqlite3.corrupt-20260509-120000"
    assert (library.parent / f"{aside.name}-wal").read_bytes() == b"wal bytes"
    assert (library.parent / f"{aside.name}-shm").read_bytes() == b"shm bytes"


def test_a_second_damage_in_the_same_second_never_overwrites_the_first(
    library: Path, backups: Path
) -> None:
    make_backup(library, backups, Reason.DAILY, now=NOON - timedelta(days=1))
    for round_ in (1, 2):
        library.write_bytes(b"round %d " % round_ * 1000)
        open_library(library, backups, now=NOON).db.close()
    first = library.with_name("library.sqlite3.corrupt-20260509-120000")
    second = library.with_name("library.sqlite3.corrupt-20260509-120000-2")
    assert first.read_bytes().startswith(b"round 1")
    assert second.read_bytes().startswith(b"round 2")


def test_without_any_backup_a_damaged_library_starts_empty_and_says_so(
    library: Path, backups: Path
) -> None:
    library.write_bytes(os.urandom(16384))
    opened = open_library(library, backups, now=NOON)
    try:
        assert opened.recovery is not None and opened.recovery.backup is None
        assert opened.recovery.damaged.exists()
        assert SceneRepository(opened.db).notes() == []
        assert opened.db.version == len(MIGRATIONS)
    finally:
        opened.db.close()


def test_an_empty_file_without_backups_is_a_new_library(data_dir: Path, backups: Path) -> None:
    path = data_dir / "library.sqlite3"
    path.write_bytes(b"")
    opened = open_library(path, backups)
    opened.db.close()
    assert opened.recovery is None


def test_a_command_may_leave_a_damaged_library_alone(library: Path, backups: Path) -> None:
    library.write_bytes(os.urandom(8192))
    before = _listing(library.parent)
    with pytest.raises(CorruptDatabaseError):
        open_library(library, backups, recover_damaged=False)
    assert _listing(library.parent) == before


def test_a_newer_library_is_refused_and_nothing_in_the_folder_changes(
    library: Path, backups: Path
) -> None:
    make_backup(library, backups, Reason.DAILY, now=NOON - timedelta(days=1))
    conn = sqlite3.connect(library)
    conn.execute("PRAGMA journal_mode=DELETE")  # as a newer app might leave it
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 3}")
    conn.close()
    before = _listing(library.parent), _listing(backups)
    with pytest.raises(NewerDatabaseError, match="newer OST Player"):
        open_library(library, backups, now=NOON)
    assert (_listing(library.parent), _listing(backups)) == before


# -- before every migration --------------------------------------------------------------------
@pytest.mark.parametrize("version", range(1, len(MIGRATIONS)))
def test_each_migration_is_preceded_by_a_backup_of_the_file_as_it_was(
    version: int, data_dir: Path, backups: Path
) -> None:
    path = data_dir / "library.sqlite3"
    shutil.copy(SCHEMAS / f"v{version}.sqlite3", path)
    db = Database(path, backups_dir=backups)
    assert db.version == len(MIGRATIONS)
    db.close()
    [made] = list_backups(backups)
    assert made.reason is Reason.MIGRATION and made.version == version
    assert made.path.name.endswith(f"-pre-migration-v{version}.sqlite3")
    assert check_database(made.path) == version
    frozen = sqlite3.connect(
        f"{(SCHEMAS / f'v{version}.sqlite3').as_uri()}?mode=ro&immutable=1", uri=True
    )
    copy = sqlite3.connect(made.path)
    try:
        for table in ("track", "state"):
            assert (
                copy.execute(f"SELECT * FROM {table}").fetchall()
                == frozen.execute(f"SELECT * FROM {table}").fetchall()
            )
    finally:
        copy.close()
        frozen.close()


def test_a_new_or_current_library_needs_no_migration_backup(library: Path, backups: Path) -> None:
    Database(library, backups_dir=backups).close()
    assert not backups.exists()


def test_a_migration_that_fails_halfway_is_undone_from_its_backup(
    data_dir: Path, backups: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = data_dir / "library.sqlite3"
    shutil.copy(SCHEMAS / "v2.sqlite3", path)
    broken = "CREATE TABLE half_done (x);\nINSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(database_module, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(StoreError):
        Database(path, backups_dir=backups)
    monkeypatch.undo()
    [made] = list_backups(backups)
    assert made.version == 2
    restore(made.path, path, backups)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    finally:
        conn.close()


def test_a_failed_migration_backup_is_reported_and_the_migration_still_runs(data_dir: Path) -> None:
    path = data_dir / "library.sqlite3"
    shutil.copy(SCHEMAS / "v3.sqlite3", path)
    blocked = data_dir / "backups"
    blocked.write_text("not a folder")
    db = Database(path, backups_dir=blocked)
    try:
        assert db.version == len(MIGRATIONS)
        assert db.migration_backup is None
        assert db.backup_problem is not None and "Cannot write backups" in db.backup_problem
    finally:
        db.close()
