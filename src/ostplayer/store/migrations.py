"""Forward migrations: ``MIGRATIONS[n - 1]`` takes the schema from version ``n - 1`` to ``n``.

Never edit a migration that has shipped; add the next one. Each runs in one transaction.
"""

from __future__ import annotations

_V1 = """
-- Where tracks come from: the bundled demo OST, or a music folder the listener chose.
CREATE TABLE source (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('demo', 'folder')),
    path BLOB NOT NULL UNIQUE,          -- os.fsencode(path): lossless for any file name
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

CREATE TABLE track (
    id INTEGER PRIMARY KEY,
    source_id INTEGER REFERENCES source(id) ON DELETE SET NULL,
    path BLOB NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    artist TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    album_artist TEXT NOT NULL DEFAULT '',
    track_number INTEGER,
    disc_number INTEGER,
    year INTEGER,
    genre TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0,
    mtime_ns INTEGER NOT NULL DEFAULT 0
);

-- A mood of a track, kept apart by where it came from (a file tag, a pack, the listener).
CREATE TABLE track_mood (
    track_id INTEGER NOT NULL REFERENCES track(id) ON DELETE CASCADE,
    mood TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('tag', 'pack', 'listener')),
    PRIMARY KEY (track_id, mood, origin)
);

-- Small pieces of session state (the queue, the window's geometry), as JSON.
CREATE TABLE state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_V2 = """
-- What the library issue reads from tags, beyond the first cut.
ALTER TABLE track ADD COLUMN composer TEXT NOT NULL DEFAULT '';
ALTER TABLE track ADD COLUMN comment TEXT NOT NULL DEFAULT '';
ALTER TABLE track ADD COLUMN mb_recording_id TEXT NOT NULL DEFAULT '';
ALTER TABLE track ADD COLUMN mb_release_id TEXT NOT NULL DEFAULT '';
ALTER TABLE track ADD COLUMN codec TEXT NOT NULL DEFAULT '';
ALTER TABLE track ADD COLUMN bitrate_kbps INTEGER NOT NULL DEFAULT 0;
-- Set when a scan sees the file gone from a readable folder. The row stays, so that what hangs
-- on the track (notes, moods, playlist entries) stays too; a scan never deletes user data.
ALTER TABLE track ADD COLUMN missing_since TEXT;

-- Every file the last scan of its folder could not read, with the reason.
CREATE TABLE scan_problem (
    path BLOB PRIMARY KEY,
    source_id INTEGER REFERENCES source(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    seen_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
"""

_V3 = """
-- The scene-notes issue: episodes, scene packs and their cues, and the listener's own notes.
-- Lists (characters, moods) are JSON arrays of strings.
CREATE TABLE episode (
    key TEXT PRIMARY KEY,                  -- "S1E3"
    season INTEGER NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT ''
);

-- An imported scene pack. Importing a pack of the same name again replaces it in place.
CREATE TABLE pack (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    series TEXT NOT NULL DEFAULT '',
    document BLOB NOT NULL,                -- the pack in its canonical form: exports lose nothing
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- A pack's track entry, and the local track it was matched to (none: waiting to be linked).
CREATE TABLE pack_entry (
    id INTEGER PRIMARY KEY,
    pack_id INTEGER NOT NULL REFERENCES pack(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    album TEXT NOT NULL DEFAULT '',
    artist TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER,
    track_id INTEGER REFERENCES track(id) ON DELETE SET NULL,
    match TEXT NOT NULL,                   -- the matcher's level, or manual
    UNIQUE (pack_id, position)
);
CREATE INDEX pack_entry_track ON pack_entry(track_id);

CREATE TABLE cue (
    id INTEGER PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES pack_entry(id) ON DELETE CASCADE,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER,
    episode TEXT NOT NULL,
    episode_start_ms INTEGER,
    episode_end_ms INTEGER,
    description TEXT NOT NULL DEFAULT '',
    characters TEXT NOT NULL DEFAULT '[]',
    place TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'score',
    moods TEXT NOT NULL DEFAULT '[]',
    confidence TEXT NOT NULL DEFAULT 'certain',
    spoiler_from TEXT
);
CREATE INDEX cue_entry ON cue(entry_id);
CREATE INDEX cue_episode ON cue(episode);

-- The listener's own notes. A note keeps its track id when the track goes missing (orphaned,
-- waiting to be re-linked); only if the row itself went would it lose it (SET NULL).
CREATE TABLE note (
    id INTEGER PRIMARY KEY,
    track_id INTEGER REFERENCES track(id) ON DELETE SET NULL,
    text TEXT NOT NULL,
    position_ms INTEGER NOT NULL,
    end_ms INTEGER,
    episode TEXT,
    episode_start_ms INTEGER,
    episode_end_ms INTEGER,
    characters TEXT NOT NULL DEFAULT '[]',
    place TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'score',
    moods TEXT NOT NULL DEFAULT '[]',
    spoiler_from TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX note_track ON note(track_id);
"""

_V4 = """
-- The mood-playlists issue. A mood the listener took off a track although its file tag or a
-- scene pack gives it; the key is the folded mood (domain.mood.mood_key).
CREATE TABLE mood_hidden (
    track_id INTEGER NOT NULL REFERENCES track(id) ON DELETE CASCADE,
    mood TEXT NOT NULL,
    PRIMARY KEY (track_id, mood)
);

-- A playlist: static (its entries are the list) or smart (a saved mood rule, as JSON, whose
-- tracks are worked out again whenever moods change).
CREATE TABLE playlist (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('static', 'smart')),
    rule TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- An entry of a static playlist: a track, or a moment (a span of it). Entries hang on the
-- track id, which survives moves and retagging; a missing track keeps its entries.
CREATE TABLE playlist_entry (
    playlist_id INTEGER NOT NULL REFERENCES playlist(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    track_id INTEGER NOT NULL REFERENCES track(id) ON DELETE CASCADE,
    start_ms INTEGER,
    end_ms INTEGER,
    PRIMARY KEY (playlist_id, position)
);
CREATE INDEX playlist_entry_track ON playlist_entry(track_id);
"""

_V5 = """
-- The list's own order (album order): a start reads its first screens through this instead of
-- sorting every track (~7 ms of its first paint with 20,000), and the whole load needs no sort.
CREATE INDEX track_album_order ON track(
    album COLLATE NOCASE, disc_number, track_number, title COLLATE NOCASE
) WHERE missing_since IS NULL;
"""

MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4, _V5]
