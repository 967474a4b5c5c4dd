"""The track: one audio file of a soundtrack, as the library knows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, Final


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


#: The fields of a track that its file's tags give, in the order a scan passes them on (and the
#: store keeps them): one plain tuple per file, so that 20,000 files need no object each.
TAG_FIELDS: Final = (
    "title",
    "artist",
    "album",
    "album_artist",
    "track_number",
    "disc_number",
    "year",
    "genre",
    "duration_ms",
    "composer",
    "comment",
    "musicbrainz_recording_id",
    "musicbrainz_release_id",
    "codec",
    "bitrate_kbps",
)
#: A file's tag values in :data:`TAG_FIELDS` order.
TagValues = tuple[Any, ...]
#: What reading a file gives a scan: its tag values and its moods.
TrackTags = tuple[TagValues, tuple[str, ...]]

#: A track's values in :data:`TAG_FIELDS` order (one C call per track).
tag_values = attrgetter(*TAG_FIELDS)


def track_from_tags(
    path: Path,
    values: TagValues,
    moods: tuple[str, ...],
    track_id: int = 0,
    available: bool = True,
) -> Track:
    """The :class:`Track` at ``path`` with tag ``values`` (in :data:`TAG_FIELDS` order).

    Positional, in Track's field order: a start-up builds 20,000 of these, and keywords (a
    dict per track) cost a third more.
    """
    return Track(
        path,
        *values[:8],
        moods,
        values[8],
        track_id,
        *values[9:],
        available,  # type: ignore[arg-type]
    )
