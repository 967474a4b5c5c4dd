"""A writer of the listener's data, to be killed with SIGKILL by ``test_crash_kill.py``.

``python writer_child.py DATA_DIR --music FOLDER --seed S --round R`` opens the real database
in DATA_DIR and the real services on it, wired as ``ostplayer.app.Application`` wires them
(the window and the engine left out), rescans FOLDER (one file's mtime is moved first, so that
every start also writes a library-index batch, the kind that does not wait for the disk), and
then writes through the services until it is killed: notes added, edited, deleted; listener
moods added and removed; playlists created, filled, reordered, renamed, deleted; and undos of
its own last edits, through the shared undo stack as Ctrl+Z does.

It reports on stdout, one JSON object a line, each flushed at once:

- ``{"ev": "ready", ...}`` once the services are up and the write loop starts;
- ``{"ev": "begin", "seq": "R.N", "op": OP, ...args}`` before an edit starts;
- ``{"ev": "done", "seq": "R.N", ...result}`` once the service call returned, that is once
  its transaction was committed (``id`` for what gets a new id).

So at any moment at most one edit is under way: the last ``begin`` without its ``done``.
The arguments say exactly what the edit does (a note's text is given by its SHA-256, and it
starts with ``"[R.N] "``, the seq of the edit that wrote it), so the test can keep a model of
what the database must hold.

``--lie-gap-ms N`` makes a dishonest writer, to prove the test can fail: it prints ``done``
*before* the edit runs (guessing the new id), then waits N ms, then runs it.
``--max-ops N`` stops after N edits and exits 0 (for a run that is not killed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QGuiApplication

from ostplayer.domain.playlist import PlaylistEntry
from ostplayer.domain.scene import Note
from ostplayer.library.scanner import scan_folder
from ostplayer.paths import AppPaths, resources_dir
from ostplayer.services.library import LibraryService
from ostplayer.services.moods import MoodService
from ostplayer.services.player import PlayerService
from ostplayer.services.playlists import PlaylistService
from ostplayer.services.scenes import SceneService
from ostplayer.services.tasks import Tasks
from ostplayer.store.database import Database
from ostplayer.store.moods import MoodRepository
from ostplayer.store.playlists import PlaylistRepository
from ostplayer.store.scenes import SceneRepository
from ostplayer.store.state import StateRepository
from ostplayer.store.tracks import TrackRepository

#: Moods the writer gives: shipped ones in odd spellings, the listener's own words, and
#: non-ASCII (folded by ``mood_key``, so the test compares keys, not spellings).
MOODS = ("Tender", " tense ", "longing", "café sad", "初恋", "rooftop calm", "EERIE", "hopeful")
#: Pieces of note text: markup that must stay text, right-to-left, quotes, emoji.
WORDS = (
    "she finally says it", "<b>not bold</b>", "<img src=http://example.invalid/x>", "rain",
    "“quoted”", "شارع المطر", "初恋のささやき", "\u202eevil override\u202c", "🎻", "S1E3 41:20",
)  # fmt: skip

Entry = list[int | None]


def emit(event: dict[str, Any]) -> None:
    """Print one event line and flush it: one ``write()``, so a kill never leaves half."""
    sys.stdout.write(json.dumps(event, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def sha(text: str) -> str:
    """The SHA-256 of a text, as the test compares notes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Writer:
    """Chooses and runs edits through the services, printing each one."""

    def __init__(
        self,
        db: Database,
        scenes: SceneService,
        moods: MoodService,
        playlists: PlaylistService,
        track_ids: list[int],
        rng: random.Random,
        round_number: int,
        lie_gap_ms: int = 0,
    ) -> None:
        self._db = db
        self._scenes = scenes
        self._moods = moods
        self._playlists = playlists
        #: The tracks it writes about.
        self.track_ids = track_ids
        self._rng = rng
        self._round = round_number
        self._lie_gap_s = lie_gap_ms / 1000
        self._count = 0
        # What this writer knows is in the database (read at start, then kept up to date).
        self.notes: dict[int, Note] = {n.id: n for n in scenes.repository.notes()}
        self.listener_moods: set[tuple[int, str]] = {
            (int(r[0]), str(r[1]))
            for r in db.conn.execute(
                "SELECT track_id, mood FROM track_mood WHERE origin = 'listener'"
            )
        }
        self.playlists: dict[int, tuple[str, tuple[PlaylistEntry, ...]]] = {}
        for playlist in playlists.playlists():
            full = playlists.get(playlist.id)
            if full is not None and not full.is_smart:
                self.playlists[full.id] = (full.name, full.entries)
        # A save the database refused would make the report after it a lie: stop loudly (the
        # test then fails with this message). The signal is emitted inside the service call.
        for service in (scenes, moods, playlists):
            service.store_failed.connect(_refused)
        # This run's commands on the undo stack, bottom to top: (seq, "note", note id),
        # (seq, "mood", track id) or (seq, "playlist", playlist id).
        self._undoable: list[tuple[str, str, int]] = []

    # -- the loop ------------------------------------------------------------------------------
    def step(self) -> None:
        """Run one edit, chosen at random among those that make sense now."""
        self._count += 1
        seq = f"{self._round}.{self._count}"
        choices: list[tuple[int, Callable[[str], None]]] = [
            (25, self.note_add),
            (15, self.mood_add),
            (8, self.playlist_create),
        ]
        if self.notes:
            choices += [(10, self.note_edit), (14, self.note_delete)]
        if self.listener_moods:
            choices.append((8, self.mood_remove))
        if self.playlists:
            choices += [(12, self.playlist_entries), (3, self.playlist_rename)]
            choices.append((6, self.playlist_delete))
        if self._undoable:
            choices.append((10, self.undo))
        weights = [w for w, _ in choices]
        op = self._rng.choices([f for _, f in choices], weights)[0]
        op(seq)

    def _run(
        self, seq: str, op: str, args: dict[str, Any], action: Callable[[], dict[str, Any]],
        guess: Callable[[], dict[str, Any]] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Print ``begin``, run ``action`` (a service call), then print ``done``."""
        emit({"ev": "begin", "seq": seq, "op": op, **args})
        stack = self._scenes.undo_stack
        before = stack.index()
        if self._lie_gap_s:
            # The dishonest writer: says "done" before the commit, as a bug would.
            emit({"ev": "done", "seq": seq, **(guess() if guess else {})})
            time.sleep(self._lie_gap_s)
            result = action()
        else:
            result = action()
            emit({"ev": "done", "seq": seq, **result})
        if stack.index() == before + 1:  # a command went on the stack: it can be undone
            key = result.get("id", args.get("id", args.get("track")))
            self._undoable = [*self._undoable[:before], (seq, op.split("-")[0], key)]
        return result

    def _next_id(self, table: str) -> dict[str, Any]:
        row = self._db.conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()
        return {"id": int(row[0])}

    # -- notes ---------------------------------------------------------------------------------
    def _text(self, label: str) -> str:
        size = self._rng.random()
        words = [self._rng.choice(WORDS) for _ in range(self._rng.randint(1, 12))]
        text = f"[{label}] " + " ".join(words)
        if size > 0.96:  # a long note spans many pages: its commit writes many WAL frames
            text += " " + "x" * self._rng.randint(4_000, 40_000)
        return text

    def note_add(self, seq: str) -> None:
        """Add a note on a random track."""
        track = self._rng.choice(self.track_ids)
        text = self._text(seq)
        pos = self._rng.randint(0, 50_000)
        episode = self._rng.choice((None, "S1E3", "S2E1"))
        moods = ("tender",) if episode else ()
        note = Note(text, pos, episode=episode, moods=moods, track_id=track)
        args = {"track": track, "pos": pos, "sha": sha(text)}

        def add() -> dict[str, Any]:
            saved = self._scenes.add_note(note)
            self.notes[saved.id] = saved
            return {"id": saved.id}

        self._run(seq, "note-add", args, add, lambda: self._next_id("note"))

    def note_edit(self, seq: str) -> None:
        """Change a note's text (its track and position stay)."""
        note = self.notes[self._rng.choice(sorted(self.notes))]
        edited = Note(
            self._text(seq), note.position_ms, note.end_ms, note.episode,
            moods=note.moods, id=note.id, track_id=note.track_id,
        )  # fmt: skip

        def edit() -> dict[str, Any]:
            self._scenes.update_note(edited)
            self.notes[note.id] = edited
            return {}

        self._run(seq, "note-edit", {"id": note.id, "sha": sha(edited.text)}, edit)

    def note_delete(self, seq: str) -> None:
        """Delete a note."""
        note_id = self._rng.choice(sorted(self.notes))

        def delete() -> dict[str, Any]:
            self._scenes.delete_note(note_id)
            del self.notes[note_id]
            return {}

        self._run(seq, "note-delete", {"id": note_id}, delete)

    # -- moods ---------------------------------------------------------------------------------
    def mood_add(self, seq: str) -> None:
        """Give a track a mood of the listener's own."""
        track, mood = self._rng.choice(self.track_ids), self._rng.choice(MOODS)

        def add() -> dict[str, Any]:
            self._moods.add([track], mood)
            self.listener_moods.add((track, mood))
            return {}

        self._run(seq, "mood-add", {"track": track, "mood": mood}, add)

    def mood_remove(self, seq: str) -> None:
        """Take one of the listener's moods off its track."""
        track, mood = self._rng.choice(sorted(self.listener_moods))

        def remove() -> dict[str, Any]:
            self._moods.remove([track], mood)
            self.listener_moods.discard((track, mood))
            return {}

        self._run(seq, "mood-remove", {"track": track, "mood": mood}, remove)

    # -- playlists -----------------------------------------------------------------------------
    def _entries(self, low: int = 0) -> tuple[PlaylistEntry, ...]:
        entries = []
        for _ in range(self._rng.randint(low, 12)):
            track = self._rng.choice(self.track_ids)
            if self._rng.random() < 0.3:  # a moment: a span of the track
                start = self._rng.randint(0, 20_000)
                end = self._rng.choice((None, start + self._rng.randint(500, 20_000)))
                entries.append(PlaylistEntry(track, start, end))
            else:
                entries.append(PlaylistEntry(track))
        return tuple(entries)

    def playlist_create(self, seq: str) -> None:
        """Create a static playlist with a few entries."""
        name, entries = f"Mix {seq}", self._entries()

        def create() -> dict[str, Any]:
            playlist = self._playlists.create(name, entries)
            self.playlists[playlist.id] = (name, entries)
            return {"id": playlist.id}

        args = {"name": name, "entries": _entries_json(entries)}
        self._run(seq, "playlist-create", args, create, lambda: self._next_id("playlist"))

    def playlist_entries(self, seq: str) -> None:
        """Add tracks at the end of a playlist, or reorder it, or take entries out."""
        playlist_id = self._rng.choice(sorted(self.playlists))
        name, old = self.playlists[playlist_id]
        how = self._rng.choice(("add", "reorder", "remove")) if len(old) > 1 else "add"
        if how == "add":  # whole tracks, as the track list's "Add to Playlist" does
            added = [self._rng.choice(self.track_ids) for _ in range(self._rng.randint(1, 6))]
            new = old + tuple(PlaylistEntry(t) for t in added)
        elif how == "reorder":
            new = tuple(self._rng.sample(old, len(old)))
            if new == old:
                new = old[1:] + old[:1]
        else:
            keep = sorted(self._rng.sample(range(len(old)), self._rng.randint(0, len(old) - 1)))
            new = tuple(old[i] for i in keep)
        if new == old:  # the service skips an edit that changes nothing: make it one
            how, added = "add", [self.track_ids[0]]
            new = (*old, PlaylistEntry(added[0]))

        def change() -> dict[str, Any]:
            if how == "add":
                self._playlists.add_tracks(playlist_id, added)
            else:
                self._playlists.set_entries(playlist_id, new)
            self.playlists[playlist_id] = (name, new)
            return {}

        args = {"id": playlist_id, "how": how, "entries": _entries_json(new)}
        self._run(seq, "playlist-entries", args, change)

    def playlist_rename(self, seq: str) -> None:
        """Rename a playlist."""
        playlist_id = self._rng.choice(sorted(self.playlists))
        name = f"Renamed {seq}"

        def rename() -> dict[str, Any]:
            self._playlists.rename(playlist_id, name)
            self.playlists[playlist_id] = (name, self.playlists[playlist_id][1])
            return {}

        self._run(seq, "playlist-rename", {"id": playlist_id, "name": name}, rename)

    def playlist_delete(self, seq: str) -> None:
        """Delete a playlist."""
        playlist_id = self._rng.choice(sorted(self.playlists))

        def delete() -> dict[str, Any]:
            self._playlists.delete(playlist_id)
            del self.playlists[playlist_id]
            return {}

        self._run(seq, "playlist-delete", {"id": playlist_id}, delete)

    # -- undo ----------------------------------------------------------------------------------
    def undo(self, seq: str) -> None:
        """Undo this run's last edit still on the stack (Ctrl+Z)."""
        of, kind, key = self._undoable[-1]

        def undo() -> dict[str, Any]:
            self._scenes.undo_stack.undo()
            self._undoable.pop()
            self._reread(kind, key)
            return {}

        emit({"ev": "begin", "seq": seq, "op": "undo", "of": of})
        if self._lie_gap_s:
            emit({"ev": "done", "seq": seq})
            time.sleep(self._lie_gap_s)
            undo()
        else:
            undo()
            emit({"ev": "done", "seq": seq})

    def _reread(self, kind: str, key: int) -> None:
        # After an undo, read back what it touched (the model of what must be there is the
        # test's; this is only what the writer picks its next edits from).
        if kind == "note":
            note = self._scenes.repository.note(key)
            if note is None:
                self.notes.pop(key, None)
            else:
                self.notes[key] = note
        elif kind == "mood":
            self.listener_moods = {m for m in self.listener_moods if m[0] != key}
            rows = self._db.conn.execute(
                "SELECT mood FROM track_mood WHERE origin = 'listener' AND track_id = ?", (key,)
            )
            self.listener_moods |= {(key, str(r[0])) for r in rows}
        else:
            playlist = self._playlists.get(key)
            if playlist is None:
                self.playlists.pop(key, None)
            else:
                self.playlists[key] = (playlist.name, playlist.entries)


def _refused(message: str) -> None:
    sys.stderr.write(f"a save was refused: {message}\n")
    sys.stderr.flush()
    os._exit(3)


def _entries_json(entries: tuple[PlaylistEntry, ...]) -> list[Entry]:
    return [[e.track_id, e.start_ms, e.end_ms] for e in entries]


@dataclass
class Services:
    """The database and the services on it, wired as ``ostplayer.app.Application`` does."""

    db: Database
    tasks: Tasks
    library: LibraryService
    scenes: SceneService
    moods: MoodService
    playlists: PlaylistService

    def writer(self, rng: random.Random, round_number: int, lie_gap_ms: int = 0) -> Writer:
        """A writer on these services, over the library's tracks."""
        track_ids = [t.id for t in self.library.tracks()]
        return Writer(
            self.db, self.scenes, self.moods, self.playlists, track_ids, rng, round_number,
            lie_gap_ms,
        )  # fmt: skip

    def close(self) -> None:
        """Stop the workers and close the database, as the app does when it quits."""
        self.moods.shutdown()
        self.library.shutdown()
        self.tasks.wait(5000)
        self.db.close()


def open_services(data_dir: Path, music: Path, rng: random.Random) -> Services:
    """Open the database in ``data_dir``, rescan ``music``, and start the services.

    Needs a ``QGuiApplication``. One file of ``music`` gets a new mtime first, so that the
    rescan writes a library-index batch (the kind of commit that does not wait for the disk).
    """
    paths = AppPaths(data_dir)
    paths.ensure()
    # Database, not the app's open_library(): a damaged database must stop the writer (and
    # fail the test), not be replaced by a backup.
    db = Database(paths.database)
    tracks = TrackRepository(db)
    touched = rng.choice(sorted(music.glob("*.ogg")))
    now_ns = time.time_ns()
    os.utime(touched, ns=(now_ns, now_ns))
    scan_folder(tracks, music, workers=0)

    state = StateRepository(db)
    tasks = Tasks()
    library = LibraryService(tracks, resources_dir() / "demo", tasks, state)
    player = PlayerService(library.get, state)
    scene_repository = SceneRepository(db)
    scenes = SceneService(scene_repository, tracks, state, tasks)
    undo = scenes.undo_stack  # one undo history for notes, moods and playlists
    moods = MoodService(MoodRepository(db), scene_repository, library, state, tasks, undo)
    playlists = PlaylistService(PlaylistRepository(db), library, moods, player, undo)
    loop = QEventLoop()
    library.load(loop.quit)
    loop.exec()
    return Services(db, tasks, library, scenes, moods, playlists)


def main() -> int:
    """Open the services on the data dir, then write until killed (or ``--max-ops``)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--music", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--round", type=int, default=0)
    parser.add_argument("--lie-gap-ms", type=int, default=0)
    parser.add_argument("--max-ops", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(f"{args.seed}/{args.round}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qapp = QGuiApplication([sys.argv[0]])  # QUndoStack is in QtGui
    services = open_services(args.data_dir, args.music, rng)
    writer = services.writer(rng, args.round, args.lie_gap_ms)
    if not writer.track_ids:
        print("no tracks in the library", file=sys.stderr)
        return 1
    emit({"ev": "ready", "pid": os.getpid(), "tracks": len(writer.track_ids)})
    done = 0
    while not args.max_ops or done < args.max_ops:
        writer.step()
        done += 1
        qapp.processEvents()  # the mood service's reads run on worker threads meanwhile
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
