"""The track repository: tracks and their moods in, domain ``Track`` objects out."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from ostplayer.domain.track import TAG_FIELDS, TagValues, Track, tag_values, track_from_tags
from ostplayer.store.database import Database
from ostplayer.store.moods import MoodRepository

# The track columns of a track's tag fields, in TAG_FIELDS order: a scan's values go in as they are.
_TAG_COLUMNS = tuple(
    {"musicbrainz_recording_id": "mb_recording_id", "musicbrainz_release_id": "mb_release_id"}.get(
        name, name
    )
    for name in TAG_FIELDS
)
#: What tells a track's file apart when its path changes: id, size, mtime_ns, duration_ms, codec.
Identity = tuple[int, int, int, int, str]

_COLUMNS = ", ".join(_TAG_COLUMNS)
_SELECT = f"SELECT id, path, source_id, {_COLUMNS} FROM track"
_UPSERT = (
    f"INSERT INTO track (id, source_id, path, size, mtime_ns, {_COLUMNS}) "
    f"VALUES (?, ?, ?, ?, ?, {', '.join('?' for _ in _TAG_COLUMNS)}) "
    "ON CONFLICT(path) DO UPDATE SET source_id=excluded.source_id, size=excluded.size, "
    "mtime_ns=excluded.mtime_ns, missing_since=NULL, "
    + ", ".join(f"{column}=excluded.{column}" for column in _TAG_COLUMNS)
)
#: Ids per ``IN (...)`` query: well under SQLite's limit on bound parameters.
_IN_CHUNK = 500


class TrackRepository:
    """Reads and writes the ``track``, ``track_mood``, ``source`` and ``scan_problem`` tables.

    A track whose file a scan saw gone keeps its row (``missing_since``), so that what hangs
    on it survives; it is left out of the collection until the file is back.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def database_path(self) -> Path:
        """The database file, for a worker thread that opens its own connection."""
        return self._db.path

    # -- sources ---------------------------------------------------------------------------
    def add_source(self, kind: str, path: Path) -> int:
        """Register a place tracks come from (``demo`` or ``folder``); returns its id.

        Tracks below ``path`` left without a source (their folder was removed) join it again,
        so a scan sees them as known tracks coming back, not as new files.
        """
        select = "SELECT id FROM source WHERE path = ?"
        row = self._db.conn.execute(select, (os.fsencode(path),)).fetchone()
        if row is not None:  # the usual rescan: no write, so no wait for the disk
            return int(row[0])
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO source (kind, path) VALUES (?, ?) ON CONFLICT(path) DO NOTHING",
                (kind, os.fsencode(path)),
            )
            row = conn.execute(select, (os.fsencode(path),)).fetchone()
            # Without this, a scan would count them as new, and the move matching could merge
            # one into another missing copy of the same file, deleting the row notes hang on.
            sep = os.fsencode(os.sep)
            low = os.fsencode(path).rstrip(sep) + sep  # the folder with a trailing separator
            high = low[:-1] + bytes([low[-1] + 1])  # every path below it sorts before this
            conn.execute(
                "UPDATE track SET source_id = ? WHERE source_id IS NULL AND path >= ? AND path < ?",
                (row[0], low, high),
            )
        return int(row[0])

    def sources(self) -> list[tuple[int, str, Path]]:
        """Every source as ``(id, kind, path)``."""
        rows = self._db.conn.execute("SELECT id, kind, path FROM source ORDER BY id")
        return [(r[0], r[1], Path(os.fsdecode(r[2]))) for r in rows]

    # -- tracks ----------------------------------------------------------------------------
    def save_many(
        self, items: Iterable[tuple[Track, int, int]], source_id: int | None = None
    ) -> list[int]:
        """Insert or update ``(track, size, mtime_ns)`` rows by path in one transaction.

        Tag moods are replaced by the file's; moods from packs and the listener are kept.
        A track saved again is no longer missing. Returns the ids in order.
        """
        return self.save_scanned(items, source_id)[0]

    def save_scanned(
        self, items: Iterable[tuple[Track, int, int]], source_id: int | None = None
    ) -> tuple[list[int], set[int]]:
        """:meth:`save_many`, also returning the ids of the rows it created.

        A scan needs to know which rows are really new: only those may be merged into a
        moved track, since nothing can hang on them yet.
        """
        return self.save_read(
            [
                (os.fsencode(track.path), size, mtime_ns, tag_values(track), track.moods)
                for track, size, mtime_ns in items
            ],
            source_id,
        )

    def save_read(
        self,
        items: list[tuple[bytes, int, int, TagValues, tuple[str, ...]]],
        source_id: int | None = None,
    ) -> tuple[list[int], set[int]]:
        """:meth:`save_scanned` for files as a scan reads them: ``(path, size, mtime_ns, tag
        values, moods)``, the values in :data:`~ostplayer.domain.track.TAG_FIELDS` order.

        No :class:`Track` is needed: a scan with no one watching its tracks never makes one.
        """
        paths = [item[0] for item in items]
        # Whole-batch statements: a scan saves thousands of rows, and one execute per row
        # was most of the scanning process's own work.
        # What a scan reads from the files can be read again: no waiting for the disk.
        with self._db.transaction(durable=False) as conn:
            existing = self._ids_by_path(conn, paths)
            # New rows get their ids here, as SQLite would give them (one more than the
            # largest), so that no second lookup is needed: this transaction holds the write
            # lock, so nobody else inserts meanwhile.
            next_id = int(conn.execute("SELECT ifnull(max(id), 0) + 1 FROM track").fetchone()[0])
            created: dict[bytes, int] = {}
            ids: list[int] = []
            rows: list[tuple[object, ...]] = []
            for path, size, mtime_ns, values, _moods in items:
                track_id = existing.get(path) or created.get(path)
                if track_id is None:
                    track_id = created[path] = next_id
                    next_id += 1
                    given: int | None = track_id
                else:
                    given = None  # NULL: the row is there, the upsert updates it
                ids.append(track_id)
                rows.append((given, source_id, path, size, mtime_ns, *values))
            conn.executemany(_UPSERT, rows)
            conn.executemany(  # a new row has no moods yet: only rows that were there
                "DELETE FROM track_mood WHERE track_id = ? AND origin = 'tag'",
                [(track_id,) for track_id in existing.values()],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO track_mood (track_id, mood, origin) VALUES (?, ?, 'tag')",
                [
                    (track_id, mood)
                    for track_id, item in zip(ids, items, strict=True)
                    for mood in item[4]
                ],
            )
        return ids, set(created.values())

    @staticmethod
    def _ids_by_path(conn: sqlite3.Connection, paths: list[bytes]) -> dict[bytes, int]:
        found: dict[bytes, int] = {}
        for start in range(0, len(paths), _IN_CHUNK):
            chunk = paths[start : start + _IN_CHUNK]
            sql = f"SELECT path, id FROM track WHERE path IN ({', '.join('?' * len(chunk))})"
            found.update((bytes(path), track_id) for path, track_id in conn.execute(sql, chunk))
        return found

    def all(
        self, unavailable_sources: frozenset[int] = frozenset(), limit: int | None = None
    ) -> list[Track]:
        """Every track in the collection (not missing), in album order; or the first ``limit``.

        Tracks of ``unavailable_sources`` are included, marked not available.
        """
        sql = (
            f"{_SELECT} WHERE missing_since IS NULL "
            "ORDER BY album COLLATE NOCASE, disc_number, track_number, title COLLATE NOCASE"
        )
        if limit is None:
            rows = self._db.conn.execute(sql).fetchall()
            return self._with_moods(rows, MoodRepository(self._db).combined(), unavailable_sources)
        rows = self._db.conn.execute(f"{sql} LIMIT ?", (limit,)).fetchall()
        moods = MoodRepository(self._db).combined([r[0] for r in rows])
        return self._with_moods(rows, moods, unavailable_sources)

    def get(self, track_id: int) -> Track | None:
        """One track by id, missing or not."""
        row = self._db.conn.execute(f"{_SELECT} WHERE id = ?", (track_id,)).fetchone()
        if row is None:
            return None
        # Its own moods, missing or not (the collection's moods leave missing tracks out).
        return self._with_moods([row], MoodRepository(self._db).combined([track_id]))[0]

    def count(self) -> int:
        """How many tracks the collection holds (missing ones left out)."""
        sql = "SELECT count(*) FROM track WHERE missing_since IS NULL"
        return int(self._db.conn.execute(sql).fetchone()[0])

    # -- scanning --------------------------------------------------------------------------
    def known_files(self, source_id: int) -> dict[bytes, tuple[int, int, int, int]]:
        """``path → (id, size, mtime_ns, missing)`` for every file of a source (missing: 0/1)."""
        cursor = self._db.conn.cursor()
        cursor.row_factory = None  # plain tuples: a rescan is mostly this and the folder walk
        rows = cursor.execute(
            "SELECT path, id, size, mtime_ns, missing_since IS NOT NULL FROM track "
            "WHERE source_id = ?",
            (source_id,),
        )
        return {r[0]: r[1:] for r in rows}  # BLOBs come back as bytes

    def mark_missing(self, track_ids: Iterable[int]) -> None:
        """Leave these tracks out of the collection, keeping their rows and what hangs on them."""
        with self._db.transaction() as conn:
            conn.executemany(
                "UPDATE track SET missing_since = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                "WHERE id = ? AND missing_since IS NULL",
                [(i,) for i in track_ids],
            )

    def identities(self, track_ids: Iterable[int] | None = None) -> list[Identity]:
        """``(id, size, mtime_ns, duration_ms, codec)`` of the given tracks, or of missing ones."""
        if track_ids is None:
            rows = self._db.conn.execute(
                "SELECT id, size, mtime_ns, duration_ms, codec FROM track "
                "WHERE missing_since IS NOT NULL"
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
        ids = list(track_ids)
        found: list[Identity] = []
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            rows = self._db.conn.execute(
                "SELECT id, size, mtime_ns, duration_ms, codec FROM track "
                f"WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            found += [tuple(r) for r in rows]  # type: ignore[misc]
        order = {track_id: i for i, track_id in enumerate(ids)}
        return sorted(found, key=lambda identity: order[identity[0]])  # as asked, like before

    def merge_moved(self, old_id: int, new_id: int) -> None:
        """The file of missing track ``old_id`` was found again as new track ``new_id``.

        The old row takes the new row's file, tags and tag moods and is no longer missing; the
        new row (just added, so nothing hangs on it) goes. Everything that hangs on the old id
        (notes, the listener's moods, playlist entries) follows the file.
        """
        columns = ", ".join(("source_id", "path", "size", "mtime_ns", *_TAG_COLUMNS))
        with self._db.transaction() as conn:
            row = conn.execute(f"SELECT {columns} FROM track WHERE id = ?", (new_id,)).fetchone()
            moods = [
                m[0]
                for m in conn.execute(
                    "SELECT mood FROM track_mood WHERE track_id = ? AND origin = 'tag'", (new_id,)
                )
            ]
            if row is None:
                return
            conn.execute("DELETE FROM track WHERE id = ?", (new_id,))
            assignments = ", ".join(f"{c} = ?" for c in columns.split(", "))
            conn.execute(
                f"UPDATE track SET {assignments}, missing_since = NULL WHERE id = ?",
                (*row, old_id),
            )
            conn.execute("DELETE FROM track_mood WHERE track_id = ? AND origin = 'tag'", (old_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO track_mood (track_id, mood, origin) VALUES (?, ?, 'tag')",
                [(old_id, mood) for mood in moods],
            )

    def set_problems(self, source_id: int, problems: Iterable[tuple[Path, str, str]]) -> None:
        """Replace a source's list of unreadable files with ``(path, reason, message)``."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM scan_problem WHERE source_id = ?", (source_id,))
            conn.executemany(
                "INSERT OR REPLACE INTO scan_problem (path, source_id, reason, message) "
                "VALUES (?, ?, ?, ?)",
                [(os.fsencode(p), source_id, reason, msg) for p, reason, msg in problems],
            )

    def problems(self) -> list[tuple[Path, str, str]]:
        """Every unreadable file with its reason, by path."""
        rows = self._db.conn.execute("SELECT path, reason, message FROM scan_problem ORDER BY path")
        return [(Path(os.fsdecode(r[0])), r[1], r[2]) for r in rows]

    @staticmethod
    def _with_moods(
        rows: list[sqlite3.Row],
        moods: dict[int, tuple[str, ...]],
        unavailable_sources: frozenset[int] = frozenset(),
    ) -> list[Track]:
        # _SELECT's columns: id, path, source_id, then the tag fields in TAG_FIELDS order.
        return [
            track_from_tags(
                Path(os.fsdecode(r[1])),
                r[3:18],
                moods.get(r[0], ()),
                r[0],
                r[2] not in unavailable_sources,
            )
            for r in rows
        ]

    # -- removing a source -----------------------------------------------------------------
    def remove_source(self, source_id: int) -> int:
        """Take a source out of the library, in one transaction; returns its tracks taken out.

        Its tracks leave the collection as missing ones do: their rows stay, with the notes,
        moods and playlist entries that hang on them, and come back with their ids when the
        folder is added again (tracks are kept by path).
        """
        with self._db.transaction() as conn:
            taken = conn.execute(
                "UPDATE track SET missing_since = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
                "WHERE source_id = ? AND missing_since IS NULL",
                (source_id,),
            ).rowcount
            # The tracks' source_id becomes NULL (ON DELETE SET NULL); its problems go with it.
            conn.execute("DELETE FROM source WHERE id = ?", (source_id,))
        return taken

    def source_counts(self) -> dict[int, int]:
        """``source id → tracks in the collection`` (missing ones left out); absent means 0."""
        rows = self._db.conn.execute(
            "SELECT source_id, count(*) FROM track "
            "WHERE missing_since IS NULL AND source_id IS NOT NULL GROUP BY source_id"
        )
        return {int(r[0]): int(r[1]) for r in rows}
