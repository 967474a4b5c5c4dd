"""Small pieces of session state (the queue, the window), stored as JSON by key."""

from __future__ import annotations

import json
from typing import Any

from ostplayer.store.database import Database


class StateRepository:
    """Key/value session state in the ``state`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str, default: Any = None) -> Any:
        """The stored value, or ``default`` when missing or unreadable."""
        row = self._db.conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            return default

    def set(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value, in its own transaction."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )


#: State key: the last episode the listener has watched (an episode key), or absent: no guard.
WATCHED_KEY = "scenes.watched_up_to"


def watched_up_to(state: StateRepository) -> str | None:
    """The last episode the listener has watched, or ``None`` (no spoiler guard)."""
    from ostplayer.domain.scene import normalise_episode_key

    value = state.get(WATCHED_KEY)
    try:
        return normalise_episode_key(value) if isinstance(value, str) else None
    except ValueError:
        return None


# -- desktop settings (their types and defaults: ostplayer.ui.preferences) ---------------------
#: State key: the colour scheme, "system", "light" or "dark".
THEME_KEY = "ui.theme"
#: State key: closing the window hides it in the tray (bool).
CLOSE_TO_TRAY_KEY = "ui.close_to_tray"
#: State key: a desktop notification when the track changes (bool).
NOTIFY_KEY = "ui.notify_track_change"
#: State key: the audio output device's id, or null for the system's default.
OUTPUT_DEVICE_KEY = "audio.output_device"
#: State key: the ReplayGain mode, "off", "track" or "album".
REPLAY_GAIN_KEY = "audio.replay_gain"
