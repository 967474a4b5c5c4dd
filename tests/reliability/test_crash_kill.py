"""Crash safety: a writer killed with SIGKILL at random moments loses nothing it said was saved.

``writer_child.py`` writes the listener's own data through the real services on the real
database: notes added, edited and deleted, listener moods added and removed, playlists created,
filled, reordered, renamed and deleted, and undos of its own edits. It prints each edit before
it starts and again once the service call returned, that is once its transaction committed.
The test kills it with SIGKILL after a random delay, starts a new writer on the same database,
and so on, ``OSTPLAYER_KILL_ROUNDS`` times. After every kill it checks the database as the next
start finds it (on a copy, so the next writer meets the crashed files themselves):

- every edit reported done is there, exactly, and nothing else changed: the notes by id with
  their track, position and text; the listener's moods (by mood key); the playlists by id with
  their names and entries in order. A deleted note or playlist is gone; an undo puts back what
  its edit changed exactly as it was before, under the same id (a deleted note or playlist
  comes back whole);
- the one edit under way when the kill came (printed, not yet reported done) is there whole
  or not at all: never a playlist without its entries, never half of a reorder;
- ``PRAGMA integrity_check`` says ok and ``PRAGMA foreign_key_check`` finds nothing.

At the end the real app (``Application`` with the fake engine) and ``ostplayer notes list``
open the database and show exactly that data.

What this proves, and what it does not: SIGKILL ends the process, not the machine. What the
process had handed to the kernel (written, not yet on the disk) still reaches the file. So the
test proves that a commit that returned is in the database, that nothing is reported saved
before its commit, and that a kill in the middle of a transaction (an edit, or the library-index
batch every writer start makes) leaves no trace of it. It cannot prove that a commit survives a
power loss: that is what ``synchronous=FULL`` is for, and
:func:`test_every_edit_of_the_listeners_data_waits_for_the_disk` checks that every edit of the
listener's data commits with it. (Most kills that land mid-edit find the edit committed: its
writes reach the kernel before the commit's fsync, and the fsync is where a commit waits.)

``OSTPLAYER_KILL_ROUNDS`` sets the number of kills (default 30, about 15 s here; the issue's
full run is 200, about 2 minutes). ``OSTPLAYER_KILL_SEED`` replays the choices of a seed; the
timing, and so where each kill lands, still differs from run to run.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from ostplayer.domain.mood import mood_key
from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.paths import resources_dir
from ostplayer.store.database import Database
from ostplayer.store.migrations import MIGRATIONS
from ostplayer.store.playlists import PlaylistRepository
from tests.conftest import MakeApp
from tests.reliability import writer_child

CHILD = Path(__file__).with_name("writer_child.py")
ROUNDS = int(os.environ.get("OSTPLAYER_KILL_ROUNDS", "30"))
#: A share of the kills lands while the writer starts: recovery, the rescan's index batch.
EARLY_SHARE = 0.15
#: The other kills come within this many seconds of the write loop's start.
WRITE_WINDOW_S = 0.25

NoteCell = tuple[int, int, str]  # track id, position in ms, SHA-256 of the text
Entries = tuple[tuple[int, int | None, int | None], ...]  # track id, start, end
PlaylistCell = tuple[str, Entries]  # name, entries in order
_LABEL = re.compile(r"^\[(\d+\.\d+)\] ")
Event = dict[str, Any]  # one line a writer printed


class CrashCheckError(AssertionError):
    """The database is not what the writer's reports say it must be."""


@dataclass
class Listener:
    """The listener's own data: what the model says must be there, or what a database holds."""

    notes: dict[int, NoteCell] = field(default_factory=dict)
    moods: set[tuple[int, str]] = field(default_factory=set)  # track id, mood key
    playlists: dict[int, PlaylistCell] = field(default_factory=dict)
    #: Which note's text starts with ``"[R.N] "``: the seq of the edit that last wrote it.
    labels: dict[str, int] = field(default_factory=dict, compare=False)
    #: Which playlist has a name.
    names: dict[str, int] = field(default_factory=dict, compare=False)

    def get(self, kind: str, key: Any) -> Any:
        """One cell: a note, a mood (``True`` or ``None``) or a playlist; ``None``: absent."""
        if kind == "note":
            return self.notes.get(key)
        if kind == "mood":
            return True if key in self.moods else None
        return self.playlists.get(key)

    def set(self, kind: str, key: Any, value: Any) -> None:
        """Set one cell; ``None`` takes it out."""
        table: dict[Any, Any] = self.notes if kind == "note" else self.playlists
        if kind == "mood":
            (self.moods.add if value else self.moods.discard)(key)
        elif value is None:
            table.pop(key, None)
        else:
            table[key] = value


class Model:
    """What the database must hold, from the edits the writers reported done."""

    def __init__(self) -> None:
        self.data = Listener()
        # Each edit's cell and the value it had before, for the undo that takes it back.
        self._before: dict[str, tuple[str, Any, Any]] = {}

    def copy(self) -> Model:
        """An independent copy (to try an edit on)."""
        return copy.deepcopy(self)

    def apply(self, begin: dict[str, Any], result: dict[str, Any]) -> None:
        """Apply one edit: its ``begin`` event and what its ``done`` event reported."""
        kind, key, value = self._cell(begin, result)
        self._before[begin["seq"]] = (kind, key, self.data.get(kind, key))
        self.data.set(kind, key, value)

    def _cell(self, begin: dict[str, Any], result: dict[str, Any]) -> tuple[str, Any, Any]:
        op, data = begin["op"], self.data
        if op == "undo":
            return self._before[begin["of"]]
        if op.startswith("mood-"):
            key = (begin["track"], mood_key(begin["mood"]))
            return "mood", key, True if op == "mood-add" else None
        if op == "note-add":
            return "note", result["id"], (begin["track"], begin["pos"], begin["sha"])
        if op == "playlist-create":
            return "playlist", result["id"], (begin["name"], _entries(begin["entries"]))
        kind = op.split("-")[0]
        old = data.get(kind, begin["id"])
        if old is None:
            raise CrashCheckError(f"edit {begin['seq']} ({op}) is on {kind} {begin['id']}, "
                                  "which the reports say is not there")  # fmt: skip
        if op == "note-edit":
            return "note", begin["id"], (old[0], old[1], begin["sha"])
        if op == "playlist-entries":
            return "playlist", begin["id"], (old[0], _entries(begin["entries"]))
        if op == "playlist-rename":
            return "playlist", begin["id"], (begin["name"], old[1])
        return kind, begin["id"], None  # note-delete, playlist-delete

    def settle(self, in_flight: dict[str, Any] | None, found: Listener) -> bool:
        """Check ``found`` against the model; True when the edit in flight had committed.

        Raises :class:`CrashCheckError` unless ``found`` is the model, or the model with the
        edit in flight applied whole.
        """
        if found == self.data:
            return False
        if in_flight is not None:
            result: dict[str, Any] = {}
            if in_flight["op"] == "note-add" and in_flight["seq"] in found.labels:
                result["id"] = found.labels[in_flight["seq"]]
            if in_flight["op"] == "playlist-create" and in_flight["name"] in found.names:
                result["id"] = found.names[in_flight["name"]]
            if in_flight["op"] not in ("note-add", "playlist-create") or result:
                after = self.copy()
                after.apply(in_flight, result)
                if found == after.data:
                    self.data, self._before = after.data, after._before
                    return True
        raise CrashCheckError(describe(self.data, found, in_flight))


def _entries(raw: list[list[int | None]]) -> Entries:
    return tuple((int(t), s, e) for t, s, e in raw)  # type: ignore[arg-type]


def sha(text: str) -> str:
    """The SHA-256 of a text (as the writer reports notes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def describe(expected: Listener, found: Listener, in_flight: Event | None) -> str:
    """What differs, for the failure message."""
    lines = []
    for name in ("notes", "playlists", "moods"):
        want, got = getattr(expected, name), getattr(found, name)
        want_keys, got_keys = set(want), set(got)  # a dict's keys, or the set of moods
        missing, extra = sorted(want_keys - got_keys), sorted(got_keys - want_keys)
        if missing:
            lines.append(f"{name} reported saved but missing: {missing[:20]}")
        if extra:
            lines.append(
                f"{name} present although the reports say gone or never saved: {extra[:20]}"
            )
        if name != "moods":
            for key in sorted(k for k in want.keys() & got.keys() if want[k] != got[k])[:5]:
                lines.append(f"{name} {key}: reported {want[key]!r}, found {got[key]!r}")
    lines.append(f"the edit in flight at the kill: {in_flight}")
    return "\n".join(lines)


# -- reading what the writer printed and what the database holds --------------------------------
def read_events(path: Path) -> list[dict[str, Any]]:
    """The events a writer printed; a last line cut by the kill was never printed whole."""
    text = path.read_bytes().decode("ascii")
    lines = text.split("\n")[:-1]  # only lines that got their newline
    return [json.loads(line) for line in lines]


def split_events(events: list[Event]) -> tuple[list[tuple[Event, Event]], Event | None]:
    """The edits reported done, in order, with their results; and the one in flight, if any."""
    done: list[tuple[Event, Event]] = []
    begin: Event | None = None
    for event in events:
        if event["ev"] == "begin":
            if begin is not None:
                raise CrashCheckError(f"edit {event['seq']} began before {begin['seq']} ended")
            begin = event
        elif event["ev"] == "done":
            if begin is None or event["seq"] != begin["seq"]:
                raise CrashCheckError(f"done for {event['seq']}, which was not under way")
            done.append((begin, event))
            begin = None
    return done, begin


def read_listener(database: Path) -> Listener:
    """What ``database`` holds of the listener's data, after checking that it is sound."""
    conn = sqlite3.connect(database)
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            raise CrashCheckError(f"integrity_check: {integrity[:10]}")
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        if foreign:
            raise CrashCheckError(f"foreign_key_check: {foreign[:10]}")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < len(MIGRATIONS):
            # Killed during its first start, before or between the migrations (each commits
            # with its version): the next start finishes them, as here on this copy. Nothing
            # of the listener's can be in it yet, and the model says what was reported.
            conn.close()
            Database(database).close()
            conn = sqlite3.connect(database)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version != len(MIGRATIONS):
            raise CrashCheckError(f"schema version {version}, expected {len(MIGRATIONS)}")
        found = Listener()
        for note_id, track_id, position, text in conn.execute(
            "SELECT id, track_id, position_ms, text FROM note"
        ):
            found.notes[note_id] = (track_id, position, sha(text))
            label = _LABEL.match(text)
            if label:
                found.labels[label.group(1)] = note_id
        found.moods = {
            (track_id, mood_key(mood))
            for track_id, mood in conn.execute(
                "SELECT track_id, mood FROM track_mood WHERE origin = 'listener'"
            )
        }
        entries: dict[int, list[tuple[int, int | None, int | None]]] = {}
        for playlist_id, track_id, start, end in conn.execute(
            "SELECT playlist_id, track_id, start_ms, end_ms FROM playlist_entry "
            "ORDER BY playlist_id, position"
        ):
            entries.setdefault(playlist_id, []).append((track_id, start, end))
        for playlist_id, name, kind in conn.execute("SELECT id, name, kind FROM playlist"):
            if kind != "static":
                raise CrashCheckError(f"playlist {playlist_id} became {kind}")
            found.playlists[playlist_id] = (name, tuple(entries.get(playlist_id, ())))
            found.names[name] = playlist_id
        return found
    finally:
        conn.close()


def snapshot(data_dir: Path, into: Path) -> Path:
    """Copy the database as the kill left it (with its -wal and -shm) and return the copy."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = data_dir / f"library.sqlite3{suffix}"
        if source.exists():
            shutil.copy2(source, into / source.name)
    return into / "library.sqlite3"


# -- running and killing writers ----------------------------------------------------------------
def copy_demo(folder: Path) -> Path:
    """A copy of the demo OST's four tracks in ``folder``: the writers' music folder."""
    folder.mkdir(parents=True)
    for song in sorted((resources_dir() / "demo").glob("*.ogg")):
        shutil.copy2(song, folder / song.name)
    return folder


@dataclass
class KillRun:
    """Writers started one after another on one data dir, each killed at a random moment."""

    data_dir: Path
    work: Path
    seed: int
    lie_gap_ms: int = 0
    model: Model = field(default_factory=Model)
    stats: Counter[str] = field(default_factory=Counter)
    start_times: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.music = copy_demo(self.work / "music")

    def round(self, number: int) -> None:
        """Start a writer, kill it, check the database."""
        out, err = self.work / f"round-{number}.out", self.work / f"round-{number}.err"
        command = [
            sys.executable, str(CHILD), str(self.data_dir), "--music", str(self.music),
            "--seed", str(self.seed), "--round", str(number),
        ]  # fmt: skip
        if self.lie_gap_ms:
            command += ["--lie-gap-ms", str(self.lie_gap_ms)]
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        early = self.rng.random() < EARLY_SHARE
        start_s = statistics.median(self.start_times) if self.start_times else 1.0
        delay = self.rng.uniform(0, start_s if early else WRITE_WINDOW_S)
        with out.open("wb") as stdout, err.open("wb") as stderr:
            started = time.monotonic()
            proc = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env)
            try:
                if not early:
                    self._wait_ready(proc, out, err)
                    self.start_times.append(time.monotonic() - started)
                time.sleep(delay)
                if proc.poll() is not None:
                    raise CrashCheckError(
                        f"round {number}: the writer ended by itself ({proc.returncode}):\n"
                        + err.read_text(errors="replace")
                    )
                proc.send_signal(signal.SIGKILL)
            finally:
                proc.kill()
                proc.wait()
        assert proc.returncode == -signal.SIGKILL
        self.stats["rounds"] += 1
        self.check(number, read_events(out))

    @staticmethod
    def _wait_ready(proc: subprocess.Popen[bytes], out: Path, err: Path) -> None:
        deadline = time.monotonic() + 60
        while b'"ev": "ready"' not in out.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise CrashCheckError(
                    "the writer did not start:\n" + err.read_text(errors="replace")
                )
            time.sleep(0.005)

    def check(self, number: int, events: list[dict[str, Any]]) -> None:
        """Bring the model up to date with a round's reports and check the database."""
        done, in_flight = split_events(events)
        for begin, result in done:
            self.model.apply(begin, result)
        self.stats["edits reported done"] += len(done)
        if not any(e["ev"] == "ready" for e in events):
            self.stats["kills while starting"] += 1
        copy_path = snapshot(self.data_dir, self.work / "check")
        try:
            committed = self.model.settle(in_flight, read_listener(copy_path))
        except CrashCheckError as exc:
            raise CrashCheckError(f"round {number} (seed {self.seed}):\n{exc}") from None
        if in_flight is not None:
            state = "committed" if committed else "rolled back"
            self.stats[f"kills mid-edit, {state}"] += 1
            self.stats[f"mid-edit: {in_flight['op']}"] += 1

    def summary(self) -> str:
        """The figures of the run, one line each."""
        data = self.model.data
        size = sum(p.stat().st_size for p in self.data_dir.glob("library.sqlite3*"))
        lines = [f"seed {self.seed}", *(f"{k}: {v}" for k, v in sorted(self.stats.items()))]
        lines.append(
            f"at the end: {len(data.notes)} notes, {len(data.moods)} listener moods, "
            f"{len(data.playlists)} playlists, database {size / 1e6:.1f} MB"
        )
        return "\n".join(lines)


@pytest.fixture
def seed() -> int:
    """The run's seed: ``OSTPLAYER_KILL_SEED``, or a new one (printed, to replay it)."""
    value = int(os.environ.get("OSTPLAYER_KILL_SEED") or random.SystemRandom().getrandbits(32))
    print(f"OSTPLAYER_KILL_SEED={value}")
    return value


# -- the tests ----------------------------------------------------------------------------------
def test_kills_lose_nothing_that_was_reported_saved(
    make_app: MakeApp, data_dir: Path, tmp_path: Path, seed: int
) -> None:
    run = KillRun(data_dir, tmp_path / "kills", seed)
    began = time.monotonic()
    for number in range(1, ROUNDS + 1):
        run.round(number)
    print(run.summary(), f"\n{ROUNDS} rounds in {time.monotonic() - began:.1f} s")
    assert run.stats["edits reported done"] > ROUNDS  # the writers did write
    mid_edit = run.stats["kills mid-edit, committed"] + run.stats["kills mid-edit, rolled back"]
    assert mid_edit > 0  # and kills did land in the middle of edits
    expected = run.model.data

    # The app opens the database as the last kill left it, and shows exactly that data.
    app = make_app()
    notes = {n.id: (n.track_id, n.position_ms, sha(n.text)) for n in app.scenes.repository.notes()}
    assert notes == expected.notes
    playlists: dict[int, PlaylistCell] = {}
    for summary in app.playlists.playlists():
        playlist = app.playlists.get(summary.id)
        assert playlist is not None
        entries = tuple((e.track_id, e.start_ms, e.end_ms) for e in playlist.entries)
        playlists[playlist.id] = (playlist.name, entries)
    assert playlists == expected.playlists
    track_ids = sorted({t.id for t in app.library.tracks()} | {t for t, _ in expected.moods})
    moods = {
        (track_id, mood_key(mood))
        for track_id, mood, origin in app.moods.repository.rows(track_ids)
        if origin == "listener"
    }
    assert moods == expected.moods
    assert QApplication.activeWindow() is app.window

    # So does the command line, beside the running app.
    cli = subprocess.run(
        [sys.executable, "-m", "ostplayer", "notes", "list", "--json"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "OSTPLAYER_DATA_DIR": str(data_dir)},
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    listed = {
        n["id"]: (n["track_id"], n["position_ms"], sha(n["text"])) for n in json.loads(cli.stdout)
    }
    assert listed == expected.notes


def test_the_check_fails_for_a_writer_that_reports_before_its_commit(
    data_dir: Path, tmp_path: Path, seed: int
) -> None:
    # The dishonest writer prints "done", then waits 30 ms, then commits: as if the app said
    # "saved" before it was. A kill in that gap must fail the check, or the check proves nothing.
    run = KillRun(data_dir, tmp_path / "kills", seed, lie_gap_ms=30)
    with pytest.raises(CrashCheckError, match=r"\(seed \d+\):\n(notes|playlists|moods) "):
        for number in range(1, 16):
            run.round(number)


def test_the_check_fails_for_a_half_written_edit(data_dir: Path) -> None:
    # A playlist whose entries were rewritten in two transactions, killed between them.
    db = Database(data_dir / "library.sqlite3")
    db.conn.execute("INSERT INTO track (id, path) VALUES (1, x'01'), (2, x'02')")
    repo = PlaylistRepository(db)
    playlist = repo.create("Mix", [PlaylistEntry(1), PlaylistEntry(2)])
    model = Model()
    entries = [[1, None, None], [2, None, None]]
    create = {"seq": "1.1", "op": "playlist-create", "name": "Mix", "entries": entries}
    model.apply(create, {"id": playlist.id})
    assert model.settle(None, read_listener(db.path)) is False  # as reported: fine

    reorder = {"seq": "1.2", "op": "playlist-entries", "id": playlist.id, "how": "reorder",
               "entries": [[2, None, None], [1, None, None]]}  # fmt: skip
    db.conn.execute("DELETE FROM playlist_entry")  # the first half of the rewrite, alone
    with pytest.raises(CrashCheckError, match=r"playlists 1: reported \('Mix'"):
        model.settle(reorder, read_listener(db.path))
    repo.set_entries(playlist.id, [PlaylistEntry(2), PlaylistEntry(1)])  # the whole rewrite
    assert model.settle(reorder, read_listener(db.path)) is True
    # A note reported done that is not there, and one that no report explains.
    model.apply({"seq": "1.3", "op": "note-add", "track": 1, "pos": 0, "sha": sha("x")}, {"id": 9})
    with pytest.raises(CrashCheckError, match=r"notes reported saved but missing: \[9\]"):
        model.settle(None, read_listener(db.path))
    db.close()


def test_every_edit_of_the_listeners_data_waits_for_the_disk(
    qapp: QApplication, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every transaction the services run for notes, moods and playlists (undos too) commits
    # with synchronous=FULL; only the scan's index batches may skip waiting for the disk.
    rng = random.Random(7)
    services = writer_child.open_services(data_dir, copy_demo(tmp_path / "music"), rng)
    writer = services.writer(rng, 1)
    seen: list[tuple[bool, int]] = []
    real = Database.transaction

    @contextmanager
    def spy(self: Database, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        with real(self, durable=durable) as conn:
            seen.append((durable, int(conn.execute("PRAGMA synchronous").fetchone()[0])))
            yield conn

    monkeypatch.setattr(Database, "transaction", spy)
    printed = []
    monkeypatch.setattr(writer_child, "emit", printed.append)
    try:
        for _ in range(300):
            writer.step()
    finally:
        monkeypatch.undo()
        services.close()
    ops = Counter(e["op"] for e in printed if e["ev"] == "begin")
    assert {"note-add", "note-edit", "note-delete", "mood-add", "undo"} <= ops.keys()
    assert {"playlist-create", "playlist-entries", "playlist-delete"} <= ops.keys()
    assert len(seen) >= 300
    assert set(seen) == {(True, 2)}  # durable, and synchronous=FULL (2) inside each
