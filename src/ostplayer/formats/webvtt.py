"""WebVTT export: scene cues as subtitles, per track or per episode (W3C WebVTT).

Per track, each cue runs over its span of the track, so the notes play along with the music in
any player that takes a subtitle file. Per episode, each cue runs over its span of the episode
and names the track and the scene, so a fan can rewatch the episode in VLC or mpv with the
music notes as subtitles.

What the W3C format asks, and how it is met:

- The file starts with ``WEBVTT`` and a blank line; an optional ``NOTE`` comment block follows.
- Cues are listed in start order, and each cue's end is later than its start.
- Cue text is one line: line breaks would split or end the cue. ``&``, ``<`` and ``>`` are
  written as ``&amp;``, ``&lt;`` and ``&gt;``, so the text is never read as markup and can never
  contain ``-->``. A comment cannot hold ``-->`` either; there it becomes ``->``.
- A file is UTF-8: a lone surrogate (a track title taken from a file name that is not UTF-8)
  becomes U+FFFD, and so does NUL, as a WebVTT parser would read it.

A cue with no end (or an end not after its start) runs until the next cue that starts later,
else to the end of the track (per track), or for its length on the track (per episode). When
neither is known it runs for :data:`OPEN_CUE_MS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ostplayer.domain.scene import Note, SceneCue, episode_order, one_line
from ostplayer.domain.timefmt import format_ms

__all__ = [
    "OPEN_CUE_MS",
    "VttTrack",
    "export_episode_vtt",
    "export_track_vtt",
    "format_vtt_time",
]

#: How long a cue whose end cannot be worked out stays on screen.
OPEN_CUE_MS = 10_000

# Text a UTF-8 file cannot hold (lone surrogates), and NUL, which WebVTT parsers replace.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


class VttTrack(Protocol):
    """What a per-track export needs of the track; ``ostplayer.domain.track.Track`` has it."""

    @property
    def duration_ms(self) -> int: ...


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int | None
    text: str


def format_vtt_time(ms: int) -> str:
    """A WebVTT timestamp, always with hours: ``01:02:03.450``."""
    hours, rest = divmod(max(0, ms), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def export_track_vtt(
    track: VttTrack, items: Iterable[SceneCue | Note], *, note: str | None = None
) -> str:
    """WebVTT for one track: each cue or note over its span of the track, with its headline.

    ``note`` (for example the pack or series name) goes into a ``NOTE`` comment at the top.
    """
    spans = []
    for item in items:
        start = item.start_ms if isinstance(item, SceneCue) else item.position_ms
        spans.append(_Span(start, item.end_ms, item.headline))
    end_of_track = track.duration_ms if track.duration_ms > 0 else None
    return _document(spans, note=note, last_end=end_of_track)


def export_episode_vtt(
    episode: str,
    entries: Iterable[tuple[str, SceneCue | Note]],
    *,
    note: str | None = None,
) -> str:
    """WebVTT on an episode's own timeline: each ``(track title, cue)`` over its episode span.

    The text names the track and where in it, then the scene:
    ``♪ First Love’s Whisper, 0:14 — the rooftop confession``. Entries from other episodes, and
    cues without an episode time, are left out. ``note`` goes into a ``NOTE`` comment at the top
    (for example "Hometown Embrace, S1E3 “The Rooftop Confession” — music notes").
    """
    wanted = episode_order(episode)
    spans = []
    for title, item in entries:
        if item.episode is None or item.episode_start_ms is None:
            continue
        if episode_order(item.episode) != wanted:
            continue
        if isinstance(item, SceneCue):
            position, track_end, text = item.start_ms, item.end_ms, item.description
        else:
            position, track_end, text = item.position_ms, item.end_ms, item.text
        end = item.episode_end_ms
        if end is None and track_end is not None and track_end > position:
            # The music plays for as long in the episode as it does on the track.
            end = item.episode_start_ms + (track_end - position)
        label = f"♪ {one_line(title)}, {format_ms(position)}"
        text = one_line(text)
        spans.append(_Span(item.episode_start_ms, end, f"{label} — {text}" if text else label))
    return _document(spans, note=note, last_end=None)


def _document(spans: list[_Span], *, note: str | None, last_end: int | None) -> str:
    blocks = []
    comment = _comment(note) if note is not None else ""
    if comment:
        blocks.append(f"NOTE {comment}")
    spans = sorted(spans, key=lambda span: span.start)
    for index, span in enumerate(spans):
        end = span.end
        if end is None or end <= span.start:
            later = next((s.start for s in spans[index + 1 :] if s.start > span.start), None)
            if later is not None:
                end = later
            elif last_end is not None and last_end > span.start:
                end = last_end
            else:
                end = span.start + OPEN_CUE_MS
        blocks.append(
            f"{format_vtt_time(span.start)} --> {format_vtt_time(end)}\n{_escape(span.text)}"
        )
    # The signature line ends with two line breaks even when nothing follows it.
    return "WEBVTT\n\n" + "".join(f"{block}\n\n" for block in blocks)


def _escape(text: str) -> str:
    text = _NOT_TEXT.sub("\ufffd", one_line(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # An empty payload is allowed, but a cue with a blank line for text reads oddly in players.
    return text or "♪"


def _comment(text: str) -> str:
    # A comment block ends at a blank line and may not contain "-->".
    text = _NOT_TEXT.sub("\ufffd", one_line(text))
    while "-->" in text:
        text = text.replace("-->", "->")
    return text
