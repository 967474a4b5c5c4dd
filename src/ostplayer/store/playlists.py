"""The playlist repository: static and smart playlists, their entries, and undoable deletes.

Playlists are the listener's own data: every change is committed before the method returns.
Entries hang on track ids, which survive moves and retagging, and stay while a track is
missing, so a playlist comes back whole when its music does.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ostplayer.domain.playlist import Playlist, PlaylistEntry
from ostplayer.store.database import Database

if TYPE_CHECKING:
    from ostplayer.domain.mixer import MoodRule


class PlaylistNameError(ValueError):
    """Another playlist already has this name."""


class PlaylistRepository:
    """Reads and writes the ``playlist`` and ``playlist_entry`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> list[Playlist]:
        """Every playlist, by name (without their entries: see :meth:`get`)."""
        rows = self._db.conn.execute(
            "SELECT id, name, kind, rule FROM playlist ORDER BY name COLLATE NOCASE, id"
        )
        return [_playlist(r) for r in rows]

    def get(self, playlist_id: int) -> Playlist | None:
        """One playlist with its entries, or None."""
        row = self._db.conn.execute(
            "SELECT id, name, kind, rule FROM playlist WHERE id = ?", (playlist_id,)
        ).fetchone()
        if row is None:
            return None
        return _playlist(row, self._entries(self._db.conn, playlist_id))

    def find(self, name: str) -> Playlist | None:
        """The playlist called ``name`` (exactly, else ignoring case), with its entries."""
        for sql in (
            "SELECT id FROM playlist WHERE name = ?",
            "SELECT id FROM playlist WHERE name = ? COLLATE NOCASE ORDER BY id",
        ):
            row = self._db.conn.execute(sql, (name,)).fetchone()
            if row is not None:
                return self.get(int(row[0]))
        return None

    def free_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``… whichever no playlist has yet."""
        taken = {r[0].casefold() for r in self._db.conn.execute("SELECT name FROM playlist")}
        candidate, number = name, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{name} ({number})"
        return candidate

    # -- changes -----------------------------------------------------------------------------
    def create(
        self,
        name: str,
        entries: Sequence[PlaylistEntry] = (),
        rule: MoodRule | None = None,
    ) -> Playlist:
        """Save a new playlist: static with ``entries``, or smart with ``rule``."""
        name = _clean_name(name)
        kind = "smart" if rule is not None else "static"
        text = json.dumps(rule.to_json(), ensure_ascii=False) if rule is not None else None
        with self._db.transaction() as conn:
            try:
                cursor = conn.execute(
                    "INSERT INTO playlist (name, kind, rule) VALUES (?, ?, ?)", (name, kind, text)
                )
            except sqlite3.IntegrityError as exc:
                raise PlaylistNameError(name) from exc
            playlist_id = int(cursor.lastrowid or 0)
            self._write_entries(conn, playlist_id, entries)
        return Playlist(playlist_id, name, kind, rule, tuple(entries))

    def rename(self, playlist_id: int, name: str) -> str:
        """Rename a playlist; returns its old name (undo)."""
        name = _clean_name(name)
        with self._db.transaction() as conn:
            old = conn.execute("SELECT name FROM playlist WHERE id = ?", (playlist_id,)).fetchone()
            if old is None:
                raise KeyError(playlist_id)
            try:
                conn.execute(
                    "UPDATE playlist SET name = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', "
                    "'now') WHERE id = ?",
                    (name, playlist_id),
                )
            except sqlite3.IntegrityError as exc:
                raise PlaylistNameError(name) from exc
        return str(old[0])

    def set_entries(
        self, playlist_id: int, entries: Sequence[PlaylistEntry]
    ) -> tuple[PlaylistEntry, ...]:
        """Replace a static playlist's entries (a reorder, an add, a removal); returns the old."""
        with self._db.transaction() as conn:
            old = self._entries(conn, playlist_id)
            conn.execute("DELETE FROM playlist_entry WHERE playlist_id = ?", (playlist_id,))
            self._write_entries(conn, playlist_id, entries)
            conn.execute(
                "UPDATE playlist SET updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                "WHERE id = ?",
                (playlist_id,),
            )
        return old

    def set_rule(self, playlist_id: int, rule: MoodRule) -> MoodRule | None:
        """Change a smart playlist's rule; returns the old one."""
        with self._db.transaction() as conn:
            row = conn.execute("SELECT rule FROM playlist WHERE id = ?", (playlist_id,)).fetchone()
            conn.execute(
                "UPDATE playlist SET rule = ?, kind = 'smart', "
                "updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?",
                (json.dumps(rule.to_json(), ensure_ascii=False), playlist_id),
            )
        return _rule(row[0]) if row is not None else None

    def delete(self, playlist_id: int) -> Playlist | None:
        """Delete a playlist; returns it whole (entries too) so that an undo can put it back."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT id, name, kind, rule FROM playlist WHERE id = ?", (playlist_id,)
            ).fetchone()
            if row is None:
                return None
            playlist = _playlist(row, self._entries(conn, playlist_id))
            conn.execute("DELETE FROM playlist WHERE id = ?", (playlist_id,))
        return playlist

    def restore(self, playlist: Playlist) -> Playlist:
        """Put a deleted playlist back under its old id and name (undo)."""
        text = json.dumps(playlist.rule.to_json(), ensure_ascii=False) if playlist.rule else None
        with self._db.transaction() as conn:
            try:
                conn.execute(
                    "INSERT INTO playlist (id, name, kind, rule) VALUES (?, ?, ?, ?)",
                    (playlist.id, playlist.name, playlist.kind, text),
                )
            except sqlite3.IntegrityError as exc:
                raise PlaylistNameError(playlist.name) from exc
            self._write_entries(conn, playlist.id, playlist.entries)
        return playlist

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _entries(conn: sqlite3.Connection, playlist_id: int) -> tuple[PlaylistEntry, ...]:
        rows = conn.execute(
            "SELECT track_id, start_ms, end_ms FROM playlist_entry WHERE playlist_id = ? "
            "ORDER BY position",
            (playlist_id,),
        )
        return tuple(PlaylistEntry(r[0], r[1], r[2]) for r in rows)

    @staticmethod
    def _write_entries(
        conn: sqlite3.Connection, playlist_id: int, entries: Sequence[PlaylistEntry]
    ) -> None:
        conn.executemany(
            "INSERT INTO playlist_entry (playlist_id, position, track_id, start_ms, end_ms) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (playlist_id, position, e.track_id, e.start_ms, e.end_ms)
                for position, e in enumerate(entries)
            ],
        )


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("a playlist needs a name")
    return cleaned


def _rule(text: str | None) -> MoodRule | None:
    if not text:
        return None
    from ostplayer.domain.mixer import MoodRule  # loaded with the first smart playlist

    try:
        return MoodRule.from_json(json.loads(text))
    except (ValueError, TypeError):  # a damaged rule: the playlist stays, empty, not the list
        return None


def _playlist(row: sqlite3.Row, entries: tuple[PlaylistEntry, ...] = ()) -> Playlist:
    return Playlist(int(row[0]), str(row[1]), row[2], _rule(row[3]), entries)
