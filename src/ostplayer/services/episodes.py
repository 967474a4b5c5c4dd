"""An episode's music: its cue sheet in airing order, and what to play for it.

Pure functions over the scene store and the library, so the Episodes view stays a view and
the rules (which tracks, which spans) are tested without a window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ostplayer.domain.scene import SceneCue
from ostplayer.domain.track import Track
from ostplayer.services.player import Span
from ostplayer.store.scenes import SceneRepository


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One line of an episode's cue sheet: a cue and its track (``None`` when gone)."""

    cue: SceneCue
    track: Track | None

    @property
    def track_title(self) -> str:
        """The track's title for people (empty when the track has left the library)."""
        return self.track.display_title if self.track is not None else ""


def cue_sheet(
    repository: SceneRepository, lookup: Callable[[int], Track | None], episode: str
) -> list[SheetRow]:
    """The episode's linked cues in episode-time order (cues without a time last)."""
    return [SheetRow(cue, lookup(cue.track_id)) for cue in repository.episode_cues(episode)]


def whole_tracks(rows: list[SheetRow]) -> list[int]:
    """The sheet's tracks in scene order; a track used by consecutive scenes plays once."""
    ids: list[int] = []
    for row in rows:
        if row.track is None:
            continue
        if not ids or ids[-1] != row.track.id:
            ids.append(row.track.id)
    return ids


def scene_spans(repository: SceneRepository, rows: list[SheetRow]) -> list[Span]:
    """Each cue's span of its track, in scene order.

    A cue without an end runs until the next cue on the same track (from any episode), or
    else to the track's end (``end_ms`` ``None``).
    """
    starts: dict[int, list[int]] = {}
    spans: list[Span] = []
    for row in rows:
        if row.track is None:
            continue
        cue = row.cue
        end = cue.end_ms
        if end is None:
            if cue.track_id not in starts:
                starts[cue.track_id] = sorted({c.start_ms for c in repository.cues(cue.track_id)})
            end = next((s for s in starts[cue.track_id] if s > cue.start_ms), None)
        spans.append(Span(cue.track_id, cue.start_ms, end))
    return spans
