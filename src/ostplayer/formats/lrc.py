"""LRC export: a track's scene cues and notes as synced lyrics, for players that show LRC.

The file starts with the ID tags ``[ti:]``, ``[ar:]``, ``[al:]``, ``[length: m:ss]`` and
``[by:OST Player]``, then one ``[mm:ss.xx]`` line per cue start, in time order, with a one-line
text such as ``Ep 3, 41:20 — the rooftop confession``.

How the lines are written, and why:

- Times are ``[mm:ss.xx]`` with exactly two digits of hundredths, rounded down. FFmpeg's
  reader (which mpv uses) multiplies whatever follows the dot by ten, so three digits would be
  read ten times too late; two digits is the form every reader takes.
- LRC has no hours field. From one hour on the minutes keep counting (``[61:05.00]`` is
  1:01:05), which is how FFmpeg, VLC and the lyrics plugins read minutes: as a plain number.
- Cues that start in the same hundredth share one line, joined by " · ", because readers show
  only one line per time.
- LRC has no escapes, so text cannot hold what would read as a tag: line breaks become spaces,
  square brackets become parentheses, and ``<`` before a time becomes ``‹`` (enhanced LRC would
  take ``<1:05>`` as a word time). A lone surrogate (what a file name that is not UTF-8 decodes
  to) becomes U+FFFD, so the text can always be saved as UTF-8.

Reading is lenient, as players are, and never fails: a line that is not a time or a tag is
skipped, and so is a time of more than nine digits of minutes (which Python would refuse to
turn into a number past 4,300 digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from ostplayer.domain.scene import Note, SceneCue, one_line
from ostplayer.domain.timefmt import format_ms

__all__ = ["LrcDocument", "LrcLine", "LrcTrack", "export_lrc", "format_lrc_time", "parse_lrc"]

_JOIN = " · "
_WORD_TIME = re.compile(r"<(?=\s*[0-9]+\s*:)")
_TAG = re.compile(r"\[([A-Za-z][A-Za-z0-9]*):(.*)\]")
_TIME = re.compile(r"\[([0-9]{1,9}):([0-9]{1,2})(?:[.:]([0-9]{1,3}))?\]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class LrcTrack(Protocol):
    """What the header needs of a track; ``ostplayer.domain.track.Track`` has it all."""

    @property
    def title(self) -> str: ...
    @property
    def artist(self) -> str: ...
    @property
    def album(self) -> str: ...
    @property
    def duration_ms(self) -> int: ...


@dataclass(frozen=True, slots=True)
class LrcLine:
    """One timed line: its time in milliseconds and its text."""

    time_ms: int
    text: str


@dataclass(frozen=True, slots=True)
class LrcDocument:
    """A parsed LRC file: its ID tags in file order, and its timed lines sorted by time."""

    tags: tuple[tuple[str, str], ...]
    lines: tuple[LrcLine, ...]

    def tag(self, name: str) -> str | None:
        """The value of the first ID tag called ``name``, or ``None``."""
        return next((value for key, value in self.tags if key == name), None)


def format_lrc_time(ms: int) -> str:
    """``[mm:ss.xx]`` for a time in ms, hundredths rounded down; minutes go past 59."""
    minutes, rest = divmod(max(0, ms), 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"[{minutes:02d}:{seconds:02d}.{millis // 10:02d}]"


def export_lrc(track: LrcTrack, items: Iterable[SceneCue | Note]) -> str:
    """The LRC text for a track's cues and notes (write it as UTF-8).

    Each item gives one line at its track position (a cue's ``start_ms``, a note's
    ``position_ms``) with its headline. The caller chooses the items, e.g. without spoilers.
    """
    header = [
        ("ti", track.title),
        ("ar", track.artist),
        ("al", track.album),
    ]
    lines = [f"[{key}:{_clean(value)}]" for key, value in header if _clean(value)]
    if track.duration_ms > 0:
        lines.append(f"[length: {format_ms(track.duration_ms)}]")
    lines.append("[by:OST Player]")
    lines.append("")

    timed: dict[str, list[str]] = {}
    for start, text in sorted(_timed(items), key=lambda pair: pair[0]):
        timed.setdefault(format_lrc_time(start), []).append(text)
    lines.extend(stamp + _JOIN.join(texts) for stamp, texts in timed.items())
    return "\n".join(lines) + "\n"


def _timed(items: Iterable[SceneCue | Note]) -> Iterable[tuple[int, str]]:
    for item in items:
        start = item.start_ms if isinstance(item, SceneCue) else item.position_ms
        text = _clean(item.headline)
        if text:
            yield start, text


def _clean(text: str) -> str:
    text = one_line(text).replace("[", "(").replace("]", ")")
    return _SURROGATE.sub("\ufffd", _WORD_TIME.sub("‹", text))


def parse_lrc(text: str) -> LrcDocument:
    """Read LRC text: ID tag lines, and lines with one or more leading ``[mm:ss.xx]`` times.

    Lenient as players are: other lines (and a byte order mark) are skipped. Fractions of one,
    two or three digits are tenths, hundredths and thousandths. A line with several times gives
    one line per time.
    """
    tags: list[tuple[str, str]] = []
    lines: list[LrcLine] = []
    for raw in text.removeprefix("\ufeff").splitlines():
        line = raw.strip()
        times: list[int] = []
        while (match := _TIME.match(line)) is not None:
            minutes, seconds, fraction = match.groups()
            ms = int(fraction.ljust(3, "0")) if fraction else 0
            times.append((int(minutes) * 60 + int(seconds)) * 1000 + ms)
            line = line[match.end() :]
        if times:
            lines.extend(LrcLine(time, line.strip()) for time in times)
            continue
        tag = _TAG.fullmatch(line)
        if tag is not None:
            tags.append((tag[1].lower(), tag[2].strip()))
    lines.sort(key=lambda line: line.time_ms)
    return LrcDocument(tags=tuple(tags), lines=tuple(lines))
