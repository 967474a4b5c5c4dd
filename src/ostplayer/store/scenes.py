"""The scene repository: episodes, imported scene packs and their cues, and the listener's notes.

Notes are the listener's own writing: each change is committed (``synchronous=FULL``) before
the method returns, so a note the UI shows as saved survives a crash right after. A pack import
is one transaction: it lands whole or not at all.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ostplayer.domain.scene import (
    Confidence,
    Episode,
    Note,
    Role,
    SceneCue,
    ScenePack,
    parse_episode_key,
)
from ostplayer.store.database import Database

#: How a pack entry came to its track: the matcher's levels, and "manual" for a hand link.
MANUAL = "manual"

_NOTE_COLUMNS = (
    "id, track_id, text, position_ms, end_ms, episode, episode_start_ms, episode_end_ms, "
    "characters, place, role, moods, spoiler_from"
)
_CUE_SELECT = (
    "SELECT cue.id, pack_entry.track_id, cue.start_ms, cue.end_ms, cue.episode, "
    "cue.episode_start_ms, cue.episode_end_ms, cue.description, cue.characters, cue.place, "
    "cue.role, cue.moods, cue.confidence, cue.spoiler_from, pack.name "
    "FROM cue JOIN pack_entry ON pack_entry.id = cue.entry_id "
    "JOIN pack ON pack.id = pack_entry.pack_id"
)


@dataclass(frozen=True, slots=True)
class PackEntry:
    """A pack's track entry as stored: which local track it is linked to, and how."""

    id: int
    pack: str
    position: int
    title: str
    album: str
    artist: str
    duration_ms: int | None
    track_id: int | None
    match: str


@dataclass(frozen=True, slots=True)
class PackSummary:
    """An imported pack: its name, series, and how many of its entries found a track."""

    id: int
    name: str
    series: str
    entries: int
    linked: int
    cues: int
    imported_at: str


class SceneRepository:
    """Reads and writes the ``episode``, ``pack``, ``pack_entry``, ``cue`` and ``note`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- notes -----------------------------------------------------------------------------
    def add_note(self, note: Note) -> Note:
        """Save a new note on ``note.track_id``; returns it with its id (committed)."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO note (track_id, text, position_ms, end_ms, episode, "
                "episode_start_ms, episode_end_ms, characters, place, role, moods, spoiler_from) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _note_values(note),
            )
            note_id = int(cursor.lastrowid or 0)
        return replace(note, id=note_id)

    def update_note(self, note: Note) -> None:
        """Save the edited ``note`` (by its id), track included."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE note SET track_id = ?, text = ?, position_ms = ?, end_ms = ?, "
                "episode = ?, episode_start_ms = ?, episode_end_ms = ?, characters = ?, "
                "place = ?, role = ?, moods = ?, spoiler_from = ?, "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
                (*_note_values(note), note.id),
            )

    def delete_note(self, note_id: int) -> Note | None:
        """Delete a note; returns it as it was, so that an undo can put it back."""
        with self._db.transaction() as conn:
            row = conn.execute(f"SELECT {_NOTE_COLUMNS} FROM note WHERE id = ?", (note_id,))
            found = row.fetchone()
            conn.execute("DELETE FROM note WHERE id = ?", (note_id,))
        return _note(found) if found else None

    def restore_note(self, note: Note) -> Note:
        """Put a deleted note back, under its old id (undo)."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO note (id, track_id, text, position_ms, end_ms, episode, "
                "episode_start_ms, episode_end_ms, characters, place, role, moods, spoiler_from) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (note.id or None, *_note_values(note)),
            )
            note_id = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        return replace(note, id=int(note_id))

    def note(self, note_id: int) -> Note | None:
        """One note by id."""
        row = self._db.conn.execute(f"SELECT {_NOTE_COLUMNS} FROM note WHERE id = ?", (note_id,))
        found = row.fetchone()
        return _note(found) if found else None

    def notes(self, track_id: int | None = None) -> list[Note]:
        """The notes of a track in track-time order, or every note (by track, then time)."""
        if track_id is None:
            rows = self._db.conn.execute(
                f"SELECT {_NOTE_COLUMNS} FROM note ORDER BY track_id, position_ms, id"
            )
        else:
            rows = self._db.conn.execute(
                f"SELECT {_NOTE_COLUMNS} FROM note WHERE track_id = ? ORDER BY position_ms, id",
                (track_id,),
            )
        return [_note(r) for r in rows]

    def orphaned_notes(self) -> list[Note]:
        """Notes whose track left the collection (its file is gone): waiting to be re-linked."""
        rows = self._db.conn.execute(
            f"SELECT {_qualified('note', _NOTE_COLUMNS)} FROM note "
            "LEFT JOIN track ON track.id = note.track_id "
            "WHERE track.id IS NULL OR track.missing_since IS NOT NULL "
            "ORDER BY note.track_id, note.position_ms, note.id"
        )
        return [_note(r) for r in rows]

    def relink_note(self, note_id: int, track_id: int) -> None:
        """Hang an (orphaned) note on another track, keeping everything else."""
        with self._db.transaction() as conn:
            conn.execute("UPDATE note SET track_id = ? WHERE id = ?", (track_id, note_id))

    # -- packs -----------------------------------------------------------------------------
    def import_pack(
        self, pack: ScenePack, document: bytes, links: Sequence[tuple[int | None, str]]
    ) -> int:
        """Store ``pack`` (replacing an earlier import of the same name) in one transaction.

        ``links`` holds, per track entry in order, the local track id (or None) and how it
        was matched. ``document`` is the pack's canonical form, kept for a lossless export.
        An entry the listener linked by hand keeps that link when the pack is imported again.
        """
        if len(links) != len(pack.tracks):
            raise ValueError("one link per track entry is needed")
        with self._db.transaction() as conn:
            manual = {
                (r[0], r[1]): r[2]
                for r in conn.execute(
                    "SELECT pack_entry.title, pack_entry.album, pack_entry.track_id "
                    "FROM pack_entry JOIN pack ON pack.id = pack_entry.pack_id "
                    "WHERE pack.name = ? AND pack_entry.match = ?",
                    (pack.name, MANUAL),
                )
            }
            conn.execute("DELETE FROM pack WHERE name = ?", (pack.name,))  # entries, cues go too
            pack_id = conn.execute(
                "INSERT INTO pack (name, series, document) VALUES (?, ?, ?) RETURNING id",
                (pack.name, pack.series, document),
            ).fetchone()[0]
            for episode in pack.episodes:
                conn.execute(
                    "INSERT INTO episode (key, season, number, title) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET title = excluded.title "
                    "WHERE excluded.title != ''",
                    (episode.key, episode.season, episode.number, episode.title),
                )
            for position, (entry, (track_id, level)) in enumerate(
                zip(pack.tracks, links, strict=True)
            ):
                kept = manual.get((entry.title, entry.album))
                if track_id is None and kept is not None:
                    track_id, level = kept, MANUAL
                entry_id = conn.execute(
                    "INSERT INTO pack_entry (pack_id, position, title, album, artist, "
                    "duration_ms, track_id, match) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (
                        pack_id,
                        position,
                        entry.title,
                        entry.album,
                        entry.artist,
                        entry.duration_ms,
                        track_id,
                        str(level),
                    ),
                ).fetchone()[0]
                conn.executemany(
                    "INSERT INTO cue (entry_id, start_ms, end_ms, episode, episode_start_ms, "
                    "episode_end_ms, description, characters, place, role, moods, confidence, "
                    "spoiler_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(entry_id, *_cue_values(cue)) for cue in entry.cues],
                )
        return int(pack_id)

    def remove_pack(self, name: str) -> bool:
        """Take an imported pack and its cues out; the listener's notes are not touched."""
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM pack WHERE name = ?", (name,)).rowcount > 0

    def packs(self) -> list[PackSummary]:
        """Every imported pack, by name."""
        rows = self._db.conn.execute(
            "SELECT pack.id, pack.name, pack.series, pack.imported_at, "
            "(SELECT count(*) FROM pack_entry e WHERE e.pack_id = pack.id), "
            "(SELECT count(*) FROM pack_entry e WHERE e.pack_id = pack.id "
            " AND e.track_id IS NOT NULL), "
            "(SELECT count(*) FROM cue JOIN pack_entry e ON e.id = cue.entry_id "
            " WHERE e.pack_id = pack.id) "
            "FROM pack ORDER BY pack.name COLLATE NOCASE"
        )
        return [PackSummary(r[0], r[1], r[2], r[4], r[5], r[6], r[3]) for r in rows]

    def pack_document(self, name: str) -> bytes | None:
        """The imported pack's canonical document, for export."""
        row = self._db.conn.execute("SELECT document FROM pack WHERE name = ?", (name,))
        found = row.fetchone()
        return bytes(found[0]) if found else None

    def entries(self, *, unlinked_only: bool = False) -> list[PackEntry]:
        """Pack entries (by pack, then position); only those with no track when asked."""
        where = "WHERE pack_entry.track_id IS NULL " if unlinked_only else ""
        rows = self._db.conn.execute(
            "SELECT pack_entry.id, pack.name, position, title, album, artist, duration_ms, "
            "track_id, match FROM pack_entry JOIN pack ON pack.id = pack_entry.pack_id "
            f"{where}ORDER BY pack.name COLLATE NOCASE, position"
        )
        return [PackEntry(*r) for r in rows]

    def link_entry(self, entry_id: int, track_id: int | None) -> None:
        """Link a pack entry to a track by hand (``None`` unlinks it)."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE pack_entry SET track_id = ?, match = ? WHERE id = ?",
                (track_id, MANUAL if track_id is not None else "unmatched", entry_id),
            )

    def moods(self) -> list[str]:
        """Every mood a cue or a note uses, sorted without regard to case."""
        found: set[str] = set()
        for sql in ("SELECT DISTINCT moods FROM cue", "SELECT DISTINCT moods FROM note"):
            for (text,) in self._db.conn.execute(sql):
                found.update(_loads(text))
        return sorted(found, key=str.casefold)

    # -- cues and episodes -------------------------------------------------------------------
    def cues(self, track_id: int) -> list[SceneCue]:
        """Every pack cue on a track, in track-time order."""
        rows = self._db.conn.execute(
            f"{_CUE_SELECT} WHERE pack_entry.track_id = ? ORDER BY cue.start_ms, pack.name, cue.id",
            (track_id,),
        )
        return [_cue(r) for r in rows]

    def linked_cues(self) -> list[SceneCue]:
        """Every pack cue linked to a track, by track and track time."""
        rows = self._db.conn.execute(
            f"{_CUE_SELECT} WHERE pack_entry.track_id IS NOT NULL "
            "ORDER BY pack_entry.track_id, cue.start_ms, cue.id"
        )
        return [_cue(r) for r in rows]

    def episode_cues(self, episode: str) -> list[SceneCue]:
        """Every linked pack cue in an episode, in episode-time order (unknown times last)."""
        rows = self._db.conn.execute(
            f"{_CUE_SELECT} WHERE cue.episode = ? AND pack_entry.track_id IS NOT NULL "
            "ORDER BY cue.episode_start_ms IS NULL, cue.episode_start_ms, cue.start_ms, cue.id",
            (episode,),
        )
        return [_cue(r) for r in rows]

    def episodes(self) -> list[Episode]:
        """Every episode known from packs or notes, in airing order."""
        known = {
            r[0]: Episode(r[1], r[2], r[3])
            for r in self._db.conn.execute("SELECT key, season, number, title FROM episode")
        }
        used = self._db.conn.execute(
            "SELECT episode FROM cue UNION SELECT episode FROM note WHERE episode IS NOT NULL"
        )
        for (key,) in used:
            if key not in known:
                known[key] = Episode(*parse_episode_key(key))
        return sorted(known.values(), key=lambda e: (e.season, e.number))


def _dumps(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _loads(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))


def _note_values(note: Note) -> tuple[Any, ...]:
    return (
        note.track_id or None,
        note.text,
        note.position_ms,
        note.end_ms,
        note.episode,
        note.episode_start_ms,
        note.episode_end_ms,
        _dumps(note.characters),
        note.place,
        str(note.role),
        _dumps(note.moods),
        note.spoiler_from,
    )


def _note(row: sqlite3.Row | tuple[Any, ...]) -> Note:
    return Note(
        id=row[0],
        track_id=row[1] or 0,
        text=row[2],
        position_ms=row[3],
        end_ms=row[4],
        episode=row[5],
        episode_start_ms=row[6],
        episode_end_ms=row[7],
        characters=_loads(row[8]),
        place=row[9],
        role=Role(row[10]),
        moods=_loads(row[11]),
        spoiler_from=row[12],
    )


def _cue_values(cue: SceneCue) -> tuple[Any, ...]:
    return (
        cue.start_ms,
        cue.end_ms,
        cue.episode,
        cue.episode_start_ms,
        cue.episode_end_ms,
        cue.description,
        _dumps(cue.characters),
        cue.place,
        str(cue.role),
        _dumps(cue.moods),
        str(cue.confidence),
        cue.spoiler_from,
    )


def _cue(row: sqlite3.Row | tuple[Any, ...]) -> SceneCue:
    return SceneCue(
        id=row[0],
        track_id=row[1] or 0,
        start_ms=row[2],
        end_ms=row[3],
        episode=row[4],
        episode_start_ms=row[5],
        episode_end_ms=row[6],
        description=row[7],
        characters=_loads(row[8]),
        place=row[9],
        role=Role(row[10]),
        moods=_loads(row[11]),
        confidence=Confidence(row[12]),
        spoiler_from=row[13],
        source=row[14],
    )


def _qualified(table: str, columns: str) -> str:
    return ", ".join(f"{table}.{c.strip()}" for c in columns.split(","))
