"""The mood repository: each track's moods from its three sources, and the listener's edits.

A track's moods come from its file tag (``track_mood`` origin ``tag``, replaced by every
scan), from scene packs (the moods of the cues linked to it, read from ``cue`` so they follow
every re-import) and from the listener (``track_mood`` origin ``listener``). When the listener
takes off a mood that a tag or a pack still gives, ``mood_hidden`` remembers it: the sources
stay apart and unchanged, and the combined view leaves it out.

Moods are compared by :func:`~ostplayer.domain.mood.mood_key` ("Tender" and " tender " are
one mood); each source keeps its own spelling.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ostplayer.domain.mood import Origin, mood_info, mood_key
from ostplayer.store.database import Database

#: Ids per ``IN (...)`` query: well under SQLite's limit on bound parameters.
_IN_CHUNK = 500

#: Tag and listener moods, in the order they came; ``{}`` picks the tracks.
_STORED = (
    "SELECT track_mood.track_id, track_mood.mood, track_mood.origin FROM track_mood "
    "JOIN track ON track.id = track_mood.track_id WHERE {} ORDER BY track_mood.rowid"
)
#: The moods of every cue linked to a track, as JSON arrays; ``{}`` picks the tracks.
_FROM_PACKS = (
    "SELECT pack_entry.track_id, cue.moods FROM cue "
    "JOIN pack_entry ON pack_entry.id = cue.entry_id "
    "JOIN track ON track.id = pack_entry.track_id "
    "WHERE {} AND cue.moods != '[]' ORDER BY cue.start_ms, cue.id"
)
_IN_COLLECTION = "track.missing_since IS NULL"


@dataclass(frozen=True, slots=True)
class MoodState:
    """What the listener has said about one mood on some tracks, to put back on undo.

    ``listener`` maps a track id to the spellings of the mood the listener gave it (empty: none);
    ``hidden`` holds the tracks on which the listener took the mood off.
    """

    key: str
    listener: dict[int, tuple[str, ...]]
    hidden: frozenset[int]


class MoodRepository:
    """Reads the moods of every track and writes the listener's own (``track_mood``,
    ``mood_hidden``). Every edit is committed before the method returns."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def rows(self, track_ids: Sequence[int] | None = None) -> list[tuple[int, str, Origin]]:
        """Every ``(track id, mood, origin)`` of the collection, hidden ones left out.

        With ``track_ids``, those tracks' instead, missing or not. A pack gives a track a mood
        once, however many of its cues carry it.
        """
        hidden = self._hidden(self._db.conn)  # once, not once per chunk of ids
        if track_ids is None:
            return self._rows(_IN_COLLECTION, (), hidden)
        found: list[tuple[int, str, Origin]] = []
        for chunk in _chunks(track_ids):
            where = f"track.id IN ({', '.join('?' * len(chunk))})"
            found += self._rows(where, chunk, hidden)
        return found

    def _rows(
        self, where: str, params: Sequence[int], hidden: set[tuple[int, str]]
    ) -> list[tuple[int, str, Origin]]:
        conn = self._db.conn
        found: list[tuple[int, str, Origin]] = []
        seen: set[tuple[int, str, str]] = set()
        plain = conn.cursor()
        plain.row_factory = None
        # A library has a few dozen distinct moods on many thousand rows: fold each once.
        keys: dict[str, str] = {}
        for track_id, mood, origin in plain.execute(_STORED.format(where), params):
            key = keys.get(mood) or keys.setdefault(mood, mood_key(mood))
            if key and (track_id, key) not in hidden and (track_id, key, origin) not in seen:
                seen.add((track_id, key, origin))
                found.append((track_id, mood, origin))
        for track_id, text in plain.execute(_FROM_PACKS.format(where), params):
            for mood in _loads(text):
                key = keys.get(mood) or keys.setdefault(mood, mood_key(mood))
                if key and (track_id, key) not in hidden and (track_id, key, "pack") not in seen:
                    seen.add((track_id, key, "pack"))
                    found.append((track_id, mood, "pack"))
        return found

    def combined(self, track_ids: Sequence[int] | None = None) -> dict[int, tuple[str, ...]]:
        """``track id → its moods``, all three sources in one list, one spelling per mood.

        Every track of the collection, or with ``track_ids`` those tracks, missing or not.
        """
        moods: dict[int, list[str]] = {}
        keys: set[tuple[int, str]] = set()
        for track_id, mood, _origin in self.rows(track_ids):
            key = mood_key(mood)
            if (track_id, key) not in keys:
                keys.add((track_id, key))
                moods.setdefault(track_id, []).append(mood)
        return {track_id: tuple(values) for track_id, values in moods.items()}

    def for_files(self, track_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
        """The moods to write into each track's file tag: its tag's and the listener's.

        Moods from packs stay out (they are someone else's reading of the scenes), and so do
        moods the listener took off.
        """
        wanted = list(dict.fromkeys(track_ids))
        moods: dict[int, list[str]] = {track_id: [] for track_id in wanted}
        keys: set[tuple[int, str]] = set()
        for track_id, mood, origin in self.rows(wanted):
            key = mood_key(mood)
            if origin != "pack" and (track_id, key) not in keys:
                keys.add((track_id, key))
                moods[track_id].append(mood)
        return {track_id: tuple(values) for track_id, values in moods.items()}

    # -- the listener's edits ----------------------------------------------------------------
    def add(self, track_ids: Sequence[int], mood: str) -> MoodState:
        """Give these tracks ``mood`` as the listener's own; returns the state before (undo).

        A mood the listener had taken off comes back. A mood of the shipped vocabulary is
        saved in its own spelling; the listener's own words as typed (spacing tidied).
        """
        name = " ".join(mood.split())
        key = mood_key(name)
        if not key:
            raise ValueError("a mood needs a word")
        known = mood_info(key)
        if known is not None:  # "Tender" is the shipped "tender": keep one spelling
            name = known.name
        with self._db.transaction() as conn:
            before = self._state(conn, track_ids, key)
            conn.executemany(
                "INSERT OR IGNORE INTO track_mood (track_id, mood, origin) "
                "VALUES (?, ?, 'listener')",
                [(t, name) for t in track_ids if not before.listener.get(t)],
            )
            conn.executemany(
                "DELETE FROM mood_hidden WHERE track_id = ? AND mood = ?",
                [(t, key) for t in before.hidden],
            )
        return before

    def remove(self, track_ids: Sequence[int], mood: str) -> MoodState:
        """Take ``mood`` off these tracks; returns the state before (undo).

        The listener's own spelling goes; where a tag or a pack still gives the mood, it is
        marked hidden, so the sources themselves stay as they are.
        """
        key = mood_key(mood)
        with self._db.transaction() as conn:
            before = self._state(conn, track_ids, key)
            conn.executemany(
                "DELETE FROM track_mood WHERE track_id = ? AND mood = ? AND origin = 'listener'",
                [(t, s) for t, spellings in before.listener.items() for s in spellings],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO mood_hidden (track_id, mood) VALUES (?, ?)",
                [(t, key) for t in self._given_elsewhere(conn, track_ids, key)],
            )
        return before

    def restore(self, state: MoodState) -> MoodState:
        """Put back what :meth:`add` or :meth:`remove` returned; returns the state it replaced."""
        track_ids = sorted({*state.listener, *state.hidden})
        with self._db.transaction() as conn:
            now = self._state(conn, track_ids, state.key)
            conn.executemany(
                "DELETE FROM track_mood WHERE track_id = ? AND mood = ? AND origin = 'listener'",
                [(t, s) for t, spellings in now.listener.items() for s in spellings],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO track_mood (track_id, mood, origin) "
                "VALUES (?, ?, 'listener')",
                [(t, s) for t, spellings in state.listener.items() for s in spellings],
            )
            conn.executemany(
                "DELETE FROM mood_hidden WHERE track_id = ? AND mood = ?",
                [(t, state.key) for t in track_ids],
            )
            conn.executemany(
                "INSERT INTO mood_hidden (track_id, mood) VALUES (?, ?)",
                [(t, state.key) for t in state.hidden],
            )
        return now

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _hidden(conn: sqlite3.Connection) -> set[tuple[int, str]]:
        return {(r[0], r[1]) for r in conn.execute("SELECT track_id, mood FROM mood_hidden")}

    def _state(self, conn: sqlite3.Connection, track_ids: Sequence[int], key: str) -> MoodState:
        listener: dict[int, tuple[str, ...]] = dict.fromkeys(track_ids, ())
        hidden: set[int] = set()
        for chunk in _chunks(track_ids):
            marks = ", ".join("?" * len(chunk))
            rows = conn.execute(
                "SELECT track_id, mood FROM track_mood "
                f"WHERE origin = 'listener' AND track_id IN ({marks})",
                chunk,
            )
            for track_id, mood in rows:
                if mood_key(mood) == key:
                    listener[track_id] += (mood,)
            rows = conn.execute(
                f"SELECT track_id FROM mood_hidden WHERE mood = ? AND track_id IN ({marks})",
                (key, *chunk),
            )
            hidden.update(r[0] for r in rows)
        return MoodState(key, listener, frozenset(hidden))

    @staticmethod
    def _given_elsewhere(conn: sqlite3.Connection, track_ids: Sequence[int], key: str) -> set[int]:
        """The tracks among ``track_ids`` to which a tag or a pack gives the mood ``key``."""
        found: set[int] = set()
        for chunk in _chunks(track_ids):
            marks = ", ".join("?" * len(chunk))
            tags = conn.execute(
                "SELECT track_id, mood FROM track_mood "
                f"WHERE origin = 'tag' AND track_id IN ({marks})",
                chunk,
            )
            found.update(t for t, mood in tags if mood_key(mood) == key)
            packs = conn.execute(
                "SELECT pack_entry.track_id, cue.moods FROM cue "
                "JOIN pack_entry ON pack_entry.id = cue.entry_id "
                f"WHERE pack_entry.track_id IN ({marks})",
                chunk,
            )
            found.update(t for t, text in packs if key in map(mood_key, _loads(text)))
        return found


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield list(ids[start : start + _IN_CHUNK])


def _loads(text: str) -> list[str]:
    try:
        values = json.loads(text)
    except ValueError:
        return []
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
