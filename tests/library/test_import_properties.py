"""Hypothesis: pack and playlist imports against a real SQLite library never crash and are
all-or-nothing.

The format tests (tests/formats/test_pack_properties.py) show that load_pack either returns a
whole pack or raises PackError. These go one step further, through the use case the command
line and the window call, into a real database holding tracks, notes and earlier imports:

- any input gives a stored pack or a PackError, and a PackError leaves every table as it was;
- a valid pack imports, imports again to the very same rows, and exports as it was read;
- a failure half-way through storing (a full disk, a locked database) rolls everything back;
- a playlist file, whatever it holds, imports through the app's playlist service as one new
  playlist (which undo takes away whole) or is refused with a PlaylistFileError that leaves
  every row of every table as it was.

Each test opens one database in a temp dir of its own and runs every example against it, so
earlier examples' imports make the "before" state of later ones (and a database per example
would cost more than the example).
"""

from __future__ import annotations

import dataclasses
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from ostplayer.domain.scene import Note, PackTrack, SceneCue, ScenePack
from ostplayer.domain.track import Track
from ostplayer.formats.m3u8 import dump_m3u8
from ostplayer.formats.pack import MAX_PACK_BYTES, PackError, dump_pack, load_pack
from ostplayer.formats.playlist_file import PlaylistFileError, PlaylistItem
from ostplayer.formats.xspf import dump_xspf
from ostplayer.library.packs import export_pack, import_pack
from ostplayer.store import scenes as scenes_module
from ostplayer.store.database import Database, StoreError
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.tracks import TrackRepository
from tests.conftest import MakeApp
from tests.formats.hostile import THOUSAND
from tests.formats.hostile_playlists import check_refusal, damaged
from tests.formats.packs import base_doc, encode, json_values, scene_packs
from tests.formats.test_pack_properties import encode_hostile, hostile_docs, mutated_docs
from tests.formats.test_xspf import xspf_like

#: The library's tracks: what generated packs are matched against.
LIBRARY = (
    Track(Path("/music/opening.ogg"), title="Opening Theme", album="Test OST", duration_ms=90_000),
    Track(Path("/music/shadows.ogg"), title="Shadows", album="Test OST", duration_ms=120_500),
    Track(
        Path("/music/whisper.ogg"),
        title="First Love’s Whisper",
        album="Demo OST",
        duration_ms=54_000,
        musicbrainz_recording_id="8f3b2c1a-0000-4000-8000-000000000001",
    ),
    Track(Path("/music/untitled.ogg")),
)

# Tables an import may touch, and those it must never touch; all are compared.
_TABLES = ("episode", "pack", "pack_entry", "cue", "note", "track", "track_mood")


@dataclasses.dataclass
class Library:
    """One database with tracks and notes, and the repositories over it."""

    db: Database
    tracks: TrackRepository
    scenes: SceneRepository

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, all columns, in rowid order: equal means the same content.

        Cheaper than ``iterdump()`` (which builds SQL text in Python), and as strict: ids,
        clock readings and the stored documents are all compared.
        """
        return self._rows(self._all_tables(), skip=())

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows of each table an import touches, less ``imported_at`` (a clock reading)."""
        return self._rows(_TABLES, skip=("imported_at",))

    def _all_tables(self) -> list[str]:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        return [r[0] for r in self.db.conn.execute(query)]

    def _rows(self, tables: Any, skip: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
        found: dict[str, list[tuple[Any, ...]]] = {}
        for table in tables:
            info = self.db.conn.execute(f"PRAGMA table_info({table})")
            columns = ", ".join(r[1] for r in info if r[1] not in skip)
            rows = self.db.conn.execute(f"SELECT {columns} FROM {table} ORDER BY rowid")
            found[table] = [tuple(r) for r in rows]
        return found


@contextmanager
def library() -> Iterator[Library]:
    """A fresh library database in a temp dir: the tracks above, two notes, the base pack."""
    with tempfile.TemporaryDirectory(prefix="ostplayer-props-") as folder:
        db = Database(Path(folder) / "library.sqlite3")
        # Durability is not under test here, and an fsync per commit would cost most of the
        # run; transactions and rollbacks work the same without it.
        db.conn.execute("PRAGMA synchronous=OFF")
        try:
            tracks, scenes = TrackRepository(db), SceneRepository(db)
            ids = tracks.save_many((track, 1000, 1) for track in LIBRARY)
            scenes.add_note(Note("my own note", 1_000, episode="S1E3", track_id=ids[0]))
            scenes.add_note(Note("a plain note", 2_000, track_id=ids[1]))
            # An earlier import, so that a failed import has something to leave alone.
            import_pack(encode(base_doc()), tracks, scenes)
            yield Library(db, tracks, scenes)
        finally:
            db.close()


def import_or_refuse(lib: Library, data: bytes) -> ScenePack | None:
    """Import ``data``; on PackError check that nothing changed. Returns the pack when stored.

    Anything but PackError propagates, and fails the test.
    """
    before = lib.dump()
    try:
        result = import_pack(data, lib.tracks, lib.scenes)
    except PackError:
        assert lib.dump() == before, "a refused pack changed the database"
        return None
    pack = load_pack(data)  # it imported, so it loads
    assert result.name == pack.name
    assert result.matched + result.uncertain + result.unmatched == len(pack.tracks)
    assert result.cues == pack.cue_count
    return pack


def run_against_library(check: Callable[[Library], None]) -> None:
    """Run ``check`` (a Hypothesis test taking the library) against one fresh library."""
    with library() as lib:
        check(lib)


# --- 1. any input: a stored pack or a PackError that changes nothing ---------------------------


def test_arbitrary_bytes_import_or_change_nothing() -> None:
    @THOUSAND
    @given(st.binary(max_size=200))
    def check(lib: Library, data: bytes) -> None:
        import_or_refuse(lib, data)

    run_against_library(check)


def test_arbitrary_json_values_are_refused_and_change_nothing() -> None:
    @THOUSAND
    @given(json_values)
    def check(lib: Library, value: Any) -> None:
        assert import_or_refuse(lib, encode(value)) is None

    run_against_library(check)


def test_hostile_values_in_packs_import_whole_or_change_nothing() -> None:
    @THOUSAND
    @given(hostile_docs())
    def check(lib: Library, document: Any) -> None:
        import_or_refuse(lib, encode_hostile(document))

    run_against_library(check)


def test_mutated_packs_import_whole_or_change_nothing() -> None:
    @THOUSAND
    @given(mutated_docs())
    def check(lib: Library, document: Any) -> None:
        pack = import_or_refuse(lib, encode(document))
        if pack is not None:
            assert load_pack(export_pack(lib.scenes, pack.name)) == pack

    run_against_library(check)


# --- 2. valid packs: import, re-import in place, export as read -------------------------------


@st.composite
def matching_packs(draw: st.DrawFn) -> ScenePack:
    """A valid pack whose entries may carry the keys of the library's tracks, so some match."""
    pack = draw(scene_packs())
    tracks: list[PackTrack] = []
    for entry in pack.tracks:
        which = draw(st.sampled_from([None, *range(len(LIBRARY))]))
        if which is not None and LIBRARY[which].title:
            track = LIBRARY[which]
            # Title + album, with or without the duration, and the MusicBrainz id when it has one.
            entry = dataclasses.replace(
                entry,
                title=track.title,
                album=draw(st.sampled_from([track.album, ""])),
                duration_ms=draw(st.sampled_from([track.duration_ms, None])),
                musicbrainz_recording_id=track.musicbrainz_recording_id,
            )
        tracks.append(entry)
    return dataclasses.replace(pack, tracks=tuple(tracks))


def test_valid_packs_import_again_in_place_and_export_as_read() -> None:
    @THOUSAND
    @given(matching_packs())
    def check(lib: Library, pack: ScenePack) -> None:
        data = dump_pack(pack)
        result = import_pack(data, lib.tracks, lib.scenes)
        stored = lib.rows()
        again = import_pack(data, lib.tracks, lib.scenes)
        assert again == result
        assert lib.rows() == stored, "importing the same pack twice changed the rows"
        assert [p.name for p in lib.scenes.packs()].count(pack.name) == 1  # never duplicated
        exported = export_pack(lib.scenes, pack.name)
        assert exported == data
        assert load_pack(exported) == pack
        # Every cue landed, each under its own entry.
        summary = next(p for p in lib.scenes.packs() if p.name == pack.name)
        assert (summary.entries, summary.cues) == (len(pack.tracks), pack.cue_count)

    run_against_library(check)


# --- 3. a failure half-way through storing rolls everything back ------------------------------

_FAILURES: list[Callable[[], BaseException]] = [
    lambda: sqlite3.OperationalError("database or disk is full"),
    lambda: sqlite3.OperationalError("database is locked"),
    lambda: OSError(28, "No space left on device"),
]


@st.composite
def packs_with_cues(draw: st.DrawFn) -> ScenePack:
    """A valid pack with at least one cue (one is added to a pack that has none).

    Adding a cue rather than filtering keeps every drawn pack: most generated packs are small.
    """
    pack = draw(scene_packs())
    if pack.cue_count:
        return pack
    cue = SceneCue(0, pack.episodes[0].key, "added", source=pack.name)
    return dataclasses.replace(pack, tracks=(*pack.tracks, PackTrack("Added", cues=(cue,))))


def test_a_failure_half_way_through_storing_changes_nothing() -> None:
    @THOUSAND
    @given(packs_with_cues(), st.data())
    def check(lib: Library, pack: ScenePack, data: st.DataObject) -> None:
        # Often a pack of the same name was imported before: the replacement must not land,
        # and the old one must survive whole (its entries, cues and document).
        earlier = data.draw(st.sampled_from(["none", "base renamed", "one entry fewer"]))
        if earlier == "base renamed":
            older = dataclasses.replace(load_pack(encode(base_doc())), name=pack.name)
            import_pack(dump_pack(older), lib.tracks, lib.scenes)
        elif earlier == "one entry fewer":
            older = dataclasses.replace(pack, tracks=pack.tracks[:-1])
            import_pack(dump_pack(older), lib.tracks, lib.scenes)
        fail_at = data.draw(st.integers(1, pack.cue_count), label="failing cue")
        failure = data.draw(st.sampled_from(_FAILURES), label="failure")()
        before = lib.dump()
        real = scenes_module._cue_values
        calls = 0

        def failing(cue: Any) -> tuple[Any, ...]:
            nonlocal calls
            calls += 1
            if calls == fail_at:
                raise failure
            return real(cue)

        # By hand rather than with the monkeypatch fixture: it is undone after each example.
        scenes_module._cue_values = failing  # the per-cue step inside the import transaction
        try:
            # The store rolls back and says why: SQLite's refusals come out as StoreError.
            expected = StoreError if isinstance(failure, sqlite3.Error) else type(failure)
            with pytest.raises(expected):
                import_pack(dump_pack(pack), lib.tracks, lib.scenes)
        finally:
            scenes_module._cue_values = real
        assert calls == fail_at
        assert lib.dump() == before, "a failed import left part of itself behind"
        # And the database still works: the same pack now imports whole.
        assert import_pack(dump_pack(pack), lib.tracks, lib.scenes).cues == pack.cue_count

    run_against_library(check)


# --- the size cap ------------------------------------------------------------------------------


def test_the_size_cap_holds_through_import() -> None:
    with library() as lib:
        before = lib.dump()
        # A valid pack padded with whitespace past the cap: refused for its size alone.
        padded = encode(base_doc()) + b" " * (21 * 1024 * 1024)
        assert len(padded) > MAX_PACK_BYTES
        for data in (padded, b"\0" * (21 * 1024 * 1024)):
            with pytest.raises(PackError, match="limited to 20 MB"):
                import_pack(data, lib.tracks, lib.scenes)
            assert lib.dump() == before


# --- playlist files through the app's playlist service ------------------------------------------


def _dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: equal means the same content."""
    tables = [
        row[0]
        for row in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if row[0] != "sqlite_sequence"  # the next id: a playlist undone still used one
    ]
    return {
        table: sorted((tuple(row) for row in db.conn.execute(f"SELECT * FROM {table}")), key=repr)
        for table in sorted(tables)
    }


def test_playlist_files_import_as_one_playlist_or_change_nothing(
    make_app: MakeApp, qtbot: QtBot, tmp_path: Path
) -> None:
    app = make_app()
    # Start-up goes on after the window shows: the demo folder's catch-up scan relinks cues.
    # Only once it and every background job are done does nothing else write.
    qtbot.waitUntil(lambda: app.moods.mixer() is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not app.library.is_scanning(), timeout=20_000)
    assert app.tasks.wait(20_000)
    qtbot.wait(100)
    settled = _dump(app.db)
    qtbot.wait(300)
    assert _dump(app.db) == settled, "the app was still writing after start-up"
    tracks = app.library.tracks()
    assert tracks, "the demo library is empty"
    folder = tmp_path / "playlists"
    folder.mkdir()
    items = [PlaylistItem(t.path, t.title, t.artist, t.album, t.duration_ms) for t in tracks]
    real_m3u8 = dump_m3u8("Demo", items, folder)
    real_xspf = dump_xspf("Demo", items, folder)
    content = (
        st.binary(max_size=300)
        | damaged(real_m3u8)
        | damaged(real_xspf)
        | xspf_like()
        | st.sampled_from([real_m3u8, real_xspf, b"", b"\xff\xfe\x00\xd8", b"\0" * 64])
    )
    suffixes = st.sampled_from([".m3u8", ".m3u", ".xspf", ".txt", ""])
    seen = {"refused": 0, "imported": 0}

    @THOUSAND
    @given(content, suffixes)
    def check(data: bytes, suffix: str) -> None:
        path = folder / f"list{suffix}"
        path.write_bytes(data)
        before = _dump(app.db)
        try:
            playlist, imported = app.playlists.import_file(path)
        except PlaylistFileError as error:
            check_refusal(error)
            assert _dump(app.db) == before, "a refused playlist changed the database"
            seen["refused"] += 1
            return
        seen["imported"] += 1
        assert playlist is not None
        after = _dump(app.db)
        assert {t for t in after if after[t] != before[t]} == {"playlist", "playlist_entry"} or (
            not imported.entries and {t for t in after if after[t] != before[t]} == {"playlist"}
        )
        stored = app.playlists.get(playlist.id)
        assert stored is not None and stored.entries == imported.entries
        # Undo takes the whole import away again.
        app.scenes.undo_stack.undo()
        assert _dump(app.db) == before

    check()
    # Both ways were taken often: a test of refusals that never saw one would prove nothing.
    assert seen["refused"] >= 100 and seen["imported"] >= 100, seen
