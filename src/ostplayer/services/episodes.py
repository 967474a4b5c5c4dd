"""An episode's music: its cue sheet in airing order, and what to play for it.

Pure functions over the scene store and the library, so the Episodes view stays a view and
the rules (which tracks, which spans) are tested without a window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ostplayer.domain.scene import PERSONAL, SceneCue
from ostplayer.domain.track import Track
from ostplayer.services.player import Span
from ostplayer.store.scenes import SceneRepository


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One line of an episode's cue sheet: a cue and its track (``None`` when gone).

    A line from the listener's own note carries the note as a personal cue (``source`` is
    ``PERSONAL`` and ``id`` is the note's id); see :attr:`is_personal`.
    """

    cue: SceneCue
    track: Track | None

    @property
    def is_personal(self) -> bool:
        """True when the line is the listener's own note rather than a pack's cue."""
        return self.cue.source == PERSONAL

    @property
    def track_title(self) -> str:
        """The track's title for people (empty when the track has left the library)."""
        return self.track.display_title if self.track is not None else ""


def cue_sheet(
    repository: SceneRepository, lookup: Callable[[int], Track | None], episode: str
) -> list[SheetRow]:
    """The episode's linked pack cues and the listener's notes naming it, in episode-time order.

    Lines without an episode time come last. A note shows only while its track is in the
    library: an orphaned note has nothing to play, and waits to be re-linked elsewhere. At
    the same time, pack cues come before notes (the sort is stable).
    """
    rows = [SheetRow(cue, lookup(cue.track_id)) for cue in repository.episode_cues(episode)]
    for note in repository.notes():
        cue = note.to_cue()
        if cue is None or cue.episode != episode or not note.track_id:
            continue
        track = lookup(note.track_id)
        if track is not None:
            rows.append(SheetRow(replace(cue, id=note.id), track))
    return sorted(rows, key=_airing_order)


def _airing_order(row: SheetRow) -> tuple[bool, int, int]:
    # The same order as SceneRepository.episode_cues, so that notes slot in between its cues.
    start = row.cue.episode_start_ms
    return (start is None, start or 0, row.cue.start_ms)


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

    A cue without an end runs until the next cue on the same track (a pack cue from any
    episode, or another line of this sheet, notes included), or else to the track's end
    (``end_ms`` ``None``).
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
                # The sheet's own lines count too: a note on this track is a scene boundary.
                on_track = {r.cue.start_ms for r in rows if r.cue.track_id == cue.track_id}
                packs = {c.start_ms for c in repository.cues(cue.track_id)}
                starts[cue.track_id] = sorted(packs | on_track)
            end = next((s for s in starts[cue.track_id] if s > cue.start_ms), None)
        spans.append(Span(cue.track_id, cue.start_ms, end))
    return spans
