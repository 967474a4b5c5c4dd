"""Library databases holding the listener's notes, made and read back without the app.

Shared by the backup, restore and recovery tests: what they check is that the notes survive.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ostplayer.domain.scene import Note
from ostplayer.store.database import Database
from ostplayer.store.scenes import SceneRepository


def library_with_notes(path: Path, *texts: str) -> Path:
    """A library database at ``path`` holding these notes (plain notes, on no track)."""
    db = Database(path)
    scenes = SceneRepository(db)
    for i, text in enumerate(texts):
        scenes.add_note(Note(text=text, position_ms=1000 * i))
    db.close()
    return path


def note_texts(path: Path) -> list[str]:
    """The texts of the notes in the database at ``path``, oldest first, read-only."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT text FROM note ORDER BY id")]
    finally:
        conn.close()
