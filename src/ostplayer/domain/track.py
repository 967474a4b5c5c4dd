"""The track: one audio file of a soundtrack, as the library knows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Track:
    """A track in the library.

    ``id`` is the library's stable identity (it survives renames and retagging); it is 0 for a
    track that is not stored yet. Times are integer milliseconds; ``duration_ms`` is 0 when unknown.
    """

    path: Path
    title: str = ""
    artist: str = ""
    album: str = ""
    album_artist: str = ""
    track_number: int | None = None
    disc_number: int | None = None
    year: int | None = None
    genre: str = ""
    moods: tuple[str, ...] = field(default_factory=tuple)
    duration_ms: int = 0
    id: int = 0
    composer: str = ""
    comment: str = ""
    musicbrainz_recording_id: str = ""
    musicbrainz_release_id: str = ""
    codec: str = ""
    bitrate_kbps: int = 0
    #: False while the track's music folder is unavailable (unmounted, moved, unreadable):
    #: the track is kept and shown greyed out, with everything that hangs on it.
    available: bool = True

    @property
    def display_title(self) -> str:
        """The title, or the file name without its extension when the tags have none."""
        return self.title or self.path.stem

    @property
    def album_key(self) -> tuple[str, str]:
        """What groups tracks into one album: album artist (or artist) and album title."""
        return (self.album_artist or self.artist, self.album)
