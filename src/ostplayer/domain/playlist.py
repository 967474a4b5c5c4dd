"""Playlists: static lists of tracks and moments, and smart ones that are a saved mood rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the builder loads when a playlist is built, not at start-up
    from ostplayer.domain.mixer import MoodRule

Kind = Literal["static", "smart"]


@dataclass(frozen=True, slots=True)
class PlaylistEntry:
    """A track in a playlist, or a moment: only its span from ``start_ms`` to ``end_ms``.

    ``end_ms`` None with a ``start_ms`` plays to the end of the track.
    """

    track_id: int
    start_ms: int | None = None
    end_ms: int | None = None

    @property
    def is_moment(self) -> bool:
        """True when the entry plays a span of its track, not all of it."""
        return self.start_ms is not None or self.end_ms is not None


@dataclass(frozen=True, slots=True)
class Playlist:
    """A saved playlist. A smart one has a ``rule`` and no stored entries."""

    id: int
    name: str
    kind: Kind = "static"
    rule: MoodRule | None = None
    entries: tuple[PlaylistEntry, ...] = field(default_factory=tuple)

    @property
    def is_smart(self) -> bool:
        """True for a saved mood rule, whose tracks follow the moods."""
        return self.kind == "smart"
