"""The track repository: tracks and their moods in, domain ``Track`` objects out."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ostplayer.domain.track import Track
from ostplayer.store.database import Database

_COLUMNS = (
    "id, path, title, artist, album, album_artist, track_number, disc_number, year, genre, "
    "duration_ms"
)


class TrackRepository:
    """Reads and writes the ``track``, ``track_mood`` and ``source`` tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def database_path(self) -> Path:
        """The database file, for a worker thread that opens its own connection."""
        return self._db.path

    def add_source(self, kind: str, path: Path) -> int:
        """Register a place tracks come from (``demo`` or ``folder``); returns its id."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO source (kind, path) VALUES (?, ?) ON CONFLICT(path) DO NOTHING",
                (kind, os.fsencode(path)),
            )
            row = conn.execute(
                "SELECT id FROM source WHERE path = ?", (os.fsencode(path),)
            ).fetchone()
        return int(row[0])

    def sources(self) -> list[tuple[int, str, Path]]:
        """Every source as ``(id, kind, path)``."""
        rows = self._db.conn.execute("SELECT id, kind, path FROM source ORDER BY id")
        return [(r[0], r[1], Path(os.fsdecode(r[2]))) for r in rows]

    def save_many(
        self, items: Iterable[tuple[Track, int, int]], source_id: int | None = None
    ) -> list[int]:
        """Insert or update ``(track, size, mtime_ns)`` rows by path in one transaction.

        Tag moods are replaced by the file's; moods from packs and the listener are kept.
        Returns the ids in order.
        """
        ids: list[int] = []
        with self._db.transaction() as conn:
            for track, size, mtime_ns in items:
                ids.append(_upsert(conn, track, size, mtime_ns, source_id))
        return ids

    def all(self) -> list[Track]:
        """Every track, in album order."""
        rows = self._db.conn.execute(
            f"SELECT {_COLUMNS} FROM track "
            "ORDER BY album COLLATE NOCASE, disc_number, track_number, title COLLATE NOCASE"
        ).fetchall()
        return self._with_moods(rows)

    def get(self, track_id: int) -> Track | None:
        """One track by id."""
        row = self._db.conn.execute(
            f"SELECT {_COLUMNS} FROM track WHERE id = ?", (track_id,)
        ).fetchone()
        return self._with_moods([row])[0] if row else None

    def count(self) -> int:
        """How many tracks the library holds."""
        return int(self._db.conn.execute("SELECT count(*) FROM track").fetchone()[0])

    def _with_moods(self, rows: list[sqlite3.Row]) -> list[Track]:
        moods: dict[int, list[str]] = {}
        for track_id, mood in self._db.conn.execute(
            "SELECT track_id, mood FROM track_mood ORDER BY rowid"
        ):
            moods.setdefault(track_id, [])
            if mood not in moods[track_id]:
                moods[track_id].append(mood)
        return [
            Track(
                id=r["id"],
                path=Path(os.fsdecode(r["path"])),
                title=r["title"],
                artist=r["artist"],
                album=r["album"],
                album_artist=r["album_artist"],
                track_number=r["track_number"],
                disc_number=r["disc_number"],
                year=r["year"],
                genre=r["genre"],
                duration_ms=r["duration_ms"],
                moods=tuple(moods.get(r["id"], ())),
            )
            for r in rows
        ]


def _upsert(
    conn: sqlite3.Connection, track: Track, size: int, mtime_ns: int, source_id: int | None
) -> int:
    values = (
        source_id,
        os.fsencode(track.path),
        track.title,
        track.artist,
        track.album,
        track.album_artist,
        track.track_number,
        track.disc_number,
        track.year,
        track.genre,
        track.duration_ms,
        size,
        mtime_ns,
    )
    row = conn.execute(
        "INSERT INTO track (source_id, path, title, artist, album, album_artist, track_number, "
        "disc_number, year, genre, duration_ms, size, mtime_ns) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(path) DO UPDATE SET source_id=excluded.source_id, title=excluded.title, "
        "artist=excluded.artist, album=excluded.album, album_artist=excluded.album_artist, "
        "track_number=excluded.track_number, disc_number=excluded.disc_number, "
        "year=excluded.year, genre=excluded.genre, duration_ms=excluded.duration_ms, "
        "size=excluded.size, mtime_ns=excluded.mtime_ns "
        "RETURNING id",
        values,
    ).fetchone()
    track_id = int(row[0])
    conn.execute("DELETE FROM track_mood WHERE track_id = ? AND origin = 'tag'", (track_id,))
    conn.executemany(
        "INSERT OR IGNORE INTO track_mood (track_id, mood, origin) VALUES (?, ?, 'tag')",
        [(track_id, mood) for mood in track.moods],
    )
    return track_id


def with_id(track: Track, track_id: int) -> Track:
    """The same track with its stored id."""
    return replace(track, id=track_id)
